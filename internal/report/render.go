package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/modelci/modelci/internal/compare"
	"github.com/modelci/modelci/internal/numfmt"
)

// style is what differs between the comment and the job summary.
type style struct {
	// marker starts the output with Marker.
	marker bool
	// summary uses headings and an expanded table of the other metrics.
	summary bool
	// maxItems caps the violations and the warnings listed; 0 lists
	// all.
	maxItems int
	// limitName and elsewhere complete the note on omitted rows.
	limitName, elsewhere string
}

var (
	commentStyle = style{marker: true, maxItems: 20, limitName: "GitHub's comment limit", elsewhere: "see the job summary or the JSON report"}
	summaryStyle = style{summary: true, limitName: "the job summary limit", elsewhere: "see the JSON report"}
)

// maxMessageRunes caps a message taken from the input. The JSON report has
// the full text.
const maxMessageRunes = 500

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

// cap leaves out the rows after the first n; 0 keeps all.
func (s *section) cap(n int) {
	for i := n; n > 0 && i < len(s.rows); i++ {
		s.drop(i)
	}
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
	t := newTables(r, c)
	ci := newCIColumn(c.Metrics)
	n := notes{why: fmt.Sprintf("to fit %s; %s", st.limitName, st.elsewhere), elsewhere: st.elsewhere}
	d := document{
		top:    topOf(r, st, t, len(c.Metrics)),
		viols:  violationsSection(t, st, n),
		warns:  warningsSection(Warnings(r), st, n),
		policy: policySection(r.PolicyChange, st, n),
		middle: t.noChanges(len(c.Metrics)),
		main:   mainSection(t, ci, st, n),
		other:  otherSection(t, ci, st, n),
		foot:   footer(c, ci, t),
	}
	d.fit(limit)
	return d.String(limit)
}

// noChanges is the line that stands in for an empty main table, or ""
// when it has rows.
func (t tables) noChanges(metrics int) string {
	switch {
	case len(t.main) > 0:
		return ""
	case metrics == 0:
		return "No metrics to compare.\n\n"
	case t.policy:
		return "No gated metrics and no significant changes.\n\n"
	}
	return "No significant changes.\n\n"
}

// notes say how many rows of a section were left out, why, and where to
// find them: the reader must know the comment is not the whole story.
type notes struct {
	// why is the reason and where to look; elsewhere only where.
	why, elsewhere string
}

func (n notes) main(omitted, total int) string {
	if omitted == total {
		return fmt.Sprintf("_… all %s of this table omitted %s._", numfmt.Plural(total, "row", "rows"), n.why)
	}
	return fmt.Sprintf("_… %s of %s omitted from this table %s._", numfmt.Count(omitted), numfmt.Plural(total, "row", "rows"), n.why)
}

func (n notes) other(omitted, total int) string {
	if omitted == total {
		return fmt.Sprintf("_… the table of %s omitted %s._", numfmt.Plural(total, "more metric", "more metrics"), n.why)
	}
	return fmt.Sprintf("_… %s of %s omitted %s._", numfmt.Count(omitted), numfmt.Plural(total, "more metric", "more metrics"), n.why)
}

func (n notes) warnings(omitted, total int) string {
	if omitted == total {
		return fmt.Sprintf("_… all %s omitted %s._", numfmt.Plural(total, "warning", "warnings"), n.why)
	}
	return fmt.Sprintf("_… and %s: %s._", numfmt.Plural(omitted, "more warning", "more warnings"), n.elsewhere)
}

func (n notes) violations(omitted, total int) string {
	if omitted == total {
		return fmt.Sprintf("_… all %s omitted %s._", numfmt.Plural(total, "violation", "violations"), n.why)
	}
	return fmt.Sprintf("_… and %s, less severe: %s._", numfmt.Plural(omitted, "more violation", "more violations"), n.elsewhere)
}

