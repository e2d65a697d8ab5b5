package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/modelci/modelci/dagger/internal/dagger"
)

// layoutTarget reads an OCI image layout held in a Directory, through the
// engine, as the read-only target the modelpack reader takes. Only small
// JSON blobs (index, manifest, config) are read this way; layers stay in
// the engine.
type layoutTarget struct {
	dir *dagger.Directory
}

// blobPath is where a blob lives in an OCI image layout.
func blobPath(d digest.Digest) string {
	return "blobs/" + d.Algorithm().String() + "/" + d.Encoded()
}

// Resolve finds the manifest tagged ref in index.json.
func (l layoutTarget) Resolve(ctx context.Context, ref string) (ocispec.Descriptor, error) {
	data, err := l.dir.File("index.json").Contents(ctx)
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("reading index.json: %w", err)
	}
	var index ocispec.Index
	if err := json.Unmarshal([]byte(data), &index); err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("index.json: %w", err)
	}
	for _, m := range index.Manifests {
		if m.Annotations[ocispec.AnnotationRefName] == ref {
			return m, nil
		}
	}
	return ocispec.Descriptor{}, fmt.Errorf("index.json has no manifest tagged %q", ref)
}

// Fetch returns a blob's content, checked against its digest.
func (l layoutTarget) Fetch(ctx context.Context, d ocispec.Descriptor) (io.ReadCloser, error) {
	data, err := l.dir.File(blobPath(d.Digest)).Contents(ctx)
	if err != nil {
		return nil, err
	}
	if got := digest.FromString(data); got != d.Digest {
		return nil, fmt.Errorf("blob %s: content digest %s", d.Digest, got)
	}
	return io.NopCloser(strings.NewReader(data)), nil
}

// Exists reports whether the layout holds the blob.
func (l layoutTarget) Exists(ctx context.Context, d ocispec.Descriptor) (bool, error) {
	return l.dir.Exists(ctx, blobPath(d.Digest))
}
