package metrics

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func ptr[T any](v T) *T { return &v }

// want is a metric as a test expects it.
type want struct {
	value  float64
	stderr *float64
	higher *bool
}

func TestReadFileFormats(t *testing.T) {
	tests := []struct {
		file   string
		format Format // given; FormatAuto detects
		detect Format // Set.Format expected
		want   map[string]want
	}{
		{
			file: "dvc_metrics.json", detect: FormatJSON,
			want: map[string]want{
				"train.loss": {value: 0.0412}, "train.accuracy": {value: 0.9876}, "train.epochs": {value: 20},
				"eval.loss": {value: 0.1123}, "eval.accuracy": {value: 0.9655}, "eval.f1": {value: 0.9648},
				"eval.per_class.cat.precision": {value: 0.97}, "eval.per_class.cat.recall": {value: 0.96},
				"eval.per_class.dog.precision": {value: 0.96}, "eval.per_class.dog.recall": {value: 0.97},
				"latency_ms.p50": {value: 12.5}, "latency_ms.p95": {value: 31},
				"model_size_bytes": {value: 1843200}, "peak_memory_mb": {value: 512.25},
			},
		},
		{
			file: "metrics.yaml", detect: FormatYAML,
			want: map[string]want{
				"eval.accuracy": {value: 0.9722}, "eval.f1_macro": {value: 0.9715}, "eval.loss": {value: 0.0913},
				"eval.per_class.0.precision": {value: 1}, "eval.per_class.0.recall": {value: 0.97},
				"eval.per_class.1.precision": {value: 0.95}, "eval.per_class.1.recall": {value: 0.97},
				"latency_ms.p50": {value: 0.41}, "latency_ms.p99": {value: 1.2},
				"model_size_bytes": {value: 208391}, "peak_memory_mb": {value: 87.5},
			},
		},
		{
			file: "metrics_rows.csv", detect: FormatCSV,
			want: map[string]want{
				"accuracy": {value: 0.9722}, "f1_macro": {value: 0.9715}, "loss": {value: 0.0913}, "latency_ms_p50": {value: 0.41},
			},
		},
		{
			file: "metrics_rows_noheader.csv", detect: FormatCSV,
			want: map[string]want{"accuracy": {value: 0.9722}, "f1_macro": {value: 0.9715}, "loss": {value: 0.0913}},
		},
		{
			file: "metrics_header.csv", detect: FormatCSV,
			want: map[string]want{
				"accuracy": {value: 0.9722}, "f1_macro": {value: 0.9715}, "loss": {value: 0.0913}, "latency_ms_p50": {value: 0.41},
			},
		},
		{
			file: "lm_eval_results.json", detect: FormatLMEval,
			want: map[string]want{
				"arc_easy.acc,none":                  {0.4368686868686869, ptr(0.010177672928157681), ptr(true)},
				"arc_easy.acc_norm,none":             {0.4006734006734007, ptr(0.010055304474255552), ptr(true)},
				"gsm8k.exact_match,strict-match":     {0.01819560272934041, ptr(0.0036816118940738727), ptr(true)},
				"gsm8k.exact_match,flexible-extract": {0.022744503411675512, ptr(0.004106620637749707), ptr(true)},
				"hellaswag.acc,none":                 {0.2891854212308305, ptr(0.004524575892952949), ptr(true)},
				"hellaswag.acc_norm,none":            {0.30870344552877915, ptr(0.004610183386380797), ptr(true)},
				"mmlu.acc,none":                      {0.2299529981484119, ptr(0.0035458002427950735), ptr(true)},
				"mmlu_abstract_algebra.acc,none":     {0.22, ptr(0.04163331998932269), ptr(true)},
				"wikitext.word_perplexity,none":      {37.34929460738553, nil, ptr(false)},
				"wikitext.byte_perplexity,none":      {1.7001563768069924, nil, ptr(false)},
				"wikitext.bits_per_byte,none":        {0.7656434633733549, nil, ptr(false)},
			},
		},
		{
			file: "hf_all_results.json", detect: FormatHFTrainer,
			want: map[string]want{
				"epoch": {value: 3}, "eval_accuracy": {value: 0.8553921568627451}, "eval_combined_score": {value: 0.8766418865184354},
				"eval_f1": {value: 0.8978916161741258}, "eval_loss": {value: 0.4194386899471283}, "eval_runtime": {value: 1.9281},
				"eval_samples": {value: 408}, "eval_samples_per_second": {value: 211.608}, "eval_steps_per_second": {value: 26.451},
				"total_flos": {value: 2871798427852800}, "train_loss": {value: 0.36946934468915566}, "train_runtime": {value: 190.4512},
				"train_samples": {value: 3668}, "train_samples_per_second": {value: 57.779}, "train_steps_per_second": {value: 7.231},
			},
		},
		{
			file: "hf_eval_results.json", detect: FormatHFTrainer,
			want: map[string]want{
				"epoch": {value: 3}, "eval_accuracy": {value: 0.8553921568627451}, "eval_loss": {value: 0.4194386899471283},
				"eval_runtime": {value: 1.9281}, "eval_samples": {value: 408}, "eval_samples_per_second": {value: 211.608},
				"eval_steps_per_second": {value: 26.451},
			},
		},
		{
			file: "sklearn_report.json", detect: FormatSklearn,
			want: map[string]want{
				"0.precision": {value: 1}, "0.recall": {value: 0.9714285714285714}, "0.f1-score": {value: 0.9855072463768116}, "0.support": {value: 35},
				"1.precision": {value: 0.9459459459459459}, "1.recall": {value: 0.9722222222222222}, "1.f1-score": {value: 0.958904109589041}, "1.support": {value: 36},
				"2.precision": {value: 1}, "2.recall": {value: 1}, "2.f1-score": {value: 1}, "2.support": {value: 35},
				"accuracy":            {value: 0.9722222222222222},
				"macro avg.precision": {value: 0.9819819819819819}, "macro avg.recall": {value: 0.9812169312169312},
				"macro avg.f1-score": {value: 0.9814704519886175}, "macro avg.support": {value: 106},
				"weighted avg.precision": {value: 0.9727227227227227}, "weighted avg.recall": {value: 0.9722222222222222},
				"weighted avg.f1-score": {value: 0.9722926064779917}, "weighted avg.support": {value: 106},
			},
		},
		// Given formats win over detection.
		{file: "hf_eval_results.json", format: FormatJSON, detect: FormatJSON, want: map[string]want{
			"epoch": {value: 3}, "eval_accuracy": {value: 0.8553921568627451}, "eval_loss": {value: 0.4194386899471283},
			"eval_runtime": {value: 1.9281}, "eval_samples": {value: 408}, "eval_samples_per_second": {value: 211.608},
			"eval_steps_per_second": {value: 26.451},
		}},
		{file: "metrics_rows_noheader.csv", format: FormatCSV, detect: FormatCSV,
			want: map[string]want{"accuracy": {value: 0.9722}, "f1_macro": {value: 0.9715}, "loss": {value: 0.0913}}},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+string(tt.format), func(t *testing.T) {
			path := filepath.Join("testdata", tt.file)
			set, err := ReadFile(path, tt.format)
			if err != nil {
				t.Fatal(err)
			}
			if set.Source != path {
				t.Errorf("Source = %q, want %q", set.Source, path)
			}
			if set.Format != tt.detect {
				t.Errorf("Format = %q, want %q", set.Format, tt.detect)
			}
			checkSet(t, set)
			got := map[string]want{}
			for _, m := range set.Metrics {
				got[m.Name] = want{m.Value, m.StdErr, m.HigherIsBetter}
			}
			if !reflect.DeepEqual(got, tt.want) {
				for name, w := range tt.want {
					if g, ok := got[name]; !ok {
						t.Errorf("missing %q", name)
					} else if !reflect.DeepEqual(g, w) {
						t.Errorf("%q = %v, want %v", name, show(g), show(w))
					}
				}
				for name := range got {
					if _, ok := tt.want[name]; !ok {
						t.Errorf("unexpected metric %q = %v", name, show(got[name]))
					}
				}
			}
			for name := range tt.want {
				if _, ok := set.Lookup(name); !ok {
					t.Errorf("Lookup(%q) failed", name)
				}
			}
		})
	}
}

