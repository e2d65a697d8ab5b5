package modelpack

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	modelspec "github.com/modelpack/model-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/content/oci"
	"oras.land/oras-go/v2/errdef"
)

func TestUnpackErrors(t *testing.T) {
	ctx := context.Background()
	_, layout := packTestdata(t, testOpts)

	t.Run("missing layout", func(t *testing.T) {
		_, err := Unpack(ctx, filepath.Join(t.TempDir(), "nope"), "", t.TempDir())
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("not a layout", func(t *testing.T) {
		_, err := Unpack(ctx, t.TempDir(), "", t.TempDir())
		if err == nil || !strings.Contains(err.Error(), "OCI Image Layout") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("unknown tag", func(t *testing.T) {
		_, err := Unpack(ctx, layout, "nope", t.TempDir())
		if !errors.Is(err, errdef.ErrNotFound) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("tampered blob", func(t *testing.T) {
		bad := copyTree(t, layout, 0o644)
		m, err := Unpack(ctx, layout, "", t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		var weight ocispec.Descriptor
		for _, f := range m.Files {
			if f.Path == "model.pkl" {
				weight = f.Layer
			}
		}
		blob := filepath.Join(bad, "blobs", "sha256", weight.Digest.Encoded())
		b, _ := os.ReadFile(blob)
		b[0] ^= 0xff
		os.WriteFile(blob, b, 0o644)
		dest := t.TempDir()
		_, err = Unpack(ctx, bad, "", dest)
		if !errors.Is(err, content.ErrMismatchedDigest) || !strings.Contains(err.Error(), "model.pkl") {
			t.Errorf("err = %v", err)
		}
		if _, serr := os.Stat(filepath.Join(dest, "model.pkl")); !errors.Is(serr, fs.ErrNotExist) {
			t.Errorf("a corrupt file was left behind: %v", serr)
		}
	})
}

// TestUnpackDestination: Unpack writes next to what destDir holds, but
// never over it, nor through it to elsewhere.
func TestUnpackDestination(t *testing.T) {
	ctx := context.Background()
	_, layout := packTestdata(t, testOpts)

	t.Run("existing file is not overwritten", func(t *testing.T) {
		dest := t.TempDir()
		writeFile(t, filepath.Join(dest, "model.pkl"), "mine")
		_, err := Unpack(ctx, layout, "", dest)
		if !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), `"model.pkl"`) {
			t.Errorf("err = %v", err)
		}
		if b, _ := os.ReadFile(filepath.Join(dest, "model.pkl")); string(b) != "mine" {
			t.Errorf("model.pkl overwritten: %q", b)
		}
	})
	t.Run("other files in the destination stay", func(t *testing.T) {
		dest := t.TempDir()
		writeFile(t, filepath.Join(dest, "src", "mine.txt"), "mine")
		if _, err := Unpack(ctx, layout, "", dest); err != nil {
			t.Fatal(err)
		}
		got := readTree(t, dest)
		if string(got["src/mine.txt"]) != "mine" || string(got["model.pkl"]) != string(readTree(t, testModelDir)["model.pkl"]) {
			t.Errorf("unpacked next to another file: %v", sortedKeys(got))
		}
	})
	t.Run("symlink out of the destination", func(t *testing.T) {
		dest, outside := t.TempDir(), t.TempDir()
		if err := os.Symlink(outside, filepath.Join(dest, "weights")); err != nil {
			t.Skipf("symlinks: %v", err)
		}
		_, err := Unpack(ctx, layout, "", dest)
		if err == nil || !strings.Contains(err.Error(), `"weights/`) {
			t.Errorf("err = %v", err)
		}
		if entries, _ := os.ReadDir(outside); len(entries) != 0 {
			t.Errorf("wrote outside the destination: %v", entries)
		}
		if entries, _ := os.ReadDir(dest); len(entries) != 1 {
			t.Errorf("wrote %v before refusing", entries)
		}
	})
	t.Run("destination is a file", func(t *testing.T) {
		dest := filepath.Join(t.TempDir(), "file")
		writeFile(t, dest, "x")
		if _, err := Unpack(ctx, layout, "", dest); err == nil || !strings.Contains(err.Error(), "destination") {
			t.Errorf("err = %v", err)
		}
	})
}

// pushManifest builds an artifact by hand in a new OCI layout, to feed
// Read and Unpack manifests Pack would never write. Each layer's path is
// both its org.cncf.model.filepath and its title, as Pack writes them,
// before edit.
func pushManifest(t *testing.T, files map[string]string, edit func(*ocispec.Manifest, *modelspec.Model)) (layout, tag string) {
	t.Helper()
	ctx := context.Background()
	layout = filepath.Join(t.TempDir(), "layout")
	store, err := oci.NewWithContext(ctx, layout)
	if err != nil {
		t.Fatal(err)
	}
	var m ocispec.Manifest
	var cfg modelspec.Model
	cfg.ModelFS.Type = "layers"
	for _, p := range sortedKeys(files) {
		desc := content.NewDescriptorFromBytes(modelspec.MediaTypeModelWeightRaw, []byte(files[p]))
		if err := store.Push(ctx, desc, strings.NewReader(files[p])); err != nil && !errors.Is(err, errdef.ErrAlreadyExists) {
			t.Fatal(err)
		}
		desc.Annotations = map[string]string{modelspec.AnnotationFilepath: p, ocispec.AnnotationTitle: p}
		m.Layers = append(m.Layers, desc)
		cfg.ModelFS.DiffIDs = append(cfg.ModelFS.DiffIDs, desc.Digest)
	}
	m.SchemaVersion = 2
	m.MediaType = ocispec.MediaTypeImageManifest
	m.ArtifactType = modelspec.ArtifactTypeModelManifest
	if edit != nil {
		edit(&m, &cfg)
	}
	cfgJSON, _ := json.Marshal(cfg)
	cfgDesc, err := oras.PushBytes(ctx, store, modelspec.MediaTypeModelConfig, cfgJSON)
	if err != nil {
		t.Fatal(err)
	}
	if m.Config.MediaType == "" {
		m.Config = cfgDesc
	} else {
		m.Config.Digest, m.Config.Size = cfgDesc.Digest, cfgDesc.Size
	}
	mJSON, _ := json.Marshal(m)
	desc, err := oras.PushBytes(ctx, store, ocispec.MediaTypeImageManifest, mJSON)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Tag(ctx, desc, "t"); err != nil {
		t.Fatal(err)
	}
	return layout, "t"
}

// TestUnpackRejects feeds Unpack artifacts it must refuse, and checks that
// it writes nothing. Most are Read's refusals, which the modelpack module
// relies on too; readOK marks those only Unpack makes.
func TestUnpackRejects(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		edit     func(*ocispec.Manifest, *modelspec.Model)
		readOK   bool
		is       error
		contains string
	}{
		{name: "path escape", files: map[string]string{"../evil": "x"}, is: ErrPathEscape},
		{name: "absolute path", files: map[string]string{"/etc/evil": "x"}, is: ErrPathEscape},
		{name: "backslash path", files: map[string]string{`..\evil`: "x"}, is: ErrPathEscape},
		{name: "no path", files: map[string]string{"a": "x"}, edit: func(m *ocispec.Manifest, _ *modelspec.Model) {
			m.Layers[0].Annotations = nil
		}, is: ErrPathEscape},
		{name: "duplicate path", files: map[string]string{"a": "x", "b": "y"}, edit: func(m *ocispec.Manifest, _ *modelspec.Model) {
			m.Layers[1].Annotations[modelspec.AnnotationFilepath] = "a"
		}, contains: "used twice"},
		{name: "not a model", files: map[string]string{"a": "x"}, edit: func(m *ocispec.Manifest, _ *modelspec.Model) {
			m.ArtifactType = "application/vnd.example+json"
			m.Config.MediaType = "application/vnd.example.config+json"
		}, contains: "not a ModelPack model"},
		{name: "diffIds count", files: map[string]string{"a": "x"}, edit: func(_ *ocispec.Manifest, c *modelspec.Model) {
			c.ModelFS.DiffIDs = nil
		}, contains: "0 diffIds for 1 layers"},
		{name: "diffIds mismatch", files: map[string]string{"a": "x"}, edit: func(_ *ocispec.Manifest, c *modelspec.Model) {
			c.ModelFS.DiffIDs[0] = digest.FromString("other")
		}, contains: "diffIds[0]"},
		{name: "modelfs type", files: map[string]string{"a": "x"}, edit: func(_ *ocispec.Manifest, c *modelspec.Model) {
			c.ModelFS.Type = "tarballs"
		}, contains: "modelfs.type"},
		{name: "bad metadata", files: map[string]string{"a": "x"}, edit: func(m *ocispec.Manifest, _ *modelspec.Model) {
			m.Layers[0].Annotations[modelspec.AnnotationFileMetadata] = "{"
		}, contains: modelspec.AnnotationFileMetadata},
		{name: "tar layer", files: map[string]string{"w.tar": "x"}, edit: func(m *ocispec.Manifest, _ *modelspec.Model) {
			m.Layers[0].MediaType = modelspec.MediaTypeModelWeight
		}, readOK: true, contains: "not supported"},
		// The file store names files by title: one that escapes, or just
		// differs from the checked path, must not be written.
		{name: "title escape", files: map[string]string{"a": "x"}, edit: func(m *ocispec.Manifest, _ *modelspec.Model) {
			m.Layers[0].Annotations[ocispec.AnnotationTitle] = "../evil"
		}, readOK: true, contains: "differs"},
		{name: "title differs", files: map[string]string{"a": "x", "b": "x"}, edit: func(m *ocispec.Manifest, _ *modelspec.Model) {
			m.Layers[1].Annotations[ocispec.AnnotationTitle] = "c"
		}, readOK: true, contains: "differs"},
		{name: "no title", files: map[string]string{"a": "x"}, edit: func(m *ocispec.Manifest, _ *modelspec.Model) {
			delete(m.Layers[0].Annotations, ocispec.AnnotationTitle)
		}, readOK: true, contains: "differs"},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layout, tag := pushManifest(t, tt.files, tt.edit)
			src, err := OpenLayout(ctx, layout)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Read(ctx, src, tag); (err == nil) != tt.readOK {
				t.Errorf("Read: %v", err)
			}
			parent := t.TempDir()
			dest := filepath.Join(parent, "dest")
			_, err = Unpack(ctx, layout, tag, dest)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not contain %q", err, tt.contains)
			}
			if tree := readTree(t, parent); len(tree) != 0 {
				t.Errorf("wrote %v", sortedKeys(tree))
			}
		})
	}
}

func TestUnpackTitleOnly(t *testing.T) {
	// Without org.cncf.model.filepath the title is the path, as for an
	// artifact `oras push` made.
	layout, tag := pushManifest(t, map[string]string{"a": "x"}, func(m *ocispec.Manifest, _ *modelspec.Model) {
		m.Layers[0].Annotations = map[string]string{ocispec.AnnotationTitle: "sub/b.bin"}
	})
	dest := t.TempDir()
	m, err := Unpack(context.Background(), layout, tag, dest)
	if err != nil {
		t.Fatal(err)
	}
	if m.Files[0].Path != "sub/b.bin" || m.Files[0].Mode != 0o644 {
		t.Errorf("file %+v", m.Files[0])
	}
	compareTrees(t, readTree(t, dest), map[string][]byte{"sub/b.bin": []byte("x")})
}

func TestCtxTargetStopsReads(t *testing.T) {
	_, layout := packTestdata(t, testOpts)
	src, err := OpenLayout(context.Background(), layout)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Read(context.Background(), src, DefaultTag)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	rc, err := ctxTarget{src}.Fetch(ctx, m.Files[0].Layer)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	buf := make([]byte, 1)
	if _, err := rc.Read(buf); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := rc.Read(buf); !errors.Is(err, context.Canceled) {
		t.Errorf("read after cancel: %v", err)
	}
}
