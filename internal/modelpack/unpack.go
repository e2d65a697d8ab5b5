package modelpack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	modelspec "github.com/modelpack/model-spec/specs-go/v1"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/content/file"
	"oras.land/oras-go/v2/content/oci"
)

// maxMetadataSize bounds the manifest and config blobs Read loads into
// memory. It is oras's bound for manifests, and the file store's for
// content without a file name, which is where Unpack's copy of the
// manifest goes.
const maxMetadataSize = 4 << 20

// Manifest is a model artifact read back by Read or Unpack.
type Manifest struct {
	// Descriptor is the manifest's own descriptor.
	Descriptor ocispec.Descriptor
	// Manifest is the OCI image manifest.
	Manifest ocispec.Manifest
	// Config is the ModelPack model config.
	Config modelspec.Model
	// Files are the layers as files, in manifest order.
	Files []File
}

// File is one layer of an artifact, as a file.
type File struct {
	// Path is the org.cncf.model.filepath annotation (or, without it,
	// org.opencontainers.image.title): relative and slash-separated.
	// Evaluation files in a model artifact start with EvaluationPrefix.
	Path string
	// Kind is the layer's kind, from its media type; "" for a media type
	// this package does not unpack (tar layers, unknown types).
	Kind Kind
	// Mode is the permission bits from org.cncf.model.file.metadata+json;
	// 0644 without it.
	Mode fs.FileMode
	// Layer is the layer's descriptor.
	Layer ocispec.Descriptor
}

// Unpack reads the model artifact tagged tag (DefaultTag when "") in the
// OCI image layout at layoutDir, and writes every file, evaluation files
// included (under EvaluationPrefix), into destDir, creating it if needed,
// each with its mode.
//
// The files are copied with oras-go into a file store, as `oras pull`
// does: each layer's digest and size are verified while it is written, and
// a file that fails verification is removed; files written before it stay.
// No file lands outside destDir, not even through a symlink already in it.
// Unpack never overwrites: a file already in destDir is an error
// (fs.ErrExist), found before anything is written. So are a layer that is
// not a raw file (a tar layer) and a layer whose
// org.opencontainers.image.title, which names the file store's file,
// differs from its path: Pack writes neither.
func Unpack(ctx context.Context, layoutDir, tag, destDir string) (*Manifest, error) {
	src, err := OpenLayout(ctx, layoutDir)
	if err != nil {
		return nil, err
	}
	if tag == "" {
		tag = DefaultTag
	}
	return UnpackFrom(ctx, src, tag, destDir)
}

// UnpackFrom is Unpack from any oras-go source: a layout, a remote
// repository, … ref is a tag or a digest; the manifest it resolves to is
// read once and the files are fetched by their digests, each verified.
func UnpackFrom(ctx context.Context, src oras.ReadOnlyTarget, ref, destDir string) (*Manifest, error) {
	m, err := Read(ctx, src, ref)
	if err != nil {
		return nil, err
	}
	if err := prepareDest(m.Files, destDir); err != nil {
		return nil, fmt.Errorf("unpacking %s: %w", m.Descriptor.Digest, err)
	}
	if err := copyFiles(ctx, src, m, destDir); err != nil {
		return nil, fmt.Errorf("unpacking %s: %w", m.Descriptor.Digest, err)
	}
	return m, nil
}

// prepareDest checks that files can all be written into destDir before
// any is, so that a refused artifact leaves nothing behind, and creates
// destDir.
func prepareDest(files []File, destDir string) error {
	for _, f := range files {
		if f.Kind == "" {
			return fmt.Errorf("file %q: layer media type %q is not supported (only raw layers)", f.Path, f.Layer.MediaType)
		}
		if title := f.Layer.Annotations[ocispec.AnnotationTitle]; title != f.Path {
			return fmt.Errorf("file %q: layer title %q differs from its path", f.Path, title)
		}
	}
	if err := os.MkdirAll(destDir, 0o755); err != nil {
		return fmt.Errorf("destination directory: %w", err)
	}
	// An os.Root resolves symlinks already in destDir the way the write
	// will, and fails on one that leads out.
	root, err := os.OpenRoot(destDir)
	if err != nil {
		return fmt.Errorf("destination directory: %w", err)
	}
	defer root.Close()
	for _, f := range files {
		_, err := root.Lstat(filepath.FromSlash(f.Path))
		switch {
		case err == nil:
			return fmt.Errorf("file %q: %w", f.Path, fs.ErrExist)
		case !errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("file %q: %w", f.Path, err)
		}
	}
	return nil
}

