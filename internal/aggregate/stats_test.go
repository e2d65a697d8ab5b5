package aggregate

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/modelci/modelci/internal/metrics"
)

// The data of TestStatistics, and the values scikit-learn 1.2.1 and numpy
// 1.24 give for it (precision_score, recall_score and f1_score with
// zero_division=0, log_loss, roc_auc_score, numpy.percentile). Class 4 is
// predicted but never true; scores tie.
var (
	refLabel = []float64{3, 2, 2, 3, 2, 3, 3, 0, 0, 1, 1, 3, 3, 0, 1, 3, 0, 3, 0, 1, 3, 1, 1, 1, 2, 1, 3, 1, 1, 2, 2, 2, 2, 3, 3, 3, 2, 2, 1, 3}
	refPred  = []float64{3, 2, 2, 3, 2, 3, 3, 0, 2, 1, 1, 3, 3, 0, 4, 3, 0, 3, 4, 1, 3, 3, 1, 1, 2, 4, 3, 1, 1, 0, 2, 2, 2, 3, 3, 3, 4, 2, 1, 3}
	refPTrue = []float64{0.192, 0.928, 0.552, 0.181, 0.884, 0.642, 0.57, 0.376, 0.411, 0.239, 0.038, 0.876, 0.468, 0.548, 0.322, 0.751, 0.025, 0.372, 0.03, 0.123, 0.967, 0.658, 0.428, 0.524, 0.873, 0.344, 0.59, 0.684, 0.355, 0.519, 0.765, 0.909, 0.151, 0.933, 0.005, 0.753, 0.811, 0.137, 0.419, 0.815}
	refBin   = []float64{1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1}
	refScore = []float64{0.7, 0.6, 0.4, 0.9, 0.4, 0.9, 0.1, 0.4, 0.5, 1.0, 0.3, 0.8, 0.7, 0.7, 0.6, 1.0, 0.3, 0.4, 0.2, 0.1, 0.2, 0.9, 0.8, 0.1, 0.6, 0.5, 0.6, 0.7, 0.3, 1.0, 0.5, 0.6, 0.6, 0.2, 0.1, 0.4, 0.8, 0.8, 0.7, 0.1}
	refP1    = []float64{0.0, 1.0, 0.878, 0.523, 0.916, 0.047, 0.03, 0.02, 0.253, 0.249, 0.188, 0.567, 0.039, 0.59, 0.166, 0.678, 0.021, 0.311, 0.938, 0.538, 0.812, 0.658, 0.611, 0.191, 0.574, 0.04, 0.802, 0.96, 0.854, 0.051, 0.339, 0.318, 0.113, 0.627, 0.797, 0.314, 0.863, 0.797, 0.129, 0.767}
	refX     = []float64{1.496, 0.151, 1.506, 2.814, 0.844, 0.084, 0.284, 0.435, 0.727, 0.521, 1.9, 0.963, 0.264, 0.031, 0.27, 0.273, 1.492, 0.379, 2.457, 0.933, 1.171, 1.61, 0.019, 0.939, 0.14, 0.903, 1.607, 0.548, 0.329, 1.384, 0.569, 0.232, 0.453, 0.608, 0.098, 0.917, 2.86, 0.482, 0.035, 1.424}
)

// refExamples holds the reference data as one run's per-example results.
func refExamples() *metrics.Examples {
	ex := &metrics.Examples{Source: "ref.jsonl", Values: map[string][]float64{
		"label": refLabel, "pred": refPred, "p_true": refPTrue, "bin": refBin, "score": refScore, "p1": refP1, "x": refX,
	}}
	for i := range refX {
		ex.IDs = append(ex.IDs, "ex-"+strconv.Itoa(i))
	}
	for c := range ex.Values {
		ex.Columns = append(ex.Columns, c)
	}
	return ex
}

// refSpecs are the statistics of TestStatistics with their reference values.
var refSpecs = []struct {
	spec Spec
	want float64
}{
	{Spec{Statistic: Mean, Column: "x"}, 0.8538},
	{Spec{Statistic: "p0", Percentile: 0, Column: "x"}, 0.019},
	{Spec{Statistic: "p37.5", Percentile: 37.5, Column: "x"}, 0.44625000000000004},
	{Spec{Statistic: "p50", Percentile: 50, Column: "x"}, 0.5885},
	{Spec{Statistic: "p95", Percentile: 95, Column: "x"}, 2.4748499999999987},
	{Spec{Statistic: "p99", Percentile: 99, Column: "x"}, 2.84206},
	{Spec{Statistic: "p100", Percentile: 100, Column: "x"}, 2.86},
	{Spec{Statistic: Accuracy, Label: "label", Prediction: "pred"}, 0.825},
	{Spec{Statistic: PrecisionMicro, Label: "label", Prediction: "pred"}, 0.825},
	{Spec{Statistic: RecallMicro, Label: "label", Prediction: "pred"}, 0.825},
	{Spec{Statistic: F1Micro, Label: "label", Prediction: "pred"}, 0.825},
	{Spec{Statistic: PrecisionMacro, Label: "label", Prediction: "pred"}, 0.7144444444444444},
	{Spec{Statistic: RecallMacro, Label: "label", Prediction: "pred"}, 0.6254545454545454},
	{Spec{Statistic: F1Macro, Label: "label", Prediction: "pred"}, 0.6632788868723533},
	{Spec{Statistic: LogLoss, Probability: "p_true"}, 1.0461023031719239},
	{Spec{Statistic: LogLoss, Label: "bin", Probability: "p1"}, 2.868503259262865},
	{Spec{Statistic: ROCAUC, Label: "bin", Score: "score"}, 0.6328320802005014},
}

