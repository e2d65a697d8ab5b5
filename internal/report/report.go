// Package report renders a comparison and its verdict for people and
// machines: the pull-request comment, the job summary and JSON.
//
// The comment (Markdown) starts with Marker, so the comment can be found and
// updated in place, then a one-line verdict (✅ passed, ❌ failed, ⚪ no
// policy, and whether regressions are gated), the gate's violations (the
// most severe first, at most 20), the warnings, the pull request's change
// to the policy, the main table (every gated metric, violations first, then
// the other changes), the other metrics in a collapsed <details> section,
// and a footer: the number of paired and unpaired examples (when there are
// per-example values) and what the columns mean. Names from the input are
// code spans, shortened, with invisible characters written out; free text
// has mentions, links and references neutralized. It always fits in
// CommentLimit bytes: when too long, the least important rows are left out
// first (the collapsed table's, then the main table's ungated changes and
// gated metrics, the warnings, the policy change, and the violations last)
// and a note says how many and where to find them.
//
// The job summary (Summary) has the same content with headings, every
// violation, and the other metrics' table expanded, within SummaryLimit.
//
// JSON holds every number the comment shows:
//
//	{
//	  "title": "digits",                    // absent when Report.Title is empty
//	  "baseline": "reg/digits@sha256:…",    // absent when Report.Baseline is empty
//	  "metrics": [{
//	    "name": "accuracy",
//	    "base": 0.95, "head": 0.938,        // null when absent
//	    "delta": -0.012,                    // head - base, or null
//	    "relative": -0.0126,                // delta / |base| (a fraction), or null
//	    "direction": "higher",              // "higher", "lower" or null
//	    "ci": {"low": -0.018, "high": -0.006, "level": 0.95, "method": "paired-bootstrap"},  // per metric, unadjusted; or null
//	    "status": "regressed",              // improved, regressed, unchanged, not-significant,
//	                                        // changed-no-interval, new, removed; from p_adjusted
//	    "examples": 1797,                   // paired examples behind the values, else 0
//	    "p_value": 0.0004,                  // two-sided, this metric alone; null without an interval
//	    "p_adjusted": 0.004,                // adjusted for the family (multiple_comparisons)
//	    "mde": null,                        // when not significant: the smallest change it could detect
//	    "declared": null                    // {"base": 0.95, "head": 0.9}: aggregate files that disagree
//	  }],
//	  "gate": {
//	    "passed": false,                    // true when there is no policy
//	    "violations": [{"metric": "accuracy", "rule": "max_drop", "message": "…"}],  // never null
//	    "policy": true                      // false when no policy was applied
//	  },
//	  "paired": 1797,
//	  "unpaired": {"base": 3, "head": 0},
//	  "multiple_comparisons": {"method": "holm", "family_size": 10, "level": 0.95},  // absent without a comparison
//	  "warnings": [{"metric": "accuracy", "message": "…"}],  // metric absent for a policy warning; never null
//	  "policy_change": {                    // only when the pull request changes the policy
//	    "gate": "base/.modelci.yaml", "proposed": "head/.modelci.yaml",
//	    "changes": [{"key": "metrics.\"accuracy\"", "old": "{ min: 0.9 }", "new": null}]
//	  }
//	}
package report

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/modelci/modelci/internal/compare"
	"github.com/modelci/modelci/internal/policy"
)

// Report is what the renderers show.
type Report struct {
	// Comparison is the comparison of head with base; nil is an empty one.
	Comparison *compare.Comparison
	// Verdict is the gate's verdict; nil when no policy applied.
	Verdict *policy.Verdict
	// Policy is the policy the verdict applied, or nil: the comment asks it
	// which metrics are gated, and how far past its limit each violation
	// went, to list the worst first.
	Policy *policy.Policy
	// Title optionally names what was compared, e.g. the model.
	Title string
	// Baseline optionally names the baseline, e.g. the registry reference
	// and digest of the deployed model whose evaluation is the base side;
	// shown under the verdict.
	Baseline string
	// PolicyChange is the pull request's change to the gate policy, or nil.
	PolicyChange *PolicyChange
}

// Marker is the first line of every comment, hidden when rendered, so the
// comment can be found and updated.
const Marker = "<!-- modelci:report -->"

// Size limits in bytes, GitHub's: a longer body is refused, not cut, so the
// renderers fit within them themselves.
const (
	// CommentLimit is GitHub's limit on a comment's body, 65,536
	// characters; counting bytes instead is a safe bound.
	CommentLimit = 65536
	// SummaryLimit is GitHub's limit on a job's step summary, 1 MiB.
	SummaryLimit = 1 << 20
)

// Markdown renders the pull-request comment within CommentLimit.
func Markdown(r Report) string { return MarkdownWithin(r, CommentLimit) }

// MarkdownWithin renders the pull-request comment within limit bytes,
// leaving out the least important rows when it must. Below about 1 KB even
// the verdict may not fit, and whole lines are cut from the end.
func MarkdownWithin(r Report, limit int) string {
	return render(r, commentStyle, limit)
}

