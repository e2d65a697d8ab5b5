package evaluation

import (
	"fmt"
	"strings"

	"github.com/modelci/modelci/internal/report"
)

// Format is a rendering of the report.
type Format string

// The formats Render writes.
const (
	// Markdown is the pull-request comment.
	Markdown Format = "markdown"
	// Summary is the job summary.
	Summary Format = "summary"
	// JSON is the machine-readable report, with every number the comment
	// shows.
	JSON Format = "json"
)

// DefaultFormat is the format an edge renders when none is asked for.
const DefaultFormat = Markdown

// Formats lists the format names ParseFormat accepts.
func Formats() []string { return []string{string(Markdown), string(Summary), string(JSON)} }

// ParseFormat parses a format name as a user gives it, ignoring case:
// markdown (or md), summary or json; "" is DefaultFormat.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return DefaultFormat, nil
	case "markdown", "md":
		return Markdown, nil
	case "summary":
		return Summary, nil
	case "json":
		return JSON, nil
	}
	return "", fmt.Errorf("format %q: expected %s", s, strings.Join(Formats(), ", "))
}

// FileName is the conventional file name of a report in format f:
// report.md, summary.md or report.json.
func (f Format) FileName() string {
	switch f {
	case Summary:
		return "summary.md"
	case JSON:
		return "report.json"
	}
	return "report.md"
}

// Render renders r in format f.
func Render(r report.Report, f Format) ([]byte, error) {
	switch f {
	case Markdown:
		return []byte(report.Markdown(r)), nil
	case Summary:
		return []byte(report.Summary(r)), nil
	case JSON:
		return report.JSON(r)
	}
	return nil, fmt.Errorf("format %q: expected %s", f, strings.Join(Formats(), ", "))
}

// Passed reports whether r's gate passed; a report without a policy
// passes.
func Passed(r report.Report) bool { return r.Verdict == nil || r.Verdict.Passed }

// GateMessage says in words what the gate decided: one line when it passed,
// a line and one bullet per broken rule when it failed.
func GateMessage(r report.Report) string {
	v := r.Verdict
	switch {
	case v == nil:
		return "gate passed: no policy"
	case v.Passed:
		return "gate passed"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "gate failed: %d rule(s) broken:", len(v.Violations))
	for _, viol := range v.Violations {
		b.WriteString("\n  - ")
		b.WriteString(viol.Message)
	}
	return b.String()
}
