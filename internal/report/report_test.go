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

func verdict(t testing.TB, yaml string, c *compare.Comparison) *policy.Verdict {
	t.Helper()
	p, err := policy.Parse(".modelci.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	v := p.Evaluate(c)
	return &v
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
			metric("latency_p50_ms", f(41.2), f(38.75), lo, compare.Improved, nil),
			metric("latency_p99_ms", f(88.1), f(97.3), lo, compare.Regressed, nil),
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
			metric("latency_p50", f(42), f(51.3), lo, compare.Regressed, nil),
		},
		Paired: 1797,
	}
	var many compare.Comparison
	statuses := []compare.Status{compare.Unchanged, compare.NotSignificant, compare.Improved, compare.Regressed, compare.NotSignificant}
	for i := range 120 {
		st := statuses[i%len(statuses)]
		base, head := 0.5+float64(i)/1000, 0.5+float64(i)/1000
		switch st {
		case compare.Improved:
			head += 0.01
		case compare.Regressed:
			head -= 0.01
		case compare.NotSignificant:
			head += 0.0001
		}
		many.Metrics = append(many.Metrics, metric(fmt.Sprintf("task_%03d.accuracy", i), f(base), f(head), hi, st, boot(head-base-0.002, head-base+0.002)))
	}
	many.Paired = 5000
	return []struct {
		name  string
		r     Report
		limit int
	}{
		{"mixed", Report{Comparison: mixed, Verdict: verdict(t, mixedPolicy, mixed), Title: "digits"}, 0},
		{"gate-passed", Report{Comparison: passed, Verdict: verdict(t, "defaults: {max_drop: 1%}\nmetrics: {accuracy: {min: 0.9}}", passed)}, 0},
		{"gate-failed", Report{Comparison: failed, Verdict: verdict(t, "metrics:\n  accuracy: {min: 0.93, max_drop: 0.5%}\n  latency_p50: {max: 50}\n", failed)}, 0},
		{"policy-changed", Report{Comparison: passed, Verdict: verdict(t, gatePolicy, passed), PolicyChange: policyChange(t, gatePolicy, proposedPolicy)}, 0},
		{"no-policy", Report{Comparison: noPolicy}, 0},
		{"empty", Report{}, 0},
		{"truncated", Report{Comparison: &many, Verdict: verdict(t, "metrics: {\"task_00*\": {max_drop: 1%}}", &many), Title: "many tasks"}, 8000},
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
	trRE     = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	cellRE   = regexp.MustCompile(`(?s)<t[hd][^>]*>(.*?)</t[hd]>`)
	tableRE  = regexp.MustCompile(`(?s)<table>(.*?)</table>`)
	omitRE   = regexp.MustCompile(`… ([\d,]+) of ([\d,]+) metrics omitted from the full table`)
	tagRE    = regexp.MustCompile(`<[^>]*>`)
	mdRowRE  = regexp.MustCompile(`(?m)^\| .*\|$`)
	mdSepRE  = regexp.MustCompile(`(?m)^\|:---\|`)
	detailRE = regexp.MustCompile(`<details>`)
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
// UTF-8, balanced <details>, every Markdown table row rendered as an HTML
// row with as many cells as its table's header, and notes that add up.
func checkMarkdown(t *testing.T, out string, limit int) {
	t.Helper()
	if len(out) > limit {
		t.Errorf("length %d > limit %d", len(out), limit)
	}
	if !utf8.ValidString(out) {
		t.Error("not valid UTF-8")
	}
	if o, c := strings.Count(out, "<details>"), strings.Count(out, "</details>"); o != c {
		t.Errorf("%d <details> but %d </details>", o, c)
	}
	if o, c := strings.Count(out, "<summary>"), strings.Count(out, "</summary>"); o != c {
		t.Errorf("%d <summary> but %d </summary>", o, c)
	}
	h := toHTML(t, out)
	if o, c := strings.Count(h, "<details>"), strings.Count(h, "</details>"); o != c || o != len(detailRE.FindAllString(out, -1)) {
		t.Errorf("HTML has %d <details>, %d </details>; Markdown had %d", o, c, strings.Count(out, "<details>"))
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

func TestRowsSurviveGFM(t *testing.T) {
	for _, tc := range cases(t) {
		limit := tc.limit
		if limit == 0 {
			limit = CommentLimit
		}
		out := MarkdownWithin(tc.r, limit)
		h := toHTML(t, out)
		tables := tableRE.FindAllStringSubmatch(h, -1)
		n := len(tc.r.comparisonMetrics())
		if n == 0 {
			if len(tables) != 0 {
				t.Errorf("%s: %d tables for no metrics", tc.name, len(tables))
			}
			continue
		}
		got := 0
		if i := strings.Index(h, "<details>"); i >= 0 {
			full := tableRE.FindStringSubmatch(h[i:])
			if full == nil {
				t.Fatalf("%s: no table in <details>", tc.name)
			}
			got = len(trRE.FindAllString(full[1], -1)) - 1
		}
		omitted := 0
		if m := omitRE.FindAllStringSubmatch(out, -1); m != nil {
			for _, x := range m {
				omitted, _ = strconv.Atoi(strings.ReplaceAll(x[1], ",", ""))
			}
		}
		if got+omitted != n {
			t.Errorf("%s: full table has %d rows + %d omitted, want %d metrics", tc.name, got, omitted, n)
		}
		if got > 0 && !strings.Contains(h, "<details>\n<summary>") {
			t.Errorf("%s: no <details><summary> in the HTML", tc.name)
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
		"[link](http://x)", "~~gone~~", "&amp;", "|", "\\", "#1", "!img", "é→ü 日本", "tab\there"}
	var c compare.Comparison
	for _, n := range names {
		c.Metrics = append(c.Metrics, metric(n, f(1), f(2), hi, compare.Improved, nil))
	}
	out := Markdown(Report{Comparison: &c, Title: "<b>|title|</b>"})
	checkMarkdown(t, out, CommentLimit)
	h := toHTML(t, out)
	tables := tableRE.FindAllStringSubmatch(h, -1)
	if len(tables) != 2 {
		t.Fatalf("%d tables, want 2", len(tables))
	}
	var got []string
	for _, tr := range trRE.FindAllStringSubmatch(tables[1][1], -1)[1:] {
		cell := cellRE.FindStringSubmatch(tr[1])[1]
		if strings.Contains(cell, "<") {
			t.Errorf("markup in a name cell: %s", cell)
		}
		got = append(got, html.UnescapeString(cell))
	}
	for i, n := range names {
		want := strings.NewReplacer("\n", " ", "\t", " ").Replace(n)
		if i >= len(got) || got[i] != want {
			t.Errorf("row %d: name renders as %q, want %q", i, got[min(i, len(got)-1)], want)
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
		name      string
		n, every  int
		keepViols bool
	}{
		{"10000 metrics, 100 violations", 10000, 100, true},
		{"10000 metrics, no policy violations", 10000, 0, true},
		{"10000 metrics, all violations", 10000, 1, false},
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
			if got := strings.Count(out, "\n- ✗ "); tt.keepViols && got != nv {
				t.Errorf("%d violations listed, want all %d", got, nv)
			} else if !tt.keepViols && !strings.Contains(out, "more violations omitted to fit") {
				t.Error("violations left out without a note")
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

// TestDropOrder checks that the least important rows go first: in the full
// table unchanged and not-significant rows before improvements, before
// regressions, and every row of the full table before any row of the table
// of changes; within a rank, rows go from the end.
func TestDropOrder(t *testing.T) {
	var c compare.Comparison
	statuses := []compare.Status{compare.Unchanged, compare.NotSignificant, compare.Improved, compare.Regressed}
	for i := range 40 {
		c.Metrics = append(c.Metrics, metric(fmt.Sprintf("m%02d", i), f(1), f(2), hi, statuses[i%4], nil))
	}
	r := Report{Comparison: &c}
	statusIndex := map[int]int{rankUnchanged: 0, rankNotSignificant: 1, rankImproved: 2, rankRegressed: 3}
	rankOfCell := map[string]int{"= unchanged": rankUnchanged, "≈ not significant": rankNotSignificant, "↑ improved": rankImproved, "↓ regressed": rankRegressed}
	// kept returns, per rank, the indices of the rows shown in a table.
	kept := func(table string) map[int][]int {
		out := map[int][]int{}
		for _, line := range strings.Split(table, "\n") {
			if !strings.HasPrefix(line, "| m") {
				continue
			}
			cells := strings.Split(line, " | ")
			i, _ := strconv.Atoi(strings.TrimPrefix(cells[0], "| m"))
			rk := rankOfCell[strings.TrimSuffix(cells[5], " |")]
			out[rk] = append(out[rk], i)
		}
		return out
	}
	fullLen := len(Markdown(r))
	for limit := fullLen; limit > 400; limit -= 23 {
		out := MarkdownWithin(r, limit)
		if len(out) > limit {
			t.Fatalf("limit %d: length %d", limit, len(out))
		}
		checkMarkdown(t, out, limit)
		changes, full := out, ""
		if i := strings.Index(out, "<details>"); i >= 0 {
			changes, full = out[:i], out[i:]
		}
		ch, fu := kept(changes), kept(full)
		if full != "" && len(ch[rankRegressed])+len(ch[rankImproved]) != 20 {
			t.Errorf("limit %d: a change left out while the full table is shown", limit)
		}
		for _, rows := range []map[int][]int{ch, fu} {
			for rk := rankRegressed; rk <= rankUnchanged; rk++ {
				if rk == rankRemoved || rk == rankNew {
					continue
				}
				if len(rows[rk]) < 10 {
					for less := rk + 1; less <= rankUnchanged; less++ {
						if len(rows[less]) > 0 {
							t.Errorf("limit %d: a row ranked %d left out before one ranked %d", limit, rk, less)
						}
					}
				}
				for k, i := range rows[rk] {
					if i != 4*k+statusIndex[rk] {
						t.Errorf("limit %d: rows ranked %d are not a prefix: %v", limit, rk, rows[rk])
						break
					}
				}
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