func show(w want) string {
	s := fmt.Sprint(w.value)
	if w.stderr != nil {
		s += fmt.Sprint(" ± ", *w.stderr)
	}
	if w.higher != nil {
		if *w.higher {
			s += " (higher is better)"
		} else {
			s += " (lower is better)"
		}
	}
	return s
}

var sprintf = fmt.Sprintf

// checkSet asserts the invariants every accepted Set holds.
func checkSet(t testing.TB, set *Set) {
	t.Helper()
	if len(set.Metrics) == 0 {
		t.Fatalf("accepted a set without metrics")
	}
	if set.Format == FormatAuto {
		t.Errorf("Format is auto")
	}
	for i, m := range set.Metrics {
		if !(math.Abs(m.Value) <= MaxMagnitude) {
			t.Errorf("metric %q = %v", m.Name, m.Value)
		}
		if m.StdErr != nil && !(math.Abs(*m.StdErr) <= MaxMagnitude) {
			t.Errorf("metric %q stderr = %v", m.Name, *m.StdErr)
		}
		if i > 0 && set.Metrics[i-1].Name >= m.Name {
			t.Errorf("names not sorted and unique: %q then %q", set.Metrics[i-1].Name, m.Name)
		}
	}
}

func TestParseDetect(t *testing.T) {
	tests := []struct {
		name, source, data string
		want               Format
	}{
		{"json by content", "metrics", `{"a": 1}`, FormatJSON},
		{"csv by content", "metrics.txt", "accuracy,0.9\n", FormatCSV},
		{"csv header by content", "metrics", "accuracy,f1\n0.9,0.8\n", FormatCSV},
		{"yaml by content", "metrics", "accuracy: 0.9\nf1: 0.8\n", FormatYAML},
		{"yaml with comma value", "metrics", "note: a, b\nf1: 0.8\n", FormatYAML},
		{"yml extension", "m.yml", "{a: 1}", FormatYAML},
		{"json extension with yaml-looking name", "m.json", `{"eval_loss": 1}`, FormatHFTrainer},
		{"hf by epoch", "m.json", `{"epoch": 1, "loss": 2}`, FormatHFTrainer},
		{"nested is not hf", "m.json", `{"eval_loss": 1, "x": {"y": 2}}`, FormatJSON},
		{"results without commas is plain json", "m.json", `{"results": {"test": {"accuracy": 0.9}}}`, FormatJSON},
		{"old lm-eval", "m.json", `{"results": {"piqa": {"acc": 0.6, "acc_stderr": 0.01}}, "versions": {"piqa": 0}}`, FormatLMEval},
		{"sklearn weighted avg", "m.json", `{"weighted avg": {"f1-score": 0.5}}`, FormatSklearn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := Parse(tt.source, []byte(tt.data), FormatAuto)
			if err != nil {
				t.Fatal(err)
			}
			if set.Format != tt.want {
				t.Errorf("Format = %q, want %q", set.Format, tt.want)
			}
		})
	}
}

