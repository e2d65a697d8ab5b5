package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/opencontainers/go-digest"
	"github.com/spf13/cobra"
	"oras.land/oras-go/v2/registry"

	"github.com/modelci/modelci/internal/forge"
	"github.com/modelci/modelci/internal/publish"
)

// publishFlags are the flags of `modelci publish`.
type publishFlags struct {
	registryFlags
	model, modelTag         string
	registry, s3, version   string
	alias                   string
	report, reportMarkdown  string
	approval, policy        string
	pullRequest             int
	commit                  string
	data, source, framework string
	force                   bool
}

func newPublishCommand() *cobra.Command {
	var f publishFlags
	cmd := &cobra.Command{
		Use:   "publish --model DIR --registry REPOSITORY:VERSION | --s3 s3://BUCKET/PREFIX --version VERSION",
		Short: "Publish an approved model with its evaluation, report and approval record",
		Long: `Publish pushes the packaged model (the OCI layout of modelci package, or
the pipeline's model/ directory) to an OCI registry, an S3 bucket or both,
tagged VERSION, and attaches its evaluation, its report and an approval record
(the verdict, the approvals, the pull request, the commit, the time and the
digests of the model, the data and the source) as referrers. The version
tag is written last; --alias then moves an alias to the model as promote
does.

Publish refuses, with exit code 1 and the reason, unless the report's gate
passed and the approval record (modelci's approval step, --approval) meets
the approval rules of the policy (--policy). --force publishes anyway and
says so in the approval record.

Registry credentials: a Docker config file, a user name (--username or
$MODELCI_REGISTRY_USERNAME) with --password-stdin or
$MODELCI_REGISTRY_PASSWORD, a bearer token in $MODELCI_REGISTRY_TOKEN, or
Amazon ECR. S3: the AWS credentials ($AWS_ACCESS_KEY_ID, …, profiles).

Exit codes: 0 published, 1 refused, 2 usage, input or registry error.`,
		Example: `  modelci publish --model out/model --report out/report.json --report-markdown out/report.md \
      --approval approval.json --policy .modelci.yaml --commit "$GITHUB_SHA" \
      --registry registry.example.com/models/iris:1.4.0
  modelci publish --model out/model --report out/report.json --approval approval.json \
      --s3 s3://models/iris --version 1.4.0 --alias production`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runPublishCommand(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "", "the packaged model: an OCI image layout `directory` (required)")
	fl.StringVar(&f.modelTag, "model-tag", "latest", "the model's tag in the layout")
	fl.StringVar(&f.registry, "registry", "", "the registry `reference` to push to, host[:port]/name:VERSION")
	fl.StringVar(&f.s3, "s3", "", "the S3 `URL` to push to, s3://bucket/prefix")
	fl.StringVar(&f.version, "version", "", "the version tag (default: the --registry reference's tag)")
	fl.StringVar(&f.alias, "alias", "", "an alias (e.g. production) to move to the model once it is published")
	fl.StringVar(&f.report, "report", "", "the JSON report `file` of modelci compare (required unless --force: its gate decides)")
	fl.StringVar(&f.reportMarkdown, "report-markdown", "", "the Markdown report `file`, attached too")
	fl.StringVar(&f.approval, "approval", "", "the approval record `file` (JSON) of the approval step")
	fl.StringVar(&f.policy, "policy", "", "the policy `file` (.modelci.yaml) whose approval rules apply")
	fl.IntVar(&f.pullRequest, "pull-request", 0, "the pull request's number, recorded")
	fl.StringVar(&f.commit, "commit", "", "the commit the model was built from; the approval must be about it")
	fl.StringVar(&f.data, "data", "", "the training data `directory`, whose digest is recorded")
	fl.StringVar(&f.source, "source", "", "the source tree `directory`, whose digest is recorded")
	fl.StringVar(&f.framework, "framework", "", "the model's framework (scikit-learn, pytorch, …), recorded in its config")
	fl.BoolVar(&f.force, "force", false, "publish even when refused; the approval record says so")
	f.registryFlags.add(cmd)
	return cmd
}

func runPublishCommand(cmd *cobra.Command, f publishFlags) error {
	targets, err := publishTargets(f)
	if err != nil {
		return err
	}
	m, ev, err := publishInputs(f)
	if err != nil {
		return err
	}
	verdict, err := publish.Decide(ev, f.force)
	var refused *publish.RefusedError
	if errors.As(err, &refused) {
		fmt.Fprintln(cmd.ErrOrStderr(), "modelci:", refused.Error(), "(--force overrides)")
		return errGateFailed
	}
	if verdict.Forced {
		fmt.Fprintln(cmd.ErrOrStderr(), "modelci: warning: publishing with --force although:", strings.Join(verdict.Reasons, "; "))
	}
	m.Record.Verdict = verdict
	for _, ref := range targets {
		if err := publishTo(cmd, f, ref, m); err != nil {
			return err
		}
	}
	return nil
}

// publishTargets checks --model, --registry, --s3 and --version, and
// returns the references to publish to, each ending with the version.
func publishTargets(f publishFlags) ([]string, error) {
	if f.model == "" {
		return nil, errors.New("--model is required: the packaged model's directory (an OCI image layout)")
	}
	if f.registry == "" && f.s3 == "" {
		return nil, errors.New("give --registry (host[:port]/name:VERSION), --s3 (s3://bucket/prefix), or both")
	}
	version := f.version
	var refs []string
	if f.registry != "" {
		ref, err := registry.ParseReference(f.registry)
		if err != nil {
			return nil, fmt.Errorf("--registry %q: %w", f.registry, err)
		}
		if err := ref.ValidateReferenceAsTag(); ref.Reference != "" && err != nil {
			return nil, fmt.Errorf("--registry %q: the version must be a tag, not a digest", f.registry)
		}
		switch {
		case version == "":
			version = ref.Reference
		case ref.Reference != "" && ref.Reference != version:
			return nil, fmt.Errorf("--registry %q and --version %q name different versions", f.registry, version)
		}
		ref.Reference = ""
		refs = append(refs, ref.String())
	}
	if version == "" {
		return nil, errors.New("no version: give --version, or a tag in --registry (host/name:VERSION)")
	}
	if err := (registry.Reference{Reference: version}).ValidateReferenceAsTag(); err != nil {
		return nil, fmt.Errorf("--version %q: not a valid tag (letters, digits, '_', '.', '-')", version)
	}
	if f.s3 != "" {
		refs = append(refs, strings.TrimSuffix(f.s3, "/"))
	}
	for i := range refs {
		refs[i] += ":" + version
	}
	return refs, nil
}

// publishTo publishes m to ref and moves --alias, if given.
func publishTo(cmd *cobra.Command, f publishFlags, ref string, m publish.Model) error {
	t, version, err := f.open(cmd, ref)
	if err != nil {
		return err
	}
	o := f.publishOptions(cmd)
	res, err := publish.Publish(cmd.Context(), t, version, m, o)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "published %s as %s\n", res.Model.Digest, ref)
	fmt.Fprintf(out, "  approval record %s\n  report %s\n", res.Approval.Digest, res.Report.Digest)
	if res.Evaluation.Digest != "" {
		fmt.Fprintf(out, "  evaluation %s\n", res.Evaluation.Digest)
	}
	if f.alias == "" {
		return nil
	}
	mv, err := publish.Promote(cmd.Context(), t, f.alias, res.Model.Digest.String(), o)
	if err != nil {
		return err
	}
	return printMove(cmd, "promoted", mv)
}

