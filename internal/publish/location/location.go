// Package location opens where a model is published from its reference:
// "s3://bucket/prefix[:tag|@digest]" is an S3 bucket (package
// publish/s3), anything else an OCI registry repository,
// "host[:port]/name[:tag|@digest]" (package publish/oci).
package location

import (
	"context"
	"fmt"
	"strings"

	"github.com/modelci/modelci/internal/publish"
	"github.com/modelci/modelci/internal/publish/oci"
	"github.com/modelci/modelci/internal/publish/s3"
)

// Options are the options of each kind of location.
type Options struct {
	// OCI are the registry options.
	OCI oci.Options
	// S3 are the S3 options.
	S3 s3.Options
}

// Open opens the location ref names and returns it, with the tag or
// digest ref ends with ("" without one).
func Open(ctx context.Context, ref string, o Options) (publish.Target, string, error) {
	if strings.HasPrefix(ref, "s3://") {
		store, tag, err := s3.Open(ctx, ref, o.S3)
		if err != nil {
			return nil, "", err
		}
		return store, tag, nil
	}
	repo, tag, err := oci.Open(ctx, ref, o.OCI)
	if err != nil {
		return nil, "", err
	}
	return repo, tag, nil
}

// Repository is ref without the tag or digest Open returned for it.
func Repository(ref, tag string) string {
	rest, ok := strings.CutSuffix(ref, tag)
	if tag == "" || !ok {
		return ref
	}
	if r, ok := strings.CutSuffix(rest, "@"); ok {
		return r
	}
	return strings.TrimSuffix(rest, ":")
}

// Published is what Publish did at one location.
type Published struct {
	// Ref is the location and version.
	Ref string
	// Result is what was pushed.
	Result publish.Result
	// Move is the alias's move; nil without an alias.
	Move *publish.Move
}

// Publish publishes m at every ref (see PublishRefs), one after the other,
// and after each push moves alias, when given, to the model there.
func Publish(ctx context.Context, refs []string, o Options, m publish.Model, alias string, po publish.Options) ([]Published, error) {
	var done []Published
	for _, ref := range refs {
		t, version, err := Open(ctx, ref, o)
		if err != nil {
			return done, err
		}
		res, err := publish.Publish(ctx, t, version, m, po)
		if err != nil {
			return done, fmt.Errorf("%s: %w", ref, err)
		}
		p := Published{Ref: ref, Result: res}
		if alias != "" {
			mv, err := publish.Promote(ctx, t, alias, res.Model.Digest.String(), po)
			if err != nil {
				return done, fmt.Errorf("%s: %w", ref, err)
			}
			p.Move = &mv
		}
		done = append(done, p)
	}
	return done, nil
}

// String says what was published, one line per artifact.
func (p Published) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "published %s as %s\n", p.Result.Model.Digest, p.Ref)
	fmt.Fprintf(&b, "  approval record %s\n  report %s\n", p.Result.Approval.Digest, p.Result.Report.Digest)
	if p.Result.Evaluation.Digest != "" {
		fmt.Fprintf(&b, "  evaluation %s\n", p.Result.Evaluation.Digest)
	}
	if p.Move != nil {
		b.WriteString("promoted " + p.Move.String() + "\n")
	}
	return b.String()
}
