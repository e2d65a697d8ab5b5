package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/opencontainers/go-digest"

	"github.com/modelci/modelci/dagger/internal/dagger"
	"github.com/modelci/modelci/internal/publish"
	"github.com/modelci/modelci/internal/publish/location"
)

// Publish pushes a packaged model (the pipeline's model/ directory) to an
// OCI registry, an S3 bucket or both, tagged with its version, with its
// evaluation, report and approval record attached, as modelci publish
// does; then moves alias to it, when given. It refuses unless the report's
// gate passed and the approval meets the policy's approval rules; force
// publishes anyway and says so in the approval record. It returns what it
// pushed, one line per artifact. with-registry gives the registry's
// credentials, CA and plain HTTP; a registry or S3 server on the caller's
// loopback is reached through with-host-service. Every call publishes:
// its result is never cached.
// +cache="never"
func (m *Modelci) Publish(
	ctx context.Context,
	// The packaged model: an OCI image layout (the pipeline's model/).
	model *dagger.Directory,
	// The JSON report (the pipeline's report.json): its gate decides.
	// Required unless force.
	// +optional
	report *dagger.File,
	// The Markdown report (the pipeline's report.md), attached too.
	// +optional
	reportMarkdown *dagger.File,
	// The approval record (JSON) of the approval step.
	// +optional
	approval *dagger.File,
	// The policy (.modelci.yaml) whose approval rules apply.
	// +optional
	policy *dagger.File,
	// The registry reference, host[:port]/name:VERSION.
	// +optional
	registry string,
	// The S3 location, s3://bucket/prefix.
	// +optional
	s3 string,
	// The version tag; default the registry reference's tag.
	// +optional
	version string,
	// An alias (e.g. production) to move to the model once published.
	// +optional
	alias string,
	// S3 credentials; default the AWS configuration's.
	// +optional
	awsAccessKeyID *dagger.Secret,
	// +optional
	awsSecretAccessKey *dagger.Secret,
	// +optional
	awsSessionToken *dagger.Secret,
	// The S3 region.
	// +optional
	awsRegion string,
	// The S3 endpoint URL (MinIO, other S3-compatible servers).
	// +optional
	s3Endpoint string,
	// Address buckets by path (MinIO).
	// +optional
	s3PathStyle bool,
	// The commit the model was built from; the approval must be about it.
	// +optional
	commit string,
	// The pull request's number.
	// +optional
	pullRequest int,
	// The model's framework (scikit-learn, pytorch, …).
	// +optional
	framework string,
	// The training data and the source, whose content digests (Dagger's)
	// are recorded.
	// +optional
	data *dagger.Directory,
	// +optional
	source *dagger.Directory,
	// Publish even when refused; the approval record says so.
	// +optional
	force bool,
) (string, error) {
	refs, err := location.PublishRefs(registry, s3, version, [3]string{"registry", "s3", "version"})
	if err != nil {
		return "", err
	}
	stop, err := m.reachHostServices(ctx)
	if err != nil {
		return "", err
	}
	defer stop()
	work, err := os.MkdirTemp(".", "publish-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	in := publish.Inputs{Layout: filepath.Join(work, "model"), Framework: framework, Commit: commit, PullRequest: pullRequest, Force: force}
	if _, err := model.Export(ctx, in.Layout); err != nil {
		return "", fmt.Errorf("exporting the model: %w", err)
	}
	for _, f := range []struct {
		file *dagger.File
		name string
		to   *string
	}{{report, "report.json", &in.Report}, {reportMarkdown, "report.md", &in.ReportMarkdown},
		{approval, "approval.json", &in.Approval}, {policy, "policy.yaml", &in.Policy}} {
		if f.file == nil {
			continue
		}
		*f.to = filepath.Join(work, f.name)
		if _, err := f.file.Export(ctx, *f.to); err != nil {
			return "", fmt.Errorf("exporting %s: %w", f.name, err)
		}
	}
	pm, err := publish.Prepare(in)
	if err != nil {
		return "", err
	}
	if pm.Record.Digests.Data, err = dirDigest(ctx, data); err != nil {
		return "", err
	}
	if pm.Record.Digests.Source, err = dirDigest(ctx, source); err != nil {
		return "", err
	}
	o, err := m.publishLocations(ctx, work, [3]*dagger.Secret{awsAccessKeyID, awsSecretAccessKey, awsSessionToken},
		awsRegion, s3Endpoint, s3PathStyle)
	if err != nil {
		return "", err
	}
	done, err := location.Publish(ctx, refs, o, pm, alias, publish.Options{})
	var out strings.Builder
	for _, p := range done {
		out.WriteString(p.String())
	}
	return out.String(), m.explainLoopback(err, registry, s3Endpoint)
}

// dirDigest is dir's content digest, "" without one.
func dirDigest(ctx context.Context, dir *dagger.Directory) (digest.Digest, error) {
	if dir == nil {
		return "", nil
	}
	d, err := dir.Digest(ctx)
	return digest.Digest(d), err
}

// publishLocations turns the registry settings (with-registry) and the S3
// credentials and settings into location options; files go under work.
func (m *Modelci) publishLocations(ctx context.Context, work string, aws [3]*dagger.Secret, region, endpoint string,
	pathStyle bool) (location.Options, error) {
	var o location.Options
	var err error
	if o.OCI, err = m.registryOptions(ctx, work); err != nil {
		return o, err
	}
	var keys [3]string
	for i, s := range aws {
		if keys[i], err = plaintext(ctx, s); err != nil {
			return o, err
		}
	}
	if keys[0] != "" || keys[1] != "" {
		o.S3.Credentials = credentials.NewStaticCredentialsProvider(keys[0], keys[1], keys[2])
	}
	o.S3.Region, o.S3.Endpoint, o.S3.PathStyle = region, endpoint, pathStyle
	return o, nil
}

// plaintext is s's value, "" without one.
func plaintext(ctx context.Context, s *dagger.Secret) (string, error) {
	if s == nil {
		return "", nil
	}
	return s.Plaintext(ctx)
}
