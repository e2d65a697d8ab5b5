package aggregate

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/modelci/modelci/internal/compare"
	"github.com/modelci/modelci/internal/inputerr"
)

// parse parses src's root as the value of the aggregates key.
func parse(src string) ([]Spec, error) {
	var doc yaml.Node
	err := inputerr.DecodeYAML("p.yaml", yaml.NewDecoder(bytes.NewReader([]byte(src))), &doc)
	if err == io.EOF {
		return Parse("p.yaml", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"})
	}
	if err != nil {
		return nil, err
	}
	root := inputerr.YAMLRoot(&doc)
	if root == nil {
		root = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}
	}
	return Parse("p.yaml", root)
}

func TestParse(t *testing.T) {
	specs, err := parse(`
macro_f1:       { statistic: f1_macro, label: label, prediction: prediction }
latency_p95_ms: { statistic: p95, column: latency_ms }
p999:           { statistic: p99.9, column: latency_ms }
tokens:         { column: tokens }
log_loss:       { statistic: log_loss, probability: p_true }
binary_loss:    { statistic: log_loss, label: y, probability: p1 }
auc:            { statistic: roc_auc, label: y, score: s }
`)
	if err != nil {
		t.Fatal(err)
	}
	want := []Spec{
		{Name: "macro_f1", Line: 2, Statistic: F1Macro, Label: "label", Prediction: "prediction"},
		{Name: "latency_p95_ms", Line: 3, Statistic: "p95", Percentile: 95, Column: "latency_ms"},
		{Name: "p999", Line: 4, Statistic: "p99.9", Percentile: 99.9, Column: "latency_ms"},
		{Name: "tokens", Line: 5, Statistic: Mean, Column: "tokens"},
		{Name: "log_loss", Line: 6, Statistic: LogLoss, Probability: "p_true"},
		{Name: "binary_loss", Line: 7, Statistic: LogLoss, Label: "y", Probability: "p1"},
		{Name: "auc", Line: 8, Statistic: ROCAUC, Label: "y", Score: "s"},
	}
	if !reflect.DeepEqual(specs, want) {
		t.Errorf("got %+v\nwant %+v", specs, want)
	}
	dirs := []compare.Direction{"higher", "lower", "lower", "higher", "lower", "lower", "higher"}
	for i, s := range specs {
		if d := s.Direction(); d != dirs[i] {
			t.Errorf("%s: direction %s, want %s", s.Name, d, dirs[i])
		}
	}
	if s, _ := parse("x: {column: latency_ms}"); s[0].Direction() != compare.LowerIsBetter {
		t.Errorf("mean of latency_ms: direction %s, want lower", s[0].Direction())
	}
	if s, err := parse(""); err != nil || len(s) != 0 {
		t.Errorf("empty: %v, %v", s, err)
	}
	// String spells a declaration as the file would: it parses back.
	for _, s := range specs {
		back, err := parse(s.Name + ": " + s.String())
		if err != nil || len(back) != 1 {
			t.Fatalf("%s: %v", s.String(), err)
		}
		back[0].Line = s.Line
		if back[0] != s {
			t.Errorf("%s parses back as %+v, want %+v", s.String(), back[0], s)
		}
	}
	if got := specs[0].String(); got != "{ statistic: f1_macro, label: label, prediction: prediction }" {
		t.Errorf("String() = %q", got)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"[a]", `p.yaml: line 1: aggregates: expected a mapping of keys, found a list`},
		{"f1: {statistic: f1macro, label: l, prediction: p}", `p.yaml: line 1: aggregates."f1".statistic: unknown statistic "f1macro"; did you mean "f1_macro"? (expected one of: mean, p50, p95, p99, accuracy, precision_micro, recall_micro, f1_micro, precision_macro, recall_macro, f1_macro, log_loss, roc_auc, or any pNN)`},
		{"x: {statistic: p101, column: c}", `p.yaml: line 1: aggregates."x".statistic: "p101" is not a percentile (expected p0 to p100, like p95)`},
		{"x: {statistic: f1_macro, label: l}", `p.yaml: line 1: aggregates."x": f1_macro needs label and prediction (label: the column of true classes; prediction: the column of predicted classes)`},
		{"x: {statistic: p95}", `p.yaml: line 1: aggregates."x": p95 needs column (column: the per-example column to aggregate)`},
		{"x:\n  statistic: p95\n  column: c\n  label: l\n", `p.yaml: line 4: aggregates."x".label: p95 does not read label (it reads column)`},
		{"x: {statistic: roc_auc, label: l, score: s, prediction: p}", `aggregates."x".prediction: roc_auc does not read prediction (it reads label and score)`},
		{"x: {colum: c}", `p.yaml: line 1: aggregates."x": unknown key "colum"; did you mean "column"? (expected one of: statistic, column, label, prediction, probability, score)`},
		{"x: {column: 3}", `p.yaml: line 1: aggregates."x".column: expected a per-example column's name, found "3"`},
		{"x: {statistic: [p95]}", `aggregates."x".statistic: expected a statistic (mean, p50, p95, p99, accuracy`},
		{"x: {column: c, column: d}", `p.yaml: line 1: aggregates."x": duplicate key "column" (first at line 1)`},
		{"x:\n", `p.yaml: line 1: aggregates."x": expected a mapping like {statistic: p95, column: latency_ms}, found nothing`},
		{"x: p95\n", `p.yaml: line 1: aggregates."x": expected a mapping of keys (statistic, column, label, prediction, probability, score), found "p95"`},
		{"\"\": {column: c}", `p.yaml: line 1: aggregates: empty metric name`},
		{"d: &d {column: c}\ne: {<<: *d}", `p.yaml: line 2: aggregates."e": merge keys (<<) are not supported; write the keys out`},
	} {
		_, err := parse(tc.src)
		var ie *inputerr.Error
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want an *inputerr.Error containing %q", tc.src, err, tc.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "x: {statistic: f1_macro, label: l, prediction: p}", "x: {statistic: p99.9, column: c}",
		"x: {statistic: log_loss, label: y, probability: p}", "a: &a {column: c}\nb: *a", "x: {statistic: p1e3, column: c}", "- 1",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		specs, err := parse(string(data))
		if err != nil {
			var ie *inputerr.Error
			if !errors.As(err, &ie) {
				t.Fatalf("error %T is not an *inputerr.Error: %v", err, err)
			}
			return
		}
		for _, s := range specs {
			need, may := required(s.Statistic)
			if need == nil {
				t.Fatalf("%q: unknown statistic %q accepted", s.Name, s.Statistic)
			}
			if s.IsPercentile() && !(s.Percentile >= 0 && s.Percentile <= 100) {
				t.Fatalf("%q: percentile %v accepted", s.Name, s.Percentile)
			}
			if len(s.Columns()) < len(need) || len(s.Columns()) > len(need)+len(may) {
				t.Fatalf("%q: columns %v for %s", s.Name, s.Columns(), s.Statistic)
			}
		}
	})
}
