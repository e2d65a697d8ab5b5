package ghaction

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/sethvargo/go-githubactions"
	"oras.land/oras-go/v2/registry"

	"github.com/modelci/modelci/internal/forge"
	"github.com/modelci/modelci/internal/report"
)

// PublishCommand is what actions/publish runs: `modelci` with Args, and
// Env added to the environment (the credentials, never on the command
// line).
type PublishCommand struct {
	// Args are the arguments after "modelci", starting with "publish".
	Args []string
	// Env are NAME=value pairs for the credentials.
	Env []string
	// DryRun says to print the command instead of running it.
	DryRun bool
}

// String is the command line with the names of the credentials' variables,
// never their values.
func (p PublishCommand) String() string {
	s := "modelci " + strings.Join(p.Args, " ")
	if len(p.Env) > 0 {
		var names []string
		for _, kv := range p.Env {
			name, _, _ := strings.Cut(kv, "=")
			names = append(names, name)
		}
		s += " (credentials in " + strings.Join(names, ", ") + ")"
	}
	return s
}

var (
	aliasRE  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)
	bucketRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
)

// Publish reads and checks the inputs of actions/publish and returns the
// `modelci publish` command they make. The model is pushed to a registry
// reference, an S3 URL, or both; alias names the tag to move; unless force
// is true, the approval record (approval.json of actions/compare) must say
// approved and report.json, when given, that the gate passed. Secrets are
// masked and passed in the environment.
func Publish(a *githubactions.Action) (PublishCommand, error) {
	r, err := newRunner(a)
	if err != nil {
		return PublishCommand{}, err
	}
	var cmd PublishCommand
	for _, secret := range []string{"registry-password", "aws-secret-access-key", "aws-session-token"} {
		if v := r.input(secret); v != "" {
			a.AddMask(v)
		}
	}
	model, err := r.required("model")
	if err != nil {
		return cmd, fmt.Errorf("%w: the model directory to publish", err)
	}
	if info, err := os.Stat(r.workspacePath(model)); err != nil || !info.IsDir() {
		return cmd, fmt.Errorf("input \"model\": %s is not a directory", model)
	}
	cmd.Args = []string{"publish", "--model", r.workspacePath(model)}
	targets, err := publishTargets(r)
	if err != nil {
		return cmd, err
	}
	cmd.Args = append(cmd.Args, targets...)
	evidence, err := publishEvidence(r)
	if err != nil {
		return cmd, err
	}
	cmd.Args = append(cmd.Args, evidence...)
	if cmd.DryRun, err = r.boolean("dry-run", false); err != nil {
		return cmd, err
	}
	cmd.Env, err = publishCredentials(r)
	return cmd, err
}

// publishTargets checks registry, s3 and alias.
func publishTargets(r runner) ([]string, error) {
	var args []string
	ref, s3 := r.input("registry"), r.input("s3")
	if ref == "" && s3 == "" {
		return nil, errors.New("give input \"registry\" (an OCI reference, e.g. ghcr.io/acme/digits:1.2.0), input \"s3\" (e.g. s3://models/digits), or both")
	}
	if ref != "" {
		if _, err := registry.ParseReference(ref); err != nil {
			return nil, fmt.Errorf("input \"registry\": %q is not an OCI reference like ghcr.io/acme/digits:1.2.0: %w", ref, err)
		}
		args = append(args, "--registry", ref)
	}
	if s3 != "" {
		if err := checkS3URL(s3); err != nil {
			return nil, fmt.Errorf("input \"s3\": %w", err)
		}
		args = append(args, "--s3", s3)
	}
	version, err := publishVersion(r, ref, s3)
	if err != nil {
		return nil, err
	}
	if version != "" {
		args = append(args, "--version", version)
	}
	if alias := r.input("alias"); alias != "" {
		if !aliasRE.MatchString(alias) {
			return nil, fmt.Errorf("input \"alias\": %q: expected 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit, e.g. production", alias)
		}
		args = append(args, "--alias", alias)
	}
	return args, nil
}

// publishVersion checks the version input: an OCI tag, required when the
// model goes to S3 and no registry reference gives the version as its tag.
func publishVersion(r runner, ref, s3 string) (string, error) {
	version := r.input("version")
	if version != "" && !aliasRE.MatchString(version) { // a tag, as an alias is
		return "", fmt.Errorf("input \"version\": %q: expected 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit, e.g. 1.4.0", version)
	}
	if version == "" && s3 != "" {
		if parsed, err := registry.ParseReference(ref); ref == "" || err != nil || parsed.Reference == "" {
			return "", errors.New("input \"version\" is required to publish to S3 without a registry reference's tag, e.g. 1.4.0")
		}
	}
	return version, nil
}

