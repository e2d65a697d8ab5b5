// Package location opens where a model is published from its reference:
// "s3://bucket/prefix[:tag|@digest]" is an S3 bucket (package
// publish/s3), anything else an OCI registry repository,
// "host[:port]/name[:tag|@digest]" (package publish/oci).
package location

import (
	"context"
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
