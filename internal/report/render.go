package report

import (
	"fmt"
	"github.com/modelci/modelci/internal/numfmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/modelci/modelci/internal/compare"
)

// style is what differs between the comment and the job summary.
type style struct {
	// marker starts the output with Marker.
	marker bool
	// summary uses headings and an expanded full table.
	summary bool
	// limitName and elsewhere complete the note on omitted rows.
	limitName, elsewhere string
}

var (
	commentStyle = style{marker: true, limitName: "GitHub's comment limit", elsewhere: "see the job summary or the JSON report"}
	summaryStyle = style{summary: true, limitName: "the job summary limit", elsewhere: "see the JSON report"}
)

// Caps on text taken from the input, in runes, so one long name cannot
// crowd out everything else. The JSON report has the full text.
const (
	maxNameRunes    = 200
	maxMessageRunes = 500
	maxTitleRunes   = 200
)

// Ranks of rows, most important first; rows ranked up to rankImproved are
// changes.
const (
	rankViolation = iota
	rankRegressed
	rankRemoved
	rankNew
	rankImproved
	rankNotSignificant
	rankUnchanged
)

// row is one metric of a table.
type row struct {
	name string
	// res is nil for a metric the policy requires that the comparison
	// lacks.
	res   *compare.Result
	rules []string
	rank  int
}

func rankOf(st compare.Status, violated bool) int {
	if violated {
		return rankViolation
	}
	switch st {
	case compare.Regressed:
		return rankRegressed
	case compare.Removed:
		return rankRemoved
	case compare.New:
		return rankNew
	case compare.Improved:
		return rankImproved
	case compare.Unchanged:
		return rankUnchanged
	}
	return rankNotSignificant
}

// section is a block of rows, some of which may be left out to fit.
type section struct {
	// head precedes and tail follows the rows when any is kept.
	head, tail string
	rows       []string
	ranks      []int
	dropped    []bool
	kept       int
	keptBytes  int
	// note says how many rows were left out.
	note func(omitted, total int) string
}

func newSection(head, tail string, note func(omitted, total int) string) *section {
	return &section{head: head, tail: tail, note: note}
}

func (s *section) add(line string, rank int) {
	s.rows = append(s.rows, line)
	s.ranks = append(s.ranks, rank)
	s.dropped = append(s.dropped, false)
	s.kept++
	s.keptBytes += len(line)
}

func (s *section) drop(i int) {
	if !s.dropped[i] {
		s.dropped[i] = true
		s.kept--
		s.keptBytes -= len(s.rows[i])
	}
}

// size is the length of what write writes.
func (s *section) size() int {
	n := 0
	if s.kept > 0 {
		n += len(s.head) + s.keptBytes + 1 + len(s.tail)
	}
	if s.kept < len(s.rows) {
		n += len(s.note(len(s.rows)-s.kept, len(s.rows))) + 2
	}
	return n
}

func (s *section) write(b *strings.Builder) {
	if s.kept > 0 {
		b.WriteString(s.head)
		for i, r := range s.rows {
			if !s.dropped[i] {
				b.WriteString(r)
			}
		}
		b.WriteString("\n")
	}
	if s.kept < len(s.rows) {
		b.WriteString(s.note(len(s.rows)-s.kept, len(s.rows)))
		b.WriteString("\n\n")
	}
	if s.kept > 0 {
		b.WriteString(s.tail)
	}
}

// dropOrder returns the order in which to leave out the rows of s: least
// important rank first, and within a rank from the end.
func (s *section) dropOrder() []int {
	idx := make([]int, len(s.rows))
	for i := range idx {
		idx[i] = len(idx) - 1 - i
	}
	sort.SliceStable(idx, func(a, b int) bool { return s.ranks[idx[a]] > s.ranks[idx[b]] })
	return idx
}

