package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/content/file"

	"github.com/modelci/modelci/internal/modelpack"
)

// ErrNoEvaluation: the model has no evaluation attached.
var ErrNoEvaluation = errors.New("no evaluation attached")

// Pull restores the model ref names (a tag, an alias or a digest) from src
// into destDir, with its evaluation files under evaluation/, verifying
// every file's digest (modelpack.UnpackFrom).
func Pull(ctx context.Context, src Target, ref, destDir string) (*modelpack.Manifest, error) {
	m, err := modelpack.UnpackFrom(ctx, src, ref, destDir)
	if err != nil {
		return nil, err
	}
	if d, err := digest.Parse(ref); err == nil && d != m.Descriptor.Digest {
		return nil, fmt.Errorf("%s resolved to %s", ref, m.Descriptor.Digest)
	}
	return m, nil
}

// PullEvaluation writes the evaluation attached to the model ref names
// (metrics.json, examples.jsonl, …) into destDir, which must not exist or
// be empty, and returns the model's descriptor. With several evaluations
// attached, the latest is taken.
func PullEvaluation(ctx context.Context, src Target, ref, destDir string) (ocispec.Descriptor, error) {
	model, err := src.Resolve(ctx, ref)
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("resolving %q: %w", ref, err)
	}
	var latest ocispec.Descriptor
	err = src.Referrers(ctx, model, ArtifactTypeEvaluation, func(rs []ocispec.Descriptor) error {
		for _, r := range rs {
			if latest.Digest == "" || r.Annotations[ocispec.AnnotationCreated] > latest.Annotations[ocispec.AnnotationCreated] {
				latest = r
			}
		}
		return nil
	})
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("listing the referrers of %s: %w", model.Digest, err)
	}
	if latest.Digest == "" {
		return ocispec.Descriptor{}, fmt.Errorf("%s (%s): %w", ref, model.Digest, ErrNoEvaluation)
	}
	if err := os.MkdirAll(destDir, 0o755); err != nil {
		return ocispec.Descriptor{}, err
	}
	dst, err := file.New(destDir)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	defer dst.Close()
	dst.DisableOverwrite = true
	data, err := fetchSmall(ctx, src, latest)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("evaluation %s: %w", latest.Digest, err)
	}
	// Only the files: not the subject (the model), nor the empty config.
	opts := oras.CopyOptions{CopyGraphOptions: oras.CopyGraphOptions{
		FindSuccessors: func(_ context.Context, _ content.Fetcher, d ocispec.Descriptor) ([]ocispec.Descriptor, error) {
			if d.Digest == latest.Digest {
				return m.Layers, nil
			}
			return nil, nil
		},
	}}
	if _, err := oras.Copy(ctx, src, latest.Digest.String(), dst, "", opts); err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("pulling the evaluation of %s: %w", model.Digest, err)
	}
	return model, nil
}