// topOf is what is never left out: the marker, the verdict, and the
// heading of the violations that follow it.
func topOf(r Report, st style, t tables, metrics int) string {
	var top strings.Builder
	if st.marker {
		top.WriteString(Marker + "\n")
	}
	top.WriteString(verdictLine(r, t, metrics, st))
	if r.Baseline != "" {
		top.WriteString("Baseline: " + codeSpan(truncate(strings.Join(strings.Fields(r.Baseline), " "), maxBaselineRunes)) + "\n\n")
	}
	if st.summary && len(t.violations) > 0 {
		top.WriteString("### Gate violations\n\n")
	}
	return top.String()
}

// violationsSection lists the violations, the most exceeded first, at most
// st.maxItems of them.
func violationsSection(t tables, st style, n notes) *section {
	s := newSection("", "", n.violations)
	for _, x := range t.violations {
		s.add("- ✗ "+message(x.Message, x.Metric, maxMessageRunes)+"\n", rankViolation)
	}
	s.cap(st.maxItems)
	return s
}

// warningsSection lists the comparison's warnings, at most st.maxItems of
// them.
func warningsSection(ws []compare.Warning, st style, n notes) *section {
	head := ""
	if st.summary {
		head = "### Warnings\n\n"
	}
	s := newSection(head, "", n.warnings)
	for _, w := range ws {
		s.add("- ⚠️ "+message(w.Message, w.Metric, maxMessageRunes)+"\n", rankViolation)
	}
	s.cap(st.maxItems)
	return s
}

// mainSection is the table that is always shown: the gated metrics, then
// the other changes.
func mainSection(t tables, ci ciColumn, st style, n notes) *section {
	title := "Changes"
	if t.gated > 0 {
		title = "Gated metrics and changes"
	}
	head := "**" + title + "**\n\n"
	if st.summary {
		head = "### " + title + "\n\n"
	}
	s := newSection(head+ci.tableHead(), "", n.main)
	for _, x := range t.main {
		s.add(tableRow(x, ci.mixed), x.rank)
	}
	return s
}

// otherSection is the table of the other metrics, neither gated nor
// changed: collapsed in the comment, expanded in the job summary, which
// has room.
func otherSection(t tables, ci ciColumn, st style, n notes) *section {
	title := numfmt.Plural(len(t.other), "more metric", "more metrics")
	if t.policy {
		title += ", not gated,"
	}
	title += " with no significant change"
	head := "<details>\n<summary>" + title + "</summary>\n\n" + ci.tableHead()
	tail := "</details>\n\n"
	if st.summary {
		head, tail = "### "+capitalize(title)+"\n\n"+ci.tableHead(), ""
	}
	s := newSection(head, tail, n.other)
	for _, x := range t.other {
		s.add(tableRow(x, ci.mixed), x.rank)
	}
	return s
}

// document is the output in its parts, in order; only the sections' rows
// can be left out.
type document struct {
	top    string
	viols  *section
	warns  *section
	policy *section
	middle string
	main   *section
	other  *section
	foot   string
}

func (d *document) size() int {
	return len(d.top) + len(d.middle) + len(d.foot) + d.viols.size() + d.warns.size() + d.policy.size() + d.main.size() + d.other.size()
}

// fit leaves rows out until the document fits in limit bytes: the other
// metrics' first, then the main table's (ungated changes before gated
// metrics, violations last), then the warnings', the policy change's, and
// the violations' last, since they decide the verdict.
func (d *document) fit(limit int) {
	for _, s := range []*section{d.other, d.main, d.warns, d.policy, d.viols} {
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
	d.warns.write(&b)
	d.policy.write(&b)
	b.WriteString(d.middle)
	d.main.write(&b)
	d.other.write(&b)
	b.WriteString(d.foot)
	out := b.String()
	if len(out) > limit {
		// Keep whole lines, so no Markdown construct is cut in half.
		out = out[:max(limit, 0)]
		out = out[:strings.LastIndexByte(out, '\n')+1]
	}
	return out
}
