package report

import (
	_ "embed"
	"flag"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/modelci/modelci/internal/compare"
)

var htmlDir = flag.String("html", "", "write each golden case's comment, rendered as GitHub would, as an HTML page in this directory (scripts/screenshot-comment)")

//go:embed testdata/github.css
var githubCSS string

// TestWriteHTML writes the pages for scripts/screenshot-comment.
func TestWriteHTML(t *testing.T) {
	if *htmlDir == "" {
		t.Skip("no -html directory")
	}
	for _, tc := range cases(t) {
		limit := tc.limit
		if limit == 0 {
			limit = CommentLimit
		}
		page := "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + tc.name + "</title><style>" + githubCSS +
			"</style></head>\n<body><div class=\"comment\"><div class=\"header\">github-actions commented</div><div class=\"markdown-body\">\n" +
			toHTML(t, MarkdownWithin(tc.r, limit)) + "</div></div></body></html>\n"
		if err := os.WriteFile(filepath.Join(*htmlDir, tc.name+".html"), []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// caseNamed is the golden case called name.
func caseNamed(t *testing.T, name string) Report {
	t.Helper()
	for _, tc := range cases(t) {
		if tc.name == name {
			return tc.r
		}
	}
	t.Fatalf("no case %s", name)
	return Report{}
}

// rendered is a golden case's comment as HTML.
func rendered(t *testing.T, name string) string {
	t.Helper()
	return toHTML(t, Markdown(caseNamed(t, name)))
}

// TestLayout checks the digits comment where the gate passes and ungated
// metrics regressed, as GitHub would show it: the verdict first, with its
// symbol and the regressions said to be ungated or within their rules;
// the warning; the main table with every gated metric (accuracy among
// them), then the significant changes; the rest collapsed.
func TestLayout(t *testing.T) {
	h := rendered(t, "passed-regressions")
	verdict := regexp.MustCompile(`(?s)<p><strong>(.*?)</strong> — (.*?)</p>`).FindStringSubmatch(h)
	if verdict == nil || !strings.HasPrefix(verdict[1], "✅ ") || !strings.Contains(verdict[2], "4 regressions (1 gated, within its rules)") {
		t.Fatalf("verdict line = %q", verdict)
	}
	warning := strings.Index(h, "⚠️ <code>latency_p95_ms</code>")
	details := strings.Index(h, "<details>")
	tables := tableRE.FindAllStringIndex(h, -1)
	if warning < 0 || details < 0 || len(tables) != 2 || !(warning < tables[0][0] && tables[0][1] < details && details < tables[1][0]) {
		t.Fatalf("want the warning, the main table, then <details> holding the other table; got warning at %d, tables %v, <details> at %d", warning, tables, details)
	}
	main := metricRows(h[:details])
	var names []string
	for i, r := range main {
		names = append(names, html.UnescapeString(codeRE.FindStringSubmatch(r[0])[1]))
		gated := strings.Contains(r[5], "gate ✓")
		if want := i < 6; gated != want {
			t.Errorf("main row %d (%s): gated %v; want the 6 gated metrics first", i, names[i], gated)
		}
		if !gated && !strings.Contains(r[5], "worse") {
			t.Errorf("main row %d (%s) is neither gated nor a significant change: %s", i, names[i], r[5])
		}
	}
	if want := "latency_mean_ms peak_memory_mb accuracy macro_f1 log_loss model_size_bytes class_1.f1 class_5.f1 class_9.f1"; strings.Join(names, " ") != want {
		t.Errorf("main table = %s\nwant %s", strings.Join(names, " "), want)
	}
	for _, r := range metricRows(h[details:]) {
		if !strings.Contains(r[5], "not significant") || strings.Contains(r[5], "gate") {
			t.Errorf("collapsed row %v is gated or changed", r)
		}
	}
	if !strings.Contains(h, "<summary>7 more metrics, not gated, with no significant change</summary>") {
		t.Error("the collapsed table's summary does not say what it holds")
	}
}

// TestArrows checks that the arrow is the direction of the change and the
// word its meaning: latency that rose is ↑ and worse.
func TestArrows(t *testing.T) {
	c := &compare.Comparison{Metrics: []compare.Result{
		metric("latency_ms", f(12.3), f(17.35), lo, compare.Regressed, boot(4.1, 6.1)),
		metric("loss", f(0.5), f(0.4), lo, compare.Improved, boot(-0.15, -0.05)),
		metric("accuracy", f(0.95), f(0.9), hi, compare.Regressed, boot(-0.07, -0.03)),
		metric("f1", f(0.8), f(0.85), hi, compare.Improved, boot(0.03, 0.07)),
		metric("throughput", f(100), f(90), hi, compare.ChangedNoInterval, nil),
	}}
	want := map[string]string{"latency_ms": "↑ worse", "loss": "↓ better", "accuracy": "↓ worse", "f1": "↑ better", "throughput": "↓ changed, no interval"}
	rows := metricRows(toHTML(t, Markdown(Report{Comparison: c})))
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for _, r := range rows {
		name := codeRE.FindStringSubmatch(r[0])[1]
		if r[5] != want[name] {
			t.Errorf("%s: status %q, want %q", name, r[5], want[name])
		}
	}
}

var (
	decimalsRE = regexp.MustCompile(`^[+-]?\d+(?:\.(\d+))?`)
	exponentRE = regexp.MustCompile(`\de[+-]\d`)
)

// TestNumbers checks every golden comment and summary: one minus sign
// ('-'), no exponent where fixed decimals fit, and base and head with the
// same number of decimals.
func TestNumbers(t *testing.T) {
	for _, tc := range cases(t) {
		for _, out := range []string{Markdown(tc.r), Summary(tc.r)} {
			if strings.ContainsRune(out, '−') {
				t.Errorf("%s: U+2212 in the output; '-' is the minus sign", tc.name)
			}
			for _, r := range metricRows(toHTML(t, out)) {
				if exponentRE.MatchString(strings.Join(r[1:5], " ")) {
					t.Errorf("%s: an exponent in %v", tc.name, r)
				}
				b, h := decimalsRE.FindStringSubmatch(r[1]), decimalsRE.FindStringSubmatch(r[2])
				if b != nil && h != nil && len(b[1]) != len(h[1]) {
					t.Errorf("%s: base %s and head %s have different decimals", tc.name, r[1], r[2])
				}
			}
		}
	}
}

// TestViolationsMostSevereFirst checks that a failing report with many
// violations lists the 20 most exceeded, worst first, and counts the rest.
func TestViolationsMostSevereFirst(t *testing.T) {
	h := rendered(t, "many-violations")
	items := regexp.MustCompile(`<li>✗ <code>suite\.task_\d+\.acc</code> (0\.\d+) is below min 0\.9</li>`).FindAllStringSubmatch(h, -1)
	if len(items) != 20 {
		t.Fatalf("%d violations listed, want 20", len(items))
	}
	for i := 1; i < len(items); i++ {
		if items[i][1] < items[i-1][1] {
			t.Errorf("violation %d (head %s) is worse than the one before (head %s)", i, items[i][1], items[i-1][1])
		}
	}
	if items[0][1] != "0.8409" {
		t.Errorf("first violation has head %s, want the lowest, 0.8409", items[0][1])
	}
	if !strings.Contains(h, "… and 40 more violations, less severe: see the job summary or the JSON report.") {
		t.Error("no count of the violations left out")
	}
	if s := Summary(caseNamed(t, "many-violations")); strings.Count(s, "\n- ✗ ") != 60 {
		t.Error("the job summary does not list all 60 violations")
	}
}

// TestAggregateOnly checks that a report without per-example values does
// not count examples.
func TestAggregateOnly(t *testing.T) {
	h := rendered(t, "aggregate-only")
	if strings.Contains(h, "paired example") || strings.Contains(h, "only in base") {
		t.Errorf("aggregate-only report counts examples:\n%s", h)
	}
	if !strings.Contains(rendered(t, "no-policy"), "1,000 paired examples; 0 only in base, 12 only in head.") {
		t.Error("a report with examples does not count them")
	}
}

// TestHostileNames checks, on the HTML, that names and a title from the
// pull request neither mention, link, nor hide or reorder text, and that a
// long name is shortened.
func TestHostileNames(t *testing.T) {
	h := rendered(t, "hostile-names")
	for _, bad := range []string{"<a ", "<img", "<details open", "</details><details"} {
		if strings.Contains(h, bad) {
			t.Errorf("the HTML contains %q", bad)
		}
	}
	for _, r := range h {
		if unicode.In(r, unicode.Cf, unicode.Bidi_Control) {
			t.Errorf("the HTML contains the invisible character %U", r)
		}
	}
	// Outside code spans, no text GitHub would turn into a mention, a link
	// or a reference.
	text := codeRE.ReplaceAllString(h, "<code/>")
	for _, bad := range []string{"@", "http", "www.", "#123", "deadbeef"} {
		if strings.Contains(text, bad) {
			t.Errorf("%q outside a code span", bad)
		}
	}
	rows := metricRows(h)
	if len(rows) != len(hostileNames) {
		t.Fatalf("%d rows, want %d: a name broke the table", len(rows), len(hostileNames))
	}
	for _, r := range rows {
		if n := utf8.RuneCountInString(html.UnescapeString(strings.TrimSuffix(strings.TrimPrefix(r[0], "<code>"), "</code>"))); n > maxNameRunes {
			t.Errorf("name cell of %d characters: %s", n, r[0])
		}
	}
	for _, want := range []string{"<code>invoice&lt;U+202E&gt;gnp.exe</code>", "<code>zero&lt;U+200B&gt;width&lt;U+2060&gt;joiner&lt;U+FEFF&gt;</code>",
		"<code>very_long_metric_name_very_long_…c_name_accuracy</code>", "<code>a|b`c``d</code>", "<code>@octocat please review</code>"} {
		if !strings.Contains(h, want) {
			t.Errorf("no %s", want)
		}
	}
}

// FuzzName checks that any metric name renders as one row of six cells
// whose first is one code span, with no link and no invisible character.
func FuzzName(fz *testing.F) {
	for _, n := range hostileNames {
		fz.Add(n)
	}
	fz.Fuzz(func(t *testing.T, n string) {
		c := &compare.Comparison{Metrics: []compare.Result{metric(n, f(1), f(2), hi, compare.Improved, nil)}}
		out := Markdown(Report{Comparison: c, Title: n})
		h := toHTML(t, out)
		rows := metricRows(h)
		if len(rows) != 1 || len(rows[0]) != 6 {
			t.Fatalf("name %q: rows %q\n%s", n, rows, out)
		}
		if cell := rows[0][0]; cell != "<em>(blank)</em>" && len(codeRE.FindAllString(cell, -1)) != 1 {
			t.Fatalf("name %q: cell %q is not one code span", n, cell)
		}
		if strings.Contains(h, "<a ") {
			t.Fatalf("name %q: a link\n%s", n, h)
		}
		for _, r := range h {
			if unicode.In(r, unicode.Cf, unicode.Bidi_Control) {
				t.Fatalf("name %q: %U in the HTML", n, r)
			}
		}
	})
}
