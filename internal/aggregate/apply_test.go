package aggregate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/modelci/modelci/internal/compare"
	"github.com/modelci/modelci/internal/metrics"
)

// examples returns per-example results with ids ex-0, ex-1, … and the
// given columns.
func examples(source string, cols map[string][]float64) *metrics.Examples {
	ex := &metrics.Examples{Source: source, Values: cols}
	for c, v := range cols {
		ex.Columns = append(ex.Columns, c)
		for len(ex.IDs) < len(v) {
			ex.IDs = append(ex.IDs, fmt.Sprintf("ex-%d", len(ex.IDs)))
		}
	}
	slices.Sort(ex.Columns)
	return ex
}

// classifier returns n examples of k classes with a prediction right with
// probability acc, the probability given to the true class, and a latency.
func classifier(r *rand.Rand, n, k int, acc float64) map[string][]float64 {
	cols := map[string][]float64{"label": make([]float64, n), "pred": make([]float64, n), "p_true": make([]float64, n), "latency_ms": make([]float64, n)}
	for i := range n {
		l := float64(r.IntN(k))
		p := l
		if r.Float64() > acc {
			p = float64(r.IntN(k))
		}
		cols["label"][i], cols["pred"][i] = l, p
		cols["p_true"][i] = 0.05 + 0.9*r.Float64()
		cols["latency_ms"][i] = r.ExpFloat64()
	}
	return cols
}

// classifierSpecs are a dozen aggregates of a classifier's results.
func classifierSpecs() []Spec {
	specs := []Spec{
		{Name: "accuracy", Statistic: Accuracy, Label: "label", Prediction: "pred"},
		{Name: "f1_micro", Statistic: F1Micro, Label: "label", Prediction: "pred"},
		{Name: "log_loss", Statistic: LogLoss, Probability: "p_true"},
		{Name: "latency_mean_ms", Statistic: Mean, Column: "latency_ms"},
	}
	for _, s := range []string{PrecisionMacro, RecallMacro, F1Macro} {
		specs = append(specs, Spec{Name: s, Statistic: s, Label: "label", Prediction: "pred"})
	}
	for _, p := range []float64{50, 90, 95, 99, 99.9} {
		s := fmt.Sprintf("p%g", p)
		specs = append(specs, Spec{Name: "latency_" + s + "_ms", Statistic: s, Percentile: p, Column: "latency_ms"})
	}
	return specs
}

// apply runs Apply on an empty comparison.
func apply(t testing.TB, specs []Spec, in Sides, opts compare.Options) *compare.Comparison {
	t.Helper()
	cmp := &compare.Comparison{Family: compare.Family{Method: compare.NoCorrection}}
	if err := Apply(context.Background(), cmp, specs, in, opts); err != nil {
		t.Fatal(err)
	}
	return cmp
}

func result(t testing.TB, cmp *compare.Comparison, name string) compare.Result {
	t.Helper()
	for _, r := range cmp.Metrics {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no result %q in %+v", name, cmp.Metrics)
	return compare.Result{}
}

// TestMeanIsCompare checks that a declared mean resamples the pairs as
// compare does: the same interval as compare gives the column.
func TestMeanIsCompare(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{301, 2000} {
		b, h := classifier(r, n, 3, 0.8), classifier(r, n, 3, 0.8)
		base, head := examples("b.jsonl", b), examples("h.jsonl", h)
		opts := compare.Options{Seed: 9, Resamples: 1000}
		want, err := compare.Compare(context.Background(), nil, nil, metrics.Pair(base, head), opts)
		if err != nil {
			t.Fatal(err)
		}
		got := apply(t, []Spec{{Name: "latency_ms", Statistic: Mean, Column: "latency_ms"}}, Sides{Base: base, Head: head}, opts)
		g, w := result(t, got, "latency_ms"), result(t, want, "latency_ms")
		if math.Abs(g.CI.Low-w.CI.Low) > 1e-12 || math.Abs(g.CI.High-w.CI.High) > 1e-12 || math.Abs(*g.P-*w.P) > 1e-9 || *g.Delta != *w.Delta {
			t.Errorf("n=%d: aggregate %+v p=%v, compare %+v p=%v", n, *g.CI, *g.P, *w.CI, *w.P)
		}
	}
}

func TestDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	in := Sides{Base: examples("b", classifier(r, 500, 4, 0.8)), Head: examples("h", classifier(r, 500, 4, 0.82))}
	specs := classifierSpecs()
	run := func(procs int, seed uint64, specs []Spec) *compare.Comparison {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		return apply(t, specs, in, compare.Options{Seed: seed, Resamples: 500})
	}
	first := run(1, 3, specs)
	for _, procs := range []int{2, 5} {
		if got := run(procs, 3, specs); !equalCIs(got, first) {
			t.Errorf("GOMAXPROCS=%d changed the intervals", procs)
		}
	}
	if got := run(2, 4, specs); equalCIs(got, first) {
		t.Error("seeds 3 and 4 gave the same intervals")
	}
	// An aggregate's interval does not depend on what else is declared.
	alone := run(2, 3, specs[6:7])
	if a, b := result(t, alone, specs[6].Name), result(t, first, specs[6].Name); *a.CI != *b.CI {
		t.Errorf("%s alone %+v, with the others %+v", specs[6].Name, *a.CI, *b.CI)
	}
}

