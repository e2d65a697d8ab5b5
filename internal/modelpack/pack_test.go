package modelpack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	modelspec "github.com/modelpack/model-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content/memory"
	"oras.land/oras-go/v2/content/oci"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden files")

var testOpts = Options{Name: "digits", Version: "1.2.0"}

func packTestdata(t *testing.T, opts Options) (ocispec.Descriptor, string) {
	t.Helper()
	layout := filepath.Join(t.TempDir(), "layout")
	desc, err := Pack(context.Background(), testModelDir, testEvalDir, layout, opts)
	if err != nil {
		t.Fatalf("Pack: %v", err)
	}
	return desc, layout
}

func TestPackUnpackRoundTrip(t *testing.T) {
	ctx := context.Background()
	desc, layout := packTestdata(t, testOpts)
	if desc.MediaType != ocispec.MediaTypeImageManifest || desc.ArtifactType != modelspec.ArtifactTypeModelManifest {
		t.Errorf("descriptor = %s / %s", desc.MediaType, desc.ArtifactType)
	}

	dest := filepath.Join(t.TempDir(), "out")
	m, err := Unpack(ctx, layout, "", dest)
	if err != nil {
		t.Fatalf("Unpack: %v", err)
	}
	if m.Descriptor.Digest != desc.Digest {
		t.Errorf("unpacked %s, packed %s", m.Descriptor.Digest, desc.Digest)
	}
	want := readTree(t, testModelDir)
	for p, b := range readTree(t, testEvalDir) {
		want[EvaluationPrefix+p] = b
	}
	compareTrees(t, readTree(t, dest), want)

	// The executable bit survives; other files are 0644.
	for p, mode := range map[string]fs.FileMode{"src/train.py": 0o755, "model.pkl": 0o644, "evaluation/report.md": 0o644} {
		info, err := os.Stat(filepath.Join(dest, p))
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != mode {
			t.Errorf("%s: mode %v, want %v", p, info.Mode().Perm(), mode)
		}
	}

	cfg := m.Config
	if cfg.Descriptor.Name != "digits" || cfg.Descriptor.Version != "1.2.0" || cfg.Descriptor.CreatedAt != nil {
		t.Errorf("config descriptor = %+v", cfg.Descriptor)
	}
	if cfg.Config.Format != "pickle" {
		t.Errorf("config format = %q, want pickle", cfg.Config.Format)
	}
	if cfg.ModelFS.Type != "layers" || len(cfg.ModelFS.DiffIDs) != len(m.Manifest.Layers) {
		t.Fatalf("modelfs = %+v", cfg.ModelFS)
	}
	for i, l := range m.Manifest.Layers {
		if cfg.ModelFS.DiffIDs[i] != l.Digest {
			t.Errorf("diffIds[%d] = %s, layer digest %s", i, cfg.ModelFS.DiffIDs[i], l.Digest)
		}
	}
	if got := len(m.Files); got != len(want) {
		t.Errorf("%d files, want %d", got, len(want))
	}
}

func TestPackDeterministic(t *testing.T) {
	ctx := context.Background()
	desc1, layout1 := packTestdata(t, testOpts)

	// The same files, written later with other permissions (executable
	// bits kept) and other modification times, give the same digest.
	model := copyTree(t, testModelDir, 0o600)
	eval := copyTree(t, testEvalDir, 0o664)
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	filepath.WalkDir(model, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.Chtimes(p, old, old)
		}
		return err
	})
	layout2 := filepath.Join(t.TempDir(), "layout")
	desc2, err := Pack(ctx, model, eval, layout2, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	if desc1.Digest != desc2.Digest {
		t.Fatalf("digests differ: %s vs %s", desc1.Digest, desc2.Digest)
	}
	// The whole layout is byte-identical, modes included.
	compareTrees(t, readTree(t, layout2), readTree(t, layout1))
	modes := func(dir string) map[string]fs.FileMode {
		m := map[string]fs.FileMode{}
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil {
				info, _ := d.Info()
				rel, _ := filepath.Rel(dir, p)
				m[rel] = info.Mode()
			}
			return err
		})
		return m
	}
	m1, m2 := modes(layout1), modes(layout2)
	for p, mode := range m1 {
		if m2[p] != mode {
			t.Errorf("%s: mode %v vs %v", p, mode, m2[p])
		}
	}

	// Metadata changes the digest.
	desc3, _ := packTestdata(t, Options{Name: "digits", Version: "1.2.1"})
	if desc3.Digest == desc1.Digest {
		t.Error("a different version gave the same digest")
	}
}

