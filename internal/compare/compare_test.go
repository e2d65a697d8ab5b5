package compare

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/modelci/modelci/internal/metrics"
)

// set returns a metric set of ms, sorted by name as readers return them.
func set(ms ...metrics.Metric) *metrics.Set {
	s := &metrics.Set{Source: "test.json", Metrics: ms}
	for i := 1; i < len(ms); i++ {
		if ms[i-1].Name >= ms[i].Name {
			panic("set: metrics not sorted: " + ms[i].Name)
		}
	}
	return s
}

func m(name string, v float64) metrics.Metric { return metrics.Metric{Name: name, Value: v} }

func mse(name string, v, se float64) metrics.Metric {
	return metrics.Metric{Name: name, Value: v, StdErr: &se}
}

func f(v float64) *float64 { return &v }

// pairs returns Paired with the given columns' values, all of n examples.
func pairs(cols map[string]metrics.PairedValues) *metrics.Paired {
	p := &metrics.Paired{Pairs: cols}
	for c, v := range cols {
		p.Columns = append(p.Columns, c)
		p.N = max(p.N, len(v.Base))
	}
	return p
}

// z95 is the two-sided 95% normal quantile.
const z95 = 1.959963984540054

func TestStdErrInterval(t *testing.T) {
	for _, tc := range []struct {
		delta, seB, seH, level float64
		low, high              float64
	}{
		// 0.02 ± 1.959964·sqrt(0.01²+0.01²) = 0.02 ± 0.0277181.
		{0.02, 0.01, 0.01, 0.95, -0.0077181, 0.0477181},
		// 1 ± 1.644854·5 (3-4-5).
		{1, 3, 4, 0.90, 1 - 8.2242684, 1 + 8.2242684},
		// 99%: z = 2.575829.
		{-0.5, 0.1, 0, 0.99, -0.5 - 0.2575829, -0.5 + 0.2575829},
		{0, 0, 0, 0.95, 0, 0},
	} {
		iv := StdErrInterval(tc.delta, tc.seB, tc.seH, tc.level)
		if math.Abs(iv.Low-tc.low) > 1e-6 || math.Abs(iv.High-tc.high) > 1e-6 ||
			iv.Level != tc.level || iv.Method != MethodStdErr {
			t.Errorf("StdErrInterval(%v, %v, %v, %v) = %+v, want [%v, %v]", tc.delta, tc.seB, tc.seH, tc.level, iv, tc.low, tc.high)
		}
	}
}