func equalCIs(a, b *compare.Comparison) bool {
	for i := range a.Metrics {
		if *a.Metrics[i].CI != *b.Metrics[i].CI || *a.Metrics[i].P != *b.Metrics[i].P {
			return false
		}
	}
	return len(a.Metrics) == len(b.Metrics)
}

// TestAA checks that two runs drawn alike are rarely called significantly
// different (at 95%, about 5% of the time per metric), and that a real
// improvement is found.
func TestAA(t *testing.T) {
	const reps = 100
	specs := []Spec{
		{Name: "f1", Statistic: F1Macro, Label: "label", Prediction: "pred"},
		{Name: "latency_p90_ms", Statistic: "p90", Percentile: 90, Column: "latency_ms"},
	}
	significant := map[string]int{}
	for rep := range reps {
		r := rand.New(rand.NewPCG(uint64(rep), 7))
		in := Sides{Base: examples("b", classifier(r, 300, 3, 0.8)), Head: examples("h", classifier(r, 300, 3, 0.8))}
		cmp := apply(t, specs, in, compare.Options{Seed: uint64(rep), Resamples: 400})
		for _, res := range cmp.Metrics {
			if res.Status == compare.Improved || res.Status == compare.Regressed {
				significant[res.Name]++
			}
		}
	}
	for _, s := range specs {
		if k := significant[s.Name]; k > 12 {
			t.Errorf("%s: %d of %d A/A comparisons significant, want about 5", s.Name, k, reps)
		}
		t.Logf("%s: %d of %d A/A comparisons significant", s.Name, significant[s.Name], reps)
	}
	r := rand.New(rand.NewPCG(99, 7))
	in := Sides{Base: examples("b", classifier(r, 1000, 3, 0.7)), Head: examples("h", classifier(r, 1000, 3, 0.8))}
	if res := result(t, apply(t, specs[:1], in, compare.Options{}), "f1"); res.Status != compare.Improved {
		t.Errorf("0.7 → 0.8 accuracy: %+v", res)
	}
}

func TestApplyCases(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	acc := Spec{Name: "accuracy", Statistic: Accuracy, Label: "label", Prediction: "pred"}
	r := rand.New(rand.NewPCG(8, 8))
	full := classifier(r, 100, 3, 0.9)
	few := map[string][]float64{"label": {1, 2, 3, 1, 2}, "pred": {1, 2, 3, 1, 1}}
	noLabel := map[string][]float64{"pred": full["pred"]}
	set := func(v float64) *metrics.Set {
		return &metrics.Set{Metrics: []metrics.Metric{{Name: "accuracy", Value: v}}}
	}
	for _, tc := range []struct {
		name   string
		in     Sides
		status compare.Status
		base   *float64
		warn   string
	}{
		{"too few pairs", Sides{Base: examples("b", few), Head: examples("h", map[string][]float64{"label": few["label"], "pred": few["label"]})},
			compare.ChangedNoInterval, f(0.8), "accuracy: only 5 paired examples, fewer than 20: no interval"},
		{"no baseline", Sides{Head: examples("h", full)}, compare.New, nil, ""},
		{"base without examples", Sides{BaseSet: set(0.5), Head: examples("h", full)},
			compare.ChangedNoInterval, f(0.5), "accuracy: the base run has no per-example results: its value is the aggregate file's, with no interval"},
		{"base lacks a column", Sides{BaseSet: set(0.5), Base: examples("b", noLabel), Head: examples("h", full)},
			compare.ChangedNoInterval, f(0.5), "accuracy: the base run's per-example results lack label, pred: its value is the aggregate file's, with no interval"},
		{"files disagree", Sides{BaseSet: set(0.99), HeadSet: set(0.99), Base: examples("b", full), Head: examples("h", full)},
			compare.Unchanged, nil, "accuracy: the aggregate files give 0.99 → 0.99, the declared accuracy of the per-example results"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmp := apply(t, []Spec{acc}, tc.in, compare.Options{})
			res := result(t, cmp, "accuracy")
			if res.Status != tc.status {
				t.Errorf("status %s, want %s", res.Status, tc.status)
			}
			if tc.base != nil && (res.Base == nil || *res.Base != *tc.base) {
				t.Errorf("base %v, want %v", res.Base, *tc.base)
			}
			var msgs []string
			for _, w := range cmp.Warnings {
				msgs = append(msgs, w.Message)
			}
			if got := strings.Join(msgs, "\n"); !strings.Contains(got, tc.warn) || (tc.warn == "") != (got == "") {
				t.Errorf("warnings %q, want %q", got, tc.warn)
			}
			if tc.name == "files disagree" && (res.Declared == nil || *res.Declared.Base != 0.99) {
				t.Errorf("declared %+v, want the files' values", res.Declared)
			}
		})
	}
}

