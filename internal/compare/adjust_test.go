package compare

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/modelci/modelci/internal/metrics"
)

func TestBootstrapPValue(t *testing.T) {
	for _, tc := range []struct {
		name   string
		sorted []float64
		want   float64
	}{
		// One of five at or below 0: 2·1/5.
		{"one below", []float64{-1, 1, 2, 3, 4}, 0.4},
		{"one above", []float64{-4, -3, -2, -1, 1}, 0.4},
		{"all above", []float64{0.5, 1, 2}, 0},
		{"all below", []float64{-3, -2, -1}, 0},
		{"all zero", []float64{0, 0, 0}, 1},
		{"symmetric", []float64{-2, -1, 0, 1, 2}, 1},
		// A resample at 0 counts on both sides.
		{"zero at the bottom", []float64{0, 1, 2, 3, 4}, 0.4},
		{"one value", []float64{3}, 0},
		{"one zero", []float64{0}, 1},
		{"empty", nil, 1},
		// Rounding error around a true zero counts as zero.
		{"zero up to rounding", []float64{1e-17, 1, 2, 3, 4}, 0.4},
	} {
		if got := BootstrapPValue(tc.sorted); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: BootstrapPValue(%v) = %v, want %v", tc.name, tc.sorted, got, tc.want)
		}
	}
}

// TestBootstrapPValueAgreesWithInterval checks that the p-value and the
// percentile interval call a delta significant alike, up to one resample
// per tail (2/n in the p-value).
func TestBootstrapPValueAgreesWithInterval(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for rep := range 300 {
		n := 5 + r.IntN(400)
		x := make([]float64, n)
		shift := r.NormFloat64() * 2
		for i := range x {
			x[i] = math.Round((r.NormFloat64()+shift)*8) / 8 // ties and exact zeros
		}
		slices.Sort(x)
		p, slack := BootstrapPValue(x), 2/float64(n)
		for _, level := range []float64{0.5, 0.8, 0.9, 0.95, 0.99, 0.995} {
			alpha, iv := 1-level, PercentileInterval(x, level)
			if p < alpha-slack && iv.Contains(0) || !iv.Contains(0) && !(p < alpha+slack) {
				t.Fatalf("rep %d, level %v: p = %v (± %v) but interval %+v", rep, level, p, slack, iv)
			}
		}
	}
}

func TestStdErrPValue(t *testing.T) {
	// 0.02 / sqrt(0.01² + 0.01²) = √2 standard errors: erfc(1).
	if got, want := StdErrPValue(0.02, 0.01, 0.01), math.Erfc(1); math.Abs(got-want) > 1e-12 {
		t.Errorf("StdErrPValue = %v, want %v", got, want)
	}
	if got := StdErrPValue(-0.02, 0.01, 0.01); math.Abs(got-math.Erfc(1)) > 1e-12 {
		t.Errorf("negative delta: %v", got)
	}
	if StdErrPValue(0.1, 0, 0) != 0 || StdErrPValue(0, 0, 0) != 1 {
		t.Error("zero standard errors: want 0 for a change, 1 for none")
	}
	// At the interval's edge: delta = z·se.
	iv := StdErrInterval(z95*0.05, 0.03, 0.04, 0.95)
	if p := StdErrPValue(z95*0.05, 0.03, 0.04); math.Abs(p-0.05) > 1e-9 || math.Abs(iv.Low) > 1e-12 {
		t.Errorf("at the edge: p %v, interval %+v; want 0.05 and a bound at 0", p, iv)
	}
}

// change returns a result of metric name (higher is better) whose delta
// is significant on its own, with p-value p.
func change(name string, delta, p float64) Result {
	st := Improved
	if delta < 0 {
		st = Regressed
	}
	return Result{Name: name, Base: f(1), Head: f(1 + delta), Delta: f(delta), Direction: HigherIsBetter,
		CI: &Interval{Low: delta - math.Abs(delta)/2, High: delta + math.Abs(delta)/2, Level: 0.95, Method: MethodBootstrap},
		P:  f(p), Status: st}
}

