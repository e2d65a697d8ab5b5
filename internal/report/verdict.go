package report

import (
	"fmt"
	"strings"

	"github.com/modelci/modelci/internal/compare"
	"github.com/modelci/modelci/internal/numfmt"
)

// maxTitleRunes caps the title in the verdict line.
const maxTitleRunes = 100

// maxBaselineRunes caps the baseline's name under the verdict line.
const maxBaselineRunes = 300

// verdictLine is the one-line verdict, followed by a blank line: the
// outcome with its symbol, what the gate found, the changes, and the
// number of metrics.
func verdictLine(r Report, t tables, metrics int, st style) string {
	title := "modelci"
	if r.Title != "" {
		title += " · " + escape(truncate(r.Title, maxTitleRunes))
	}
	outcome := "⚪ " + title + ": no policy"
	if v := r.Verdict; v != nil {
		outcome = "✅ " + title + ": gate passed"
		if !v.Passed {
			outcome = "❌ " + title + ": gate failed"
		}
	}
	var groups []string
	if g := t.gatePhrase(); g != "" {
		groups = append(groups, g)
	}
	groups = append(groups, t.changePhrase(metrics))
	if metrics > 0 {
		groups = append(groups, numfmt.Plural(metrics, "metric", "metrics"))
	}
	detail := strings.Join(groups, " · ")
	if st.summary {
		return fmt.Sprintf("## %s\n\n%s\n\n", outcome, capitalize(detail))
	}
	return fmt.Sprintf("**%s** — %s\n\n", outcome, detail)
}

// gatePhrase says what the gate found: the violations, or the gated
// metrics within their rules; "" without a policy.
func (t tables) gatePhrase() string {
	switch {
	case !t.policy:
		return ""
	case len(t.violations) > 0:
		return numfmt.Plural(len(t.violations), "violation", "violations") + " on " + numfmt.Plural(t.violated, "metric", "metrics")
	case t.gated == 0:
		return "no metric gated"
	case t.gated == 1:
		return "1 gated metric within its rules"
	}
	return numfmt.Count(t.gated) + " gated metrics within their rules"
}

// changePhrase lists the changes by kind. A passing gate's regressions say
// whether they are gated (and so within their rules), so that "gate
// passed" never reads next to unexplained regressions.
func (t tables) changePhrase(metrics int) string {
	var parts []string
	if n := t.counts[compare.Regressed]; n > 0 {
		parts = append(parts, numfmt.Plural(n, "regression", "regressions")+t.regressionsGated(n))
	}
	if n := t.counts[compare.Improved]; n > 0 {
		parts = append(parts, numfmt.Plural(n, "improvement", "improvements"))
	}
	if n := t.counts[compare.ChangedNoInterval]; n > 0 {
		parts = append(parts, numfmt.Count(n)+" changed without an interval")
	}
	if n := t.counts[compare.New]; n > 0 {
		parts = append(parts, numfmt.Count(n)+" new")
	}
	if n := t.counts[compare.Removed]; n > 0 {
		parts = append(parts, numfmt.Count(n)+" removed")
	}
	switch {
	case metrics == 0:
		return "no metrics"
	case len(parts) == 0:
		return "no significant changes"
	}
	return strings.Join(parts, ", ")
}

// regressionsGated says how many of n regressions are gated: " (none
// gated)", " (1 gated)", and under a passing gate "within its rules".
func (t tables) regressionsGated(n int) string {
	g := t.gatedRegressions
	switch {
	case !t.policy:
		return ""
	case g == 0:
		return " (none gated)"
	case len(t.violations) > 0 && g == n:
		return ""
	case len(t.violations) > 0:
		return " (" + numfmt.Count(g) + " gated)"
	}
	rules := " within their rules"
	if g == 1 {
		rules = " within its rules"
	}
	if g == n {
		return " (gated," + rules + ")"
	}
	return " (" + numfmt.Count(g) + " gated," + rules + ")"
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// footer counts the examples, when there are any, and explains Δ, the
// intervals and the gate's marks.
func footer(c *compare.Comparison, ci ciColumn, t tables) string {
	if len(c.Metrics) == 0 {
		return ""
	}
	var parts []string
	if c.Paired > 0 || c.Unpaired.Base > 0 || c.Unpaired.Head > 0 {
		parts = append(parts, fmt.Sprintf("%s; %s only in base, %s only in head.",
			numfmt.Plural(c.Paired, "paired example", "paired examples"), numfmt.Count(c.Unpaired.Base), numfmt.Count(c.Unpaired.Head)))
	}
	s := "Δ = head - base"
	if len(ci.methods) > 0 {
		s += "; CI: " + ci.describe()
	}
	if t.mde {
		s += fmt.Sprintf("; MDE: the smallest change this evaluation finds significant in %s%% of runs", numfmt.Num(compare.DetectPower*100, 3))
	}
	if t.gated > 0 {
		s += "; gate ✓: a gated metric within its rules, ✗: the rules it broke"
	}
	parts = append(parts, s+".")
	if f := family(c.Family); f != "" {
		parts = append(parts, f)
	}
	return strings.Join(parts, " ") + "\n"
}

// family says how significance was adjusted for the number of metrics
// tested together; "" when they were not counted or are fewer than two.
func family(f compare.Family) string {
	if f.Size < 2 {
		return ""
	}
	n := numfmt.Count(f.Size)
	switch f.Method {
	case compare.Holm:
		return fmt.Sprintf("Significance is adjusted for the %s metrics tested together (Holm): with no real change, %s%% of reports call none significant.",
			n, numfmt.Num(f.Level*100, 4))
	case compare.NoCorrection:
		return fmt.Sprintf("Significance is judged per metric, not adjusted for the %s metrics tested together.", n)
	}
	return ""
}

// describe names the intervals' level and methods.
func (ci ciColumn) describe() string {
	names := make([]string, len(ci.methods))
	for i, m := range ci.methods {
		switch m {
		case compare.MethodBootstrap:
			names[i] = "paired bootstrap"
		case compare.MethodStdErr:
			names[i] = "standard errors"
		default:
			names[i] = escape(truncate(m, 50))
		}
	}
	level := ""
	if !ci.mixed {
		level = numfmt.Num(ci.level*100, 4) + "% "
	}
	return level + "confidence interval of Δ (" + strings.Join(names, ", ") + ")"
}