func TestParseSemantics(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		data   string
		want   map[string]float64
	}{
		{"strings bools nulls arrays ignored", FormatJSON,
			`{"a": 1, "b": "2", "c": true, "d": null, "e": [1, 2], "f": {"g": -0.5e-3}, "h": "N/A"}`,
			map[string]float64{"a": 1, "f.g": -0.0005}},
		{"tiny numbers underflow to zero", FormatJSON, `{"a": 1e-400}`, map[string]float64{"a": 0}},
		{"the largest magnitude", FormatJSON, `{"a": 1e300, "b": -1e300}`, map[string]float64{"a": 1e300, "b": -1e300}},
		{"big integers", FormatJSON, `{"a": 123456789012345678901234567890}`, map[string]float64{"a": 1.2345678901234568e29}},
		{"escaped keys", FormatJSON, `{"caf\u00e9": 1, "a\"b": 2, "é": 3}`, map[string]float64{"café": 1, `a"b`: 2, "é": 3}},
		{"BOM", FormatJSON, "\ufeff{\"a\": 1}", map[string]float64{"a": 1}},
		{"NaN in an ignored string", FormatJSON, `{"a": 1, "b": "NaN"}`, map[string]float64{"a": 1}},
		{"lm-eval NaN stderr is absent", FormatLMEval,
			`{"results": {"t": {"acc,none": 0.5, "acc_stderr,none": NaN}}}`, map[string]float64{"t.acc,none": 0.5}},
		{"lm-eval stderr beyond the largest magnitude is absent", FormatLMEval,
			`{"results": {"t": {"acc,none": 0.5, "acc_stderr,none": 1e301}}}`, map[string]float64{"t.acc,none": 0.5}},
		{"lm-eval stderr without metric ignored", FormatLMEval,
			`{"results": {"t": {"acc,none": 0.5, "f1_stderr,none": 0.1}}}`, map[string]float64{"t.acc,none": 0.5}},
		{"lm-eval groups add new names", FormatLMEval,
			`{"results": {"t": {"acc,none": 0.5}}, "groups": {"g": {"acc,none": 0.25, "alias": "g"}, "t": {"acc,none": 0.75}}}`,
			map[string]float64{"t.acc,none": 0.5, "g.acc,none": 0.25}},
		{"lm-eval NaN outside results ignored", FormatLMEval,
			`{"results": {"t": {"acc,none": 0.5}}, "configs": {"x": NaN}}`, map[string]float64{"t.acc,none": 0.5}},
		{"yaml numbers", FormatYAML, "a: 1\nb: 0x10\nc: -1.5e3\nd: .5\ne: 'text'\nf: \"3\"\ng: ~\nh: yes\n",
			map[string]float64{"a": 1, "b": 16, "c": -1500, "d": 0.5}},
		{"yaml alias", FormatYAML, "base: &b {acc: 0.5}\nhead: *b\n", map[string]float64{"base.acc": 0.5, "head.acc": 0.5}},
		{"yaml json syntax", FormatYAML, `{"a": {"b": 2}}`, map[string]float64{"a.b": 2}},
		{"csv text values ignored", FormatCSV, "name,value\na,1\nmodel,resnet\nb,\n", map[string]float64{"a": 1}},
		{"csv metric header", FormatCSV, "Metric, Value\n a , 2 \n", map[string]float64{"a": 2}},
		{"csv quoted", FormatCSV, "\"a,b\",1\nc,2\n", map[string]float64{"a,b": 1, "c": 2}},
		{"csv one header column", FormatCSV, "accuracy\n0.5\n", map[string]float64{"accuracy": 0.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := Parse("m", []byte(tt.data), tt.format)
			if err != nil {
				t.Fatal(err)
			}
			checkSet(t, set)
			got := map[string]float64{}
			for _, m := range set.Metrics {
				got[m.Name] = m.Value
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name   string
		source string
		format Format
		data   string
		line   int
		key    string
		msg    string // a part of the message
	}{
		{"empty", "m.json", FormatAuto, "", 0, "", "empty file"},
		{"blank", "m.json", FormatAuto, " \n\t\n", 0, "", "empty file"},
		{"no metrics json", "m.json", FormatAuto, `{"model": "x", "ok": true}`, 0, "", "no metrics found"},
		{"no metrics yaml", "m.yaml", FormatAuto, "model: x\n", 0, "", "no metrics found"},
		{"yaml null doc", "m.yaml", FormatAuto, "---\n", 0, "", "no metrics found"},
		{"no metrics csv", "m.csv", FormatAuto, "name,value\nmodel,x\n", 0, "", "no metrics found"},
		{"json syntax", "m.json", FormatAuto, "{\n  \"a\": 1,\n  \"b\": ,\n}", 3, "", "invalid character ','"},
		{"json truncated", "m.json", FormatAuto, "{\n  \"a\": 1,\n", 3, "", "unexpected end of JSON input"},
		{"json lines as metrics", "m.json", FormatAuto, "{\"id\": 1}\n{\"id\": 2}\n", 2, "", "JSON Lines"},
		{"json array", "m.json", FormatAuto, "\n[1, 2]", 2, "", "found an array"},
		{"json NaN", "m.json", FormatAuto, "{\n \"eval\": {\n  \"acc\": NaN\n }\n}", 3, "eval.acc", "NaN"},
		{"json Infinity", "m.json", FormatAuto, "{\"a\": -Infinity}", 1, "a", "-Infinity"},
		{"json overflow", "m.json", FormatAuto, "{\n\"a\": 1e999}", 2, "a", "out of range"},
		{"json beyond the largest magnitude", "m.json", FormatAuto, "{\"a\": 0,\n\"b\": {\"c\": 1.7e308}}", 2, "b.c", "value 1.7e+308 is beyond ±1e+300"},
		{"yaml beyond the largest magnitude", "m.yaml", FormatAuto, "a: 1\nb: -1e301\n", 2, "b", "beyond ±1e+300"},
		{"csv beyond the largest magnitude", "m.csv", FormatAuto, "name,value\na,2e300\n", 2, "a", "beyond ±1e+300"},
		{"lm-eval beyond the largest magnitude", "m.json", FormatAuto, "{\"results\": {\"t\": {\n\"acc,none\": 1e305, \"acc_stderr,none\": 0.1}}}", 2, "t.acc,none", "beyond"},
		{"json duplicate key", "m.json", FormatAuto, "{\n\"a\": 1,\n\"a\": 2}", 3, "a", `["a"] (line 2) and ["a"] (line 3)`},
		{"json duplicate flattened", "m.json", FormatAuto, "{\"eval.acc\": 1,\n\"eval\": {\n\"acc\": 2}}", 3, "eval.acc", `["eval.acc"] (line 1) and ["eval"]["acc"] (line 3)`},
		{"json empty key", "m.json", FormatAuto, `{"": {"a": 1}}`, 1, ".a", "empty key"},
		{"lm-eval without results", "m.json", FormatLMEval, `{"a": 1}`, 0, "results", "not an lm-evaluation-harness"},
		{"lm-eval NaN metric", "m.json", FormatAuto, "{\"results\": {\"t\": {\n\"acc,none\": NaN}}}", 2, "t.acc,none", "NaN"},
		{"yaml syntax", "m.yaml", FormatAuto, "a: 1\nb: c: d\n", 2, "", "invalid YAML: mapping values"},
		{"yaml nan", "m.yaml", FormatAuto, "a: 1\nb:\n  c: .nan\n", 3, "b.c", "NaN"},
		{"yaml inf", "m.yaml", FormatAuto, "a: -.inf\n", 1, "a", "-Inf"},
		{"yaml overflow", "m.yaml", FormatAuto, "a: 1\nb: 1e999\n", 2, "b", "out of range"},
		{"yaml duplicate flattened", "m.yaml", FormatAuto, "a.b: 1\na:\n  b: 2\n", 3, "a.b", `["a.b"] (line 1) and ["a"]["b"] (line 3)`},
		{"yaml list top", "m.yaml", FormatAuto, "- a\n- b\n", 1, "", "expected a mapping"},
		{"yaml merge", "m.yaml", FormatAuto, "base: &b {x: 1}\nhead:\n  <<: *b\n", 3, "head", "merge keys"},
		{"yaml alias bomb", "m.yaml", FormatAuto, yamlBomb(), 0, "", "alias expansion"},
		{"csv ragged rows", "m.csv", FormatAuto, "name,value\na,1\nb,2,3\n", 3, "", "expected two fields"},
		{"csv nan", "m.csv", FormatAuto, "name,value\na,1\nb,NaN\n", 3, "b", "not finite"},
		{"csv inf header form", "m.csv", FormatAuto, "a,b\n1,inf\n", 2, "b", "not finite"},
		{"csv overflow", "m.csv", FormatAuto, "a,1e999\n", 1, "a", "out of range"},
		{"csv duplicate", "m.csv", FormatAuto, "name,value\na,1\nb,2\na,3\n", 4, "a", `"a" (line 2) and "a" (line 4)`},
		{"csv duplicate header", "m.csv", FormatAuto, "a,b,a\n1,2,3\n", 1, "a", "duplicate metric name"},
		{"csv header only", "m.csv", FormatAuto, "accuracy,f1\n", 1, "", "without a row of values"},
		{"csv many rows", "m.csv", FormatAuto, "id,accuracy,f1\n1,0.5,0.5\n2,0.5,0.5\n", 3, "", "more than one row"},
		{"csv values mismatch", "m.csv", FormatAuto, "a,b,c\n1,2\n", 2, "", "2 values under a header of 3"},
		{"csv bad quote", "m.csv", FormatAuto, "name,value\na,\"1\n", 2, "", "invalid CSV"},
		{"csv empty name", "m.csv", FormatAuto, "name,value\n,1\n", 2, "", "empty metric name"},
		{"unknown format", "m", Format("xml"), "<a/>", 0, "", "unknown metrics format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.source, []byte(tt.data), tt.format)
			checkError(t, err, tt.source, tt.line, tt.key, tt.msg)
		})
	}
}

// yamlBomb is a billion-laughs document.
func yamlBomb() string {
	var b strings.Builder
	b.WriteString("a0: &a0 {x: 1, y: 2}\n")
	for i := 1; i < 30; i++ {
		b.WriteString(sprintf("a%d: &a%d [*a%d, *a%d]\n", i, i, i-1, i-1))
		b.WriteString(sprintf("m%d: &m%d {x: *a%d, y: *a%d}\n", i, i, i-1, i-1))
	}
	// Mappings of mappings expand when walked; build a chain of them.
	b.WriteString("z0: &z0 {p: 1, q: 2}\n")
	for i := 1; i < 30; i++ {
		b.WriteString(sprintf("z%d: &z%d {p: *z%d, q: *z%d}\n", i, i, i-1, i-1))
	}
	return b.String()
}

// checkError asserts err is an *Error naming file, line and key, and that
// its message holds msg.
func checkError(t *testing.T, err error, file string, line int, key, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one holding %q", msg)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	if e.File != file {
		t.Errorf("File = %q, want %q", e.File, file)
	}
	if e.Line != line {
		t.Errorf("Line = %d, want %d (%v)", e.Line, line, err)
	}
	if e.Key != key {
		t.Errorf("Key = %q, want %q (%v)", e.Key, key, err)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("error %q does not hold %q", err, msg)
	}
	if !strings.HasPrefix(err.Error(), file+": ") {
		t.Errorf("error %q does not start with the file", err)
	}
}