// render writes the comment or the job summary within limit bytes.
func render(r Report, st style, limit int) string {
	c := r.Comparison
	if c == nil {
		c = &compare.Comparison{}
	}
	violated := map[string][]string{}
	var absent []string // violated metrics the comparison lacks, in verdict order
	seen := map[string]bool{}
	for _, m := range c.Metrics {
		seen[m.Name] = true
	}
	if r.Verdict != nil {
		for _, v := range r.Verdict.Violations {
			if _, ok := violated[v.Metric]; !ok && !seen[v.Metric] {
				absent = append(absent, v.Metric)
			}
			violated[v.Metric] = append(violated[v.Metric], v.Rule)
		}
	}
	var all []row
	counts := map[compare.Status]int{}
	for i := range c.Metrics {
		m := &c.Metrics[i]
		counts[m.Status]++
		rules := violated[m.Name]
		all = append(all, row{name: m.Name, res: m, rules: rules, rank: rankOf(m.Status, len(rules) > 0)})
	}
	var changes []row
	for _, x := range all {
		if x.rank <= rankImproved {
			changes = append(changes, x)
		}
	}
	for _, name := range absent {
		changes = append(changes, row{name: name, rules: violated[name], rank: rankViolation})
	}
	sort.SliceStable(changes, func(i, j int) bool { return changes[i].rank < changes[j].rank })

	levels := map[float64]bool{}
	methods := map[string]bool{}
	var methodOrder []string
	for _, m := range c.Metrics {
		if m.CI != nil {
			levels[m.CI.Level] = true
			if !methods[m.CI.Method] {
				methods[m.CI.Method] = true
				methodOrder = append(methodOrder, m.CI.Method)
			}
		}
	}
	ciHeader, level := "CI", 0.0
	if len(levels) == 1 {
		for l := range levels {
			level = l
		}
		ciHeader = numfmt.Num(level*100, 4) + "% CI"
	}
	tableHead := "| Metric | Base | Head | Δ | " + ciHeader + " | Status |\n|:---|---:|---:|---:|:---:|:---|\n"
	cells := func(x row) string { return tableRow(x, len(levels) > 1) }

	// Notes on left-out rows: what was left out, why, and where to look.
	why := fmt.Sprintf("to fit %s; %s", st.limitName, st.elsewhere)
	changesNote := func(omitted, total int) string {
		if omitted == total {
			return fmt.Sprintf("_… all %s omitted from this table %s._", numfmt.Plural(total, "changed metric", "changed metrics"), why)
		}
		return fmt.Sprintf("_… %s of %s omitted from this table %s._", numfmt.Count(omitted), numfmt.Plural(total, "changed metric", "changed metrics"), why)
	}
	fullNote := func(omitted, total int) string {
		if omitted == total {
			return fmt.Sprintf("_… the full table of %s omitted %s._", numfmt.Plural(total, "metric", "metrics"), why)
		}
		return fmt.Sprintf("_… %s of %s omitted from the full table %s._", numfmt.Count(omitted), numfmt.Plural(total, "metric", "metrics"), why)
	}
	violationsNote := func(omitted, total int) string {
		if omitted == total {
			return fmt.Sprintf("_… all %s omitted %s._", numfmt.Plural(total, "violation", "violations"), why)
		}
		return fmt.Sprintf("_… %s omitted %s._", numfmt.Plural(omitted, "more violation", "more violations"), why)
	}

	// The fixed parts.
	var top strings.Builder
	if st.marker {
		top.WriteString(Marker + "\n")
	}
	top.WriteString(verdictLine(r, len(c.Metrics), counts, st))
	if st.summary && r.Verdict != nil && len(r.Verdict.Violations) > 0 {
		top.WriteString("### Gate violations\n\n")
	}

	viols := newSection("", "", violationsNote)
	if r.Verdict != nil {
		for _, v := range r.Verdict.Violations {
			viols.add("- ✗ "+escape(truncate(v.Message, maxMessageRunes))+"\n", rankViolation)
		}
	}

	changesHead := "**Changes**\n\n"
	if st.summary {
		changesHead = "### Changes\n\n"
	}
	changed := newSection(changesHead+tableHead, "", changesNote)
	for _, x := range changes {
		changed.add(cells(x), x.rank)
	}
	var middle string
	switch {
	case len(c.Metrics) == 0 && len(changes) == 0:
		middle = "No metrics to compare.\n\n"
	case len(changes) == 0:
		middle = "No significant changes.\n\n"
	}

	fullHead := fmt.Sprintf("<details>\n<summary>All %s</summary>\n\n", numfmt.Plural(len(all), "metric", "metrics")) + tableHead
	fullTail := "</details>\n\n"
	if st.summary {
		fullHead, fullTail = fmt.Sprintf("### All %s\n\n", numfmt.Plural(len(all), "metric", "metrics"))+tableHead, ""
	}
	full := newSection(fullHead, fullTail, fullNote)
	for _, x := range all {
		full.add(cells(x), x.rank)
	}

	foot := footer(c, level, len(levels) > 1, methodOrder)

	// Leave rows out until it fits: the full table, then the changes, then
	// the violations.
	fixed := top.Len() + len(middle) + len(foot)
	total := func() int { return fixed + viols.size() + changed.size() + full.size() }
	for _, s := range []*section{full, changed, viols} {
		for _, i := range s.dropOrder() {
			if total() <= limit {
				break
			}
			s.drop(i)
		}
	}

	var b strings.Builder
	b.Grow(total())
	b.WriteString(top.String())
	viols.write(&b)
	b.WriteString(middle)
	changed.write(&b)
	full.write(&b)
	b.WriteString(foot)
	out := b.String()
	if len(out) > limit {
		// Impossible to fit even the fixed parts: keep whole lines.
		out = out[:max(limit, 0)]
		out = out[:strings.LastIndexByte(out, '\n')+1]
	}
	return out
}

