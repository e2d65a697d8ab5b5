package policy

import (
	"errors"
	"reflect"
	"testing"

	"github.com/modelci/modelci/internal/aggregate"
)

func TestParseAggregates(t *testing.T) {
	p, err := Parse("p.yaml", []byte(`
metrics:
  macro_f1: { min: 0.9 }
aggregates:
  macro_f1: { statistic: f1_macro, label: label, prediction: prediction }
  latency_p95_ms: { statistic: p95, column: latency_ms }
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []aggregate.Spec{
		{Name: "macro_f1", Line: 5, Statistic: aggregate.F1Macro, Label: "label", Prediction: "prediction"},
		{Name: "latency_p95_ms", Line: 6, Statistic: "p95", Percentile: 95, Column: "latency_ms"},
	}
	if !reflect.DeepEqual(p.Aggregates, want) {
		t.Errorf("aggregates %+v, want %+v", p.Aggregates, want)
	}
	_, err = Parse("p.yaml", []byte("aggregates:\n  f1: { statistic: f1_macro, label: y }\n"))
	var pe *Error
	if !errors.As(err, &pe) || err.Error() != `p.yaml: line 2: aggregates."f1": f1_macro needs label and prediction (label: the column of true classes; prediction: the column of predicted classes)` {
		t.Errorf("error %v", err)
	}
}

func TestDiffShowsAggregates(t *testing.T) {
	old, err := Parse("base.yaml", []byte("aggregates:\n  lat: { statistic: p95, column: latency_ms }\n"))
	if err != nil {
		t.Fatal(err)
	}
	changed, err := Parse("head.yaml", []byte("aggregates:\n  lat: { statistic: p50, column: latency_ms }\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []SettingChange{{Key: `aggregates."lat"`, Old: "{ statistic: p95, column: latency_ms }", New: "{ statistic: p50, column: latency_ms }"}}
	if got := Diff(old, changed); !reflect.DeepEqual(got, want) {
		t.Errorf("Diff: %q, want %q", got, want)
	}
}