func TestAdjustHolm(t *testing.T) {
	results := []Result{
		change("a", 0.1, 0.01),
		change("b", -0.1, 0.04),
		change("c", 0.1, 0.03),
		change("d", -0.1, 0.005),
		{Name: "flat", Base: f(1), Head: f(1), Delta: f(0), CI: &Interval{Level: 0.95}, P: f(1), Status: Unchanged},
		{Name: "aggregate", Base: f(1), Head: f(2), Delta: f(1), Status: ChangedNoInterval},
		{Name: "new", Head: f(2), Status: New},
	}
	fam, err := Adjust(results, Holm, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if fam != (Family{Method: Holm, Size: 4, Level: 0.95}) {
		t.Errorf("family %+v, want holm of 4 (the point interval at 0 is not tested)", fam)
	}
	// Sorted: d 0.005·4 = 0.02, a 0.01·3 = 0.03, c 0.03·2 = 0.06, b
	// 0.04·1, raised to 0.06 by the step-down's running maximum.
	want := map[string]struct {
		adj    float64
		status Status
	}{
		"a": {0.03, Improved}, "b": {0.06, NotSignificant}, "c": {0.06, NotSignificant}, "d": {0.02, Regressed},
		"flat": {1, Unchanged},
	}
	for _, r := range results {
		w, ok := want[r.Name]
		if !ok {
			if r.PAdjusted != nil || r.Status == Improved || r.Status == Regressed {
				t.Errorf("%s: adjusted %v, status %s; want no p-value and its status kept", r.Name, show(r.PAdjusted), r.Status)
			}
			continue
		}
		if r.PAdjusted == nil || math.Abs(*r.PAdjusted-w.adj) > 1e-12 || r.Status != w.status {
			t.Errorf("%s: adjusted %v, status %s; want %v, %s", r.Name, show(r.PAdjusted), r.Status, w.adj, w.status)
		}
	}

	// Adjusting again, or with no correction, starts from P.
	again := slices.Clone(results)
	if _, err := Adjust(again, Holm, 0.95); err != nil {
		t.Fatal(err)
	}
	for i := range again {
		if again[i].Status != results[i].Status || show(again[i].PAdjusted) != show(results[i].PAdjusted) {
			t.Errorf("%s: a second Adjust changed %+v to %+v", results[i].Name, results[i], again[i])
		}
	}
	fam, err = Adjust(again, NoCorrection, 0.95)
	if err != nil || fam.Method != NoCorrection || fam.Size != 4 {
		t.Fatalf("none: %+v, %v", fam, err)
	}
	for _, r := range again[:4] {
		if *r.PAdjusted != *r.P || (r.Status != Improved && r.Status != Regressed) {
			t.Errorf("none: %s adjusted %v (p %v), status %s; want p and significant", r.Name, *r.PAdjusted, *r.P, r.Status)
		}
	}
}

// TestAdjustKeepsTheIntervalsVerdict checks that a small p-value never
// makes a change significant whose interval contains 0.
func TestAdjustKeepsTheIntervalsVerdict(t *testing.T) {
	r := []Result{{Name: "x", Base: f(1), Head: f(1.1), Delta: f(0.1), Direction: HigherIsBetter,
		CI: &Interval{Low: -0.01, High: 0.2, Level: 0.95}, P: f(0.001), Status: NotSignificant}}
	if _, err := Adjust(r, NoCorrection, 0.95); err != nil {
		t.Fatal(err)
	}
	if r[0].Status != NotSignificant {
		t.Errorf("status %s, want not-significant: the interval contains 0", r[0].Status)
	}
}

// TestAdjustAtTheThreshold checks that an adjusted p-value equal to
// 1 - level is not significant, though 1 - 0.95 is a hair above 0.05 in
// floating point: 10 metrics, the smallest p 0.005 (5 of 2000 resamples on
// the far side, doubled) adjust to exactly 0.05.
func TestAdjustAtTheThreshold(t *testing.T) {
	results := []Result{change("x", 0.1, 0.005)}
	for i := range 9 {
		results = append(results, change(fmt.Sprint("y", i), 0.1, 0.9))
	}
	if _, err := Adjust(results, Holm, 0.95); err != nil {
		t.Fatal(err)
	}
	if r := results[0]; *r.PAdjusted != 10*0.005 || r.Status != NotSignificant {
		t.Errorf("adjusted %v, status %s; want 0.05, not-significant", *r.PAdjusted, r.Status)
	}
	one := []Result{change("x", 0.1, 0.05)}
	if _, err := Adjust(one, NoCorrection, 0.95); err != nil || one[0].Status != NotSignificant {
		t.Errorf("p 0.05 alone: status %s (%v), want not-significant", one[0].Status, err)
	}
}

func TestAdjustGivesAnIntervalWithoutPValueOne(t *testing.T) {
	// [0.02, 0.06] at 95%: se = 0.02/1.96, delta 0.04 is 3.92 se away.
	r := []Result{{Name: "f1", Base: f(0.5), Head: f(0.54), Delta: f(0.04), Direction: HigherIsBetter,
		CI: &Interval{Low: 0.02, High: 0.06, Level: 0.95}, Status: Improved}}
	if _, err := Adjust(r, Holm, 0.95); err != nil {
		t.Fatal(err)
	}
	if want := math.Erfc(2 * z95 / math.Sqrt2); r[0].P == nil || math.Abs(*r[0].P-want) > 1e-12 || r[0].Status != Improved {
		t.Errorf("p %v, status %s; want %v, improved", show(r[0].P), r[0].Status, want)
	}
}

func TestAdjustErrors(t *testing.T) {
	if _, err := Adjust(nil, "bonferroni", 0.95); err == nil || !strings.Contains(err.Error(), `"bonferroni"`) {
		t.Errorf("unknown method: %v", err)
	}
	if _, err := Adjust(nil, Holm, 1.5); err == nil || !strings.Contains(err.Error(), "confidence level") {
		t.Errorf("bad level: %v", err)
	}
	fam, err := Adjust(nil, "", 0)
	if err != nil || fam != (Family{Method: DefaultCorrection, Level: DefaultLevel}) {
		t.Errorf("defaults: %+v, %v", fam, err)
	}
}

func TestMDE(t *testing.T) {
	notSig := func() []Result {
		return []Result{
			{Name: "x", Base: f(1), Head: f(1.005), Delta: f(0.005), CI: &Interval{Low: -0.02, High: 0.03, Level: 0.95}, P: f(0.7), Status: NotSignificant},
			{Name: "y", Base: f(1), Head: f(1.2), Delta: f(0.2), Direction: HigherIsBetter, CI: &Interval{Low: 0.1, High: 0.3, Level: 0.95}, P: f(0.0001), Status: Improved},
		}
	}
	// Half-width 0.025 is 1.96 se; the MDE is (z(1-α'/2) + z(0.8)) se.
	se := 0.025 / z95
	for _, tc := range []struct {
		method Correction
		z      float64 // z(1 - α'/2)
	}{
		{NoCorrection, z95},
		{Holm, 2.241403}, // α' = 0.05/2
	} {
		r := notSig()
		if _, err := Adjust(r, tc.method, 0.95); err != nil {
			t.Fatal(err)
		}
		if want := (tc.z + 0.841621) * se; r[0].MDE == nil || math.Abs(*r[0].MDE-want) > 1e-6 {
			t.Errorf("%s: MDE %v, want %v", tc.method, show(r[0].MDE), want)
		}
		if r[1].MDE != nil {
			t.Errorf("%s: a significant change has an MDE %v", tc.method, *r[1].MDE)
		}
	}
}

// examplePairs returns n paired 0/1 values: base has the first nb
// examples right and head the first nh.
func examplePairs(n, nb, nh int) metrics.PairedValues {
	pv := metrics.PairedValues{Base: make([]float64, n), Head: make([]float64, n)}
	for i := range n {
		if i < nb {
			pv.Base[i] = 1
		}
		if i < nh {
			pv.Head[i] = 1
		}
	}
	return pv
}

// TestTooFewPairsHaveNoInterval checks that below MinPairs pairs a metric
// gets no interval, and so a change is never improved or regressed.
func TestTooFewPairsHaveNoInterval(t *testing.T) {
	for _, n := range []int{1, 2, MinPairs - 1} {
		cmp, err := Compare(context.Background(), nil, nil, pairs(map[string]metrics.PairedValues{"acc": examplePairs(n, 0, n)}), Options{})
		if err != nil {
			t.Fatal(err)
		}
		r := cmp.Metrics[0]
		if r.CI != nil || r.P != nil || r.Status != ChangedNoInterval || r.Examples != n || *r.Delta != 1 {
			t.Errorf("%d pairs: %+v, want a delta of 1, no interval, changed-no-interval", n, r)
		}
		if len(cmp.Warnings) != 1 || cmp.Warnings[0].Metric != "acc" || !strings.Contains(cmp.Warnings[0].Message, "no interval") {
			t.Errorf("%d pairs: warnings %+v", n, cmp.Warnings)
		}
	}
	cmp, err := Compare(context.Background(), nil, nil, pairs(map[string]metrics.PairedValues{"acc": examplePairs(MinPairs, 0, MinPairs)}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r := cmp.Metrics[0]; r.CI == nil || r.Status != Improved || len(cmp.Warnings) != 0 {
		t.Errorf("%d pairs: %+v, warnings %v; want an interval", MinPairs, r, cmp.Warnings)
	}
}

// TestDeclaredDisagreement: the aggregate files say 0.95 → 0.90, the
// examples 0.80 → 0.90. The report shows the examples' values, with the
// files' as declared and a warning, and the delta lies in its interval.
func TestDeclaredDisagreement(t *testing.T) {
	base, head := set(m("acc", 0.95)), set(m("acc", 0.90))
	cmp, err := Compare(context.Background(), base, head, pairs(map[string]metrics.PairedValues{"acc": examplePairs(100, 80, 90)}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := cmp.Metrics[0]
	if math.Abs(*r.Base-0.8) > 1e-12 || math.Abs(*r.Head-0.9) > 1e-12 || math.Abs(*r.Delta-0.1) > 1e-12 {
		t.Errorf("values %v → %v (delta %v), want the examples' 0.8 → 0.9", *r.Base, *r.Head, *r.Delta)
	}
	if r.CI == nil || !r.CI.Contains(*r.Delta) {
		t.Errorf("delta %v outside its interval %+v", *r.Delta, r.CI)
	}
	if r.Declared == nil || *r.Declared.Base != 0.95 || *r.Declared.Head != 0.9 {
		t.Errorf("declared %+v, want 0.95 → 0.9", r.Declared)
	}
	want := "acc: the aggregate files give 0.95 → 0.9, the 100 paired examples 0.8 → 0.9"
	if len(cmp.Warnings) != 1 || !strings.HasPrefix(cmp.Warnings[0].Message, want) {
		t.Errorf("warnings %+v, want one starting %q", cmp.Warnings, want)
	}
}

// TestCompareFamily checks that Compare leaves the p-values unadjusted and
// says so.
func TestCompareFamily(t *testing.T) {
	b, h := normalPairs(200, 0.5, 1, 3)
	cmp, err := Compare(context.Background(), set(mse("se", 1, 0.1)), set(mse("se", 1.1, 0.1)),
		pairs(map[string]metrics.PairedValues{"gain": {Base: b, Head: h}}), Options{Resamples: 500})
	if err != nil {
		t.Fatal(err)
	}
	if cmp.Family != (Family{Method: NoCorrection, Size: 2, Level: DefaultLevel}) {
		t.Errorf("family %+v", cmp.Family)
	}
	for _, r := range cmp.Metrics {
		if r.P == nil || r.PAdjusted == nil || *r.P != *r.PAdjusted {
			t.Errorf("%s: p %v, adjusted %v; want equal", r.Name, show(r.P), show(r.PAdjusted))
		}
	}
	if r := cmp.Metrics[0]; *r.P > 0.001 || r.Status != Improved {
		t.Errorf("gain: p %v, status %s; want tiny, improved", *r.P, r.Status)
	}
	if r := cmp.Metrics[1]; math.Abs(*r.P-StdErrPValue(0.1, 0.1, 0.1)) > 1e-12 || r.MDE == nil {
		t.Errorf("se: p %v, MDE %v; want the normal approximation's and an MDE", *r.P, show(r.MDE))
	}
}