// copyFiles copies m's layers from src into destDir with oras.Copy and a
// file store, then sets the files' modes, which the file store does not.
func copyFiles(ctx context.Context, src oras.ReadOnlyTarget, m *Manifest, destDir string) error {
	dst, err := file.New(destDir)
	if err != nil {
		return fmt.Errorf("destination directory: %w", err)
	}
	defer dst.Close()
	// The defaults already refuse paths out of destDir; this makes a file
	// that appeared since prepareDest an error too.
	dst.DisableOverwrite = true
	opts := oras.CopyOptions{CopyGraphOptions: oras.CopyGraphOptions{
		// Only the layers are files. The config is read already, and a
		// subject is another artifact, which the layout need not hold.
		FindSuccessors: func(_ context.Context, _ content.Fetcher, desc ocispec.Descriptor) ([]ocispec.Descriptor, error) {
			if desc.Digest == m.Descriptor.Digest {
				return m.Manifest.Layers, nil
			}
			return nil, nil
		},
	}}
	// By digest: the manifest Read checked, even if the tag moves.
	if _, err := oras.Copy(ctx, ctxTarget{src}, m.Descriptor.Digest.String(), dst, "", opts); err != nil {
		return err
	}
	root, err := os.OpenRoot(destDir)
	if err != nil {
		return fmt.Errorf("destination directory: %w", err)
	}
	defer root.Close()
	for _, f := range m.Files {
		if err := root.Chmod(filepath.FromSlash(f.Path), f.Mode); err != nil {
			return fmt.Errorf("file %q: %w", f.Path, err)
		}
	}
	return nil
}

// ctxTarget makes the layers it fetches stop on ctx's end: oras-go checks
// ctx only between blobs, and a weight file can take minutes.
type ctxTarget struct {
	oras.ReadOnlyTarget
}

// Fetch fetches target, reading it as a ctxReader.
func (t ctxTarget) Fetch(ctx context.Context, target ocispec.Descriptor) (io.ReadCloser, error) {
	rc, err := t.ReadOnlyTarget.Fetch(ctx, target)
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{ctxReader{ctx, rc}, rc}, nil
}

// OpenLayout opens the OCI image layout at layoutDir read-only, for Read
// or oras.Copy.
func OpenLayout(ctx context.Context, layoutDir string) (*oci.ReadOnlyStore, error) {
	if _, err := os.Stat(layoutDir); err != nil {
		return nil, fmt.Errorf("layout directory: %w", err)
	}
	store, err := oci.NewFromFS(ctx, os.DirFS(layoutDir))
	if err != nil {
		return nil, fmt.Errorf("layout directory %q: %w", layoutDir, err)
	}
	return store, nil
}

