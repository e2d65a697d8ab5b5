package modelpack

import (
	"context"
	"fmt"
	"maps"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
)

// PackEvaluation pushes the files under evalDir to dst and a manifest that
// refers to subject (usually the model manifest Pack returned): an OCI 1.1
// referrer with artifactType ArtifactTypeEvaluation, the empty config
// (application/vnd.oci.empty.v1+json), and one MediaTypeEvaluation layer
// per file, sorted, annotated like Pack's layers but with paths relative to
// evalDir (no EvaluationPrefix). It returns the referrer's descriptor.
//
// Only subject's media type, digest and size are recorded, so the digest
// does not depend on the annotations subject carries. annotations are the
// manifest's; without org.opencontainers.image.created the Unix epoch is
// recorded, so the same inputs give the same digest. dst is any store:
// an oci.Store, a memory.Store, or a remote repository, whose Referrers
// API then lists the manifest. The subject itself need not be in dst.
func PackEvaluation(ctx context.Context, dst content.Storage, subject ocispec.Descriptor, evalDir string, annotations map[string]string) (ocispec.Descriptor, error) {
	if err := subject.Digest.Validate(); err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("evaluation subject: %w", err)
	}
	if err := checkAnnotations(annotations); err != nil {
		return ocispec.Descriptor{}, err
	}
	if evalDir == "" {
		return ocispec.Descriptor{}, fmt.Errorf("evaluation directory: no path given")
	}
	root, files, err := listFiles("evaluation", evalDir)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	if len(files) == 0 {
		return ocispec.Descriptor{}, fmt.Errorf("evaluation directory %q: no evaluation files", evalDir)
	}
	for i := range files {
		files[i].root = root
		files[i].path = files[i].rel
		files[i].kind, files[i].known = KindEvaluation, true
	}
	layers, err := pushLayers(ctx, dst, files)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	ann := map[string]string{ocispec.AnnotationCreated: epoch.Format(time.RFC3339)}
	maps.Copy(ann, annotations)
	desc, err := oras.PackManifest(ctx, dst, oras.PackManifestVersion1_1, ArtifactTypeEvaluation, oras.PackManifestOptions{
		Subject: &ocispec.Descriptor{
			MediaType: subject.MediaType,
			Digest:    subject.Digest,
			Size:      subject.Size,
		},
		Layers:              layers,
		ManifestAnnotations: ann,
	})
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("packing evaluation manifest: %w", err)
	}
	return desc, nil
}

// UnpackEvaluation reads the evaluation referrer desc (as PackEvaluation
// returns it, or as a registry's Referrers API lists it) from src and
// extracts its files into destDir, verifying each. It returns the manifest
// and its files.
func UnpackEvaluation(ctx context.Context, src content.Fetcher, desc ocispec.Descriptor, destDir string) (ocispec.Manifest, []File, error) {
	var m ocispec.Manifest
	if err := fetchJSON(ctx, src, desc, &m); err != nil {
		return m, nil, fmt.Errorf("reading evaluation manifest %s: %w", desc.Digest, err)
	}
	if m.ArtifactType != ArtifactTypeEvaluation {
		return m, nil, fmt.Errorf("manifest %s: artifactType %q, want %q", desc.Digest, m.ArtifactType, ArtifactTypeEvaluation)
	}
	files, err := filesOf(m.Layers)
	if err != nil {
		return m, nil, fmt.Errorf("evaluation manifest %s: %w", desc.Digest, err)
	}
	if err := extract(ctx, src, files, destDir); err != nil {
		return m, nil, fmt.Errorf("unpacking evaluation %s: %w", desc.Digest, err)
	}
	return m, files, nil
}