// Summary renders the job summary within SummaryLimit: the comment's
// content with headings and the full table expanded.
func Summary(r Report) string { return render(r, summaryStyle, SummaryLimit) }

// JSON renders the report for machines, indented, ending in a newline. It
// fails only on a value JSON cannot hold (NaN, ±Inf).
func JSON(r Report) ([]byte, error) {
	out := jsonReport{
		Title:    r.Title,
		Baseline: r.Baseline,
		Metrics:  []jsonMetric{},
		Gate:     jsonGate{Passed: true, Violations: []jsonViolation{}},
		Warnings: []jsonWarning{},
		Policy:   newJSONPolicyChange(r.PolicyChange),
	}
	if c := r.Comparison; c != nil {
		out.Paired, out.Unpaired = c.Paired, c.Unpaired
		if c.Family.Method != "" {
			out.Family = &jsonFamily{Method: string(c.Family.Method), Size: c.Family.Size, Level: c.Family.Level}
		}
		for _, m := range c.Metrics {
			out.Metrics = append(out.Metrics, newJSONMetric(m))
		}
	}
	if v := r.Verdict; v != nil {
		out.Gate.Policy, out.Gate.Passed = true, v.Passed
		for _, x := range v.Violations {
			out.Gate.Violations = append(out.Gate.Violations, jsonViolation{Metric: x.Metric, Rule: x.Rule, Message: x.Message})
		}
	}
	for _, w := range Warnings(r) {
		out.Warnings = append(out.Warnings, jsonWarning{Metric: w.Metric, Message: w.Message})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return nil, fmt.Errorf("encoding the JSON report: %w", err)
	}
	return buf.Bytes(), nil
}

// Warnings returns the report's warnings: the comparison's (by metric),
// then the verdict's (the policy's patterns that matched nothing).
func Warnings(r Report) []compare.Warning {
	var out []compare.Warning
	if r.Comparison != nil {
		out = append(out, r.Comparison.Warnings...)
	}
	if r.Verdict != nil {
		out = append(out, r.Verdict.Warnings...)
	}
	return out
}

// newJSONMetric is one metric's result as JSON.
func newJSONMetric(m compare.Result) jsonMetric {
	jm := jsonMetric{
		Name: m.Name, Base: m.Base, Head: m.Head, Delta: m.Delta, Relative: m.Relative,
		Status: string(m.Status), Examples: m.Examples, P: m.P, PAdjusted: m.PAdjusted, MDE: m.MDE,
	}
	if m.Direction != "" {
		d := string(m.Direction)
		jm.Direction = &d
	}
	if m.CI != nil {
		jm.CI = &jsonCI{Low: m.CI.Low, High: m.CI.High, Level: m.CI.Level, Method: m.CI.Method}
	}
	if m.Declared != nil {
		jm.Declared = &jsonDeclared{Base: m.Declared.Base, Head: m.Declared.Head}
	}
	return jm
}

type jsonReport struct {
	Title    string            `json:"title,omitempty"`
	Baseline string            `json:"baseline,omitempty"`
	Metrics  []jsonMetric      `json:"metrics"`
	Gate     jsonGate          `json:"gate"`
	Paired   int               `json:"paired"`
	Unpaired compare.Unpaired  `json:"unpaired"`
	Family   *jsonFamily       `json:"multiple_comparisons,omitempty"`
	Warnings []jsonWarning     `json:"warnings"`
	Policy   *jsonPolicyChange `json:"policy_change,omitempty"`
}

type jsonFamily struct {
	Method string  `json:"method"`
	Size   int     `json:"family_size"`
	Level  float64 `json:"level"`
}

type jsonWarning struct {
	Metric  string `json:"metric,omitempty"`
	Message string `json:"message"`
}

type jsonDeclared struct {
	Base *float64 `json:"base"`
	Head *float64 `json:"head"`
}

type jsonMetric struct {
	Name      string        `json:"name"`
	Base      *float64      `json:"base"`
	Head      *float64      `json:"head"`
	Delta     *float64      `json:"delta"`
	Relative  *float64      `json:"relative"`
	Direction *string       `json:"direction"`
	CI        *jsonCI       `json:"ci"`
	Status    string        `json:"status"`
	Examples  int           `json:"examples"`
	P         *float64      `json:"p_value"`
	PAdjusted *float64      `json:"p_adjusted"`
	MDE       *float64      `json:"mde"`
	Declared  *jsonDeclared `json:"declared"`
}

type jsonCI struct {
	Low    float64 `json:"low"`
	High   float64 `json:"high"`
	Level  float64 `json:"level"`
	Method string  `json:"method"`
}

type jsonGate struct {
	Passed     bool            `json:"passed"`
	Violations []jsonViolation `json:"violations"`
	Policy     bool            `json:"policy"`
}

type jsonViolation struct {
	Metric  string `json:"metric"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}
