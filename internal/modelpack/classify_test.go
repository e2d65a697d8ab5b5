package modelpack

import (
	"testing"

	modelspec "github.com/modelpack/model-spec/specs-go/v1"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		path  string
		kind  Kind
		known bool
	}{
		{"model.pkl", KindWeight, true},
		{"model.joblib", KindWeight, true},
		{"sub/model-00001-of-00002.safetensors", KindWeight, true},
		{"pytorch_model.bin", KindWeight, true},
		{"model.PT", KindWeight, true},
		{"model.pth", KindWeight, true},
		{"model.onnx", KindWeight, true},
		{"q4.gguf", KindWeight, true},
		{"keras.h5", KindWeight, true},
		{"last.ckpt", KindWeight, true},
		{"arrays.npz", KindWeight, true},
		{"config.json", KindWeightConfig, true},
		{"generation_config.json", KindWeightConfig, true},
		{"tokenizer.json", KindWeightConfig, true},
		{"tokenizer_config.json", KindWeightConfig, true},
		{"params.json", KindWeightConfig, true},
		{"model.safetensors.index.json", KindWeightConfig, true},
		{"hparams.yaml", KindWeightConfig, true},
		{"conf/train.yml", KindWeightConfig, true},
		{"merges.txt", KindWeightConfig, true},
		{"tokenizer.model", KindWeightConfig, true},
		{"README.md", KindDoc, true},
		{"readme", KindDoc, true},
		{"docs/usage.md", KindDoc, true},
		{"LICENSE", KindDoc, true},
		{"LICENSE.txt", KindDoc, true},
		{"notes.txt", KindDoc, true},
		{"train.py", KindCode, true},
		{"pkg/infer.py", KindCode, true},
		{"demo.ipynb", KindCode, true},
		{"requirements.txt", KindCode, true},
		{"data/train.csv", KindDataset, true},
		{"data/part-0.parquet", KindDataset, true},
		{"data/examples.jsonl", KindDataset, true},
		{"weights/head.custom", KindWeight, false},
		{"Makefile", KindWeight, false},
	}
	for _, tt := range tests {
		kind, known := Classify(tt.path)
		if kind != tt.kind || known != tt.known {
			t.Errorf("Classify(%q) = %q, %v; want %q, %v", tt.path, kind, known, tt.kind, tt.known)
		}
	}
}

func TestKindMediaType(t *testing.T) {
	// The model-spec values, spelled out (specs-go/v1/mediatype.go), so a
	// change in the dependency shows here.
	want := map[Kind]string{
		KindWeight:       "application/vnd.cncf.model.weight.v1.raw",
		KindWeightConfig: "application/vnd.cncf.model.weight.config.v1.raw",
		KindDoc:          "application/vnd.cncf.model.doc.v1.raw",
		KindCode:         "application/vnd.cncf.model.code.v1.raw",
		KindDataset:      "application/vnd.cncf.model.dataset.v1.raw",
		KindEvaluation:   "application/vnd.modelci.evaluation.v1.raw",
	}
	for k, mt := range want {
		if got := k.MediaType(); got != mt {
			t.Errorf("%s.MediaType() = %q, want %q", k, got, mt)
		}
		if back, ok := kindOfMediaType(mt); !ok || back != k {
			t.Errorf("kindOfMediaType(%q) = %q, %v", mt, back, ok)
		}
	}
	if Kind("nope").MediaType() != "" {
		t.Error("unknown kind has a media type")
	}
	if _, ok := kindOfMediaType(modelspec.MediaTypeModelWeight); ok {
		t.Error("tar weight layers must not map to a raw kind")
	}
	for name, got := range map[string]string{
		"artifactType":  modelspec.ArtifactTypeModelManifest,
		"config":        modelspec.MediaTypeModelConfig,
		"filepath":      modelspec.AnnotationFilepath,
		"file metadata": modelspec.AnnotationFileMetadata,
		"untested":      modelspec.AnnotationMediaTypeUntested,
	} {
		wantV := map[string]string{
			"artifactType":  "application/vnd.cncf.model.manifest.v1+json",
			"config":        "application/vnd.cncf.model.config.v1+json",
			"filepath":      "org.cncf.model.filepath",
			"file metadata": "org.cncf.model.file.metadata+json",
			"untested":      "org.cncf.model.file.mediatype.untested",
		}[name]
		if got != wantV {
			t.Errorf("model-spec %s = %q, want %q", name, got, wantV)
		}
	}
}

func TestGuessFormat(t *testing.T) {
	files := []plannedFile{
		{rel: "a.safetensors", kind: KindWeight, size: 10},
		{rel: "b.safetensors", kind: KindWeight, size: 10},
		{rel: "c.pkl", kind: KindWeight, size: 15},
		{rel: "config.json", kind: KindWeightConfig, size: 1000},
		{rel: "x.custom", kind: KindWeight, size: 1000},
	}
	if got := guessFormat(files); got != "safetensors" {
		t.Errorf("guessFormat = %q, want safetensors", got)
	}
	if got := guessFormat(files[3:]); got != "" {
		t.Errorf("guessFormat without known weights = %q, want empty", got)
	}
}
