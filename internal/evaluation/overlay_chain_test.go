package evaluation

import (
	"context"
	"testing"
)

// WithOverlay appends an overlay after those a side has: the serve stage's
// load test joins an evaluation that the latency stage already overlays,
// its columns pair by id, and the last overlay wins a name both give.
func TestWithOverlayAppendsToTheChain(t *testing.T) {
	side := func(latency, serve string) Side {
		s := Side{
			Metrics: Bytes("metrics.json", []byte(`{"accuracy": 0.5, "latency_p50_ms": 9, "shared": 1}`)),
			Examples: Bytes("examples.jsonl", []byte(
				`{"id": "a", "latency_ms": 9}`+"\n"+`{"id": "b", "latency_ms": 9}`+"\n")),
		}
		s = s.WithOverlay(Side{
			Metrics: Bytes("latency/metrics.json", []byte(`{"latency_p50_ms": `+latency+`, "shared": 2}`)),
		})
		return s.WithOverlay(Side{
			Metrics: Bytes("serve/metrics.json", []byte(`{"serve.throughput_rps": 100, "shared": 3}`)),
			Examples: Bytes("serve/examples.jsonl", []byte(
				`{"id": "b", "serve_latency_ms": `+serve+`}`+"\n"+`{"id": "a", "serve_latency_ms": `+serve+`}`+"\n")),
		})
	}
	base, head := side("1", "4"), side("2", "5")
	if base.Overlay == nil || base.Overlay.Overlay == nil || base.Overlay.Overlay.Overlay != nil {
		t.Fatal("want a chain of two overlays")
	}
	r, err := Run(context.Background(), Request{Base: base, Head: head})
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
		"accuracy":             {0.5, 0.5},
		"latency_p50_ms":       {1, 2},
		"shared":               {3, 3},
		"serve.throughput_rps": {100, 100},
		"serve_latency_ms":     {4, 5},
		"latency_ms":           {9, 9},
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: %v, want %v", name, got[name], w)
		}
	}
	if r.Comparison.Paired != 2 {
		t.Errorf("paired %d, want 2", r.Comparison.Paired)
	}
}

// WithOverlay leaves the side it is called on as it was.
func TestWithOverlayDoesNotChangeItsReceiver(t *testing.T) {
	s := Side{Metrics: Bytes("m.json", []byte(`{}`))}
	first := s.WithOverlay(Side{Metrics: Bytes("o1.json", []byte(`{}`))})
	_ = first.WithOverlay(Side{Metrics: Bytes("o2.json", []byte(`{}`))})
	if s.Overlay != nil || first.Overlay.Overlay != nil {
		t.Error("WithOverlay changed a side it was called on")
	}
}