func TestCompare(t *testing.T) {
	// Paired per-example values: a clear gain, and noise around none.
	gainB, gainH := normalPairs(400, 0.3, 1, 11)
	noiseB, noiseH := normalPairs(400, 0, 1, 12)
	lower := func(string) (Direction, bool) { return LowerIsBetter, true }
	none := func(string) (Direction, bool) { return "", false }
	boot := &Interval{Method: MethodBootstrap} // placeholder: bootstrapFor's interval

	for _, tc := range []struct {
		name       string
		base, head *metrics.Set
		paired     *metrics.Paired
		opts       Options
		want       []Result
	}{
		{
			name: "changed higher, no interval",
			base: set(m("acc", 0.8)), head: set(m("acc", 0.85)),
			want: []Result{{Name: "acc", Base: f(0.8), Head: f(0.85), Delta: f(0.05), Relative: f(0.0625), Direction: HigherIsBetter, Status: ChangedNoInterval}},
		},
		{
			name: "dropped higher, no interval",
			base: set(m("acc", 0.8)), head: set(m("acc", 0.7)),
			want: []Result{{Name: "acc", Base: f(0.8), Head: f(0.7), Delta: f(-0.1), Relative: f(-0.125), Direction: HigherIsBetter, Status: ChangedNoInterval}},
		},
		{
			name: "dropped lower, no interval",
			base: set(m("eval_loss", 0.5)), head: set(m("eval_loss", 0.4)),
			want: []Result{{Name: "eval_loss", Base: f(0.5), Head: f(0.4), Delta: f(-0.1), Relative: f(-0.2), Direction: LowerIsBetter, Status: ChangedNoInterval}},
		},
		{
			name: "rose lower, no interval",
			base: set(m("latency_ms", 10)), head: set(m("latency_ms", 12)),
			want: []Result{{Name: "latency_ms", Base: f(10), Head: f(12), Delta: f(2), Relative: f(0.2), Direction: LowerIsBetter, Status: ChangedNoInterval}},
		},
		{
			name: "unchanged",
			base: set(m("acc", 0.8)), head: set(m("acc", 0.8)),
			want: []Result{{Name: "acc", Base: f(0.8), Head: f(0.8), Delta: f(0), Relative: f(0), Direction: HigherIsBetter, Status: Unchanged}},
		},
		{
			name: "unchanged with stderr",
			base: set(mse("acc", 0.8, 0.03)), head: set(mse("acc", 0.8, 0.04)),
			want: []Result{{Name: "acc", Base: f(0.8), Head: f(0.8), Delta: f(0), Relative: f(0), Direction: HigherIsBetter, Status: Unchanged,
				CI: &Interval{Low: -z95 * 0.05, High: z95 * 0.05, Level: 0.95, Method: MethodStdErr}}},
		},
		{
			name: "not significant by stderr",
			base: set(mse("acc", 0.80, 0.01)), head: set(mse("acc", 0.82, 0.01)),
			want: []Result{{Name: "acc", Base: f(0.8), Head: f(0.82), Delta: f(0.02), Relative: f(0.025), Direction: HigherIsBetter, Status: NotSignificant,
				CI: &Interval{Low: -0.0077181, High: 0.0477181, Level: 0.95, Method: MethodStdErr}}},
		},
		{
			name: "significant by stderr at 90%",
			base: set(mse("acc", 0.80, 0.01)), head: set(mse("acc", 0.77, 0.01)),
			opts: Options{Level: 0.9},
			want: []Result{{Name: "acc", Base: f(0.8), Head: f(0.77), Delta: f(-0.03), Relative: f(-0.0375), Direction: HigherIsBetter, Status: Regressed,
				CI: &Interval{Low: -0.03 - 0.0232617, High: -0.03 + 0.0232617, Level: 0.9, Method: MethodStdErr}}},
		},
		{
			name: "stderr on one side only",
			base: set(mse("acc", 0.80, 0.01)), head: set(m("acc", 0.81)),
			want: []Result{{Name: "acc", Base: f(0.8), Head: f(0.81), Delta: f(0.01), Relative: f(0.0125), Direction: HigherIsBetter, Status: ChangedNoInterval}},
		},
		{
			name: "new and removed",
			base: set(m("a", 1), m("old", 2)), head: set(m("a", 1), m("young", 3)),
			want: []Result{
				{Name: "a", Base: f(1), Head: f(1), Delta: f(0), Relative: f(0), Direction: HigherIsBetter, Status: Unchanged},
				{Name: "old", Base: f(2), Direction: HigherIsBetter, Status: Removed},
				{Name: "young", Head: f(3), Direction: HigherIsBetter, Status: New},
			},
		},
		{
			name: "relative nil at base 0",
			base: set(m("errors", 0), m("score", -2)), head: set(m("errors", 3), m("score", -1)),
			want: []Result{
				{Name: "errors", Base: f(0), Head: f(3), Delta: f(3), Direction: LowerIsBetter, Status: ChangedNoInterval},
				{Name: "score", Base: f(-2), Head: f(-1), Delta: f(1), Relative: f(0.5), Direction: HigherIsBetter, Status: ChangedNoInterval},
			},
		},
		{
			name: "policy direction",
			base: set(m("acc", 0.8)), head: set(m("acc", 0.85)),
			opts: Options{Direction: lower},
			want: []Result{{Name: "acc", Base: f(0.8), Head: f(0.85), Delta: f(0.05), Relative: f(0.0625), Direction: LowerIsBetter, Status: ChangedNoInterval}},
		},
		{
			name: "policy silent",
			base: set(m("loss", 0.8)), head: set(m("loss", 0.85)),
			opts: Options{Direction: none},
			want: []Result{{Name: "loss", Base: f(0.8), Head: f(0.85), Delta: f(0.05), Relative: f(0.0625), Direction: LowerIsBetter, Status: ChangedNoInterval}},
		},
		{
			name:   "per-example only, significant",
			paired: pairs(map[string]metrics.PairedValues{"gain": {Base: gainB, Head: gainH}}),
			want: []Result{{Name: "gain", Base: f(mean(gainB)), Head: f(mean(gainH)), Delta: f(mean(gainH) - mean(gainB)),
				Relative: f((mean(gainH) - mean(gainB)) / math.Abs(mean(gainB))), Direction: HigherIsBetter, Status: Improved, CI: boot, Examples: 400}},
		},
		{
			name:   "per-example only, not significant",
			paired: pairs(map[string]metrics.PairedValues{"noise": {Base: noiseB, Head: noiseH}}),
			want: []Result{{Name: "noise", Base: f(mean(noiseB)), Head: f(mean(noiseH)), Delta: f(mean(noiseH) - mean(noiseB)),
				Relative: f((mean(noiseH) - mean(noiseB)) / math.Abs(mean(noiseB))), Direction: HigherIsBetter, Status: NotSignificant, CI: boot, Examples: 400}},
		},
		{
			name: "aggregates with pairs: values and interval from pairs, aggregates declared",
			base: set(mse("gain", 0.5, 0.1)), head: set(mse("gain", 0.8, 0.1)),
			paired: pairs(map[string]metrics.PairedValues{"gain": {Base: gainB, Head: gainH}}),
			opts:   Options{Seed: 99, Resamples: 500, Level: 0.99},
			want: []Result{{Name: "gain", Base: f(mean(gainB)), Head: f(mean(gainH)), Delta: f(mean(gainH) - mean(gainB)),
				Relative: f((mean(gainH) - mean(gainB)) / math.Abs(mean(gainB))), Declared: &Declared{Base: f(0.5), Head: f(0.8)},
				Direction: HigherIsBetter, Status: Improved, CI: boot, Examples: 400}},
		},
		{
			name: "aggregates that agree with the pairs up to rounding are not declared",
			base: set(m("gain", roundTo(mean(gainB), 4))), head: set(m("gain", roundTo(mean(gainH), 4))),
			paired: pairs(map[string]metrics.PairedValues{"gain": {Base: gainB, Head: gainH}}),
			want: []Result{{Name: "gain", Base: f(mean(gainB)), Head: f(mean(gainH)), Delta: f(mean(gainH) - mean(gainB)),
				Relative:  f((mean(gainH) - mean(gainB)) / math.Abs(mean(gainB))),
				Direction: HigherIsBetter, Status: Improved, CI: boot, Examples: 400}},
		},
		{
			name: "pairs unchanged",
			paired: pairs(map[string]metrics.PairedValues{
				"same": {Base: []float64{1, 0, 1}, Head: []float64{1, 0, 1}},
			}),
			want: []Result{{Name: "same", Base: f(2.0 / 3), Head: f(2.0 / 3), Delta: f(0), Relative: f(0), Direction: HigherIsBetter, Status: Unchanged,
				Examples: 3}},
		},
		{
			name: "pairs unchanged, enough for an interval",
			paired: pairs(map[string]metrics.PairedValues{
				"same": {Base: make([]float64, MinPairs), Head: make([]float64, MinPairs)},
			}),
			want: []Result{{Name: "same", Base: f(0), Head: f(0), Delta: f(0), Direction: HigherIsBetter, Status: Unchanged,
				CI: &Interval{Level: 0.95, Method: MethodBootstrap}, Examples: MinPairs}},
		},
		{
			name: "one-sided columns",
			base: set(m("tokens", 10)),
			paired: &metrics.Paired{N: 5, UnpairedBase: 2, UnpairedHead: 1,
				BaseOnly: []string{"latency", "tokens"}, HeadOnly: []string{"confidence"}},
			want: []Result{
				{Name: "confidence", Direction: HigherIsBetter, Status: New},
				{Name: "latency", Direction: LowerIsBetter, Status: Removed},
				{Name: "tokens", Base: f(10), Direction: HigherIsBetter, Status: Removed},
			},
		},
		{
			name:   "column without pairs",
			paired: &metrics.Paired{Columns: []string{"x"}, Pairs: map[string]metrics.PairedValues{"x": {}}, UnpairedBase: 3, UnpairedHead: 3},
			want:   []Result{{Name: "x", Direction: HigherIsBetter, Status: NotSignificant}},
		},
		{
			name: "nothing",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Compare(context.Background(), tc.base, tc.head, tc.paired, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Metrics) != len(tc.want) {
				t.Fatalf("got %d metrics, want %d: %+v", len(got.Metrics), len(tc.want), got.Metrics)
			}
			for i, want := range tc.want {
				if want.CI == boot {
					pv := tc.paired.Pairs[want.Name]
					iv := bootstrapFor(t, pv, tc.opts)
					want.CI = &iv
				}
				if msg := diffResult(got.Metrics[i], want); msg != "" {
					t.Errorf("%s: %s", want.Name, msg)
				}
			}
			if tc.paired != nil {
				wantU := Unpaired{Base: tc.paired.UnpairedBase, Head: tc.paired.UnpairedHead}
				if got.Paired != tc.paired.N || got.Unpaired != wantU {
					t.Errorf("paired %d, unpaired %+v; want %d, %+v", got.Paired, got.Unpaired, tc.paired.N, wantU)
				}
			}
		})
	}
}

