package modelpack

import (
	"path"
	"strings"

	modelspec "github.com/modelpack/model-spec/specs-go/v1"
)

// What modelci adds to the ModelPack spec, which has no kind for evaluation
// results. The media type is in the vnd.modelci tree and follows the model
// spec's naming, ".raw" for a file's bytes as they are.
const (
	// MediaTypeEvaluation is the layer media type of one evaluation file
	// (metrics.json, examples.jsonl, report.md, report.json, …), stored
	// unarchived and uncompressed like the model spec's ".raw" layers. The
	// file's format is told by its org.cncf.model.filepath annotation.
	MediaTypeEvaluation = "application/vnd.modelci.evaluation.v1.raw"

	// EvaluationPrefix is the path prefix under which evaluation files are
	// stored in a model artifact, in their org.cncf.model.filepath
	// annotation, and where [Unpack] writes them.
	EvaluationPrefix = "evaluation/"
)

// Kind is what a packed file is: one of the ModelPack layer kinds, or
// evaluation.
type Kind string

// The kinds of file a model artifact holds.
const (
	// KindWeight is model weights: application/vnd.cncf.model.weight.v1.raw.
	KindWeight Kind = "weight"
	// KindWeightConfig is configuration of the weights (config.json,
	// tokenizer files, YAML): application/vnd.cncf.model.weight.config.v1.raw.
	KindWeightConfig Kind = "weight-config"
	// KindDoc is documentation (README, LICENSE, Markdown):
	// application/vnd.cncf.model.doc.v1.raw.
	KindDoc Kind = "doc"
	// KindCode is code (Python, notebooks, shell):
	// application/vnd.cncf.model.code.v1.raw.
	KindCode Kind = "code"
	// KindDataset is data (CSV, Parquet, JSON Lines):
	// application/vnd.cncf.model.dataset.v1.raw.
	KindDataset Kind = "dataset"
	// KindEvaluation is an evaluation file: [MediaTypeEvaluation].
	KindEvaluation Kind = "evaluation"
)

// MediaType returns the raw layer media type of kind k, or "" for an
// unknown kind. The model-spec ones are specs-go/v1/mediatype.go's
// MediaTypeModel*Raw constants.
func (k Kind) MediaType() string {
	switch k {
	case KindWeight:
		return modelspec.MediaTypeModelWeightRaw
	case KindWeightConfig:
		return modelspec.MediaTypeModelWeightConfigRaw
	case KindDoc:
		return modelspec.MediaTypeModelDocRaw
	case KindCode:
		return modelspec.MediaTypeModelCodeRaw
	case KindDataset:
		return modelspec.MediaTypeModelDatasetRaw
	case KindEvaluation:
		return MediaTypeEvaluation
	}
	return ""
}

// kindOfMediaType maps a raw layer media type back to its kind.
func kindOfMediaType(mediaType string) (Kind, bool) {
	for _, k := range []Kind{KindWeight, KindWeightConfig, KindDoc, KindCode, KindDataset, KindEvaluation} {
		if k.MediaType() == mediaType {
			return k, true
		}
	}
	return "", false
}

// weightFormats maps weight file extensions to the model config's "format"
// (model-spec docs/config.md: "the format for the model, such as onnx,
// tensorflow, or pytorch").
var weightFormats = map[string]string{
	".safetensors": "safetensors",
	".gguf":        "gguf",
	".onnx":        "onnx",
	".pt":          "pytorch",
	".pth":         "pytorch",
	".bin":         "pytorch",
	".ckpt":        "",
	".pkl":         "pickle",
	".pickle":      "pickle",
	".joblib":      "joblib",
	".h5":          "hdf5",
	".hdf5":        "hdf5",
	".keras":       "keras",
	".npz":         "numpy",
	".npy":         "numpy",
	".pb":          "tensorflow",
	".tflite":      "tflite",
	".msgpack":     "flax",
}

// configNames are weight-config files recognised by their whole (lower
// case) name; any *.json, *.yaml, *.yml or *.toml is weight config too.
var configNames = map[string]bool{
	"merges.txt":      true,
	"vocab.txt":       true,
	"tokenizer.model": true,
	"spiece.model":    true,
}

var docPrefixes = []string{"readme", "license", "licence", "copying", "notice", "changelog", "model_card", "modelcard"}

var codeExts = map[string]bool{
	".py": true, ".ipynb": true, ".sh": true, ".c": true, ".cc": true, ".cpp": true,
	".cu": true, ".h": true, ".hpp": true, ".go": true, ".js": true, ".ts": true, ".r": true, ".jl": true,
}

var datasetExts = map[string]bool{
	".csv": true, ".tsv": true, ".parquet": true, ".arrow": true, ".jsonl": true, ".jsonlines": true,
}

// Classify returns the kind of the model file at the slash-separated path p
// and whether the kind was recognised. It looks at the base name only, case
// insensitively, in this order:
//
//   - weight (known = true): .safetensors .gguf .onnx .pt .pth .bin .ckpt
//     .pkl .pickle .joblib .h5 .hdf5 .keras .npz .npy .pb .tflite .msgpack;
//   - doc: README*, LICENSE*, LICENCE*, COPYING*, NOTICE*, CHANGELOG*,
//     MODEL_CARD*, *.md, *.rst;
//   - weight config: merges.txt, vocab.txt, tokenizer.model, spiece.model,
//     and every *.json, *.yaml, *.yml, *.toml (config.json,
//     generation_config.json, tokenizer*.json, params.json, …);
//   - code: requirements*.txt, *.py *.ipynb *.sh *.c *.cc *.cpp *.cu *.h
//     *.hpp *.go *.js *.ts *.r *.jl;
//   - dataset: *.csv *.tsv *.parquet *.arrow *.jsonl *.jsonlines;
//   - doc: any other *.txt;
//   - anything else is a weight with known = false: Pack then sets
//     org.cncf.model.file.mediatype.untested to "true" on its layer.
func Classify(p string) (kind Kind, known bool) {
	base := strings.ToLower(path.Base(p))
	ext := path.Ext(base)
	if _, ok := weightFormats[ext]; ok {
		return KindWeight, true
	}
	for _, prefix := range docPrefixes {
		if strings.HasPrefix(base, prefix) {
			return KindDoc, true
		}
	}
	switch {
	case ext == ".md" || ext == ".rst":
		return KindDoc, true
	case configNames[base] || ext == ".json" || ext == ".yaml" || ext == ".yml" || ext == ".toml":
		return KindWeightConfig, true
	case strings.HasPrefix(base, "requirements") && ext == ".txt", codeExts[ext]:
		return KindCode, true
	case datasetExts[ext]:
		return KindDataset, true
	case ext == ".txt":
		return KindDoc, true
	}
	return KindWeight, false
}

// guessFormat returns the model config "format" of the weight files: the
// format of the largest total size among the weight files whose extension
// names one, ties broken by name; "" when none does.
func guessFormat(files []plannedFile) string {
	sizes := map[string]int64{}
	for _, f := range files {
		if f.kind != KindWeight {
			continue
		}
		if format := weightFormats[strings.ToLower(path.Ext(f.rel))]; format != "" {
			sizes[format] += f.size
		}
	}
	best, bestSize := "", int64(-1)
	for format, size := range sizes {
		if size > bestSize || (size == bestSize && format < best) {
			best, bestSize = format, size
		}
	}
	return best
}
