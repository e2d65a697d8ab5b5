package report

import (
	"sort"

	"github.com/modelci/modelci/internal/compare"
	"github.com/modelci/modelci/internal/policy"
)

// Ranks of rows, most important first. A gated metric's row is ranked by
// its status; an ungated one's by its status plus ungated, so that every
// gated row comes before every ungated one. Rows ranked up to
// rankNoInterval (gated or not) are changes.
const (
	rankViolation = iota
	rankRegressed
	rankRemoved
	rankNew
	rankImproved
	rankNoInterval
	rankNotSignificant
	rankUnchanged
	// ungated is added to the rank of a metric no rule gates.
	ungated
)

// row is one metric of a table.
type row struct {
	name string
	// res is nil for a metric the policy requires that the comparison
	// lacks.
	res *compare.Result
	// rules are the rules the metric broke, the most exceeded first.
	rules []string
	gated bool
	// excess is how far past its limit the metric's worst violation went
	// (policy.Excess).
	excess float64
	rank   int
}

// change reports whether the row's status is a change worth the main
// table: significant, new, removed, or changed without an interval.
func (x row) change() bool { return x.rank%ungated <= rankNoInterval }

func statusRank(st compare.Status) int {
	switch st {
	case compare.Regressed:
		return rankRegressed
	case compare.Removed:
		return rankRemoved
	case compare.New:
		return rankNew
	case compare.Improved:
		return rankImproved
	case compare.ChangedNoInterval:
		return rankNoInterval
	case compare.Unchanged:
		return rankUnchanged
	}
	return rankNotSignificant
}

// tables are the rows of the two metric tables and the counts the verdict
// line gives.
type tables struct {
	// main has the gated metrics, violations first (the most exceeded
	// first), then the other changes, by rank, then in the comparison's
	// order. A violated metric the comparison lacks is a row without a
	// result.
	main []row
	// other has the rest, in the comparison's order.
	other []row
	// violations are the verdict's, the most exceeded first.
	violations []policy.Violation
	// counts has the number of metrics of each status; gatedRegressions
	// those of the regressions that are gated.
	counts           map[compare.Status]int
	gatedRegressions int
	// gated is the number of gated metrics; violated those with a
	// violation.
	gated, violated int
	// policy says a gate was applied.
	policy bool
	// mde says a row shows a minimum detectable effect.
	mde bool
}

func newTables(r Report, c *compare.Comparison) tables {
	t := tables{counts: map[compare.Status]int{}, policy: r.Verdict != nil}
	results := map[string]*compare.Result{}
	for i := range c.Metrics {
		results[c.Metrics[i].Name] = &c.Metrics[i]
	}
	excess := t.rankViolations(r, results)
	var all []row
	for i := range c.Metrics {
		m := &c.Metrics[i]
		all = append(all, t.newRow(r.Policy, m.Name, m, excess))
		t.counts[m.Status]++
		t.mde = t.mde || m.MDE != nil && m.Status == compare.NotSignificant
	}
	for _, v := range t.violations {
		if results[v.Metric] == nil && excess[v.Metric] != nil {
			all = append(all, t.newRow(r.Policy, v.Metric, nil, excess))
			delete(excess, v.Metric)
		}
	}
	for _, x := range all {
		if x.rank < ungated || x.change() {
			t.main = append(t.main, x)
		} else {
			t.other = append(t.other, x)
		}
	}
	sort.SliceStable(t.main, func(i, j int) bool {
		a, b := t.main[i], t.main[j]
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		return a.excess > b.excess
	})
	return t
}

// broken is a metric's broken rules and its worst excess.
type broken struct {
	rules  []string
	excess float64
}

// rankViolations sorts the verdict's violations, the most exceeded first
// (in the verdict's order when alike), and returns each violated metric's
// rules in that order.
func (t *tables) rankViolations(r Report, results map[string]*compare.Result) map[string]*broken {
	out := map[string]*broken{}
	if r.Verdict == nil {
		return out
	}
	excess := make([]float64, len(r.Verdict.Violations))
	idx := make([]int, len(excess))
	for i, v := range r.Verdict.Violations {
		res := compare.Result{Name: v.Metric}
		if m := results[v.Metric]; m != nil {
			res = *m
		}
		excess[i], idx[i] = r.Policy.Excess(v, res), i
	}
	sort.SliceStable(idx, func(a, b int) bool { return excess[idx[a]] > excess[idx[b]] })
	for _, i := range idx {
		v := r.Verdict.Violations[i]
		t.violations = append(t.violations, v)
		b := out[v.Metric]
		if b == nil {
			b = &broken{excess: excess[i]}
			out[v.Metric] = b
		}
		b.rules = append(b.rules, v.Rule)
	}
	return out
}

// newRow ranks the metric called name, whose result is m (nil when the
// comparison lacks it), and counts it as gated or violated.
func (t *tables) newRow(p *policy.Policy, name string, m *compare.Result, violated map[string]*broken) row {
	x := row{name: name, res: m, gated: p.Gates(name)}
	if b := violated[name]; b != nil {
		x.rules, x.excess, x.gated = b.rules, b.excess, true
	}
	switch {
	case len(x.rules) > 0:
		x.rank = rankViolation
		t.violated++
	case m == nil:
		x.rank = rankRemoved
	default:
		x.rank = statusRank(m.Status)
	}
	if x.gated {
		t.gated++
		if m != nil && m.Status == compare.Regressed {
			t.gatedRegressions++
		}
	} else {
		x.rank += ungated
	}
	return x
}
