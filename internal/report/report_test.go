package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"

	"github.com/modelci/modelci/internal/compare"
	"github.com/modelci/modelci/internal/numfmt"
	"github.com/modelci/modelci/internal/policy"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func f(v float64) *float64 { return &v }

// metric builds a result the way compare would: delta and relative from
// base and head.
func metric(name string, base, head *float64, dir compare.Direction, st compare.Status, ci *compare.Interval) compare.Result {
	r := compare.Result{Name: name, Base: base, Head: head, Direction: dir, Status: st, CI: ci}
	if base != nil && head != nil {
		d := *head - *base
		r.Delta = &d
		if *base != 0 {
			rel := d / abs(*base)
			r.Relative = &rel
		}
	}
	if ci != nil && ci.Method == compare.MethodBootstrap {
		r.Examples = 1797
	}
	return r
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func boot(lo, hi float64) *compare.Interval {
	return &compare.Interval{Low: lo, High: hi, Level: 0.95, Method: compare.MethodBootstrap}
}

// gate returns r gated by the policy in yaml: its policy and verdict set.
func gate(t testing.TB, yaml string, r Report) Report {
	t.Helper()
	p, err := policy.Parse(".modelci.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	v := p.Evaluate(r.Comparison)
	r.Policy, r.Verdict = p, &v
	return r
}

const hi, lo = compare.HigherIsBetter, compare.LowerIsBetter

// cases are the representative reports with golden files.
func cases(t testing.TB) []struct {
	name  string
	r     Report
	limit int // comment limit; 0 means CommentLimit
} {
	mixed := &compare.Comparison{
		Metrics: []compare.Result{
			metric("accuracy", f(0.95), f(0.938), hi, compare.Regressed, boot(-0.0181, -0.0062)),
			metric("eval.f1|macro", f(0.9412), f(0.9433), hi, compare.NotSignificant, boot(-0.0011, 0.0052)),
			metric("eval_loss", f(0.2104), f(0.1987), lo, compare.Improved, boot(-0.0152, -0.0081)),
			metric("hellaswag.acc,none", f(0.5712), f(0.5712), hi, compare.Unchanged, &compare.Interval{Level: 0.95, Method: compare.MethodStdErr}),
			metric("latency_p50_ms", f(41.2), f(38.75), lo, compare.ChangedNoInterval, nil),
			metric("latency_p99_ms", f(88.1), f(97.3), lo, compare.ChangedNoInterval, nil),
			metric("model_size_mb", nil, f(12.5), lo, compare.New, nil),
			metric("peak_memory_mb", f(512), nil, lo, compare.Removed, nil),
			metric("precision_<b>", f(0.91), f(0.91000004), hi, compare.NotSignificant, boot(-0.00002, 0.00003)),
		},
		Paired:   1797,
		Unpaired: compare.Unpaired{Base: 3, Head: 0},
	}
	mixedPolicy := `
defaults: {max_drop: 1%}
metrics:
  accuracy: {min: 0.94, max_drop: 0.5%}
  "latency_*": {direction: lower, max: 90, max_increase: 5%}
  robustness: {min: 0.5}
`
	passed := &compare.Comparison{
		Metrics: []compare.Result{
			metric("accuracy", f(0.9501), f(0.9612), hi, compare.Improved, boot(0.0043, 0.0179)),
			metric("eval_loss", f(0.2104), f(0.2109), lo, compare.NotSignificant, boot(-0.0031, 0.0042)),
			metric("latency_ms", f(12), f(12), lo, compare.Unchanged, nil),
		},
		Paired: 360,
	}
	noPolicy := &compare.Comparison{
		Metrics: []compare.Result{
			metric("acc", f(0.8123), f(0.7902), hi, compare.Regressed, boot(-0.031, -0.0132)),
			metric("loss", f(0.51), f(0.52), lo, compare.NotSignificant, boot(-0.004, 0.024)),
		},
		Paired:   1000,
		Unpaired: compare.Unpaired{Base: 0, Head: 12},
	}
	failed := &compare.Comparison{
		Metrics: []compare.Result{
			metric("accuracy", f(0.95), f(0.912), hi, compare.Regressed, boot(-0.052, -0.024)),
			metric("latency_p50", f(42), f(51.3), lo, compare.ChangedNoInterval, nil),
		},
		Paired: 1797,
	}
	return []struct {
		name  string
		r     Report
		limit int
	}{
		{"mixed", gate(t, mixedPolicy, Report{Comparison: mixed, Title: "digits"}), 0},
		{"gate-passed", gate(t, "defaults: {max_drop: 1%}\nmetrics: {accuracy: {min: 0.9}}", Report{Comparison: passed}), 0},
		{"gate-failed", gate(t, "metrics:\n  accuracy: {min: 0.93, max_drop: 0.5%}\n  latency_p50: {max: 50}\n", Report{Comparison: failed}), 0},
		{"policy-changed", gate(t, gatePolicy, Report{Comparison: passed, PolicyChange: policyChange(t, gatePolicy, proposedPolicy)}), 0},
		{"no-policy", Report{Comparison: noPolicy}, 0},
		{"empty", Report{}, 0},
		{"truncated", gate(t, "metrics: {\"task_00*\": {max_drop: 1%}}", Report{Comparison: manyTasks(), Title: "many tasks"}), 8000},
		{"passed-regressions", gate(t, digitsPolicy, Report{Comparison: passedRegressions(), Title: "digits"}), 0},
		{"aggregate-only", gate(t, "metrics: {\"latency_*\": {max: 100}}", Report{Comparison: aggregateOnly()}), 0},
		{"many-violations", gate(t, "defaults: {min: 0.9}", Report{Comparison: manyViolations()}), 0},
		{"hostile-names", Report{Comparison: hostile(), Title: "@org/team see https://evil.example \u202egnp.exe"}, 0},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/report -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test ./internal/report -update and review the diff)\n--- got:\n%s", path, got)
	}
}

func TestGolden(t *testing.T) {
	for _, tc := range cases(t) {
		t.Run(tc.name, func(t *testing.T) {
			limit := tc.limit
			if limit == 0 {
				limit = CommentLimit
			}
			comment := MarkdownWithin(tc.r, limit)
			summary := render(tc.r, summaryStyle, max(limit, 2*tc.limit))
			if tc.limit == 0 {
				if comment != Markdown(tc.r) {
					t.Error("Markdown differs from MarkdownWithin(CommentLimit)")
				}
				if summary != Summary(tc.r) {
					t.Error("Summary differs from render(SummaryLimit)")
				}
			}
			js, err := JSON(tc.r)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+".comment.md", []byte(comment))
			golden(t, tc.name+".summary.md", []byte(summary))
			golden(t, tc.name+".json", js)
			checkMarkdown(t, comment, limit)
			checkMarkdown(t, summary, SummaryLimit)
			if !strings.HasPrefix(comment, Marker+"\n") {
				t.Error("comment does not start with the marker line")
			}
		})
	}
}

