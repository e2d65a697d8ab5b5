// Package policy reads .modelci.yaml, the gate a change must pass, and
// turns a comparison into a verdict.
//
// # The policy file
//
// Every key is optional; an empty file is the default policy (95%
// confidence, 2000 resamples, seed 0, no rules). Unknown keys are errors, so
// a typo cannot silently switch a gate off.
//
//	version: 1              # the file format; only 1 is accepted
//	confidence: 0.95        # confidence level of the intervals, in (0,1)
//	resamples: 2000         # bootstrap resamples, 100 to 1,000,000
//	seed: 1                 # bootstrap seed (non-negative integer)
//	multiple_comparisons: holm  # or none; see below
//	defaults:               # a rule for every metric
//	  require_significance: true
//	  max_drop: 2%
//	metrics:                # rules by metric name or glob
//	  accuracy:   { direction: higher, min: 0.90, max_drop: 0.5% }
//	  "latency_*": { direction: lower, max: 50, max_increase: 10% }
//	  eval_loss:  { max_increase: 0.05, require_significance: false }
//	aggregates:             # metrics computed from per-example columns
//	  macro_f1:   { statistic: f1_macro, label: label, prediction: prediction }
//	  latency_p95_ms: { statistic: p95, column: latency_ms }
//
// The aggregates key declares metrics as aggregates of per-example columns,
// bootstrapped paired by id (package aggregate says how); they replace the
// same-named metrics of the files, and rules apply to them by name.
//
// A rule has these keys:
//
//   - direction: higher or lower, the way the metric improves. Unset, the
//     comparison infers it from the name.
//   - min, max: absolute bounds on the head value. Bounds always apply,
//     significant or not.
//   - max_drop: how much the value may decrease from base, absolute (0.005)
//     or relative to |base| (0.5%).
//   - max_increase: how much the value may increase from base, in the same
//     forms.
//   - require_significance (default true): a change rule (max_drop,
//     max_increase) fails only when the change is significant, that is, its
//     status is not not-significant. False makes it fail on any change
//     beyond the limit.
//
// A change in the metric's better direction never fails a change rule:
// max_drop guards a metric where higher is better, max_increase one where
// lower is better, so `defaults: {max_drop: 2%}` does not fail a latency
// that got faster. When the direction is unknown both apply as written.
//
// A metric with no interval (status changed-no-interval: an aggregate
// without standard errors, or too few pairs) cannot be significant or not:
// its change rules apply to the point estimate, and a violation says so.
//
// multiple_comparisons (default holm) says how a report's many metrics
// share one verdict: holm adjusts their p-values by Holm's step-down
// procedure, so that the chance of any unchanged metric being called
// improved or regressed stays within 1 - confidence; none judges each
// metric alone (see compare.Adjust).
//
// The rule for a metric is the defaults overlaid, key by key, with the
// metric's entry under metrics: an exact name wins over globs, else the
// first matching glob in file order (path.Match syntax: *, ?, [a-z]; "*"
// matches dots too). A pattern without unescaped *, ? or [ is an exact
// name, its backslash escapes removed: `'acc\[top1\]'` names the metric
// acc[top1]. A metric named exactly must be present in the head run: a
// missing one is a violation of rule "missing". A glob that matches no
// metric of the report gives a warning in the verdict, naming its line;
// one that holds a [ suggests escaping it, in case it was meant as a name.
package policy

import (
	"fmt"
	"math"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/modelci/modelci/internal/numfmt"

	"github.com/modelci/modelci/internal/aggregate"
	"github.com/modelci/modelci/internal/compare"
)

// Defaults of a policy file that does not set them.
const (
	DefaultConfidence = compare.DefaultLevel
	DefaultResamples  = compare.DefaultResamples
)

// Verdict is the outcome of a gate.
type Verdict struct {
	// Passed is true when there are no violations.
	Passed bool
	// Violations are the broken rules, sorted by metric name and then in
	// rule order (missing, min, max, max_drop, max_increase); never nil
	// when returned by Evaluate.
	Violations []Violation
	// Warnings are the policy's patterns that matched no metric, in file
	// order.
	Warnings []compare.Warning
}

