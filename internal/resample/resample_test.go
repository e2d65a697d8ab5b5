package resample

import (
	"context"
	"errors"
	"math"
	"sync/atomic"
	"testing"
)

func TestWeightsMultinomial(t *testing.T) {
	const n, resamples = 101, 4000
	w := make([]float64, n)
	r := NewStream(1, 0)
	var sum, sumSq float64
	for range resamples {
		if total := r.Weights(w, nil); total != n {
			t.Fatalf("total %v, want %d", total, n)
		}
		s := 0.0
		for _, v := range w {
			if v != math.Trunc(v) || v < 0 {
				t.Fatalf("weight %v is not a count", v)
			}
			s += v
		}
		if s != n {
			t.Fatalf("weights sum to %v, want %d", s, n)
		}
		sum += w[7]
		sumSq += w[7] * w[7]
	}
	// A count is Binomial(n, 1/n): mean 1, variance 1 - 1/n.
	mean := sum / resamples
	if v := sumSq/resamples - mean*mean; math.Abs(mean-1) > 0.05 || math.Abs(v-(1-1.0/n)) > 0.1 {
		t.Errorf("count of one example: mean %.3f, variance %.3f, want 1, %.3f", mean, v, 1-1.0/n)
	}
}

func TestWeightsPoisson(t *testing.T) {
	n := MultinomialMax + 3
	w := make([]float64, n)
	total := NewStream(2, 5).Weights(w, NewPoissonTable())
	s := 0.0
	var m2 float64
	for _, v := range w {
		s += v
		m2 += v * v
	}
	if s != total {
		t.Errorf("total %v, weights sum to %v", total, s)
	}
	mean := s / float64(n)
	if v := m2/float64(n) - mean*mean; math.Abs(mean-1) > 0.02 || math.Abs(v-1) > 0.03 {
		t.Errorf("Poisson weights: mean %.4f, variance %.4f, want 1, 1", mean, v)
	}
}

func TestStreams(t *testing.T) {
	a, b, c := NewStream(42, 0), NewStream(42, 0), NewStream(42, 1)
	d := NewStream(43, 0)
	for range 10 {
		x := a.Uint64()
		if y := b.Uint64(); x != y {
			t.Fatal("the same seed and chunk gave different streams")
		}
		if x == c.Uint64() || x == d.Uint64() {
			t.Fatal("different chunks or seeds gave the same number")
		}
	}
}

func TestPoissonTable(t *testing.T) {
	tab := NewPoissonTable()
	var count [9]int
	for _, w := range tab {
		count[w]++
	}
	p := math.Exp(-1)
	for k, c := range count[:8] {
		if got := float64(c) / (1 << 16); math.Abs(got-p) > 1.0/(1<<16) {
			t.Errorf("P(w=%d) = %.6f, want %.6f", k, got, p)
		}
		p /= float64(k + 1)
	}
	var m1, m2 float64
	for _, w := range tab {
		m1 += float64(w)
		m2 += float64(w) * float64(w)
	}
	m1 /= 1 << 16
	m2 /= 1 << 16
	if mean, variance := m1, m2-m1*m1; math.Abs(mean-1) > 1e-4 || math.Abs(variance-1) > 1e-3 {
		t.Errorf("weights: mean %v, variance %v, want 1, 1", mean, variance)
	}
}

func TestChunks(t *testing.T) {
	if Chunks(128) != 2 || Chunks(129) != 3 || Chunks(1) != 1 {
		t.Errorf("Chunks: %d %d %d", Chunks(128), Chunks(129), Chunks(1))
	}
	if lo, hi := Span(2, 130); lo != 128 || hi != 130 {
		t.Errorf("Span(2, 130) = %d, %d", lo, hi)
	}
}

func TestParallel(t *testing.T) {
	var done atomic.Int64
	if err := Parallel(context.Background(), 100, func(context.Context, int) error { done.Add(1); return nil }); err != nil || done.Load() != 100 {
		t.Errorf("ran %d units, error %v", done.Load(), err)
	}
	boom := errors.New("boom")
	if err := Parallel(context.Background(), 100, func(_ context.Context, u int) error {
		if u == 50 {
			return boom
		}
		return nil
	}); !errors.Is(err, boom) {
		t.Errorf("error %v, want boom", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Parallel(ctx, 10, func(context.Context, int) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: error %v", err)
	}
}

func TestRunChunks(t *testing.T) {
	const jobs, resamples = 3, 130
	var seen [jobs][resamples]atomic.Int32
	err := RunChunks(context.Background(), jobs, resamples, func(_ context.Context, j, c, lo, hi int) error {
		if wantLo, wantHi := Span(c, resamples); lo != wantLo || hi != wantHi {
			t.Errorf("job %d chunk %d: [%d, %d), want [%d, %d)", j, c, lo, hi, wantLo, wantHi)
		}
		for b := lo; b < hi; b++ {
			seen[j][b].Add(1)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for j := range seen {
		for b := range seen[j] {
			if n := seen[j][b].Load(); n != 1 {
				t.Fatalf("job %d resample %d: run %d times, want once", j, b, n)
			}
		}
	}
}
