package evaluation

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// classExamples returns JSON Lines of n examples of three classes whose
// prediction is wrong for every wrongEvery-th one.
func classExamples(n, wrongEvery int) []byte {
	var b strings.Builder
	for i := range n {
		label, pred := i%3, i%3
		if i%wrongEvery == 0 {
			pred = (label + 1) % 3
		}
		fmt.Fprintf(&b, `{"id": "ex-%d", "label": %d, "prediction": %d, "latency_ms": %d}`+"\n", i, label, pred, 1+i%7)
	}
	return []byte(b.String())
}

// TestDeclaredAggregateGetsAnInterval checks that a macro F1 declared in
// the policy replaces the aggregate file's value and gets an interval,
// in the report's JSON, and that the gate reads it.
func TestDeclaredAggregateGetsAnInterval(t *testing.T) {
	policy := []byte(`
aggregates:
  macro_f1: { statistic: f1_macro, label: label, prediction: prediction }
  latency_p95_ms: { statistic: p95, column: latency_ms }
metrics:
  macro_f1: { max_drop: 1% }
`)
	req := Request{
		Base:   Side{Metrics: Bytes("base/metrics.json", []byte(`{"macro_f1": 0.9}`)), Examples: Bytes("base/examples.jsonl", classExamples(600, 20))},
		Head:   Side{Metrics: Bytes("head/metrics.json", []byte(`{"macro_f1": 0.9}`)), Examples: Bytes("head/examples.jsonl", classExamples(600, 4))},
		Policy: Bytes(".modelci.yaml", policy),
	}
	r, err := Run(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Render(r, JSON)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Metrics []struct {
			Name     string
			Base     *float64
			Head     *float64
			CI       *struct{ Low, High float64 }
			Status   string
			Examples int
			Declared *struct{ Base, Head *float64 }
		}
		Gate struct {
			Violations []struct{ Metric, Rule string }
		}
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, m := range doc.Metrics {
		switch m.Name {
		case "macro_f1":
			found[m.Name] = true
			if m.CI == nil || m.Status != "regressed" || m.Examples != 600 || *m.Base < 0.94 || *m.Head > 0.76 || m.Declared == nil || *m.Declared.Head != 0.9 {
				t.Errorf("macro_f1: %+v (ci %+v)", m, m.CI)
			}
		case "latency_p95_ms":
			found[m.Name] = true
			if m.CI == nil || *m.Base != 7 || m.Status != "unchanged" {
				t.Errorf("latency_p95_ms: %+v", m)
			}
		}
	}
	if !found["macro_f1"] || !found["latency_p95_ms"] {
		t.Errorf("metrics %s", out)
	}
	if len(doc.Gate.Violations) != 1 || doc.Gate.Violations[0].Metric != "macro_f1" {
		t.Errorf("violations %+v, want macro_f1's max_drop", doc.Gate.Violations)
	}
}

func TestDeclaredAggregateBadValue(t *testing.T) {
	req := Request{
		Head:   Side{Examples: Bytes("head/examples.jsonl", []byte(`{"id": "a", "p": 1.5}`+"\n"))},
		Policy: Bytes(".modelci.yaml", []byte("aggregates: {log_loss: {statistic: log_loss, probability: p}}\n")),
	}
	_, err := Run(context.Background(), req)
	if err == nil || err.Error() != `head/examples.jsonl: key "p": example "a": aggregate "log_loss" (log_loss): probability 1.5 is outside [0, 1]` {
		t.Errorf("error %v", err)
	}
}
