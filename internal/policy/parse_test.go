package policy

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/modelci/modelci/internal/compare"
)

func f(v float64) *float64 { return &v }
func b(v bool) *bool       { return &v }

func TestLoadExample(t *testing.T) {
	p, err := Load("testdata/example.modelci.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := &Policy{
		Source:              "testdata/example.modelci.yaml",
		Confidence:          0.95,
		Resamples:           2000,
		Seed:                1,
		MultipleComparisons: compare.Holm,
		Defaults:            Rule{RequireSignificance: b(true), MaxDrop: &Change{Value: 2, Percent: true}},
		Metrics: []NamedRule{
			{Pattern: "accuracy", Line: 34, Rule: Rule{Direction: compare.HigherIsBetter, Min: f(0.9), MaxDrop: &Change{0.5, true}}},
			{Pattern: "latency_*", Line: 35, Rule: Rule{Direction: compare.LowerIsBetter, Max: f(50), MaxIncrease: &Change{10, true}}},
			{Pattern: "eval_loss", Line: 36, Rule: Rule{MaxIncrease: &Change{0.05, false}, RequireSignificance: b(false)}},
			{Pattern: "model_size_mb", Line: 38},
		},
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("got  %+v\nwant %+v", p, want)
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	var pe *Error
	if !errors.As(err, &pe) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want *Error matching fs.ErrNotExist", err)
	}
	if strings.Count(err.Error(), "nope.yaml") != 1 {
		t.Errorf("message names the file more than once: %v", err)
	}
}

func TestParseDefaults(t *testing.T) {
	for _, in := range []string{"", "\n", "# only a comment\n", "~\n", "null", "---\n", "{}"} {
		p, err := Parse(".modelci.yaml", []byte(in))
		if err != nil {
			t.Errorf("Parse(%q): %v", in, err)
			continue
		}
		want := &Policy{Source: ".modelci.yaml", Confidence: DefaultConfidence, Resamples: DefaultResamples, MultipleComparisons: compare.Holm}
		if !reflect.DeepEqual(p, want) {
			t.Errorf("Parse(%q) = %+v, want %+v", in, p, want)
		}
	}
}