// bootstrapFor is the bootstrap of one metric with opts' settings and
// defaults: what Compare must give it when resampling all together.
func bootstrapFor(t *testing.T, pv metrics.PairedValues, opts Options) Interval {
	t.Helper()
	level, resamples := opts.Level, opts.Resamples
	if level == 0 {
		level = DefaultLevel
	}
	if resamples == 0 {
		resamples = DefaultResamples
	}
	iv, err := pairedBootstrap(context.Background(), pv.Base, pv.Head, resamples, level, opts.Seed, autoMethod)
	if err != nil {
		t.Fatal(err)
	}
	return iv
}

// diffResult describes how got differs from want, comparing numbers to
// 1e-7.
func diffResult(got, want Result) string {
	var diffs []string
	num := func(field string, g, w *float64) {
		switch {
		case (g == nil) != (w == nil):
			diffs = append(diffs, fmt.Sprintf("%s %v, want %v", field, show(g), show(w)))
		case g != nil && math.Abs(*g-*w) > 1e-7:
			diffs = append(diffs, fmt.Sprintf("%s %v, want %v", field, *g, *w))
		}
	}
	if got.Name != want.Name {
		diffs = append(diffs, fmt.Sprintf("name %q", got.Name))
	}
	num("base", got.Base, want.Base)
	num("head", got.Head, want.Head)
	num("delta", got.Delta, want.Delta)
	num("relative", got.Relative, want.Relative)
	if got.Direction != want.Direction {
		diffs = append(diffs, fmt.Sprintf("direction %q, want %q", got.Direction, want.Direction))
	}
	if got.Status != want.Status {
		diffs = append(diffs, fmt.Sprintf("status %q, want %q", got.Status, want.Status))
	}
	switch {
	case (got.Declared == nil) != (want.Declared == nil):
		diffs = append(diffs, fmt.Sprintf("declared %+v, want %+v", got.Declared, want.Declared))
	case got.Declared != nil:
		num("declared base", got.Declared.Base, want.Declared.Base)
		num("declared head", got.Declared.Head, want.Declared.Head)
	}
	if got.Examples != want.Examples {
		diffs = append(diffs, fmt.Sprintf("examples %d, want %d", got.Examples, want.Examples))
	}
	switch {
	case (got.CI == nil) != (want.CI == nil):
		diffs = append(diffs, fmt.Sprintf("CI %+v, want %+v", got.CI, want.CI))
	case got.CI != nil:
		g, w := *got.CI, *want.CI
		if math.Abs(g.Low-w.Low) > 1e-7 || math.Abs(g.High-w.High) > 1e-7 || g.Level != w.Level || g.Method != w.Method {
			diffs = append(diffs, fmt.Sprintf("CI %+v, want %+v", g, w))
		}
	}
	return strings.Join(diffs, "; ")
}