var (
	trRE    = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	cellRE  = regexp.MustCompile(`(?s)<t[hd][^>]*>(.*?)</t[hd]>`)
	tableRE = regexp.MustCompile(`(?s)<table>(.*?)</table>`)
	codeRE  = regexp.MustCompile(`(?s)<code>(.*?)</code>`)
	// omitRE and allOmitRE match the notes on rows left out of the
	// metrics tables.
	omitRE    = regexp.MustCompile(`_… ([\d,]+) of [\d,]+ (?:rows omitted from this table|more metrics? omitted)`)
	allOmitRE = regexp.MustCompile(`_… (?:all ([\d,]+) rows? of this table|the table of ([\d,]+) more metrics?) omitted`)
	mdRowRE   = regexp.MustCompile(`(?m)^\| .*\|$`)
	mdSepRE   = regexp.MustCompile(`(?m)^\|:---\|`)
	detailRE  = regexp.MustCompile(`(?m)^<details>\n<summary>`)
)

// toHTML renders Markdown as GitHub would, close enough: GFM with raw HTML.
func toHTML(t testing.TB, md string) string {
	t.Helper()
	var buf bytes.Buffer
	gm := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))
	if err := gm.Convert([]byte(md), &buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// checkMarkdown checks that out is within limit and well formed: valid
// UTF-8, the <details> it opens balanced in the HTML, every Markdown table
// row rendered as an HTML row with as many cells as its table's header.
func checkMarkdown(t *testing.T, out string, limit int) {
	t.Helper()
	if len(out) > limit {
		t.Errorf("length %d > limit %d", len(out), limit)
	}
	if !utf8.ValidString(out) {
		t.Error("not valid UTF-8")
	}
	h := toHTML(t, out)
	want := len(detailRE.FindAllString(out, -1))
	if o, c := strings.Count(h, "<details>"), strings.Count(h, "</details>"); o != c || o != want {
		t.Errorf("HTML has %d <details>, %d </details>; the Markdown opens %d", o, c, want)
	}
	tables := tableRE.FindAllString(h, -1)
	if want := len(mdSepRE.FindAllString(out, -1)); len(tables) != want {
		t.Errorf("HTML has %d tables, Markdown %d", len(tables), want)
	}
	rows := 0
	for _, tb := range tables {
		want := -1 // the header's number of cells
		for _, tr := range trRE.FindAllStringSubmatch(tb, -1) {
			rows++
			n := len(cellRE.FindAllString(tr[1], -1))
			if want < 0 {
				want = n
			}
			if n != want {
				t.Errorf("table row with %d cells, want %d: %s", n, want, tr[0])
			}
		}
	}
	if want := len(mdRowRE.FindAllString(out, -1)); rows != want {
		t.Errorf("HTML has %d table rows, Markdown %d (header rows included)", rows, want)
	}
	if strings.Contains(h, "<p>|") {
		t.Error("a table row rendered as a paragraph")
	}
}

// metricRows returns the rows of the HTML's metrics tables (those whose
// first cell is a metric's name), each as its cells, no-break spaces read
// as spaces.
func metricRows(h string) [][]string {
	var out [][]string
	for _, tb := range tableRE.FindAllStringSubmatch(h, -1) {
		if !strings.Contains(tb[1], ">Metric</th>") {
			continue
		}
		for _, tr := range trRE.FindAllStringSubmatch(tb[1], -1)[1:] {
			var cells []string
			for _, c := range cellRE.FindAllStringSubmatch(tr[1], -1) {
				cells = append(cells, strings.ReplaceAll(c[1], "\u00a0", " "))
			}
			out = append(out, cells)
		}
	}
	return out
}

// omitted is the number of metrics rows the notes of out say were left out.
func omitted(out string) int {
	n := 0
	for _, m := range omitRE.FindAllStringSubmatch(out, -1) {
		k, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
		n += k
	}
	for _, m := range allOmitRE.FindAllStringSubmatch(out, -1) {
		k, _ := strconv.Atoi(strings.ReplaceAll(m[1]+m[2], ",", ""))
		n += k
	}
	return n
}

// TestRowsSurviveGFM checks that every metric, and every violated metric
// the comparison lacks, is a row of one table or counted as left out.
func TestRowsSurviveGFM(t *testing.T) {
	for _, tc := range cases(t) {
		limit := tc.limit
		if limit == 0 {
			limit = CommentLimit
		}
		for style, out := range map[string]string{"comment": MarkdownWithin(tc.r, limit), "summary": Summary(tc.r)} {
			want := len(tc.r.comparisonMetrics())
			seen := map[string]bool{}
			for _, m := range tc.r.comparisonMetrics() {
				seen[m.Name] = true
			}
			if v := tc.r.Verdict; v != nil {
				for _, x := range v.Violations {
					if !seen[x.Metric] {
						seen[x.Metric] = true
						want++
					}
				}
			}
			rows := metricRows(toHTML(t, out))
			if got := len(rows) + omitted(out); got != want {
				t.Errorf("%s %s: %d rows + %d omitted, want %d metrics", tc.name, style, len(rows), omitted(out), want)
			}
		}
	}
}

func (r Report) comparisonMetrics() []compare.Result {
	if r.Comparison == nil {
		return nil
	}
	return r.Comparison.Metrics
}

func TestEscapedNamesRoundTrip(t *testing.T) {
	names := []string{"a|b", "`code`", "<script>alert(1)</script>", "x\ny", `a\|b`, "**bold**", "$x$", "snake_case_name",
		"[link](http://x)", "~~gone~~", "&amp;", "|", "\\", "#1", "!img", "é→ü 日本", "tab\there", "``", "` x `"}
	var c compare.Comparison
	for _, n := range names {
		c.Metrics = append(c.Metrics, metric(n, f(1), f(2), hi, compare.Improved, nil))
	}
	out := Markdown(Report{Comparison: &c, Title: "<b>|title|</b>"})
	checkMarkdown(t, out, CommentLimit)
	h := toHTML(t, out)
	rows := metricRows(h)
	if len(rows) != len(names) {
		t.Fatalf("%d rows, want %d", len(rows), len(names))
	}
	for i, n := range names {
		m := codeRE.FindStringSubmatch(rows[i][0])
		if m == nil || strings.Contains(m[1], "<") {
			t.Errorf("row %d: name cell %q is not one code span", i, rows[i][0])
			continue
		}
		want := strings.NewReplacer("\n", " ", "\t", " ").Replace(n)
		if got := html.UnescapeString(m[1]); got != want && got != strings.TrimSpace(want) {
			t.Errorf("row %d: name renders as %q, want %q", i, got, want)
		}
	}
	if strings.Contains(h, "<b>") || strings.Contains(h, "<script>") {
		t.Error("raw HTML from the input reached the output")
	}
}

// bigReport has n metrics with long names, mixed statuses, and violations
// on every metric whose index is a multiple of violEvery.
func bigReport(t testing.TB, n, violEvery int) Report {
	var c compare.Comparison
	statuses := []compare.Status{compare.Unchanged, compare.NotSignificant, compare.Improved, compare.Regressed, compare.New, compare.Removed, compare.NotSignificant}
	long := strings.Repeat("déjà_vu|", 20) // multi-byte runes and pipes, past maxNameRunes
	var vs []policy.Violation
	for i := range n {
		st := statuses[i%len(statuses)]
		name := fmt.Sprintf("%05d.%s", i, long)
		b, h := f(0.5+float64(i%97)/1000), f(0.49+float64(i%89)/1000)
		switch st {
		case compare.New:
			b = nil
		case compare.Removed:
			h = nil
		}
		c.Metrics = append(c.Metrics, metric(name, b, h, hi, st, boot(-0.01, 0.002)))
		if violEvery > 0 && i%violEvery == 0 {
			vs = append(vs, policy.Violation{Metric: name, Rule: "min", Message: name + " 0.49 is below min 0.5"})
		}
	}
	c.Paired, c.Unpaired = 123456, compare.Unpaired{Base: 7, Head: 1}
	v := &policy.Verdict{Passed: len(vs) == 0, Violations: vs}
	return Report{Comparison: &c, Verdict: v, Title: strings.Repeat("ü", 500)}
}

func TestHugeComment(t *testing.T) {
	tests := []struct {
		name     string
		n, every int
	}{
		{"10000 metrics, 100 violations", 10000, 100},
		{"10000 metrics, no policy violations", 10000, 0},
		{"10000 metrics, all violations", 10000, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := bigReport(t, tt.n, tt.every)
			out := Markdown(r)
			checkMarkdown(t, out, CommentLimit)
			if len(out) < CommentLimit-2000 {
				t.Errorf("length %d: the budget is poorly used", len(out))
			}
			if !strings.Contains(out, "to fit GitHub's comment limit; see the job summary or the JSON report") {
				t.Error("no note on omitted rows")
			}
			nv := len(r.Verdict.Violations)
			if got, want := strings.Count(out, "\n- ✗ "), min(nv, commentStyle.maxItems); got != want {
				t.Errorf("%d violations listed, want %d", got, want)
			}
			if more := fmt.Sprintf("_… and %s more violations, less severe", numfmt.Count(nv-commentStyle.maxItems)); nv > commentStyle.maxItems && !strings.Contains(out, more) {
				t.Errorf("no note %q", more)
			}
			if !strings.Contains(out, "123,456 paired examples; 7 only in base, 1 only in head.") {
				t.Error("example counts missing")
			}
			s := Summary(r)
			checkMarkdown(t, s, SummaryLimit)
			if len(s) <= len(out) {
				t.Errorf("summary (%d bytes) is not fuller than the comment (%d)", len(s), len(out))
			}
		})
	}
}

