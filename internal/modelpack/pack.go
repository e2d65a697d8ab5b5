package modelpack

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	modelspec "github.com/modelpack/model-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/content/oci"
	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry"
)

// Errors Pack returns, wrapped with the offending directory or file; test
// with errors.Is.
var (
	// ErrNoModelFiles: the model directory holds no regular file.
	ErrNoModelFiles = errors.New("no model files")
	// ErrPathEscape: a symlink resolves outside its directory, or a path
	// is not a clean relative path.
	ErrPathEscape = errors.New("path escapes the directory")
	// ErrNotRegular: a device, pipe, socket, or symlink to a directory.
	ErrNotRegular = errors.New("not a regular file")
	// ErrLayoutNotEmpty: Pack's layout directory exists and is not empty.
	ErrLayoutNotEmpty = errors.New("layout directory is not empty")
)

// DefaultTag is the tag Pack gives the manifest when Options.Tag is empty.
const DefaultTag = "latest"

// epoch is the creation time recorded when Options.Created is zero, so that
// the same inputs give the same manifest digest.
var epoch = time.Unix(0, 0).UTC()

// Options describe the model being packed. The zero value is valid.
type Options struct {
	// Name is the model name: config descriptor.name and the manifest
	// annotation org.opencontainers.image.title. Optional.
	Name string
	// Version is the model version: config descriptor.version and the
	// manifest annotation org.opencontainers.image.version. Optional.
	Version string
	// Created is when the model was built: config descriptor.createdAt and
	// the manifest annotation org.opencontainers.image.created. When zero,
	// createdAt is omitted and the annotation is the Unix epoch
	// (1970-01-01T00:00:00Z), so the same inputs give the same digest.
	Created time.Time
	// Format overrides the config's config.format, which is otherwise
	// guessed from the weight files' extensions ("pickle", "safetensors",
	// "onnx", …; see Classify).
	Format string
	// Annotations are added to the manifest's annotations, and override
	// the ones Pack sets (title, version, created). A created value must be
	// RFC 3339.
	Annotations map[string]string
	// Tag is the manifest's tag in the layout's index.json
	// (org.opencontainers.image.ref.name); DefaultTag when empty.
	Tag string
}

// Pack writes an OCI image layout at layoutDir holding one ModelPack model
// artifact: the files under modelDir, and the evaluation files under evalDir
// (metrics.json, examples.jsonl, report.md, report.json, …) as layers under
// the path prefix EvaluationPrefix. It returns the manifest's descriptor,
// which it also tags opts.Tag in index.json.
//
// evalDir may be "" for a model without evaluation; an evalDir that is given
// must exist but may be empty. modelDir must hold at least one file
// (ErrNoModelFiles). Symlinks are followed when they resolve to a regular
// file inside their directory; a symlink out of it is ErrPathEscape, one to
// a directory or a special file is ErrNotRegular. Hidden files are packed
// like any other.
//
// layoutDir must not exist or be an empty directory (ErrLayoutNotEmpty);
// Pack creates it. On error, Pack removes what it wrote there.
func Pack(ctx context.Context, modelDir, evalDir, layoutDir string, opts Options) (desc ocispec.Descriptor, err error) {
	tag := opts.Tag
	if tag == "" {
		tag = DefaultTag
	}
	if err := (registry.Reference{Reference: tag}).ValidateReferenceAsTag(); err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("tag %q: %w", tag, err)
	}
	if err := checkAnnotations(opts.Annotations); err != nil {
		return ocispec.Descriptor{}, err
	}
	p, err := planFiles(modelDir, evalDir)
	if err != nil {
		return ocispec.Descriptor{}, err
	}

	created, err := prepareLayoutDir(layoutDir)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	defer func() {
		if err != nil {
			cleanLayoutDir(layoutDir, created)
		}
	}()

	store, err := oci.NewWithContext(ctx, layoutDir)
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("creating OCI layout %q: %w", layoutDir, err)
	}
	desc, err = packPlan(ctx, store, p, opts)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	if err := store.Tag(ctx, desc, tag); err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("tagging %s as %q in %q: %w", desc.Digest, tag, layoutDir, err)
	}
	// The OCI store leaves its (empty) temporary ingest directory behind.
	if err := os.Remove(filepath.Join(layoutDir, "ingest")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return ocispec.Descriptor{}, fmt.Errorf("removing ingest directory: %w", err)
	}
	if err := normalizeModes(layoutDir); err != nil {
		return ocispec.Descriptor{}, err
	}
	return desc, nil
}