// TestManifestGolden pins the manifest's exact bytes, which must be stable
// across machines and releases: a change is a new digest for every model.
func TestManifestGolden(t *testing.T) {
	desc, layout := packTestdata(t, testOpts)
	manifest, err := os.ReadFile(filepath.Join(layout, "blobs", "sha256", desc.Digest.Encoded()))
	if err != nil {
		t.Fatal(err)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, manifest, "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteString("\n")
	golden := filepath.Join("testdata", "manifest.golden.json")
	if *update {
		if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("manifest differs from %s (go test -update rewrites it):\n%s", golden, pretty.String())
	}
}

func TestPackMediaTypesAndAnnotations(t *testing.T) {
	created := time.Date(2025, 6, 1, 12, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	opts := Options{
		Name:        "digits",
		Version:     "1.2.0",
		Created:     created,
		Annotations: map[string]string{"org.opencontainers.image.revision": "abc123", ocispec.AnnotationTitle: "Digits classifier"},
		Tag:         "v1.2.0",
	}
	desc, layout := packTestdata(t, opts)
	src, err := OpenLayout(context.Background(), layout)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Read(context.Background(), src, "v1.2.0")
	if err != nil {
		t.Fatal(err)
	}
	if m.Descriptor.Digest != desc.Digest {
		t.Fatalf("read %s, packed %s", m.Descriptor.Digest, desc.Digest)
	}
	if m.Manifest.ArtifactType != "application/vnd.cncf.model.manifest.v1+json" ||
		m.Manifest.Config.MediaType != "application/vnd.cncf.model.config.v1+json" {
		t.Errorf("artifactType %q, config %q", m.Manifest.ArtifactType, m.Manifest.Config.MediaType)
	}
	wantAnn := map[string]string{
		"org.opencontainers.image.created":  "2025-06-01T10:00:00Z",
		"org.opencontainers.image.title":    "Digits classifier", // user annotation wins
		"org.opencontainers.image.version":  "1.2.0",
		"org.opencontainers.image.revision": "abc123",
	}
	if len(m.Manifest.Annotations) != len(wantAnn) {
		t.Errorf("manifest annotations = %v", m.Manifest.Annotations)
	}
	for k, v := range wantAnn {
		if m.Manifest.Annotations[k] != v {
			t.Errorf("manifest annotation %s = %q, want %q", k, m.Manifest.Annotations[k], v)
		}
	}
	if c := m.Config.Descriptor.CreatedAt; c == nil || !c.Equal(created) || c.Location() != time.UTC {
		t.Errorf("config createdAt = %v", c)
	}
	checkTestdataLayers(t, m)
}

// checkTestdataLayers checks the media types and annotations of the
// layers of testdata's model and evaluation, and Read's files for them.
func checkTestdataLayers(t *testing.T, m *Manifest) {
	t.Helper()
	wantLayers := []struct {
		path, mediaType string
		untested        bool
		mode            uint32
	}{
		{"LICENSE", "application/vnd.cncf.model.doc.v1.raw", false, 0o644},
		{"README.md", "application/vnd.cncf.model.doc.v1.raw", false, 0o644},
		{"config.json", "application/vnd.cncf.model.weight.config.v1.raw", false, 0o644},
		{"data/sample.csv", "application/vnd.cncf.model.dataset.v1.raw", false, 0o644},
		{"model.pkl", "application/vnd.cncf.model.weight.v1.raw", false, 0o644},
		{"params.yaml", "application/vnd.cncf.model.weight.config.v1.raw", false, 0o644},
		{"src/train.py", "application/vnd.cncf.model.code.v1.raw", false, 0o755},
		{"tokenizer_config.json", "application/vnd.cncf.model.weight.config.v1.raw", false, 0o644},
		{"weights/embeddings.npz", "application/vnd.cncf.model.weight.v1.raw", false, 0o644},
		{"weights/head.custom", "application/vnd.cncf.model.weight.v1.raw", true, 0o644},
		{"evaluation/examples.jsonl", MediaTypeEvaluation, false, 0o644},
		{"evaluation/metrics.json", MediaTypeEvaluation, false, 0o644},
		{"evaluation/plots/confusion.ppm", MediaTypeEvaluation, false, 0o644},
		{"evaluation/report.json", MediaTypeEvaluation, false, 0o644},
		{"evaluation/report.md", MediaTypeEvaluation, false, 0o644},
	}
	if len(m.Manifest.Layers) != len(wantLayers) {
		t.Fatalf("%d layers, want %d", len(m.Manifest.Layers), len(wantLayers))
	}
	for i, w := range wantLayers {
		l := m.Manifest.Layers[i]
		a := l.Annotations
		if a["org.cncf.model.filepath"] != w.path || a["org.opencontainers.image.title"] != w.path {
			t.Errorf("layer %d: path %q / title %q, want %q", i, a["org.cncf.model.filepath"], a["org.opencontainers.image.title"], w.path)
		}
		if l.MediaType != w.mediaType {
			t.Errorf("%s: media type %q, want %q", w.path, l.MediaType, w.mediaType)
		}
		if got := a["org.cncf.model.file.mediatype.untested"]; (got == "true") != w.untested || (got != "" && got != "true") {
			t.Errorf("%s: untested = %q, want %v", w.path, got, w.untested)
		}
		var meta modelspec.FileMetadata
		if err := json.Unmarshal([]byte(a["org.cncf.model.file.metadata+json"]), &meta); err != nil {
			t.Errorf("%s: metadata: %v", w.path, err)
			continue
		}
		base := w.path[strings.LastIndex(w.path, "/")+1:]
		if meta.Name != base || meta.Mode != w.mode || meta.Uid != 0 || meta.Gid != 0 || meta.Size != l.Size ||
			!meta.ModTime.Equal(time.Unix(0, 0)) || meta.Typeflag != '0' {
			t.Errorf("%s: metadata = %+v", w.path, meta)
		}
		if err := l.Digest.Validate(); err != nil || l.Size <= 0 {
			t.Errorf("%s: digest %q size %d", w.path, l.Digest, l.Size)
		}
		if m.Files[i].Path != w.path || m.Files[i].Kind.MediaType() != w.mediaType {
			t.Errorf("file %d = %+v", i, m.Files[i])
		}
	}
}

// TestLayoutStructure checks the OCI image layout on disk by hand, without
// oras: oci-layout, index.json, and blobs named by their digest.
func TestLayoutStructure(t *testing.T) {
	desc, layout := packTestdata(t, Options{Tag: "candidate"})

	b, err := os.ReadFile(filepath.Join(layout, ocispec.ImageLayoutFile))
	if err != nil {
		t.Fatal(err)
	}
	var ol ocispec.ImageLayout
	if err := json.Unmarshal(b, &ol); err != nil || ol.Version != ocispec.ImageLayoutVersion {
		t.Errorf("oci-layout = %s (%v)", b, err)
	}

	b, err = os.ReadFile(filepath.Join(layout, ocispec.ImageIndexFile))
	if err != nil {
		t.Fatal(err)
	}
	var index ocispec.Index
	if err := json.Unmarshal(b, &index); err != nil {
		t.Fatal(err)
	}
	if index.SchemaVersion != 2 || index.MediaType != ocispec.MediaTypeImageIndex || len(index.Manifests) != 1 {
		t.Fatalf("index.json = %s", b)
	}
	entry := index.Manifests[0]
	if entry.Digest != desc.Digest || entry.Size != desc.Size || entry.MediaType != ocispec.MediaTypeImageManifest ||
		entry.ArtifactType != modelspec.ArtifactTypeModelManifest || entry.Annotations[ocispec.AnnotationRefName] != "candidate" {
		t.Errorf("index entry = %+v", entry)
	}

	// Top level: exactly oci-layout, index.json, blobs (no ingest dir).
	entries, err := os.ReadDir(layout)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "blobs,index.json,oci-layout" {
		t.Errorf("layout holds %v", names)
	}

	// Every blob's name is its digest.
	blobs := readTree(t, filepath.Join(layout, "blobs"))
	for p, content := range blobs {
		alg, enc, ok := strings.Cut(p, "/")
		if !ok || alg != "sha256" || enc != sha256Hex(content) {
			t.Errorf("blob %s has sha256 %s", p, sha256Hex(content))
		}
	}
	has := func(d ocispec.Descriptor) {
		t.Helper()
		content, ok := blobs["sha256/"+d.Digest.Encoded()]
		if !ok {
			t.Errorf("blob %s (%s) missing", d.Digest, d.MediaType)
		} else if int64(len(content)) != d.Size {
			t.Errorf("blob %s: %d bytes, descriptor says %d", d.Digest, len(content), d.Size)
		}
	}
	has(desc)
	var m ocispec.Manifest
	if err := json.Unmarshal(blobs["sha256/"+desc.Digest.Encoded()], &m); err != nil {
		t.Fatal(err)
	}
	if m.SchemaVersion != 2 || m.MediaType != ocispec.MediaTypeImageManifest {
		t.Errorf("manifest header = %d %q", m.SchemaVersion, m.MediaType)
	}
	has(m.Config)
	for _, l := range m.Layers {
		has(l)
	}
	// Blobs: config, manifest, and one per distinct layer digest.
	distinct := map[digest.Digest]bool{m.Config.Digest: true, desc.Digest: true}
	for _, l := range m.Layers {
		distinct[l.Digest] = true
	}
	if len(blobs) != len(distinct) {
		t.Errorf("%d blobs, want %d", len(blobs), len(distinct))
	}
}

// TestOrasCopy copies the layout into a memory store and back into a new
// layout, as a push and a pull would, reads the one and unpacks the other.
func TestOrasCopy(t *testing.T) {
	ctx := context.Background()
	desc, layout := packTestdata(t, testOpts)
	src, err := OpenLayout(ctx, layout)
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.New()
	got, err := oras.Copy(ctx, src, DefaultTag, mem, "v1", oras.DefaultCopyOptions)
	if err != nil {
		t.Fatalf("copy to memory: %v", err)
	}
	if got.Digest != desc.Digest {
		t.Errorf("copied %s, want %s", got.Digest, desc.Digest)
	}
	m, err := Read(ctx, mem, "v1")
	if err != nil {
		t.Fatalf("read from memory: %v", err)
	}
	if m.Descriptor.Digest != desc.Digest {
		t.Errorf("memory has %s", m.Descriptor.Digest)
	}

	back := filepath.Join(t.TempDir(), "back")
	dst, err := oci.New(back)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oras.Copy(ctx, mem, "v1", dst, "pulled", oras.DefaultCopyOptions); err != nil {
		t.Fatalf("copy back: %v", err)
	}
	dest := t.TempDir()
	if _, err := Unpack(ctx, back, "pulled", dest); err != nil {
		t.Fatal(err)
	}
	want := readTree(t, testModelDir)
	for p, b := range readTree(t, testEvalDir) {
		want[EvaluationPrefix+p] = b
	}
	compareTrees(t, readTree(t, dest), want)
}

func TestPackDuplicateContent(t *testing.T) {
	model := t.TempDir()
	writeFile(t, filepath.Join(model, "a.bin"), "same")
	writeFile(t, filepath.Join(model, "b/a.bin"), "same")
	writeFile(t, filepath.Join(model, "a.txt"), "doc")
	layout := filepath.Join(t.TempDir(), "l")
	if _, err := Pack(context.Background(), model, "", layout, Options{}); err != nil {
		t.Fatal(err)
	}
	dest := t.TempDir()
	m, err := Unpack(context.Background(), layout, DefaultTag, dest)
	if err != nil {
		t.Fatal(err)
	}
	// Byte order: "a.bin" < "a.txt" < "b/a.bin".
	var paths []string
	for _, f := range m.Files {
		paths = append(paths, f.Path)
	}
	if strings.Join(paths, " ") != "a.bin a.txt b/a.bin" {
		t.Errorf("paths = %v", paths)
	}
	compareTrees(t, readTree(t, dest), readTree(t, model))
}

// TestPackSymlinkInside: a symlink to a regular file inside the directory
// is packed as that file's content under the link's path.
func TestPackSymlinkInside(t *testing.T) {
	model := t.TempDir()
	writeFile(t, filepath.Join(model, "blobs/abc"), "weights")
	if err := os.MkdirAll(filepath.Join(model, "snap"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../blobs/abc", filepath.Join(model, "snap/model.safetensors")); err != nil {
		t.Skipf("symlinks: %v", err)
	}
	dest := t.TempDir()
	layout := filepath.Join(t.TempDir(), "l")
	if _, err := Pack(context.Background(), model, "", layout, Options{}); err != nil {
		t.Fatal(err)
	}
	m, err := Unpack(context.Background(), layout, "", dest)
	if err != nil {
		t.Fatal(err)
	}
	if m.Config.Config.Format != "safetensors" {
		t.Errorf("format = %q", m.Config.Config.Format)
	}
	compareTrees(t, readTree(t, dest), map[string][]byte{"blobs/abc": []byte("weights"), "snap/model.safetensors": []byte("weights")})
}

func TestPackErrors(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	empty := filepath.Join(tmp, "empty")
	os.MkdirAll(filepath.Join(empty, "sub", "deeper"), 0o755)
	aFile := filepath.Join(tmp, "file")
	writeFile(t, aFile, "x")

	outside := filepath.Join(tmp, "outside")
	writeFile(t, filepath.Join(outside, "secret"), "secret")
	escape := filepath.Join(tmp, "escape")
	writeFile(t, filepath.Join(escape, "model.pkl"), "w")
	symlinkOK := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(escape, "leak.bin")) == nil
	relEscape := filepath.Join(tmp, "relescape")
	writeFile(t, filepath.Join(relEscape, "model.pkl"), "w")
	os.Symlink("../outside/secret", filepath.Join(relEscape, "leak.bin"))
	dirLink := filepath.Join(tmp, "dirlink")
	writeFile(t, filepath.Join(dirLink, "real/model.pkl"), "w")
	os.Symlink("real", filepath.Join(dirLink, "alias"))
	broken := filepath.Join(tmp, "broken")
	writeFile(t, filepath.Join(broken, "model.pkl"), "w")
	os.Symlink("nowhere", filepath.Join(broken, "dangling.bin"))

	clash := filepath.Join(tmp, "clash")
	writeFile(t, filepath.Join(clash, "model.pkl"), "w")
	writeFile(t, filepath.Join(clash, "evaluation/metrics.json"), "{}")

	notEmptyLayout := filepath.Join(tmp, "notempty")
	writeFile(t, filepath.Join(notEmptyLayout, "x"), "x")

	tests := []struct {
		name              string
		model, eval, out  string
		opts              Options
		is                error
		contains          string
		needsSymlinks     bool
		keepsLayoutAbsent bool
	}{
		{name: "missing model dir", model: filepath.Join(tmp, "nope"), is: fs.ErrNotExist, contains: "model directory"},
		{name: "model dir is a file", model: aFile, contains: "not a directory"},
		{name: "empty model dir", model: empty, is: ErrNoModelFiles, contains: "no model files"},
		{name: "no model path", model: "", contains: "no path given"},
		{name: "missing eval dir", model: testModelDir, eval: filepath.Join(tmp, "nope"), is: fs.ErrNotExist, contains: "evaluation directory"},
		{name: "symlink outside (absolute)", model: escape, is: ErrPathEscape, contains: `"leak.bin"`, needsSymlinks: true},
		{name: "symlink outside (relative)", model: relEscape, is: ErrPathEscape, contains: `"leak.bin"`, needsSymlinks: true},
		{name: "symlink to directory", model: dirLink, is: ErrNotRegular, contains: "directory", needsSymlinks: true},
		{name: "broken symlink", model: broken, is: fs.ErrNotExist, contains: "broken symlink", needsSymlinks: true},
		{name: "evaluation path clash", model: clash, eval: testEvalDir, contains: `"evaluation/metrics.json"`},
		{name: "layout not empty", model: testModelDir, out: notEmptyLayout, is: ErrLayoutNotEmpty},
		{name: "bad tag", model: testModelDir, opts: Options{Tag: "no/slashes"}, contains: "tag"},
		{name: "bad created annotation", model: testModelDir, opts: Options{Annotations: map[string]string{ocispec.AnnotationCreated: "yesterday"}}, contains: "created"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.needsSymlinks && !symlinkOK {
				t.Skip("no symlinks here")
			}
			out := tt.out
			if out == "" {
				out = filepath.Join(t.TempDir(), "layout")
			}
			_, err := Pack(ctx, tt.model, tt.eval, out, tt.opts)
			if err == nil {
				t.Fatal("Pack succeeded")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not contain %q", err, tt.contains)
			}
			if tt.out == "" {
				if _, serr := os.Stat(out); !errors.Is(serr, fs.ErrNotExist) {
					t.Errorf("failed Pack left %s behind (%v)", out, serr)
				}
			} else if _, serr := os.Stat(filepath.Join(out, "x")); serr != nil {
				t.Errorf("Pack touched the non-empty layout dir: %v", serr)
			}
		})
	}
}

func TestPackIntoExistingEmptyDirCleansUpOnError(t *testing.T) {
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Pack(ctx, testModelDir, testEvalDir, out, Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Pack with a canceled context: %v", err)
	}
	entries, err := os.ReadDir(out)
	if err != nil || len(entries) != 0 {
		t.Errorf("layout dir after failure: %v %v", entries, err)
	}
	// The directory is still usable.
	if _, err := Pack(context.Background(), testModelDir, testEvalDir, out, Options{}); err != nil {
		t.Fatal(err)
	}
}