// verdictLine is the one-line verdict, followed by a blank line.
func verdictLine(r Report, metrics int, counts map[compare.Status]int, st style) string {
	name := "modelci"
	if r.Title != "" {
		name += " · " + escape(truncate(r.Title, maxTitleRunes))
	}
	outcome := "no policy"
	if r.Verdict != nil {
		outcome = "gate passed"
		if !r.Verdict.Passed {
			outcome = "gate failed"
		}
	}
	var parts []string
	if n := counts[compare.Regressed]; n > 0 {
		parts = append(parts, numfmt.Plural(n, "regression", "regressions"))
	}
	if r.Verdict != nil && len(r.Verdict.Violations) > 0 {
		parts = append(parts, numfmt.Plural(len(r.Verdict.Violations), "violation", "violations"))
	}
	if n := counts[compare.Improved]; n > 0 {
		parts = append(parts, numfmt.Plural(n, "improvement", "improvements"))
	}
	if n := counts[compare.New]; n > 0 {
		parts = append(parts, numfmt.Count(n)+" new")
	}
	if n := counts[compare.Removed]; n > 0 {
		parts = append(parts, numfmt.Count(n)+" removed")
	}
	detail := strings.Join(parts, ", ")
	switch {
	case metrics == 0:
		detail = "no metrics"
	case detail == "":
		detail = "no significant changes"
	}
	if metrics > 0 {
		detail += " · " + numfmt.Plural(metrics, "metric", "metrics")
	}
	if st.summary {
		return fmt.Sprintf("## %s: %s\n\n%s\n\n", name, outcome, capitalize(detail))
	}
	return fmt.Sprintf("**%s: %s** — %s\n\n", name, outcome, detail)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// statusCell marks the status of a row: ↑ improved, ↓ regressed,
// ≈ not significant, = unchanged, + new, − removed, then ✗ and the rules
// a violation broke.
func statusCell(x row) string {
	var s string
	if x.res == nil {
		s = "− missing"
	} else {
		switch x.res.Status {
		case compare.Improved:
			s = "↑ improved"
		case compare.Regressed:
			s = "↓ regressed"
		case compare.NotSignificant:
			s = "≈ not significant"
		case compare.Unchanged:
			s = "= unchanged"
		case compare.New:
			s = "+ new"
		case compare.Removed:
			s = "− removed"
		default:
			s = escape(string(x.res.Status))
		}
	}
	if len(x.rules) > 0 {
		s += " ✗ " + escape(strings.Join(x.rules, ", "))
	}
	return s
}

// tableRow renders one row of a metrics table, ending in a newline.
func tableRow(x row, ciLevels bool) string {
	base, head, delta, ci := "—", "—", "—", "—"
	if m := x.res; m != nil {
		switch {
		case m.Base != nil && m.Head != nil:
			base, head = numfmt.Pair(*m.Base, *m.Head, 4)
		case m.Base != nil:
			base = numfmt.Num(*m.Base, 4)
		case m.Head != nil:
			head = numfmt.Num(*m.Head, 4)
		}
		if m.Delta != nil {
			delta = numfmt.Signed(*m.Delta, 4)
			if *m.Delta == 0 {
				delta = "0"
			}
			if m.Relative != nil {
				delta += " (" + numfmt.Signed(*m.Relative*100, 3) + "%)"
			}
		}
		if m.CI != nil {
			lo, hi := numfmt.Pair(m.CI.Low, m.CI.High, 4)
			if m.CI.Low > 0 {
				lo = "+" + lo
			}
			if m.CI.High > 0 {
				hi = "+" + hi
			}
			ci = "[" + lo + ", " + hi + "]"
			if ciLevels {
				ci += " " + numfmt.Num(m.CI.Level*100, 4) + "%"
			}
		}
	}
	return "| " + escape(truncate(x.name, maxNameRunes)) + " | " + base + " | " + head + " | " + delta + " | " + ci + " | " + statusCell(x) + " |\n"
}

// footer counts the examples and explains Δ and the intervals.
func footer(c *compare.Comparison, level float64, mixedLevels bool, methods []string) string {
	s := fmt.Sprintf("%s; %s only in base, %s only in head.", numfmt.Plural(c.Paired, "paired example", "paired examples"),
		numfmt.Count(c.Unpaired.Base), numfmt.Count(c.Unpaired.Head))
	s += " Δ = head − base"
	if len(methods) > 0 {
		names := make([]string, len(methods))
		for i, m := range methods {
			switch m {
			case compare.MethodBootstrap:
				names[i] = "paired bootstrap"
			case compare.MethodStdErr:
				names[i] = "standard errors"
			default:
				names[i] = escape(truncate(m, 50))
			}
		}
		if mixedLevels {
			s += "; CI: confidence interval of Δ"
		} else {
			s += "; CI: " + numfmt.Num(level*100, 4) + "% confidence interval of Δ"
		}
		s += " (" + strings.Join(names, ", ") + ")"
	}
	return s + ".\n"
}

// truncate cuts s to n runes, marking the cut with "…", and makes it
// valid UTF-8.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for j := range s {
		if count == n-1 {
			i = j
			break
		}
		count++
	}
	return s[:i] + "…"
}

// escape makes text safe in Markdown tables and paragraphs: HTML is
// neutralized, Markdown punctuation and pipes are backslash-escaped,
// newlines become spaces and other control characters are dropped.
func escape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\\', '`', '*', '_', '[', ']', '|', '~', '$', '#', '!':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}