// allOf returns the rows of ex.
func allOf(ex *metrics.Examples) rows {
	r := rows{ex: ex}
	for i := range ex.IDs {
		r.idx = append(r.idx, i)
	}
	return r
}

func TestStatistics(t *testing.T) {
	r := allOf(refExamples())
	n := len(r.idx)
	for _, tc := range refSpecs {
		t.Run(tc.spec.Statistic, func(t *testing.T) {
			st, err := build(tc.spec, r)
			if err != nil {
				t.Fatal(err)
			}
			if got := st.of(ones(n), float64(n)); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("got %.17g, want %.17g", got, tc.want)
			}
		})
	}
}

// TestWeightedIsRepeated checks every statistic under whole-number
// weights against the statistic of the examples repeated that many times,
// which is what a resample is.
func TestWeightedIsRepeated(t *testing.T) {
	ex := refExamples()
	all := allOf(ex)
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 50 {
		w := make([]float64, len(all.idx))
		total := 0.0
		rep := rows{ex: ex}
		for i := range w {
			w[i] = float64(rng.IntN(4)) // 0 to 3, as bootstrap weights are
			if trial == 0 {
				w[i] = 1
			}
			total += w[i]
			for range int(w[i]) {
				rep.idx = append(rep.idx, i)
			}
		}
		for _, tc := range refSpecs {
			st, _ := build(tc.spec, all)
			sr, _ := build(tc.spec, rep)
			got, want := st.of(w, total), sr.of(ones(len(rep.idx)), float64(len(rep.idx)))
			if math.Abs(got-want) > 1e-12 {
				t.Fatalf("trial %d, %s: weighted %.17g, repeated %.17g", trial, tc.spec.Statistic, got, want)
			}
		}
	}
}

func TestUndefined(t *testing.T) {
	w := []float64{0, 0, 0}
	for name, st := range map[string]stat{
		"mean":     meanStat{x: []float64{1, 2, 3}},
		"quantile": newQuantileStat([]float64{1, 2, 3}, 50),
		"macro":    macroStat{label: []int32{0, 1, 0}, pred: []int32{0, 0, 1}, classes: 2, kind: F1Macro},
		"auc":      newAUCStat([]float64{0, 1, 1}, []float64{0.1, 0.2, 0.3}),
	} {
		if v := st.of(w, 0); !math.IsNaN(v) {
			t.Errorf("%s of no weight = %v, want NaN", name, v)
		}
	}
	// roc_auc with one class drawn is undefined too.
	if v := newAUCStat([]float64{0, 1, 1}, []float64{0.1, 0.2, 0.3}).of([]float64{0, 2, 1}, 3); !math.IsNaN(v) {
		t.Errorf("auc of one class = %v, want NaN", v)
	}
}

func TestBuildErrors(t *testing.T) {
	ex := refExamples()
	ex.Values["p_true"] = append([]float64(nil), refPTrue...)
	ex.Values["p_true"][5] = 1.5
	ex.Values["label3"] = append([]float64(nil), refLabel...)
	for _, tc := range []struct {
		spec Spec
		want string
	}{
		{Spec{Name: "ll", Statistic: LogLoss, Probability: "p_true"}, `ref.jsonl: key "p_true": example "ex-5": aggregate "ll" (log_loss): probability 1.5 is outside [0, 1]`},
		{Spec{Name: "auc", Statistic: ROCAUC, Label: "label3", Score: "score"}, `ref.jsonl: key "label3": example "ex-0": aggregate "auc" (roc_auc): label 3 is not 0 or 1 (roc_auc reads binary labels)`},
		{Spec{Name: "bll", Statistic: LogLoss, Label: "label3", Probability: "p1"}, `label 3 is not 0 or 1 (log_loss reads binary labels)`},
	} {
		_, err := build(tc.spec, allOf(ex))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.spec.Name, err, tc.want)
		}
	}
}