// TestDropOrder checks that the least important rows go first: every row
// of the other metrics' table before any of the main table; in the main
// table ungated changes before gated metrics, and improvements before
// regressions; in the other table unchanged rows before not-significant
// ones; within a rank, rows go from the end.
func TestDropOrder(t *testing.T) {
	var c compare.Comparison
	statuses := []compare.Status{compare.Unchanged, compare.NotSignificant, compare.Improved, compare.Regressed}
	for i := range 40 {
		b, h := f(1), f(2)
		if statuses[i%4] == compare.Regressed {
			h = f(0.5)
		}
		c.Metrics = append(c.Metrics, metric(fmt.Sprintf("m%02d", i), b, h, hi, statuses[i%4], nil))
	}
	// m0* and m1* (the first 20) are gated.
	r := gate(t, `metrics: {"m[01]*": {min: 0}}`, Report{Comparison: &c})
	full := Markdown(r)
	i := strings.Index(full, "<details>")
	allMain, allOther := keptRanks(full[:i]), keptRanks(full[i:])
	for limit := len(full); limit > 400; limit -= 23 {
		out := MarkdownWithin(r, limit)
		checkMarkdown(t, out, limit)
		main, other := out, ""
		if i := strings.Index(out, "<details>"); i >= 0 {
			main, other = out[:i], out[i:]
		}
		mainRanks, otherRanks := keptRanks(main), keptRanks(other)
		shown := 0
		for _, rows := range mainRanks {
			shown += len(rows)
		}
		if other != "" && shown != 30 {
			t.Errorf("limit %d: %d main rows shown, want all 30 while the other table is shown", limit, shown)
		}
		checkPrefixes(t, limit, mainRanks, allMain)
		checkPrefixes(t, limit, otherRanks, allOther)
	}
}

