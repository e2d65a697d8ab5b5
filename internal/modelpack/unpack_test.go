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
	"oras.land/oras-go/v2/content/memory"
	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry"
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
		if !errors.Is(err, content.ErrMismatchedDigest) || !strings.Contains(err.Error(), `"model.pkl"`) {
			t.Errorf("err = %v", err)
		}
		if _, serr := os.Stat(filepath.Join(dest, "model.pkl")); !errors.Is(serr, fs.ErrNotExist) {
			t.Errorf("a corrupt file was left behind: %v", serr)
		}
	})
}

// pushManifest builds an artifact by hand in a memory store, to feed Read
// manifests Pack would never write.
func pushManifest(t *testing.T, files map[string]string, edit func(*ocispec.Manifest, *modelspec.Model)) (*memory.Store, string) {
	t.Helper()
	ctx := context.Background()
	store := memory.New()
	var m ocispec.Manifest
	var cfg modelspec.Model
	cfg.ModelFS.Type = "layers"
	for _, p := range sortedKeys(files) {
		desc, err := oras.PushBytes(ctx, store, modelspec.MediaTypeModelWeightRaw, []byte(files[p]))
		if err != nil && !errors.Is(err, errdef.ErrAlreadyExists) {
			t.Fatal(err)
		}
		desc.Annotations = map[string]string{modelspec.AnnotationFilepath: p}
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
	return store, "t"
}

func TestReadRejects(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		edit     func(*ocispec.Manifest, *modelspec.Model)
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store, ref := pushManifest(t, tt.files, tt.edit)
			_, err := UnpackFrom(context.Background(), store, ref, t.TempDir())
			if err == nil {
				t.Fatal("no error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not contain %q", err, tt.contains)
			}
		})
	}

	t.Run("tar layers are read but not extracted", func(t *testing.T) {
		store, ref := pushManifest(t, map[string]string{"w.tar": "x"}, func(m *ocispec.Manifest, _ *modelspec.Model) {
			m.Layers[0].MediaType = modelspec.MediaTypeModelWeight
		})
		m, err := Read(context.Background(), store, ref)
		if err != nil {
			t.Fatal(err)
		}
		if m.Files[0].Kind != "" {
			t.Errorf("kind = %q", m.Files[0].Kind)
		}
		dest := t.TempDir()
		_, err = UnpackFrom(context.Background(), store, ref, dest)
		if err == nil || !strings.Contains(err.Error(), "not supported") {
			t.Errorf("err = %v", err)
		}
		if entries, _ := os.ReadDir(dest); len(entries) != 0 {
			t.Errorf("wrote %v", entries)
		}
	})
	t.Run("title annotation as fallback path", func(t *testing.T) {
		store, ref := pushManifest(t, map[string]string{"a": "x"}, func(m *ocispec.Manifest, _ *modelspec.Model) {
			m.Layers[0].Annotations = map[string]string{ocispec.AnnotationTitle: "sub/b.bin"}
		})
		dest := t.TempDir()
		if _, err := UnpackFrom(context.Background(), store, ref, dest); err != nil {
			t.Fatal(err)
		}
		compareTrees(t, readTree(t, dest), map[string][]byte{"sub/b.bin": []byte("x")})
	})
}

func TestPackEvaluationReferrer(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	model, err := PackTo(ctx, store, testModelDir, "", testOpts)
	if err != nil {
		t.Fatal(err)
	}
	ref1, err := PackEvaluation(ctx, store, model, testEvalDir, map[string]string{"dev.modelci.gate": "passed"})
	if err != nil {
		t.Fatal(err)
	}
	if ref1.ArtifactType != ArtifactTypeEvaluation || ref1.MediaType != ocispec.MediaTypeImageManifest {
		t.Errorf("referrer descriptor = %+v", ref1)
	}
	// Deterministic, and independent of the subject's annotations.
	bare := ocispec.Descriptor{MediaType: model.MediaType, Digest: model.Digest, Size: model.Size}
	ref2, err := PackEvaluation(ctx, memory.New(), bare, copyTree(t, testEvalDir, 0o600), map[string]string{"dev.modelci.gate": "passed"})
	if err != nil {
		t.Fatal(err)
	}
	if ref1.Digest != ref2.Digest {
		t.Errorf("referrer digests differ: %s vs %s", ref1.Digest, ref2.Digest)
	}

	// The store lists it as a referrer of the model.
	referrers, err := registry.Referrers(ctx, store, model, ArtifactTypeEvaluation)
	if err != nil {
		t.Fatal(err)
	}
	if len(referrers) != 1 || referrers[0].Digest != ref1.Digest {
		t.Fatalf("referrers = %+v", referrers)
	}

	dest := t.TempDir()
	m, files, err := UnpackEvaluation(ctx, store, referrers[0], dest)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject == nil || m.Subject.Digest != model.Digest || len(m.Subject.Annotations) != 0 {
		t.Errorf("subject = %+v", m.Subject)
	}
	if m.Config.MediaType != ocispec.MediaTypeEmptyJSON {
		t.Errorf("config = %+v", m.Config)
	}
	if m.Annotations["dev.modelci.gate"] != "passed" || m.Annotations[ocispec.AnnotationCreated] != "1970-01-01T00:00:00Z" {
		t.Errorf("annotations = %v", m.Annotations)
	}
	for _, f := range files {
		if f.Kind != KindEvaluation || f.Layer.MediaType != MediaTypeEvaluation || strings.HasPrefix(f.Path, EvaluationPrefix) {
			t.Errorf("file %+v", f)
		}
	}
	compareTrees(t, readTree(t, dest), readTree(t, testEvalDir))

	// A model manifest is not an evaluation.
	if _, _, err := UnpackEvaluation(ctx, store, model, t.TempDir()); err == nil || !strings.Contains(err.Error(), "artifactType") {
		t.Errorf("UnpackEvaluation(model) = %v", err)
	}
	if _, err := PackEvaluation(ctx, store, model, t.TempDir(), nil); err == nil || !strings.Contains(err.Error(), "no evaluation files") {
		t.Errorf("PackEvaluation(empty dir) = %v", err)
	}
	if _, err := PackEvaluation(ctx, store, ocispec.Descriptor{}, testEvalDir, nil); err == nil {
		t.Error("PackEvaluation without a subject succeeded")
	}
}