// Violation is one broken rule.
type Violation struct {
	// Metric is the metric's name.
	Metric string
	// Rule is the rule's key in .modelci.yaml: "min", "max", "max_drop",
	// "max_increase", "missing".
	Rule string
	// Message says what was expected and what was found.
	Message string
}

// Rule names, as they appear in Violation.Rule.
const (
	RuleMissing     = "missing"
	RuleMin         = "min"
	RuleMax         = "max"
	RuleMaxDrop     = "max_drop"
	RuleMaxIncrease = "max_increase"
)

// Policy is a parsed .modelci.yaml.
type Policy struct {
	// Source names the file, for messages.
	Source string
	// Confidence is the confidence level of the intervals, in (0,1).
	Confidence float64
	// Resamples is the number of bootstrap resamples.
	Resamples int
	// Seed seeds the bootstrap.
	Seed uint64
	// MultipleComparisons is the correction of the report's p-values for
	// their number.
	MultipleComparisons compare.Correction
	// Defaults apply to every metric.
	Defaults Rule
	// Metrics are the per-metric rules in file order.
	Metrics []NamedRule
	// Aggregates are the metrics declared as aggregates of per-example
	// columns, in file order.
	Aggregates []aggregate.Spec
}

// NamedRule is a rule for the metrics a pattern matches.
type NamedRule struct {
	// Pattern is an exact metric name or a path.Match glob.
	Pattern string
	// Line is the pattern's line in the file, for messages.
	Line int
	Rule
}

// Rule is what a metric must satisfy. Unset fields are nil or empty.
type Rule struct {
	// Direction is the way the metric improves; empty when unset.
	Direction compare.Direction
	// Min and Max bound the head value.
	Min, Max *float64
	// MaxDrop limits how much the value may decrease from base.
	MaxDrop *Change
	// MaxIncrease limits how much the value may increase from base.
	MaxIncrease *Change
	// RequireSignificance, when true or unset, lets MaxDrop and
	// MaxIncrease fail only on a significant change.
	RequireSignificance *bool
}

// Change is an allowed change: absolute, or a percentage of |base|.
type Change struct {
	// Value is the amount, never negative: 0.005, or 0.5 for "0.5%".
	Value float64
	// Percent says Value is a percentage of |base|.
	Percent bool
}

// String formats the change as in the policy file: "0.005" or "0.5%".
func (c Change) String() string {
	s := fmtFloat(c.Value)
	if c.Percent {
		s += "%"
	}
	return s
}

// Limit returns the largest allowed absolute change from base.
func (c Change) Limit(base float64) float64 {
	if c.Percent {
		return math.Abs(base) * c.Value / 100
	}
	return c.Value
}

// significanceRequired reports whether change rules need a significant
// change to fail.
func (r Rule) significanceRequired() bool {
	return r.RequireSignificance == nil || *r.RequireSignificance
}

// overlay returns r with the fields o sets replaced by o's.
func (r Rule) overlay(o Rule) Rule {
	if o.Direction != "" {
		r.Direction = o.Direction
	}
	if o.Min != nil {
		r.Min = o.Min
	}
	if o.Max != nil {
		r.Max = o.Max
	}
	if o.MaxDrop != nil {
		r.MaxDrop = o.MaxDrop
	}
	if o.MaxIncrease != nil {
		r.MaxIncrease = o.MaxIncrease
	}
	if o.RequireSignificance != nil {
		r.RequireSignificance = o.RequireSignificance
	}
	return r
}

