package compare

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"
)

// normalPairs returns n pairs whose differences are N(mu, sigma²).
func normalPairs(n int, mu, sigma float64, seed uint64) (base, head []float64) {
	r := rand.New(rand.NewPCG(seed, 1))
	base = make([]float64, n)
	head = make([]float64, n)
	for i := range base {
		base[i] = r.Float64()
		head[i] = base[i] + mu + sigma*r.NormFloat64()
	}
	return base, head
}

// pairedBootstrap is the bootstrap Compare runs for one metric, on its
// own: the same checks, job, scheduling and interval, with a choice of
// method so that both schemes can be tested at any size.
func pairedBootstrap(ctx context.Context, base, head []float64, resamples int, level float64, seed uint64, method bootstrapMethod) (Interval, error) {
	if err := checkLevel(level); err != nil {
		return Interval{}, err
	}
	j, err := newBootJob(base, head, resamples, seed, method)
	if err != nil {
		return Interval{}, fmt.Errorf("paired bootstrap: %w", err)
	}
	if err := runBootstraps(ctx, []*bootJob{j}, resamples); err != nil {
		return Interval{}, err
	}
	iv, _ := j.result(level)
	return iv, nil
}

func TestPairedBootstrapWidth(t *testing.T) {
	// d ~ N(0.1, 1), n = 10000: the 95% interval is about
	// 0.1 ± 1.96/sqrt(n), 0.0392 wide.
	const n, sigma = 10000, 1.0
	base, head := normalPairs(n, 0.1, sigma, 7)
	want := 2 * 1.959964 * sigma / math.Sqrt(n)
	var ivs [2]Interval
	for i, m := range []bootstrapMethod{multinomialMethod, poissonMethod} {
		iv, err := pairedBootstrap(context.Background(), base, head, 1000, 0.95, 1, m)
		if err != nil {
			t.Fatal(err)
		}
		if iv.Method != MethodBootstrap || iv.Level != 0.95 {
			t.Errorf("method %d: %+v", m, iv)
		}
		if w := iv.High - iv.Low; math.Abs(w/want-1) > 0.1 {
			t.Errorf("method %d: width %.5f, want %.5f ± 10%%", m, w, want)
		}
		t.Logf("method %d: [%.5f, %.5f], width %.5f, normal theory %.5f", m, iv.Low, iv.High, iv.High-iv.Low, want)
		if !iv.Contains(0.1) || iv.Contains(0) {
			t.Errorf("method %d: %+v should contain 0.1, not 0", m, iv)
		}
		ivs[i] = iv
	}
	// The two schemes agree to well within Monte Carlo error.
	for _, d := range []float64{ivs[0].Low - ivs[1].Low, ivs[0].High - ivs[1].High} {
		if math.Abs(d) > 0.1*want {
			t.Errorf("multinomial %+v and Poisson %+v disagree", ivs[0], ivs[1])
		}
	}
}

func TestPairedBootstrapCoverage(t *testing.T) {
	// Repeated small experiments with a known mean difference: about 95%
	// of the intervals cover it, under both schemes.
	const reps, n, mu = 120, 100, 0.3
	for _, m := range []bootstrapMethod{multinomialMethod, poissonMethod} {
		covered := 0
		for rep := range reps {
			base, head := normalPairs(n, mu, 2, uint64(rep))
			iv, err := pairedBootstrap(context.Background(), base, head, 400, 0.95, uint64(rep), m)
			if err != nil {
				t.Fatal(err)
			}
			if iv.Contains(mu) {
				covered++
			}
		}
		if c := float64(covered) / reps; c < 0.87 || c > 0.995 {
			t.Errorf("method %d: coverage %.3f, want about 0.95", m, c)
		}
		t.Logf("method %d: coverage %d/%d", m, covered, reps)
	}
}

func TestPairedBootstrapDeterministic(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		n         int
		resamples int
		method    bootstrapMethod
	}{
		{"multinomial", 3000, 300, autoMethod},
		{"multinomial odd", 301, 130, multinomialMethod},
		{"poisson", 3000, 301, poissonMethod},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base, head := normalPairs(tc.n, 0, 1, 3)
			run := func(procs int, seed uint64) Interval {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				iv, err := pairedBootstrap(ctx, base, head, tc.resamples, 0.9, seed, tc.method)
				if err != nil {
					t.Fatal(err)
				}
				return iv
			}
			first := run(1, 42)
			for _, procs := range []int{1, 2, 3, 8} {
				if got := run(procs, 42); got != first {
					t.Errorf("GOMAXPROCS=%d: %+v, want %+v", procs, got, first)
				}
			}
			if got := run(2, 43); got == first {
				t.Errorf("seeds 42 and 43 gave the same interval %+v", got)
			}
			if got := run(2, 0); got == first {
				t.Errorf("seeds 42 and 0 gave the same interval %+v", got)
			}
		})
	}
	// The default choice of method follows the number of pairs.
	for _, tc := range []struct {
		n    int
		want bootstrapMethod
	}{
		{MultinomialMaxExamples, multinomialMethod},
		{MultinomialMaxExamples + 1, poissonMethod},
	} {
		base, head := normalPairs(tc.n, 0, 1, 3)
		auto, _ := pairedBootstrap(ctx, base, head, 8, 0.95, 1, autoMethod)
		want, _ := pairedBootstrap(ctx, base, head, 8, 0.95, 1, tc.want)
		if auto != want {
			t.Errorf("%d pairs: %+v, want method %d's %+v", tc.n, auto, tc.want, want)
		}
	}
}