// Read resolves ref in src and reads the model artifact's manifest and
// config, without fetching the layers. It checks that the manifest is a
// ModelPack one (artifactType or config media type), that modelfs lists one
// DiffID per layer (equal to the layer digest for raw layers), and that
// every layer has a valid, unique file path.
func Read(ctx context.Context, src oras.ReadOnlyTarget, ref string) (*Manifest, error) {
	desc, err := src.Resolve(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("resolving %q: %w", ref, err)
	}
	var m Manifest
	m.Descriptor = desc
	if err := fetchJSON(ctx, src, desc, &m.Manifest); err != nil {
		return nil, fmt.Errorf("reading manifest %s: %w", desc.Digest, err)
	}
	mediaType := m.Manifest.MediaType // optional in the manifest itself
	if mediaType == "" {
		mediaType = desc.MediaType
	}
	if mediaType != ocispec.MediaTypeImageManifest {
		return nil, fmt.Errorf("manifest %s: media type %q, want %q", desc.Digest, mediaType, ocispec.MediaTypeImageManifest)
	}
	if m.Manifest.ArtifactType != modelspec.ArtifactTypeModelManifest && m.Manifest.Config.MediaType != modelspec.MediaTypeModelConfig {
		return nil, fmt.Errorf("manifest %s: not a ModelPack model (artifactType %q, config %q)", desc.Digest, m.Manifest.ArtifactType, m.Manifest.Config.MediaType)
	}
	if m.Manifest.Config.MediaType != modelspec.MediaTypeModelConfig {
		return nil, fmt.Errorf("manifest %s: config media type %q, want %q", desc.Digest, m.Manifest.Config.MediaType, modelspec.MediaTypeModelConfig)
	}
	if err := fetchJSON(ctx, src, m.Manifest.Config, &m.Config); err != nil {
		return nil, fmt.Errorf("reading model config %s: %w", m.Manifest.Config.Digest, err)
	}
	fsys := m.Config.ModelFS
	if fsys.Type != "layers" {
		return nil, fmt.Errorf("model config %s: modelfs.type %q, want \"layers\"", m.Manifest.Config.Digest, fsys.Type)
	}
	if len(fsys.DiffIDs) != len(m.Manifest.Layers) {
		return nil, fmt.Errorf("model config %s: %d diffIds for %d layers", m.Manifest.Config.Digest, len(fsys.DiffIDs), len(m.Manifest.Layers))
	}
	if m.Files, err = filesOf(m.Manifest.Layers); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", desc.Digest, err)
	}
	for i, f := range m.Files {
		if f.Kind != "" && fsys.DiffIDs[i] != f.Layer.Digest {
			return nil, fmt.Errorf("model config %s: diffIds[%d] = %s, want the raw layer's digest %s", m.Manifest.Config.Digest, i, fsys.DiffIDs[i], f.Layer.Digest)
		}
	}
	return &m, nil
}

// filesOf turns layer descriptors into files, checking their paths.
func filesOf(layers []ocispec.Descriptor) ([]File, error) {
	files := make([]File, 0, len(layers))
	seen := make(map[string]bool, len(layers))
	for i, l := range layers {
		p, ok := l.Annotations[modelspec.AnnotationFilepath]
		if !ok {
			p = l.Annotations[ocispec.AnnotationTitle]
		}
		if err := validPath(p); err != nil {
			return nil, fmt.Errorf("layer %d (%s): %w", i, l.Digest, err)
		}
		if seen[p] {
			return nil, fmt.Errorf("layer %d (%s): path %q used twice", i, l.Digest, p)
		}
		seen[p] = true
		f := File{Path: p, Mode: 0o644, Layer: l}
		f.Kind, _ = kindOfMediaType(l.MediaType)
		if meta, ok := l.Annotations[modelspec.AnnotationFileMetadata]; ok {
			var fm modelspec.FileMetadata
			if err := json.Unmarshal([]byte(meta), &fm); err != nil {
				return nil, fmt.Errorf("layer %d (%s): %s: %w", i, p, modelspec.AnnotationFileMetadata, err)
			}
			if perm := fs.FileMode(fm.Mode).Perm(); perm != 0 {
				f.Mode = perm
			}
		}
		files = append(files, f)
	}
	return files, nil
}

// fetchJSON fetches a small blob, verifies it, and decodes it into v.
func fetchJSON(ctx context.Context, src content.Fetcher, desc ocispec.Descriptor, v any) error {
	if desc.Size > maxMetadataSize {
		return fmt.Errorf("size %d exceeds %d bytes", desc.Size, maxMetadataSize)
	}
	b, err := content.FetchAll(ctx, src, desc)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return err
	}
	return nil
}