// roundTo rounds v to sig significant digits, as a file might write it.
func roundTo(v float64, sig int) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', sig, 64), 64)
	return r
}

func show(p *float64) any {
	if p == nil {
		return "nil"
	}
	return *p
}

func TestCompareSortedAndCounted(t *testing.T) {
	b, h := normalPairs(50, 0.1, 1, 1)
	paired := &metrics.Paired{
		Columns:      []string{"m", "z"},
		Pairs:        map[string]metrics.PairedValues{"m": {Base: b, Head: h}, "z": {Base: b[:MinPairs], Head: h[:MinPairs]}},
		N:            50,
		UnpairedBase: 4,
		UnpairedHead: 7,
		HeadOnly:     []string{"c"},
	}
	got, err := Compare(context.Background(), set(m("b", 1), m("y", 2)), set(m("a", 1), m("x", 3)), paired, Options{Resamples: 100})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range got.Metrics {
		names = append(names, r.Name)
	}
	if s := strings.Join(names, ","); s != "a,b,c,m,x,y,z" {
		t.Errorf("metrics %s, want a,b,c,m,x,y,z", s)
	}
	if got.Paired != 50 || got.Unpaired != (Unpaired{Base: 4, Head: 7}) {
		t.Errorf("paired %d, unpaired %+v", got.Paired, got.Unpaired)
	}
	if r := got.Metrics[6]; r.Examples != MinPairs || r.CI == nil {
		t.Errorf("z: %+v, want a bootstrap over %d examples", r, MinPairs)
	}
}