func TestParseValues(t *testing.T) {
	tests := []struct {
		name, in string
		check    func(*Policy) bool
	}{
		{"percent with space", "defaults: {max_drop: 1.5 %}", func(p *Policy) bool { return *p.Defaults.MaxDrop == Change{1.5, true} }},
		{"integer change", "defaults: {max_increase: 3}", func(p *Policy) bool { return *p.Defaults.MaxIncrease == Change{3, false} }},
		{"zero change", "defaults: {max_drop: 0}", func(p *Policy) bool { return *p.Defaults.MaxDrop == Change{0, false} }},
		{"negative bounds", "metrics: {x: {min: -2, max: -1}}", func(p *Policy) bool { return *p.Metrics[0].Min == -2 && *p.Metrics[0].Max == -1 }},
		{"min equals max", "metrics: {x: {min: 1, max: 1}}", func(p *Policy) bool { return *p.Metrics[0].Min == 1 }},
		{"large seed", "seed: 18446744073709551615", func(p *Policy) bool { return p.Seed == 1<<64-1 }},
		{"no correction", "multiple_comparisons: none", func(p *Policy) bool {
			return p.MultipleComparisons == compare.NoCorrection && p.Correction() == compare.NoCorrection
		}},
		{"holm", "multiple_comparisons: holm", func(p *Policy) bool { return p.Correction() == compare.Holm }},
		{"alias", "defaults: &d {max_drop: 1%}\nmetrics: {x: *d}", func(p *Policy) bool { return *p.Metrics[0].MaxDrop == Change{1, true} }},
		{"dotted and lm-eval names", "metrics: {\"eval.accuracy\": {}, \"acc,none\": {min: 0.1}}", func(p *Policy) bool {
			return p.Metrics[0].Pattern == "eval.accuracy" && p.Metrics[1].Pattern == "acc,none"
		}},
		{"file order kept", "metrics:\n  z: {}\n  a: {}\n  m*: {}\n", func(p *Policy) bool {
			return p.Metrics[0].Pattern == "z" && p.Metrics[1].Pattern == "a" && p.Metrics[2].Pattern == "m*" && p.Metrics[2].Line == 4
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse("p.yaml", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(p) {
				t.Errorf("unexpected policy %+v", p)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
		key      string
		want     string // the whole message when it starts with ".modelci.yaml", else a part of it
	}{
		{"typo in rule", "version: 1\nmetrics:\n  accuracy:\n    direction: higher\n    max_dorp: 1%\n", 5, `metrics."accuracy"`,
			`.modelci.yaml: line 5: metrics."accuracy": unknown key "max_dorp"; did you mean "max_drop"? (expected one of: direction, min, max, max_drop, max_increase, require_significance)`},
		{"typo at top", "confidance: 0.9\n", 1, "", `.modelci.yaml: line 1: unknown key "confidance"; did you mean "confidence"? (expected one of: version, confidence, resamples, seed, multiple_comparisons, defaults, metrics, aggregates, approval)`},
		{"unknown key no hint", "defaults:\n  threshold: 3\n", 2, "defaults", `unknown key "threshold" (expected one of: direction,`},
		{"bad direction", "metrics:\n  accuracy: {direction: sideways}\n", 2, `metrics."accuracy".direction`,
			`.modelci.yaml: line 2: metrics."accuracy".direction: "sideways" is not a direction (expected higher or lower)`},
		{"direction not a string", "metrics:\n  accuracy: {direction: [higher]}\n", 2, `metrics."accuracy".direction`, "a list is not a direction"},
		{"bad change", "defaults:\n  max_drop: abc\n", 2, "defaults.max_drop",
			`.modelci.yaml: line 2: defaults.max_drop: "abc" is not an allowed change (expected a non-negative number like 0.005, or a percentage of |base| like 0.5%)`},
		{"bad percent", "defaults:\n  max_drop: x%\n", 2, "defaults.max_drop", `"x%" is not an allowed change`},
		{"negative change", "defaults:\n  max_drop: -0.1\n", 2, "defaults.max_drop", `"-0.1" is not an allowed change`},
		{"negative percent", "defaults:\n  max_increase: -1%\n", 2, "defaults.max_increase", `"-1%" is not an allowed change`},
		{"infinite change", "defaults:\n  max_drop: .inf\n", 2, "defaults.max_drop", `is not an allowed change`},
		{"bool change", "defaults:\n  max_drop: true\n", 2, "defaults.max_drop", `"true" is not an allowed change`},
		{"confidence too high", "confidence: 1.5\n", 1, "confidence",
			`.modelci.yaml: line 1: confidence: 1.5 is out of range (expected a level between 0 and 1, exclusive, like 0.95)`},
		{"confidence zero", "confidence: 0\n", 1, "confidence", "out of range"},
		{"confidence string", "confidence: high\n", 1, "confidence", `expected a number, found "high"`},
		{"resamples low", "resamples: 10\n", 1, "resamples", "10 is out of range (expected 100 to 1000000"},
		{"resamples float", "resamples: 100.5\n", 1, "resamples", `expected an integer, found "100.5"`},
		{"seed negative", "seed: -1\n", 1, "seed", `expected a non-negative integer, found "-1"`},
		{"version 2", "version: 2\n", 1, "version", "unsupported version 2 (expected 1)"},
		{"unknown correction", "seed: 1\nmultiple_comparisons: bonferroni\n", 2, "multiple_comparisons",
			`.modelci.yaml: line 2: multiple_comparisons: "bonferroni" is not a correction (expected holm, the default, or none)`},
		{"correction upper case", "multiple_comparisons: Holm\n", 1, "multiple_comparisons", `"Holm" is not a correction`},
		{"correction a list", "multiple_comparisons: [holm]\n", 1, "multiple_comparisons", `a list is not a correction`},
		{"correction a bool", "multiple_comparisons: no\n", 1, "multiple_comparisons", `"no" is not a correction`},
		{"min > max", "metrics:\n  acc:\n    max: 0.5\n    min: 0.9\n", 4, `metrics."acc"`, "min 0.9 is greater than max 0.5"},
		{"min > max via defaults", "defaults: {min: 0.9}\nmetrics:\n  acc: {max: 0.5}\n", 3, `metrics."acc"`, "min 0.9 is greater than max 0.5 once the defaults (line 1) apply"},
		{"min quoted", "metrics:\n  acc: {min: \"0.9\"}\n", 2, `metrics."acc".min`, `expected a number, found "0.9"`},
		{"min null", "metrics:\n  acc: {min: }\n", 2, `metrics."acc".min`, `expected a number, found nothing`},
		{"min nan", "metrics:\n  acc: {min: .nan}\n", 2, `metrics."acc".min`, `expected a finite number`},
		{"require_significance yes", "defaults: {require_significance: yes}\n", 1, "defaults.require_significance", `expected true or false, found "yes"`},
		{"rule is a list", "metrics:\n  acc: [1, 2]\n", 2, `metrics."acc"`, "expected a mapping of keys (direction, min, max, max_drop, max_increase, require_significance), found a list"},
		{"metrics is a list", "metrics:\n  - acc\n", 2, "metrics", "expected a mapping of keys, found a list"},
		{"top is a scalar", "hello\n", 1, "", `expected a mapping of keys (version, confidence, resamples, seed, multiple_comparisons, defaults, metrics, aggregates, approval), found "hello"`},
		{"duplicate metric", "metrics:\n  acc: {}\n  acc: {min: 1}\n", 3, "metrics", `duplicate key "acc" (first at line 2)`},
		{"duplicate rule key", "defaults:\n  min: 1\n  min: 2\n", 3, "defaults", `duplicate key "min" (first at line 2)`},
		{"bad glob", "metrics:\n  \"acc[\": {}\n", 2, `metrics."acc["`, "bad glob pattern"},
		{"empty name", "metrics:\n  \"\": {}\n", 2, "metrics", "empty metric name"},
		{"merge key", "defaults: &d {min: 1}\nmetrics:\n  acc: {<<: *d}\n", 3, `metrics."acc"`, "merge keys (<<) are not supported"},
		{"syntax", "metrics:\n  acc: {min: 1\n", 1, "", "invalid YAML"},
		{"tabs", "metrics:\n\tacc: {}\n", 2, "", "invalid YAML"},
		{"two documents", "seed: 1\n---\nseed: 2\n", 2, "", "one YAML document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(".modelci.yaml", []byte(tt.in))
			if err == nil {
				t.Fatalf("no error; policy %+v", p)
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not an *Error", err, err)
			}
			if pe.File != ".modelci.yaml" || pe.Line != tt.line || pe.Key != tt.key {
				t.Errorf("File, Line, Key = %q, %d, %q; want .modelci.yaml, %d, %q (%v)", pe.File, pe.Line, pe.Key, tt.line, tt.key, err)
			}
			if strings.HasPrefix(tt.want, ".modelci.yaml") {
				if err.Error() != tt.want {
					t.Errorf("error\n got %s\nwant %s", err, tt.want)
				}
			} else if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestUnknownKeyIs(t *testing.T) {
	_, err := Parse("p", []byte("metrics: {a: {mni: 1}}"))
	if !errors.Is(err, ErrUnknownKey) {
		t.Errorf("errors.Is(%v, ErrUnknownKey) = false", err)
	}
}

func FuzzParse(fz *testing.F) {
	seeds := []string{"", "version: 1", "aggregates: {f1: {statistic: f1_macro, label: y, prediction: p}, l: {statistic: p95, column: ms}}", "metrics: {a: {min: 1, max: 2}}", "defaults: &d {max_drop: 1%}\nmetrics: {x: *d, y: {<<: *d}}",
		"confidence: 0.9\nresamples: 100\nseed: 3\nmultiple_comparisons: none", "metrics: {'a\\[1\\]': {min: 1}, \"b[1]\": {}}", "metrics:\n  \"a*\": {direction: lower}\n", "- a\n- b", "a: [&x 1, *x]", "---\n---\n"}
	if data, err := os.ReadFile("testdata/example.modelci.yaml"); err == nil {
		seeds = append(seeds, string(data))
	}
	for _, s := range seeds {
		fz.Add([]byte(s))
	}
	fz.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("fuzz.yaml", data)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not an *Error: %v", err, err)
			}
			return
		}
		if !(p.Confidence > 0 && p.Confidence < 1) || p.Resamples < compare.MinResamples {
			t.Fatalf("invalid policy accepted: %+v", p)
		}
		for _, m := range p.Metrics {
			r := p.RuleFor(m.Pattern)
			if r.Min != nil && r.Max != nil && *r.Min > *r.Max {
				t.Fatalf("min > max accepted for %q", m.Pattern)
			}
		}
		v := p.Evaluate(&compare.Comparison{Metrics: []compare.Result{{Name: "a", Base: f(1), Head: f(0)}}})
		if v.Passed != (len(v.Violations) == 0) {
			t.Fatalf("verdict inconsistent: %+v", v)
		}
	})
}