// checkAnnotations rejects manifest annotations that would fail late: an
// empty key, or a created time that is not RFC 3339.
func checkAnnotations(annotations map[string]string) error {
	for k, v := range annotations {
		if k == "" {
			return errors.New("manifest annotation with an empty key")
		}
		if k == ocispec.AnnotationCreated {
			if _, err := time.Parse(time.RFC3339, v); err != nil {
				return fmt.Errorf("manifest annotation %s = %q: not an RFC 3339 time", k, v)
			}
		}
	}
	return nil
}

// plannedFile is one file to pack.
type plannedFile struct {
	root  string // resolved directory the file is under
	rel   string // slash path below root
	path  string // org.cncf.model.filepath: rel, with EvaluationPrefix for evaluation files
	kind  Kind
	known bool // false: kind guessed, mark the layer untested
	exec  bool
	size  int64
}

// planFiles lists and classifies the model and evaluation files, sorted.
func planFiles(modelDir, evalDir string) ([]plannedFile, error) {
	if modelDir == "" {
		return nil, errors.New("model directory: no path given")
	}
	modelRoot, model, err := listFiles("model", modelDir)
	if err != nil {
		return nil, err
	}
	if len(model) == 0 {
		return nil, fmt.Errorf("model directory %q: %w", modelDir, ErrNoModelFiles)
	}
	files := make([]plannedFile, 0, len(model))
	seen := make(map[string]bool, len(model))
	for _, f := range model {
		f.root = modelRoot
		f.path = f.rel
		f.kind, f.known = Classify(f.rel)
		files = append(files, f)
		seen[f.path] = true
	}
	if evalDir == "" {
		return files, nil
	}
	evalRoot, eval, err := listFiles("evaluation", evalDir)
	if err != nil {
		return nil, err
	}
	for _, f := range eval {
		f.root = evalRoot
		f.path = EvaluationPrefix + f.rel
		f.kind, f.known = KindEvaluation, true
		if seen[f.path] {
			return nil, fmt.Errorf("evaluation file %q: model directory %q has a file at %q too", f.rel, modelDir, f.path)
		}
		files = append(files, f)
	}
	return files, nil
}

// listFiles walks dir and returns its regular files (and symlinks to regular
// files inside it), sorted by slash path, with dir's resolved path.
func listFiles(what, dir string) (string, []plannedFile, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return "", nil, fmt.Errorf("%s directory: %w", what, err)
	}
	if !info.IsDir() {
		return "", nil, fmt.Errorf("%s directory %q: not a directory", what, dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", nil, fmt.Errorf("%s directory %q: %w", what, dir, err)
	}
	root, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", nil, fmt.Errorf("%s directory %q: %w", what, dir, err)
	}
	var files []plannedFile
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("%s directory %q: %w", what, dir, err)
		}
		if p == root || d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return fmt.Errorf("%s file %q: %w", what, p, err)
		}
		rel = filepath.ToSlash(rel)
		if err := validPath(rel); err != nil {
			return fmt.Errorf("%s file %q: %w", what, rel, err)
		}
		var fi fs.FileInfo
		switch {
		case d.Type().IsRegular():
			if fi, err = d.Info(); err != nil {
				return fmt.Errorf("%s file %q: %w", what, rel, err)
			}
		case d.Type()&fs.ModeSymlink != 0:
			target, err := filepath.EvalSymlinks(p)
			if err != nil {
				return fmt.Errorf("%s file %q: broken symlink: %w", what, rel, err)
			}
			if !within(root, target) {
				return fmt.Errorf("%s file %q: symlink to %q, outside the %s directory: %w", what, rel, target, what, ErrPathEscape)
			}
			if fi, err = os.Stat(target); err != nil {
				return fmt.Errorf("%s file %q: %w", what, rel, err)
			}
			if !fi.Mode().IsRegular() {
				return fmt.Errorf("%s file %q: symlink to %s %q: %w", what, rel, typeName(fi.Mode()), target, ErrNotRegular)
			}
		default:
			return fmt.Errorf("%s file %q: %s: %w", what, rel, typeName(d.Type()), ErrNotRegular)
		}
		files = append(files, plannedFile{rel: rel, exec: fi.Mode().Perm()&0o111 != 0, size: fi.Size()})
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	sort.Slice(files, func(i, j int) bool { return files[i].rel < files[j].rel })
	return root, files, nil
}