func TestPairedBootstrapEdges(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		base, head []float64
		resamples  int
		level      float64
		want       Interval
		err        string
	}{
		{name: "one pair", base: []float64{1}, head: []float64{1.25}, resamples: 10, level: 0.95,
			want: Interval{Low: 0.25, High: 0.25, Level: 0.95, Method: MethodBootstrap}},
		{name: "constant", base: []float64{1, 2, 3}, head: []float64{1.5, 2.5, 3.5}, resamples: 10, level: 0.9,
			want: Interval{Low: 0.5, High: 0.5, Level: 0.9, Method: MethodBootstrap}},
		{name: "identical", base: []float64{1, 2, 3}, head: []float64{1, 2, 3}, resamples: 10, level: 0.95,
			want: Interval{Level: 0.95, Method: MethodBootstrap}},
		{name: "empty", resamples: 10, level: 0.95, err: "no paired values"},
		{name: "lengths", base: []float64{1, 2}, head: []float64{1}, resamples: 10, level: 0.95, err: "base has 2 values, head has 1"},
		{name: "nan", base: []float64{1, math.NaN()}, head: []float64{1, 2}, resamples: 10, level: 0.95, err: "example 1"},
		{name: "overflow", base: []float64{-math.MaxFloat64, 0}, head: []float64{math.MaxFloat64, 0}, resamples: 10, level: 0.95, err: "example 0"},
		{name: "resamples", base: []float64{1}, head: []float64{2}, resamples: 0, level: 0.95, err: "resamples"},
		{name: "level 1", base: []float64{1}, head: []float64{2}, resamples: 10, level: 1, err: "level"},
		{name: "level 0", base: []float64{1}, head: []float64{2}, resamples: 10, level: 0, err: "level"},
		{name: "level NaN", base: []float64{1}, head: []float64{2}, resamples: 10, level: math.NaN(), err: "level"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := pairedBootstrap(ctx, tc.base, tc.head, tc.resamples, tc.level, 1, autoMethod)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestPairedBootstrapSmall(t *testing.T) {
	// Two pairs, differences 0 and 1: resampled means are 0, 0.5 or 1 with
	// probabilities 1/4, 1/2, 1/4, so a 40% interval is [0.5, 0.5] and a
	// 90% one [0, 1].
	ctx := context.Background()
	iv, err := pairedBootstrap(ctx, []float64{0, 0}, []float64{0, 1}, 4000, 0.4, 9, autoMethod)
	if err != nil {
		t.Fatal(err)
	}
	if iv.Low != 0.5 || iv.High != 0.5 {
		t.Errorf("40%%: %+v, want [0.5, 0.5]", iv)
	}
	iv, _ = pairedBootstrap(ctx, []float64{0, 0}, []float64{0, 1}, 4000, 0.9, 9, autoMethod)
	if iv.Low != 0 || iv.High != 1 {
		t.Errorf("90%%: %+v, want [0, 1]", iv)
	}
}

func TestPairedBootstrapCancel(t *testing.T) {
	base, head := normalPairs(200_000, 0, 1, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := pairedBootstrap(ctx, base, head, 2000, 0.95, 1, autoMethod); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled before: error %v, want context.Canceled", err)
	}

	// 200k pairs × 100k resamples would take minutes; cancellation must
	// stop it promptly.
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := pairedBootstrap(ctx, base, head, 100_000, 0.95, 1, autoMethod)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v after a 20ms deadline", d)
	}
	base, head = normalPairs(50_000, 0, 1, 1)
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := pairedBootstrap(ctx, base, head, 100_000, 0.95, 1, autoMethod); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("multinomial: error %v, want context.DeadlineExceeded", err)
	}
}

func TestQuantile(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5}
	for _, tc := range []struct{ p, want float64 }{
		{0, 1}, {1, 5}, {0.5, 3}, {0.125, 1.5}, {0.975, 4.9},
	} {
		if got := quantile(x, tc.p); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("quantile(%v) = %v, want %v", tc.p, got, tc.want)
		}
	}
}

// TestBootstrapBoundAtZeroContainsZero checks that rounding error cannot
// push a bound that is exactly zero in theory off zero: 0/1 outcomes where
// the head fixes 15 examples and breaks 6 of 450 (the digits example) give resampled means that
// are exact multiples of 1/450, and a lower bound at zero must read as 0.
func TestBootstrapBoundAtZeroContainsZero(t *testing.T) {
	n := 450
	base := make([]float64, n)
	head := make([]float64, n)
	for i := range n {
		base[i], head[i] = 1, 1
	}
	for i := range 15 {
		base[i] = 0
	}
	for i := 15; i < 21; i++ {
		head[i] = 0
	}
	found := false
	for seed := uint64(0); seed < 200; seed++ {
		iv, err := pairedBootstrap(context.Background(), base, head, 2000, 0.95, seed, autoMethod)
		if err != nil {
			t.Fatal(err)
		}
		if iv.Low != 0 && math.Abs(iv.Low) < 1e-12 {
			t.Fatalf("seed %d: lower bound %g is zero up to rounding but not 0", seed, iv.Low)
		}
		if iv.Low == 0 {
			found = true
		}
	}
	if !found {
		t.Fatal("no seed put the lower bound at zero: the test no longer exercises the edge")
	}
}