func TestCompareDeterministic(t *testing.T) {
	paired := &metrics.Paired{Pairs: map[string]metrics.PairedValues{}}
	for i := range 5 {
		b, h := normalPairs(300+i, 0.05, 1, uint64(i))
		name := fmt.Sprintf("m%d", i)
		paired.Columns = append(paired.Columns, name)
		paired.Pairs[name] = metrics.PairedValues{Base: b, Head: h}
	}
	run := func(seed uint64) []Result {
		got, err := Compare(context.Background(), nil, nil, paired, Options{Seed: seed, Resamples: 300})
		if err != nil {
			t.Fatal(err)
		}
		return got.Metrics
	}
	a, b, c := run(5), run(5), run(6)
	for i := range a {
		if *a[i].CI != *b[i].CI {
			t.Errorf("%s: %+v and %+v with the same seed", a[i].Name, *a[i].CI, *b[i].CI)
		}
		if *a[i].CI == *c[i].CI {
			t.Errorf("%s: seeds 5 and 6 gave the same interval", a[i].Name)
		}
	}
}

func TestCompareErrors(t *testing.T) {
	ok := pairs(map[string]metrics.PairedValues{"x": {Base: []float64{1, 2}, Head: []float64{2, 2}}})
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name   string
		ctx    context.Context
		paired *metrics.Paired
		opts   Options
		err    string
	}{
		{name: "level above 1", paired: ok, opts: Options{Level: 1.5}, err: "confidence level"},
		{name: "level negative", paired: ok, opts: Options{Level: -0.5}, err: "confidence level"},
		{name: "resamples", paired: ok, opts: Options{Resamples: -1}, err: "resamples"},
		{name: "lengths", paired: pairs(map[string]metrics.PairedValues{"x": {Base: []float64{1, 2}, Head: []float64{2}}}),
			err: `metric "x": paired values: base has 2 values, head has 1`},
		{name: "direction", paired: ok, opts: Options{Direction: func(string) (Direction, bool) { return "up", true }},
			err: `metric "x": invalid direction "up"`},
		{name: "canceled", ctx: canceled, paired: ok, err: "context canceled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			_, err := Compare(ctx, nil, nil, tc.paired, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error %v, want one containing %q", err, tc.err)
			}
			if tc.ctx != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("error %v is not context.Canceled", err)
			}
		})
	}
}

