package metrics

import (
	"math"
	"slices"
	"sort"
)

// Mean returns the mean of column over the examples that have a value
// there, and how many do. n is 0, and the mean 0, when the column is
// unknown or has no values.
func (e *Examples) Mean(column string) (mean float64, n int) {
	if e == nil {
		return 0, 0
	}
	// Neumaier's compensated sum: a million values of mixed magnitude
	// keep their precision.
	var sum, comp float64
	for _, v := range e.Values[column] {
		if math.IsNaN(v) {
			continue
		}
		t := sum + v
		if math.Abs(sum) >= math.Abs(v) {
			comp += (sum - t) + v
		} else {
			comp += (v - t) + sum
		}
		sum = t
		n++
	}
	if n == 0 {
		return 0, 0
	}
	return (sum + comp) / float64(n), n
}

// Pair pairs the examples of a base and a head run by id. Ids may come in
// any order; the pairs follow the head file's order. Ids present on one
// side only are counted in UnpairedBase and UnpairedHead. A column present
// on both sides is in Columns, with the values of the examples that have
// it on both sides (possibly none); a column on one side only is in
// BaseOnly or HeadOnly. A nil argument counts as no examples. Ids are
// expected unique, as ParseExamples makes them; a repeated base id pairs
// its first occurrence.
func Pair(base, head *Examples) *Paired {
	if base == nil {
		base = &Examples{}
	}
	if head == nil {
		head = &Examples{}
	}
	p := &Paired{Pairs: map[string]PairedValues{}}
	bi, hi, n := matchIDs(base.IDs, head.IDs)
	p.N = n
	p.UnpairedBase = max(0, len(base.IDs)-n)
	p.UnpairedHead = max(0, len(head.IDs)-n)
	p.Columns, p.BaseOnly, p.HeadOnly = splitColumns(base.Columns, head.Columns)
	for _, c := range p.Columns {
		p.Pairs[c] = pairColumn(base.Values[c], head.Values[c], bi, hi, n)
	}
	p.BaseMeans, p.HeadMeans = base.means(), head.means()
	return p
}

// matchIDs pairs the rows of base and head by id: bi[k] and hi[k] are the
// rows of the k-th of n pairs, in head's order. Both are nil when the ids
// are the same list in the same order, the common case.
func matchIDs(base, head []string) (bi, hi []int, n int) {
	if slices.Equal(base, head) {
		return nil, nil, len(head)
	}
	index := newIDIndex(len(base))
	for i := range base {
		index.add(base, i)
	}
	bi = make([]int, 0, min(len(base), len(head)))
	hi = make([]int, 0, cap(bi))
	for j, id := range head {
		if i, ok := index.find(base, id); ok {
			bi = append(bi, i)
			hi = append(hi, j)
		}
	}
	return bi, hi, len(bi)
}

// splitColumns returns the columns on both sides, on base's only and on
// head's only, each sorted.
func splitColumns(base, head []string) (both, baseOnly, headOnly []string) {
	inBase := make(map[string]bool, len(base))
	for _, c := range base {
		inBase[c] = true
	}
	inHead := make(map[string]bool, len(head))
	for _, c := range head {
		inHead[c] = true
		if !inBase[c] {
			headOnly = append(headOnly, c)
		}
	}
	for c := range inBase {
		if inHead[c] {
			both = append(both, c)
		} else {
			baseOnly = append(baseOnly, c)
		}
	}
	sort.Strings(both)
	sort.Strings(baseOnly)
	sort.Strings(headOnly)
	return both, baseOnly, slices.Compact(headOnly)
}

// pairColumn pairs one column's values along the rows matchIDs paired,
// leaving out pairs where either side lacks a value. Columns already
// paired row for row, without a missing value, are returned as they are.
func pairColumn(bv, hv []float64, bi, hi []int, n int) PairedValues {
	if bi == nil && len(bv) == n && len(hv) == n && !slices.ContainsFunc(bv, math.IsNaN) && !slices.ContainsFunc(hv, math.IsNaN) {
		return PairedValues{Base: bv[:n:n], Head: hv[:n:n]}
	}
	pv := PairedValues{Base: make([]float64, 0, n), Head: make([]float64, 0, n)}
	for k := 0; k < n; k++ {
		i, j := k, k
		if bi != nil {
			i, j = bi[k], hi[k]
		}
		if i >= len(bv) || j >= len(hv) {
			continue
		}
		b, h := bv[i], hv[j]
		if math.IsNaN(b) || math.IsNaN(h) {
			continue
		}
		pv.Base = append(pv.Base, b)
		pv.Head = append(pv.Head, h)
	}
	return pv
}

// means returns the mean of every column that has values.
func (e *Examples) means() map[string]float64 {
	out := make(map[string]float64, len(e.Columns))
	for _, c := range e.Columns {
		if m, n := e.Mean(c); n > 0 {
			out[c] = m
		}
	}
	return out
}
