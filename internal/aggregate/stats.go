package aggregate

import (
	"math"
	"slices"
)

// stat is one side's aggregate, prepared once so that each resample costs
// one pass over the examples.
type stat interface {
	// of returns the statistic of the examples weighted by w, whole
	// numbers summing to total; NaN when it is undefined (no weight, or
	// a class missing for roc_auc).
	of(w []float64, total float64) float64
}

// meanStat is the weighted mean of x.
type meanStat struct{ x []float64 }

func (s meanStat) of(w []float64, total float64) float64 {
	if total == 0 {
		return math.NaN()
	}
	sum := 0.0
	for i, x := range s.x {
		sum += w[i] * x
	}
	return sum / total
}

// quantileStat is a percentile: the p-quantile, interpolating linearly
// between order statistics (numpy's default, R's type 7), of the examples
// each repeated as many times as its weight says.
type quantileStat struct {
	// sorted holds the values in ascending order; order[i] is the
	// example sorted[i] belongs to.
	sorted []float64
	order  []int32
	p      float64
}

func newQuantileStat(x []float64, percentile float64) quantileStat {
	order := make([]int32, len(x))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmpFloat(x[a], x[b]) })
	sorted := make([]float64, len(x))
	for i, e := range order {
		sorted[i] = x[e]
	}
	return quantileStat{sorted: sorted, order: order, p: percentile / 100}
}

func (s quantileStat) of(w []float64, total float64) float64 {
	if total == 0 {
		return math.NaN()
	}
	h := (total - 1) * s.p
	k := math.Floor(h)
	lo, hi := s.pair(w, total, k)
	return lo + (h-k)*(hi-lo)
}

// pair returns the k-th and (k+1)-th smallest (from 0) of the weighted
// values, the k-th twice when it is the last. It walks from the end
// nearer to k.
func (s quantileStat) pair(w []float64, total, k float64) (lo, hi float64) {
	if k < total/2 {
		i, cum := s.walk(w, 0, 1, k)
		lo = s.sorted[i]
		if cum > k+1 || k+1 >= total {
			return lo, lo
		}
		j, _ := s.walk(w, i+1, 1, 0)
		return lo, s.sorted[j]
	}
	last := len(s.sorted) - 1
	// Counting from the largest (0), the k-th smallest is the r-th
	// largest and the (k+1)-th smallest the (r-1)-th.
	r := total - 1 - k
	if r == 0 {
		i, _ := s.walk(w, last, -1, 0)
		return s.sorted[i], s.sorted[i]
	}
	i, cum := s.walk(w, last, -1, r-1)
	hi = s.sorted[i]
	if cum > r {
		return hi, hi
	}
	j, _ := s.walk(w, i-1, -1, 0)
	return s.sorted[j], hi
}

// walk steps through the sorted values from position i by step, summing
// their weights, and returns the first position where the sum exceeds k,
// with the sum; the caller knows there is one.
func (s quantileStat) walk(w []float64, i, step int, k float64) (int, float64) {
	cum := 0.0
	for ; ; i += step {
		if cum += w[s.order[i]]; cum > k {
			return i, cum
		}
	}
}

// macroStat is precision, recall or F1 averaged over the classes, as
// scikit-learn computes it: over the classes that occur as a label or a
// prediction in the (resampled) examples, a class with no predictions
// having precision 0 and one with no labels recall 0.
type macroStat struct {
	label, pred []int32 // class indices
	classes     int
	kind        string // PrecisionMacro, RecallMacro or F1Macro
}

func (s macroStat) of(w []float64, total float64) float64 {
	if total == 0 {
		return math.NaN()
	}
	// tp, fp, fn per class, side by side; on the stack for up to 64
	// classes.
	var buf [3 * 64]float64
	counts := buf[:]
	if 3*s.classes > len(buf) {
		counts = make([]float64, 3*s.classes)
	}
	for i, l := range s.label {
		p := s.pred[i]
		if l == p {
			counts[3*l] += w[i]
		} else {
			counts[3*p+1] += w[i]
			counts[3*l+2] += w[i]
		}
	}
	sum, present := 0.0, 0
	for c := range s.classes {
		tp, fp, fn := counts[3*c], counts[3*c+1], counts[3*c+2]
		if tp+fp+fn == 0 {
			continue
		}
		present++
		switch {
		case tp == 0:
		case s.kind == PrecisionMacro:
			sum += tp / (tp + fp)
		case s.kind == RecallMacro:
			sum += tp / (tp + fn)
		default:
			sum += 2 * tp / (2*tp + fp + fn)
		}
	}
	return sum / float64(present)
}

// aucStat is the area under the ROC curve of binary labels ranked by a
// score: the probability that a positive example outscores a negative
// one, ties counting half (the Mann–Whitney statistic), which equals
// scikit-learn's roc_auc_score.
type aucStat struct {
	// order sorts the examples by ascending score; tie[i] says
	// order[i]'s score equals order[i-1]'s.
	order []int32
	tie   []bool
	pos   []bool
}

func newAUCStat(label, score []float64) aucStat {
	s := aucStat{order: make([]int32, len(score)), tie: make([]bool, len(score)), pos: make([]bool, len(label))}
	for i := range s.order {
		s.order[i] = int32(i)
		s.pos[i] = label[i] == 1
	}
	slices.SortStableFunc(s.order, func(a, b int32) int { return cmpFloat(score[a], score[b]) })
	for i := 1; i < len(s.order); i++ {
		s.tie[i] = score[s.order[i]] == score[s.order[i-1]]
	}
	return s
}

func (s aucStat) of(w []float64, _ float64) float64 {
	var above, negBelow, gPos, gNeg, pos float64
	for i, e := range s.order {
		if !s.tie[i] {
			above += gPos * (negBelow + gNeg/2)
			negBelow += gNeg
			pos += gPos
			gPos, gNeg = 0, 0
		}
		if s.pos[e] {
			gPos += w[e]
		} else {
			gNeg += w[e]
		}
	}
	above += gPos * (negBelow + gNeg/2)
	negBelow += gNeg
	pos += gPos
	if pos == 0 || negBelow == 0 {
		return math.NaN()
	}
	return above / (pos * negBelow)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