// TestDirectionFromFile checks that a direction stated in the metrics file
// (lm-evaluation-harness "higher_is_better") beats the name's default, and
// that the policy beats both.
func TestDirectionFromFile(t *testing.T) {
	lower, se := false, 0.01
	set := func(v float64) *metrics.Set {
		return &metrics.Set{Metrics: []metrics.Metric{
			{Name: "task.acc,none", Value: v, HigherIsBetter: &lower, StdErr: &se},
			{Name: "task.score,none", Value: v, StdErr: &se},
		}}
	}
	cmp, err := Compare(context.Background(), set(0.5), set(0.6), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Result{}
	for _, r := range cmp.Metrics {
		got[r.Name] = r
	}
	if r := got["task.acc,none"]; r.Direction != LowerIsBetter || r.Status != Regressed {
		t.Errorf("task.acc,none: direction %s status %s, want lower regressed (from the file)", r.Direction, r.Status)
	}
	if r := got["task.score,none"]; r.Direction != HigherIsBetter || r.Status != Improved {
		t.Errorf("task.score,none: direction %s status %s, want higher improved (by name)", r.Direction, r.Status)
	}
	policy := func(string) (Direction, bool) { return HigherIsBetter, true }
	cmp, err = Compare(context.Background(), set(0.5), set(0.6), nil, Options{Direction: policy})
	if err != nil {
		t.Fatal(err)
	}
	if cmp.Metrics[0].Direction != HigherIsBetter {
		t.Errorf("the policy's direction lost to the file's: %s", cmp.Metrics[0].Direction)
	}
}

// TestOneSidedExamplesHaveValues checks that a per-example metric with
// nothing to pair with (no baseline run) still shows its side's mean.
func TestOneSidedExamplesHaveValues(t *testing.T) {
	head := &metrics.Examples{IDs: []string{"a", "b"}, Columns: []string{"latency_ms"},
		Values: map[string][]float64{"latency_ms": {1, 3}}}
	cmp, err := Compare(context.Background(), nil, nil, metrics.Pair(nil, head), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cmp.Metrics) != 1 {
		t.Fatalf("metrics = %+v", cmp.Metrics)
	}
	r := cmp.Metrics[0]
	if r.Status != New || r.Base != nil || r.Head == nil || *r.Head != 2 || r.CI != nil {
		t.Errorf("latency_ms = %+v (head %v), want new with head 2 and no interval", r, r.Head)
	}
	removed, err := Compare(context.Background(), nil, nil, metrics.Pair(head, nil), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r := removed.Metrics[0]; r.Status != Removed || r.Base == nil || *r.Base != 2 || r.Head != nil {
		t.Errorf("removed latency_ms = %+v, want removed with base 2", r)
	}
}

func TestOptionsWithDefaults(t *testing.T) {
	got := Options{Seed: 7}.WithDefaults()
	if got.Level != DefaultLevel || got.Resamples != DefaultResamples || got.Seed != 7 {
		t.Errorf("zero options: %+v", got)
	}
	if got := (Options{Level: 0.9, Resamples: 500}).WithDefaults(); got.Level != 0.9 || got.Resamples != 500 {
		t.Errorf("set options: %+v", got)
	}
}