// keptRanks returns, per rank, the indices of the rows of mNN metrics
// shown in a Markdown table.
func keptRanks(table string) map[int][]int {
	out := map[int][]int{}
	for _, line := range strings.Split(table, "\n") {
		if !strings.HasPrefix(line, "| `m") {
			continue
		}
		cells := strings.Split(line, " | ")
		i, _ := strconv.Atoi(strings.Trim(cells[0], "|` m"))
		rk := rankNotSignificant
		switch status := cells[5]; {
		case strings.Contains(status, "worse"):
			rk = rankRegressed
		case strings.Contains(status, "better"):
			rk = rankImproved
		case strings.Contains(status, "unchanged"):
			rk = rankUnchanged
		}
		if !strings.Contains(cells[5], "gate") {
			rk += ungated
		}
		out[rk] = append(out[rk], i)
	}
	return out
}

// checkPrefixes checks that when a rank lost rows of all it has, no less
// important rank kept any, and that the rows kept of a rank are its first.
func checkPrefixes(t *testing.T, limit int, kept, all map[int][]int) {
	t.Helper()
	for rk := range 2 * ungated {
		if len(kept[rk]) < len(all[rk]) {
			for less := rk + 1; less < 2*ungated; less++ {
				if len(kept[less]) > 0 {
					t.Errorf("limit %d: a row ranked %d left out before one ranked %d", limit, rk, less)
				}
			}
		}
		for k := 1; k < len(kept[rk]); k++ {
			if kept[rk][k]-kept[rk][k-1] != 4 || kept[rk][0]%20 >= 4 {
				t.Errorf("limit %d: rows ranked %d are not a prefix: %v", limit, rk, kept[rk])
				break
			}
		}
	}
}

