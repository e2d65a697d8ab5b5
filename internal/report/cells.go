package report

import (
	"math"
	"strings"

	"github.com/modelci/modelci/internal/compare"
	"github.com/modelci/modelci/internal/numfmt"
)

// Significant digits: base and head show the larger of them with
// valueDigits, a delta and its interval the largest with deltaDigits, and
// never fewer decimals than base and head; a relative change shows
// percentDigits and at most maxPercentDecimals decimals.
const (
	valueDigits        = 4
	deltaDigits        = 1
	percentDigits      = 3
	maxPercentDecimals = 2
)

// ciColumn is what the tables' CI column and the footer say about the
// intervals. One level for all goes in the header, so that each cell
// stays short; only mixed levels are repeated in every cell.
type ciColumn struct {
	// level is the intervals' common level; 0 when there are no
	// intervals or they are mixed.
	level float64
	// mixed reports intervals at more than one level.
	mixed bool
	// methods are the intervals' methods in order of first use.
	methods []string
}

func newCIColumn(results []compare.Result) ciColumn {
	var ci ciColumn
	levels := map[float64]bool{}
	methods := map[string]bool{}
	for _, m := range results {
		if m.CI != nil {
			levels[m.CI.Level] = true
			if !methods[m.CI.Method] {
				methods[m.CI.Method] = true
				ci.methods = append(ci.methods, m.CI.Method)
			}
		}
	}
	ci.mixed = len(levels) > 1
	if len(levels) == 1 {
		for l := range levels {
			ci.level = l
		}
	}
	return ci
}

// tableHead is the header of a metrics table.
func (ci ciColumn) tableHead() string {
	header := "CI"
	if len(ci.methods) > 0 && !ci.mixed {
		header = numfmt.Num(ci.level*100, 4) + "% CI"
	}
	return "| Metric | Base | Head | Δ | " + header + " | Status |\n|:---|---:|---:|---:|:---:|:---|\n"
}

// nbsp binds a symbol to its word in a status cell, so that a narrow
// column wraps between words, not between "↑" and "worse".
const nbsp = "\u00a0"

// tableRow renders one row of a metrics table, ending in a newline.
func tableRow(x row, ciLevels bool) string {
	base, head, delta, ci, mde := "—", "—", "—", "—", ""
	if m := x.res; m != nil {
		vals := numfmt.Common(valueDigits, present(m.Base, m.Head)...)
		if m.Base != nil {
			base = vals.Num(*m.Base)
		}
		if m.Head != nil {
			head = vals.Num(*m.Head)
		}
		diffs := vals.Wider(numfmt.Common(deltaDigits, present(m.Delta)...))
		if m.CI != nil {
			diffs = diffs.Wider(numfmt.Common(deltaDigits, m.CI.Low, m.CI.High))
		}
		if m.Delta != nil {
			delta = signed(diffs, *m.Delta)
			if m.Relative != nil {
				delta += " (" + percent(*m.Relative) + ")"
			}
		}
		if m.CI != nil {
			ci = "[" + signed(diffs, m.CI.Low) + ", " + signed(diffs, m.CI.High) + "]"
			if ciLevels {
				ci += " " + numfmt.Num(m.CI.Level*100, 4) + "%"
			}
		}
		if m.MDE != nil {
			mde = diffs.Wider(numfmt.Common(deltaDigits, *m.MDE)).Num(*m.MDE)
		}
	}
	return "| " + name(x.name, true) + " | " + base + " | " + head + " | " + delta + " | " + ci + " | " + statusCell(x, mde) + " |\n"
}

// present returns the values of vs that are not nil.
func present(vs ...*float64) []float64 {
	var out []float64
	for _, v := range vs {
		if v != nil {
			out = append(out, *v)
		}
	}
	return out
}

// signed formats a difference in f, an exact 0 as 0.
func signed(f numfmt.Format, v float64) string {
	if v == 0 {
		return "0"
	}
	return f.Signed(v)
}

// percent formats a relative change as a signed percentage with at most
// maxPercentDecimals decimals; one too small to show is "<0.01%".
func percent(rel float64) string {
	pct := rel * 100
	switch {
	case pct == 0:
		return "0%"
	case math.Abs(pct) < math.Pow(10, -maxPercentDecimals):
		return "<" + numfmt.Num(math.Pow(10, -maxPercentDecimals), 1) + "%"
	}
	f := numfmt.Common(percentDigits, pct)
	f.Decimals = min(f.Decimals, maxPercentDecimals)
	return f.Signed(pct) + "%"
}

// statusCell says what happened to the metric: the direction of the change
// (↑ rose, ↓ fell) and whether that is better or worse, ≈ not significant,
// = unchanged, + new, - removed (nothing for a missing metric); the minimum detectable effect mde of a
// change that is not significant, when known; then, for a gated metric, ✓
// when its rules hold or ✗ and the rules it broke.
func statusCell(x row, mde string) string {
	s := ""
	if m := x.res; m != nil {
		switch m.Status {
		case compare.Improved:
			s = arrow(m) + "better"
		case compare.Regressed:
			s = arrow(m) + "worse"
		case compare.ChangedNoInterval:
			s = arrow(m) + "changed, no interval"
		case compare.NotSignificant:
			s = "≈" + nbsp + "not significant"
			if mde != "" {
				s += " (MDE" + nbsp + "±" + mde + ")"
			}
		case compare.Unchanged:
			s = "=" + nbsp + "unchanged"
		case compare.New:
			s = "+" + nbsp + "new"
		case compare.Removed:
			s = "-" + nbsp + "removed"
		default:
			s = escape(string(m.Status))
		}
	}
	gate := ""
	switch {
	case len(x.rules) > 0:
		gate = "gate" + nbsp + "✗" + nbsp + escape(strings.Join(x.rules, ", "))
	case x.gated:
		gate = "gate" + nbsp + "✓"
	}
	if s != "" && gate != "" {
		return s + " · " + gate
	}
	return s + gate
}

// arrow is ↑ when the metric rose and ↓ when it fell, followed by a
// no-break space.
func arrow(m *compare.Result) string {
	switch {
	case m.Delta == nil:
		return ""
	case *m.Delta > 0:
		return "↑" + nbsp
	case *m.Delta < 0:
		return "↓" + nbsp
	}
	return ""
}