func TestReadFileMissing(t *testing.T) {
	_, err := ReadFile(filepath.Join("testdata", "nope.json"), FormatAuto)
	checkError(t, err, filepath.Join("testdata", "nope.json"), 0, "", "no such file")
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{
		"": FormatAuto, "auto": FormatAuto, "JSON": FormatJSON, "yml": FormatYAML, "yaml": FormatYAML, "csv": FormatCSV,
		"lm-eval": FormatLMEval, "lm-eval-harness": FormatLMEval, "hf-trainer": FormatHFTrainer,
		"sklearn-report": FormatSklearn, "sklearn": FormatSklearn,
	} {
		got, err := ParseFormat(in)
		if err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseFormat("xml"); err == nil || !strings.Contains(err.Error(), "lm-eval") {
		t.Errorf("ParseFormat(xml) error = %v, want one listing the formats", err)
	}
	for _, name := range Formats() {
		if _, err := ParseFormat(name); err != nil {
			t.Errorf("Formats lists %q, which ParseFormat refuses", name)
		}
	}
}

func TestLookup(t *testing.T) {
	set, err := Parse("m.json", []byte(`{"b": 2, "a": 1, "c": {"d": 3}}`), FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range set.Metrics {
		names = append(names, m.Name)
	}
	if !sort.StringsAreSorted(names) {
		t.Errorf("names %v not sorted", names)
	}
	if m, ok := set.Lookup("c.d"); !ok || m.Value != 3 {
		t.Errorf("Lookup(c.d) = %v, %v", m, ok)
	}
	if _, ok := set.Lookup("zz"); ok {
		t.Errorf("Lookup(zz) found")
	}
	var nilSet *Set
	if _, ok := nilSet.Lookup("a"); ok {
		t.Errorf("nil Lookup found")
	}
}