// TestApplyReplaces checks that an aggregate takes the place of the
// same-named metric and its warnings, and that the family is adjusted
// again with it.
func TestApplyReplaces(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 10))
	base, head := examples("b", classifier(r, 400, 3, 0.7)), examples("h", classifier(r, 400, 3, 0.85))
	bset := &metrics.Set{Metrics: []metrics.Metric{{Name: "macro_f1", Value: 0.5}, {Name: "zeta", Value: 1}}}
	hset := &metrics.Set{Metrics: []metrics.Metric{{Name: "macro_f1", Value: 0.51}, {Name: "zeta", Value: 1}}}
	cmp, err := compare.Compare(context.Background(), bset, hset, metrics.Pair(base, head), compare.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cmp.Warnings = append(cmp.Warnings, compare.Warning{Metric: "macro_f1", Message: "stale"})
	n := len(cmp.Metrics)
	spec := Spec{Name: "macro_f1", Statistic: F1Macro, Label: "label", Prediction: "pred"}
	if err := Apply(context.Background(), cmp, []Spec{spec}, Sides{BaseSet: bset, HeadSet: hset, Base: base, Head: head},
		compare.Options{Direction: func(string) (compare.Direction, bool) { return compare.LowerIsBetter, true }}); err != nil {
		t.Fatal(err)
	}
	// label and pred, the macro F1's inputs, leave; it replaces the file's.
	if len(cmp.Metrics) != n-2 || !slices.IsSortedFunc(cmp.Metrics, func(a, b compare.Result) int { return strings.Compare(a.Name, b.Name) }) {
		t.Errorf("metrics %d (want %d), sorted: %+v", len(cmp.Metrics), n-2, cmp.Metrics)
	}
	for _, r := range cmp.Metrics {
		if r.Name == "label" || r.Name == "pred" {
			t.Errorf("input column %s left in the comparison", r.Name)
		}
	}
	res := result(t, cmp, "macro_f1")
	if res.CI == nil || res.Examples != 400 || *res.Head < 0.8 || res.Direction != compare.LowerIsBetter || res.Status != compare.Regressed || res.PAdjusted == nil {
		t.Errorf("macro_f1: %+v", res)
	}
	if !res.CI.Contains(*res.Delta) {
		t.Errorf("delta %v outside its interval %+v", *res.Delta, *res.CI)
	}
	for _, w := range cmp.Warnings {
		if w.Message == "stale" {
			t.Error("the replaced metric's warning was kept")
		}
	}
}

func TestApplyErrors(t *testing.T) {
	one := map[string][]float64{"y": {1, 1, 1}, "s": {0.1, 0.2, 0.3}}
	err := Apply(context.Background(), &compare.Comparison{}, []Spec{{Name: "auc", Statistic: ROCAUC, Label: "y", Score: "s"}},
		Sides{Head: examples("h.jsonl", one)}, compare.Options{})
	if err == nil || err.Error() != `h.jsonl: key "y": aggregate "auc" (roc_auc): the 3 examples hold one class only; it needs both 0 and 1` {
		t.Errorf("one class: %v", err)
	}
	r := rand.New(rand.NewPCG(1, 1))
	in := Sides{Base: examples("b", classifier(r, 50_000, 3, 0.8)), Head: examples("h", classifier(r, 50_000, 3, 0.8))}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Apply(ctx, &compare.Comparison{}, classifierSpecs(), in, compare.Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}
}
