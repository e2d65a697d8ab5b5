package report

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/modelci/modelci/internal/compare"
	"github.com/modelci/modelci/internal/numfmt"
	"github.com/modelci/modelci/internal/policy"
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
	t := newTables(c, r.Verdict)
	ci := newCIColumn(c.Metrics)
	n := notes{why: fmt.Sprintf("to fit %s; %s", st.limitName, st.elsewhere)}
	d := document{
		top:     topOf(r, st, len(c.Metrics), t.counts),
		viols:   violationsSection(r.Verdict, n),
		policy:  policySection(r.PolicyChange, st, n),
		middle:  t.noChanges(len(c.Metrics)),
		changed: changesSection(t.changes, ci, st, n),
		full:    fullSection(t.all, ci, st, n),
		foot:    footer(c, ci),
	}
	d.fit(limit)
	return d.String(limit)
}

// tables are the rows of the two metric tables, ranked, and the number of
// metrics of each status.
type tables struct {
	// all has every metric of the comparison, in its order.
	all []row
	// changes has the changed and the violating metrics, most important
	// first, then in the comparison's order; a violated metric the
	// comparison lacks is a row without a result.
	changes []row
	counts  map[compare.Status]int
}

func newTables(c *compare.Comparison, v *policy.Verdict) tables {
	violated, absent := violations(c, v)
	t := tables{counts: map[compare.Status]int{}}
	for i := range c.Metrics {
		m := &c.Metrics[i]
		t.counts[m.Status]++
		rules := violated[m.Name]
		t.all = append(t.all, row{name: m.Name, res: m, rules: rules, rank: rankOf(m.Status, len(rules) > 0)})
	}
	for _, x := range t.all {
		if x.rank <= rankImproved {
			t.changes = append(t.changes, x)
		}
	}
	for _, name := range absent {
		t.changes = append(t.changes, row{name: name, rules: violated[name], rank: rankViolation})
	}
	sort.SliceStable(t.changes, func(i, j int) bool { return t.changes[i].rank < t.changes[j].rank })
	return t
}

// violations returns the rules each metric broke, and the violated
// metrics the comparison lacks (a required metric that is missing), in
// the verdict's order.
func violations(c *compare.Comparison, v *policy.Verdict) (violated map[string][]string, absent []string) {
	violated = map[string][]string{}
	if v == nil {
		return violated, nil
	}
	seen := map[string]bool{}
	for _, m := range c.Metrics {
		seen[m.Name] = true
	}
	for _, x := range v.Violations {
		if _, ok := violated[x.Metric]; !ok && !seen[x.Metric] {
			absent = append(absent, x.Metric)
		}
		violated[x.Metric] = append(violated[x.Metric], x.Rule)
	}
	return violated, absent
}

// noChanges is the line that stands in for an empty table of changes, or
// "" when it has rows.
func (t tables) noChanges(metrics int) string {
	switch {
	case metrics == 0 && len(t.changes) == 0:
		return "No metrics to compare.\n\n"
	case len(t.changes) == 0:
		return "No significant changes.\n\n"
	}
	return ""
}

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

// notes say how many rows of a section were left out, why, and where to
// find them: the reader must know the comment is not the whole story.
type notes struct {
	// why is the reason and where to look.
	why string
}

func (n notes) changes(omitted, total int) string {
	if omitted == total {
		return fmt.Sprintf("_… all %s omitted from this table %s._", numfmt.Plural(total, "changed metric", "changed metrics"), n.why)
	}
	return fmt.Sprintf("_… %s of %s omitted from this table %s._", numfmt.Count(omitted), numfmt.Plural(total, "changed metric", "changed metrics"), n.why)
}

func (n notes) full(omitted, total int) string {
	if omitted == total {
		return fmt.Sprintf("_… the full table of %s omitted %s._", numfmt.Plural(total, "metric", "metrics"), n.why)
	}
	return fmt.Sprintf("_… %s of %s omitted from the full table %s._", numfmt.Count(omitted), numfmt.Plural(total, "metric", "metrics"), n.why)
}