func TestTinyLimits(t *testing.T) {
	r := bigReport(t, 50, 5)
	for limit := -1; limit < 3000; limit += 3 {
		out := MarkdownWithin(r, limit)
		if len(out) > max(limit, 0) {
			t.Fatalf("limit %d: length %d", limit, len(out))
		}
		if out != "" && !strings.HasSuffix(out, "\n") {
			t.Fatalf("limit %d: output ends mid-line", limit)
		}
		if !utf8.ValidString(out) {
			t.Fatalf("limit %d: invalid UTF-8", limit)
		}
	}
}

func TestJSON(t *testing.T) {
	js, err := JSON(Report{})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(js, &got); err != nil {
		t.Fatal(err)
	}
	gate := got["gate"].(map[string]any)
	if got["metrics"] == nil || gate["violations"] == nil || gate["policy"] != false || gate["passed"] != true {
		t.Errorf("empty report JSON = %s", js)
	}
	if _, err := JSON(Report{Comparison: &compare.Comparison{Metrics: []compare.Result{{Name: "x", Head: f(nan())}}}}); err == nil {
		t.Error("NaN encoded without error")
	}
}

func nan() float64 { z := 0.0; return z / z }

func TestTruncate(t *testing.T) {
	tests := []struct{ got, want string }{
		{truncate("ab\xffc", 10), "ab\uFFFDc"},
		{truncate("ééééé", 3), "éé…"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}