// within reports whether path p is root or below it (both resolved).
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// validPath checks that p is a clean, relative, slash-separated path that
// stays below its root and has no backslash (a separator on Windows).
func validPath(p string) error {
	if p == "" || p == "." || !fs.ValidPath(p) || strings.Contains(p, `\`) {
		return fmt.Errorf("invalid relative path %q: %w", p, ErrPathEscape)
	}
	return nil
}

func typeName(m fs.FileMode) string {
	switch {
	case m&fs.ModeDir != 0:
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	case m&fs.ModeSymlink != 0:
		return "symlink"
	}
	return "special file " + m.Type().String()
}

// packPlan pushes the layers, the config and the manifest to dst.
func packPlan(ctx context.Context, dst content.Storage, files []plannedFile, opts Options) (ocispec.Descriptor, error) {
	layers, err := pushLayers(ctx, dst, files)
	if err != nil {
		return ocispec.Descriptor{}, err
	}

	// Model config: model-spec docs/config.md, specs-go/v1/config.go.
	format := opts.Format
	if format == "" {
		format = guessFormat(files)
	}
	cfg := modelspec.Model{
		Descriptor: modelspec.ModelDescriptor{Name: opts.Name, Version: opts.Version},
		Config:     modelspec.ModelConfig{Format: format},
		ModelFS:    modelspec.ModelFS{Type: "layers", DiffIDs: make([]digest.Digest, len(layers))},
	}
	createdAt := epoch
	if !opts.Created.IsZero() {
		createdAt = opts.Created.UTC()
		cfg.Descriptor.CreatedAt = &createdAt
	}
	// A raw layer is uncompressed: its DiffID is its digest.
	for i, l := range layers {
		cfg.ModelFS.DiffIDs[i] = l.Digest
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("encoding model config: %w", err)
	}
	cfgDesc, err := pushBytes(ctx, dst, modelspec.MediaTypeModelConfig, cfgJSON)
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("pushing model config: %w", err)
	}

	annotations := map[string]string{ocispec.AnnotationCreated: createdAt.Format(time.RFC3339Nano)}
	if opts.Name != "" {
		annotations[ocispec.AnnotationTitle] = opts.Name
	}
	if opts.Version != "" {
		annotations[ocispec.AnnotationVersion] = opts.Version
	}
	maps.Copy(annotations, opts.Annotations)
	desc, err := oras.PackManifest(ctx, dst, oras.PackManifestVersion1_1, modelspec.ArtifactTypeModelManifest, oras.PackManifestOptions{
		Layers:              layers,
		ConfigDescriptor:    &cfgDesc,
		ManifestAnnotations: annotations,
	})
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("packing model manifest: %w", err)
	}
	return desc, nil
}

// pushLayers pushes one raw layer per file, in order, and returns their
// descriptors.
func pushLayers(ctx context.Context, dst content.Storage, files []plannedFile) ([]ocispec.Descriptor, error) {
	roots := map[string]*os.Root{}
	defer func() {
		for _, r := range roots {
			r.Close()
		}
	}()
	layers := make([]ocispec.Descriptor, 0, len(files))
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		root := roots[f.root]
		if root == nil {
			var err error
			if root, err = os.OpenRoot(f.root); err != nil {
				return nil, err
			}
			roots[f.root] = root
		}
		desc, err := pushFile(ctx, dst, root, f)
		if err != nil {
			return nil, fmt.Errorf("packing %s file %q: %w", f.kind, f.path, err)
		}
		layers = append(layers, desc)
	}
	return layers, nil
}

// pushFile hashes the file (first read), then pushes it unless dst has it
// (second read). Both reads stream.
func pushFile(ctx context.Context, dst content.Storage, root *os.Root, f plannedFile) (ocispec.Descriptor, error) {
	name := filepath.FromSlash(f.rel)
	r, err := root.Open(name)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	h := sha256.New()
	n, err := io.Copy(h, ctxReader{ctx, r})
	r.Close()
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	desc := ocispec.Descriptor{
		MediaType:   f.kind.MediaType(),
		Digest:      digest.NewDigestFromBytes(digest.SHA256, h.Sum(nil)),
		Size:        n,
		Annotations: layerAnnotations(f, n),
	}
	if ok, err := dst.Exists(ctx, desc); err != nil {
		return ocispec.Descriptor{}, err
	} else if ok {
		return desc, nil
	}
	r, err = root.Open(name)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	defer r.Close()
	if err := dst.Push(ctx, desc, ctxReader{ctx, r}); err != nil && !errors.Is(err, errdef.ErrAlreadyExists) {
		return ocispec.Descriptor{}, err
	}
	return desc, nil
}

// layerAnnotations are a layer's annotations: model-spec
// specs-go/v1/annotations.go and docs/annotations.md "Layer Annotation
// Keys", plus the OCI title.
func layerAnnotations(f plannedFile, size int64) map[string]string {
	mode := uint32(0o644)
	if f.exec {
		mode = 0o755
	}
	meta, _ := json.Marshal(modelspec.FileMetadata{
		Name:     pathBase(f.path),
		Mode:     mode,
		Size:     size,
		ModTime:  epoch,
		Typeflag: '0', // tar.TypeReg
	})
	a := map[string]string{
		modelspec.AnnotationFilepath:     f.path,
		modelspec.AnnotationFileMetadata: string(meta),
		ocispec.AnnotationTitle:          f.path,
	}
	if !f.known {
		a[modelspec.AnnotationMediaTypeUntested] = "true"
	}
	return a
}

func pathBase(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// pushBytes pushes b unless dst has it.
func pushBytes(ctx context.Context, dst content.Storage, mediaType string, b []byte) (ocispec.Descriptor, error) {
	desc := content.NewDescriptorFromBytes(mediaType, b)
	if ok, err := dst.Exists(ctx, desc); err != nil {
		return ocispec.Descriptor{}, err
	} else if ok {
		return desc, nil
	}
	if err := dst.Push(ctx, desc, bytes.NewReader(b)); err != nil && !errors.Is(err, errdef.ErrAlreadyExists) {
		return ocispec.Descriptor{}, err
	}
	return desc, nil
}

// ctxReader stops a long copy when ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

// Read reads from the underlying reader unless ctx is done: the reads
// are what a long copy is made of, so the copy stops within one of them.
func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// prepareLayoutDir makes sure dir is an empty directory, and reports whether
// it created it.
func prepareLayoutDir(dir string) (created bool, err error) {
	if dir == "" {
		return false, errors.New("layout directory: no path given")
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return false, fmt.Errorf("layout directory: %w", err)
		}
		return true, nil
	case err != nil:
		return false, fmt.Errorf("layout directory: %w", err)
	case len(entries) > 0:
		return false, fmt.Errorf("layout directory %q: %w", dir, ErrLayoutNotEmpty)
	}
	return false, nil
}

// cleanLayoutDir undoes a failed Pack: removes dir if Pack created it, or
// what Pack wrote into it.
func cleanLayoutDir(dir string, created bool) {
	if created {
		os.RemoveAll(dir)
		return
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

// normalizeModes makes the layout's modes independent of the umask and of
// the OCI store's temporary files (0600): files 0644, directories 0755.
func normalizeModes(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		mode := fs.FileMode(0o644)
		if d.IsDir() {
			mode = 0o755
		}
		return os.Chmod(p, mode)
	})
}