// checkS3URL checks s3://bucket[/prefix].
func checkS3URL(s string) error {
	rest, ok := strings.CutPrefix(s, "s3://")
	if !ok {
		return fmt.Errorf("%q: expected s3://BUCKET/PREFIX", s)
	}
	bucket, prefix, _ := strings.Cut(rest, "/")
	if !bucketRE.MatchString(bucket) || strings.Contains(bucket, "..") {
		return fmt.Errorf("%q: bucket %q: expected 3 to 63 lowercase letters, digits, '.' or '-', starting and ending with a letter or digit", s, bucket)
	}
	for _, part := range strings.Split(strings.TrimSuffix(prefix, "/"), "/") {
		if part == "." || part == ".." || (part == "" && prefix != "") {
			return fmt.Errorf("%q: the prefix has an empty, . or .. segment", s)
		}
	}
	return nil
}

// publishEvidence checks force, approval and report: without force the
// approval record must say approved and the report that the gate passed.
func publishEvidence(r runner) ([]string, error) {
	force, err := r.boolean("force", false)
	if err != nil {
		return nil, err
	}
	var args []string
	approvalPath, reportPath := r.input("approval"), r.input("report")
	if approvalPath == "" && !force {
		return nil, errors.New("input \"approval\" is required (the approval.json actions/compare wrote), unless force is true")
	}
	if reportPath == "" && !force {
		return nil, errors.New("input \"report\" is required (the report.json actions/compare wrote: its gate must have passed), unless force is true")
	}
	if approvalPath != "" {
		ap, err := readApproval(r.workspacePath(approvalPath))
		if err != nil {
			return nil, fmt.Errorf("input \"approval\": %w", err)
		}
		if !ap.Approved && !force {
			return nil, fmt.Errorf("not approved: %s (set force to true to publish anyway; it is recorded)", strings.Join(ap.Reasons, "; "))
		}
		args = append(args, "--approval", r.workspacePath(approvalPath))
	}
	if reportPath != "" {
		data, err := readLimited(r.workspacePath(reportPath), report.MaxJSONBytes)
		if err != nil {
			return nil, fmt.Errorf("input \"report\": %w", err)
		}
		g, err := report.CheckJSON(reportPath, data)
		if err != nil {
			return nil, fmt.Errorf("input \"report\": %w", err)
		}
		if !g.Passed && !force {
			return nil, fmt.Errorf("input \"report\": the gate failed (%d violations): set force to true to publish anyway", g.Violations)
		}
		args = append(args, "--report", r.workspacePath(reportPath))
	}
	if force {
		args = append(args, "--force")
	}
	return args, nil
}

// readApproval reads an approval record strictly.
func readApproval(p string) (forge.Approval, error) {
	var ap forge.Approval
	data, err := readLimited(p, 1<<20)
	if err != nil {
		return ap, err
	}
	if err := jsonv2.Unmarshal(data, &ap, jsonv2.RejectUnknownMembers(true)); err != nil {
		return ap, fmt.Errorf("%s: not an approval record: %w", p, err)
	}
	return ap, nil
}

// publishCredentials maps the credential inputs to the environment
// `modelci publish` reads; a username needs its password.
func publishCredentials(r runner) ([]string, error) {
	pairs := []struct{ input, env string }{
		{"registry-username", "MODELCI_REGISTRY_USERNAME"}, {"registry-password", "MODELCI_REGISTRY_PASSWORD"},
		{"aws-access-key-id", "AWS_ACCESS_KEY_ID"}, {"aws-secret-access-key", "AWS_SECRET_ACCESS_KEY"},
		{"aws-session-token", "AWS_SESSION_TOKEN"}, {"aws-region", "AWS_REGION"}, {"s3-endpoint", "AWS_ENDPOINT_URL_S3"},
	}
	var env []string
	for _, p := range pairs {
		if v := r.input(p.input); v != "" {
			env = append(env, p.env+"="+v)
		}
	}
	both := func(a, b string) error {
		if (r.input(a) == "") != (r.input(b) == "") {
			return fmt.Errorf("inputs %q and %q go together: give both or neither", a, b)
		}
		return nil
	}
	if err := errors.Join(both("registry-username", "registry-password"), both("aws-access-key-id", "aws-secret-access-key")); err != nil {
		return nil, err
	}
	if r.input("s3") == "" && r.input("aws-access-key-id") != "" {
		return nil, errors.New("inputs \"aws-access-key-id\" and \"aws-secret-access-key\" are for input \"s3\", which is empty")
	}
	return env, nil
}