// publishInputs reads the files publish needs: the report, the approval,
// the policy's rules, and the digests of the data and the source.
func publishInputs(f publishFlags) (publish.Model, publish.Evidence, error) {
	m := publish.Model{Layout: f.model, Tag: f.modelTag, Framework: f.framework}
	var ev publish.Evidence
	var err error
	switch {
	case f.report == "" && !f.force:
		return m, ev, errors.New("--report is required (the JSON report of modelci compare): its gate decides")
	case f.report == "":
		ev.Report.Violations = []string{"no report was given"}
	default:
		if m.ReportJSON, err = os.ReadFile(f.report); err != nil {
			return m, ev, fmt.Errorf("--report: %w", err)
		}
		if ev.Report, err = publish.ParseReport(f.report, m.ReportJSON); err != nil {
			return m, ev, err
		}
	}
	m.Report = ev.Report
	if f.reportMarkdown != "" {
		if m.ReportMarkdown, err = os.ReadFile(f.reportMarkdown); err != nil {
			return m, ev, fmt.Errorf("--report-markdown: %w", err)
		}
	}
	if f.policy != "" {
		data, err := os.ReadFile(f.policy)
		if err != nil {
			return m, ev, fmt.Errorf("--policy: %w", err)
		}
		if ev.Rules, err = forge.ParseRules(f.policy, data); err != nil {
			return m, ev, err
		}
	}
	if f.approval != "" {
		data, err := os.ReadFile(f.approval)
		if err != nil {
			return m, ev, fmt.Errorf("--approval: %w", err)
		}
		a, err := publish.ParseApproval(f.approval, data)
		if err != nil {
			return m, ev, err
		}
		ev.Approval = &a
	}
	ev.Commit = f.commit
	m.Record = publish.Record{Approval: ev.Approval, PullRequest: f.pullRequest, Commit: f.commit}
	for _, d := range []struct {
		flag, dir string
		to        *digest.Digest
	}{{"--data", f.data, &m.Record.Digests.Data}, {"--source", f.source, &m.Record.Digests.Source}} {
		if d.dir == "" {
			continue
		}
		if *d.to, err = publish.TreeDigest(filepath.Clean(d.dir)); err != nil {
			return m, ev, fmt.Errorf("%s: %w", d.flag, err)
		}
	}
	return m, ev, nil
}