func (n notes) violations(omitted, total int) string {
	if omitted == total {
		return fmt.Sprintf("_… all %s omitted %s._", numfmt.Plural(total, "violation", "violations"), n.why)
	}
	return fmt.Sprintf("_… %s omitted %s._", numfmt.Plural(omitted, "more violation", "more violations"), n.why)
}

// topOf is what is never left out: the marker, the verdict, and the
// heading of the violations that follow it.
func topOf(r Report, st style, metrics int, counts map[compare.Status]int) string {
	var top strings.Builder
	if st.marker {
		top.WriteString(Marker + "\n")
	}
	top.WriteString(verdictLine(r, metrics, counts, st))
	if st.summary && r.Verdict != nil && len(r.Verdict.Violations) > 0 {
		top.WriteString("### Gate violations\n\n")
	}
	return top.String()
}

func violationsSection(v *policy.Verdict, n notes) *section {
	s := newSection("", "", n.violations)
	if v != nil {
		for _, x := range v.Violations {
			s.add("- ✗ "+escape(truncate(x.Message, maxMessageRunes))+"\n", rankViolation)
		}
	}
	return s
}

func changesSection(changes []row, ci ciColumn, st style, n notes) *section {
	head := "**Changes**\n\n"
	if st.summary {
		head = "### Changes\n\n"
	}
	s := newSection(head+ci.tableHead(), "", n.changes)
	for _, x := range changes {
		s.add(tableRow(x, ci.mixed), x.rank)
	}
	return s
}

// fullSection is the table of all metrics: collapsed in the comment, where
// the changes matter, and expanded in the job summary, which has room.
func fullSection(all []row, ci ciColumn, st style, n notes) *section {
	title := "All " + numfmt.Plural(len(all), "metric", "metrics")
	head := "<details>\n<summary>" + title + "</summary>\n\n" + ci.tableHead()
	tail := "</details>\n\n"
	if st.summary {
		head, tail = "### "+title+"\n\n"+ci.tableHead(), ""
	}
	s := newSection(head, tail, n.full)
	for _, x := range all {
		s.add(tableRow(x, ci.mixed), x.rank)
	}
	return s
}

// document is the output in its parts, in order; only the sections' rows
// can be left out.
type document struct {
	top     string
	viols   *section
	policy  *section
	middle  string
	changed *section
	full    *section
	foot    string
}

func (d *document) size() int {
	return len(d.top) + len(d.middle) + len(d.foot) + d.viols.size() + d.policy.size() + d.changed.size() + d.full.size()
}

// fit leaves rows out until the document fits in limit bytes: the full
// table's first, as the changes repeat what matters in it, then the
// changes', and the violations' last, since they decide the verdict.
func (d *document) fit(limit int) {
	for _, s := range []*section{d.full, d.changed, d.policy, d.viols} {
		for _, i := range s.dropOrder() {
			if d.size() <= limit {
				break
			}
			s.drop(i)
		}
	}
}

// String writes the document, cut to limit bytes if even its fixed parts
// do not fit.
func (d *document) String(limit int) string {
	var b strings.Builder
	b.Grow(d.size())
	b.WriteString(d.top)
	d.viols.write(&b)
	d.policy.write(&b)
	b.WriteString(d.middle)
	d.changed.write(&b)
	d.full.write(&b)
	b.WriteString(d.foot)
	out := b.String()
	if len(out) > limit {
		// Keep whole lines, so no Markdown construct is cut in half.
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
func footer(c *compare.Comparison, ci ciColumn) string {
	s := fmt.Sprintf("%s; %s only in base, %s only in head.", numfmt.Plural(c.Paired, "paired example", "paired examples"),
		numfmt.Count(c.Unpaired.Base), numfmt.Count(c.Unpaired.Head))
	s += " Δ = head − base"
	if len(ci.methods) > 0 {
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
		if ci.mixed {
			s += "; CI: confidence interval of Δ"
		} else {
			s += "; CI: " + numfmt.Num(ci.level*100, 4) + "% confidence interval of Δ"
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
