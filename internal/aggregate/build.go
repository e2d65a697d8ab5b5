package aggregate

import (
	"fmt"
	"math"
	"slices"

	"github.com/modelci/modelci/internal/metrics"
)

// probabilityFloor clips probabilities away from 0 and 1 in log_loss, as
// scikit-learn's log_loss did (eps=1e-15), so that one confident mistake
// gives a large loss rather than an infinite one.
const probabilityFloor = 1e-15

// rows are the examples of one side an aggregate is computed on.
type rows struct {
	ex  *metrics.Examples
	idx []int // rows of ex
}

// has reports whether the side's examples hold every column of s.
func has(ex *metrics.Examples, s Spec) bool {
	if ex == nil {
		return false
	}
	for _, c := range s.Columns() {
		if _, ok := ex.Values[c]; !ok {
			return false
		}
	}
	return true
}

// complete reports whether row i of ex has a value in every column of cols.
func complete(ex *metrics.Examples, cols []string, i int) bool {
	for _, c := range cols {
		if v := ex.Values[c]; i >= len(v) || math.IsNaN(v[i]) {
			return false
		}
	}
	return true
}

// allRows returns the rows of ex that have every column of s.
func allRows(ex *metrics.Examples, s Spec) rows {
	r := rows{ex: ex}
	cols := s.Columns()
	for i := range ex.IDs {
		if complete(ex, cols, i) {
			r.idx = append(r.idx, i)
		}
	}
	return r
}

// column returns the values of column c in the rows.
func (r rows) column(c string) []float64 {
	v := r.ex.Values[c]
	out := make([]float64, len(r.idx))
	for k, i := range r.idx {
		out[k] = v[i]
	}
	return out
}

// errorAt returns an input error about the k-th row's value in column c.
func (r rows) errorAt(k int, s Spec, c, format string, args ...any) error {
	return &metrics.Error{File: r.ex.Source, Key: c, Err: fmt.Errorf("example %q: aggregate %q (%s): %s",
		r.ex.IDs[r.idx[k]], s.Name, s.Statistic, fmt.Sprintf(format, args...))}
}

// build prepares the statistic of s on the rows, checking the values it
// reads.
func build(s Spec, r rows) (stat, error) {
	switch {
	case s.Statistic == Mean:
		return meanStat{x: r.column(s.Column)}, nil
	case s.IsPercentile():
		return newQuantileStat(r.column(s.Column), s.Percentile), nil
	case s.Statistic == LogLoss:
		return logLoss(s, r)
	case s.Statistic == ROCAUC:
		label := r.column(s.Label)
		if err := binary(s, r, s.Label, label); err != nil {
			return nil, err
		}
		return newAUCStat(label, r.column(s.Score)), nil
	}
	label, pred := r.column(s.Label), r.column(s.Prediction)
	switch s.Statistic {
	case PrecisionMacro, RecallMacro, F1Macro:
		st := macroStat{label: make([]int32, len(label)), pred: make([]int32, len(pred)), kind: s.Statistic}
		class := map[float64]int32{}
		index := func(v float64) int32 {
			c, ok := class[v]
			if !ok {
				c = int32(len(class))
				class[v] = c
			}
			return c
		}
		for k := range label {
			st.label[k], st.pred[k] = index(label[k]), index(pred[k])
		}
		st.classes = len(class)
		return st, nil
	}
	// Accuracy; with one class per example, micro-averaged precision,
	// recall and F1 all equal it.
	correct := make([]float64, len(label))
	for k := range label {
		if label[k] == pred[k] {
			correct[k] = 1
		}
	}
	return meanStat{x: correct}, nil
}

// logLoss prepares a log_loss: the mean of each example's loss.
func logLoss(s Spec, r rows) (stat, error) {
	p := r.column(s.Probability)
	for k, v := range p {
		if v < 0 || v > 1 {
			return nil, r.errorAt(k, s, s.Probability, "probability %v is outside [0, 1]", v)
		}
	}
	var label []float64
	if s.Label != "" {
		label = r.column(s.Label)
		if err := binary(s, r, s.Label, label); err != nil {
			return nil, err
		}
	}
	loss := make([]float64, len(p))
	for k, v := range p {
		v = min(max(v, probabilityFloor), 1-probabilityFloor)
		if label != nil && label[k] == 0 {
			v = 1 - v
		}
		loss[k] = -math.Log(v)
	}
	return meanStat{x: loss}, nil
}

// binary checks that a label column holds 0 and 1 only.
func binary(s Spec, r rows, c string, label []float64) error {
	if k := slices.IndexFunc(label, func(v float64) bool { return v != 0 && v != 1 }); k >= 0 {
		return r.errorAt(k, s, c, "label %v is not 0 or 1 (%s reads binary labels)", label[k], s.Statistic)
	}
	return nil
}
