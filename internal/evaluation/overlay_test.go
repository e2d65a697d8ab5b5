package evaluation

import (
	"context"
	"testing"
)

// An overlay (the pipeline's interleaved latency run) replaces the
// same-named aggregate metrics and per-example columns, matched by id, and
// leaves the rest as the evaluation gave them.
func TestOverlayReplacesWhatItMeasuresAgain(t *testing.T) {
	side := func(latency string) Side {
		return Side{
			Metrics: Bytes("metrics.json", []byte(`{"accuracy": 0.5, "latency_p50_ms": 9}`)),
			Examples: Bytes("examples.jsonl", []byte(
				`{"id": "a", "accuracy": 1, "latency_ms": 9}`+"\n"+
					`{"id": "b", "accuracy": 0, "latency_ms": 9}`+"\n")),
			Overlay: &Side{
				Metrics: Bytes("latency/metrics.json", []byte(`{"latency_p50_ms": `+latency+`}`)),
				Examples: Bytes("latency/examples.jsonl", []byte(
					`{"id": "b", "latency_ms": `+latency+`}`+"\n"+
						`{"id": "z", "latency_ms": 100}`+"\n"+
						`{"id": "a", "latency_ms": `+latency+`}`+"\n")),
			},
		}
	}
	r, err := Run(context.Background(), Request{Base: side("1"), Head: side("2")})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]float64{}
	for _, m := range r.Comparison.Metrics {
		if m.Base == nil || m.Head == nil {
			t.Fatalf("%s: a side has no value", m.Name)
		}
		got[m.Name] = [2]float64{*m.Base, *m.Head}
	}
	want := map[string][2]float64{
		"accuracy":       {0.5, 0.5}, // as the evaluation gave it
		"latency_ms":     {1, 2},     // the overlay's, by id; "z" is not an example
		"latency_p50_ms": {1, 2},     // the overlay's aggregate
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: base, head = %v, want %v", name, got[name], w)
		}
	}
	if r.Comparison.Paired != 2 {
		t.Errorf("paired %d, want 2: the overlay adds no example", r.Comparison.Paired)
	}
}

func TestOverlayAloneIsASide(t *testing.T) {
	head := Side{Overlay: &Side{Metrics: Bytes("m.json", []byte(`{"x": 1}`))}}
	if head.Empty() {
		t.Fatal("a side with only an overlay reads as empty")
	}
	r, err := Run(context.Background(), Request{Head: head})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Comparison.Metrics) != 1 || r.Comparison.Metrics[0].Name != "x" {
		t.Fatalf("metrics %+v, want x", r.Comparison.Metrics)
	}
}