// isGlob reports whether a pattern has path.Match metacharacters.
func isGlob(pattern string) bool { return strings.ContainsAny(pattern, `*?[\`) }

// exactName returns the metric name pattern names exactly: the pattern
// with its backslash escapes removed, when every *, ? and [ in it is
// escaped; false for a glob.
func exactName(pattern string) (string, bool) {
	if !isGlob(pattern) {
		return pattern, true
	}
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; c {
		case '*', '?', '[':
			return "", false
		case '\\':
			if i+1 < len(pattern) {
				i++
			}
			b.WriteByte(pattern[i])
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// names reports whether the entry's pattern is, or names exactly, the
// metric called name.
func (m NamedRule) names(name string) bool {
	exact, ok := exactName(m.Pattern)
	return m.Pattern == name || ok && exact == name
}

// matches reports whether the entry applies to the metric called name:
// it names it, or it is a glob that matches it.
func (m NamedRule) matches(name string) bool {
	if m.names(name) {
		return true
	}
	if _, exact := exactName(m.Pattern); exact {
		return false
	}
	ok, _ := path.Match(m.Pattern, name)
	return ok
}

// RuleFor returns the rule for the metric called name: the defaults
// overlaid with the matching entry of Metrics (see Entry). A nil policy
// has no rules.
func (p *Policy) RuleFor(name string) Rule {
	if p == nil {
		return Rule{}
	}
	if m, ok := p.Entry(name); ok {
		return p.Defaults.overlay(m.Rule)
	}
	return p.Defaults
}

// Entry returns the entry of Metrics that applies to the metric called
// name, with its line (for an annotation on the policy file): an entry
// that names it (its pattern equals name, or names it exactly) wins;
// otherwise the first glob that matches, in file order. It returns false
// when no entry applies (only the defaults), or for a nil policy.
func (p *Policy) Entry(name string) (NamedRule, bool) {
	if p == nil {
		return NamedRule{}, false
	}
	for _, m := range p.Metrics {
		if m.names(name) {
			return m, true
		}
	}
	for _, m := range p.Metrics {
		if m.matches(name) {
			return m, true
		}
	}
	return NamedRule{}, false
}

// Correction returns the policy's multiple-comparisons correction;
// compare.DefaultCorrection for a nil policy.
func (p *Policy) Correction() compare.Correction {
	if p == nil || p.MultipleComparisons == "" {
		return compare.DefaultCorrection
	}
	return p.MultipleComparisons
}

// Direction returns the direction the policy gives the metric called name,
// and false when it gives none. Its signature fits compare.Options.
func (p *Policy) Direction(name string) (compare.Direction, bool) {
	d := p.RuleFor(name).Direction
	return d, d != ""
}

// CompareOptions returns the comparison options the policy sets: level,
// resamples, seed and directions. A nil policy returns zero options, which
// mean compare's defaults.
func (p *Policy) CompareOptions() compare.Options {
	if p == nil {
		return compare.Options{}
	}
	return compare.Options{
		Level:     p.Confidence,
		Resamples: p.Resamples,
		Seed:      p.Seed,
		Direction: p.Direction,
	}
}

// Evaluate checks a comparison against the policy. A nil policy passes
// everything; a nil comparison has no metrics.
func (p *Policy) Evaluate(c *compare.Comparison) Verdict {
	v := Verdict{Passed: true, Violations: []Violation{}}
	if p == nil {
		return v
	}
	results := map[string]compare.Result{}
	var names []string
	if c != nil {
		for _, r := range c.Metrics {
			if _, dup := results[r.Name]; !dup {
				names = append(names, r.Name)
			}
			results[r.Name] = r
		}
	}
	v.Warnings = p.unmatched(names)
	required := map[string]bool{}
	for _, m := range p.Metrics {
		name, exact := exactName(m.Pattern)
		if !exact {
			continue
		}
		required[name] = true
		if _, ok := results[name]; !ok {
			names = append(names, name)
			results[name] = compare.Result{Name: name, Status: compare.Removed}
		}
	}
	sort.Strings(names)
	for _, name := range names {
		v.Violations = append(v.Violations, check(name, results[name], p.RuleFor(name), required[name])...)
	}
	v.Passed = len(v.Violations) == 0
	return v
}

// unmatched returns a warning for each glob of the policy that matches
// none of the metrics called names.
func (p *Policy) unmatched(names []string) []compare.Warning {
	var out []compare.Warning
	for _, m := range p.Metrics {
		if _, exact := exactName(m.Pattern); exact || slices.ContainsFunc(names, m.matches) {
			continue
		}
		msg := fmt.Sprintf("%s: line %d: %s matches no metric of the report", p.Source, m.Line, metricKey(m.Pattern))
		if strings.Contains(m.Pattern, "[") {
			msg += fmt.Sprintf("; [ starts a character class: to name a metric %s exactly, escape it as %s", m.Pattern, strconv.Quote(escapeGlob(m.Pattern)))
		}
		out = append(out, compare.Warning{Message: msg})
	}
	return out
}

// escapeGlob escapes the glob metacharacters of name.
func escapeGlob(name string) string {
	var b strings.Builder
	for _, c := range name {
		if strings.ContainsRune(`*?[]\`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// check returns the violations of rule by one metric's result.
func check(name string, r compare.Result, rule Rule, required bool) []Violation {
	var out []Violation
	add := func(rule, format string, args ...any) {
		out = append(out, Violation{Metric: name, Rule: rule, Message: fmt.Sprintf(format, args...)})
	}
	if r.Head == nil {
		if required {
			if r.Base != nil {
				add(RuleMissing, "%s is missing from the head run (base was %s); the policy requires it", name, numfmt.Num(*r.Base, 4))
			} else {
				add(RuleMissing, "%s is missing from the head run; the policy requires it", name)
			}
		}
		return out
	}
	head := *r.Head
	if rule.Min != nil && head < *rule.Min {
		h, m := numfmt.Pair(head, *rule.Min, 4)
		add(RuleMin, "%s %s is below min %s", name, h, m)
	}
	if rule.Max != nil && head > *rule.Max {
		h, m := numfmt.Pair(head, *rule.Max, 4)
		add(RuleMax, "%s %s is above max %s", name, h, m)
	}
	if r.Base == nil {
		return out
	}
	base := *r.Base
	delta := head - base
	if rule.significanceRequired() && r.Status == compare.NotSignificant {
		return out
	}
	dir := r.Direction
	if dir == "" {
		dir = rule.Direction
	}
	// A rule that asks for significance, on a metric that cannot have it,
	// is judged on the point estimate, and says so.
	note := ""
	if rule.significanceRequired() && r.Status == compare.ChangedNoInterval {
		note = "; judged on the point estimate, as the metric has no interval"
	}
	if rule.MaxDrop != nil && delta < 0 && dir != compare.LowerIsBetter {
		if msg, bad := changeMessage(name, "dropped", RuleMaxDrop, base, head, *rule.MaxDrop); bad {
			add(RuleMaxDrop, "%s%s", msg, note)
		}
	}
	if rule.MaxIncrease != nil && delta > 0 && dir != compare.HigherIsBetter {
		if msg, bad := changeMessage(name, "increased", RuleMaxIncrease, base, head, *rule.MaxIncrease); bad {
			add(RuleMaxIncrease, "%s%s", msg, note)
		}
	}
	return out
}

// changeMessage checks a change from base to head against limit and says,
// when it is exceeded, by how much.
func changeMessage(name, verb, key string, base, head float64, limit Change) (string, bool) {
	amount := math.Abs(head - base)
	if amount <= limit.Limit(base) {
		return "", false
	}
	b, h := numfmt.Pair(base, head, 4)
	if !limit.Percent {
		a, l := numfmt.Pair(amount, limit.Value, 4)
		return fmt.Sprintf("%s %s by %s (%s → %s), more than %s %s", name, verb, a, b, h, key, l), true
	}
	if base == 0 {
		return fmt.Sprintf("%s %s by %s (%s → %s); %s %s%% allows no change from a base of 0",
			name, verb, numfmt.Num(amount, 4), b, h, key, numfmt.Num(limit.Value, 4)), true
	}
	a, l := numfmt.Pair(amount/math.Abs(base)*100, limit.Value, 3)
	return fmt.Sprintf("%s %s by %s%% (%s → %s), more than %s %s%%", name, verb, a, b, h, key, l), true
}
