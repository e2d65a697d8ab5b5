package report

import (
	"errors"
	"fmt"
	"slices"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/modelci/modelci/internal/compare"
	"github.com/modelci/modelci/internal/policy"
)

// Bounds of a JSON report that CheckJSON accepts.
const (
	// MaxJSONBytes bounds the whole document.
	MaxJSONBytes = 16 << 20
	// MaxJSONItems bounds each list: metrics, violations, warnings and
	// policy changes.
	MaxJSONItems = 100_000
)

// JSONGate is what a JSON report says of its gate.
type JSONGate struct {
	// Passed is the gate's outcome.
	Passed bool
	// Policy says a policy was applied.
	Policy bool
	// Violations counts the broken rules.
	Violations int
	// Metrics counts the metrics compared.
	Metrics int
}

// statuses are the metric statuses a JSON report may hold.
var statuses = []compare.Status{compare.Improved, compare.Regressed, compare.Unchanged,
	compare.NotSignificant, compare.New, compare.Removed, compare.ChangedNoInterval}

// rules are the rule names a violation may hold.
var rules = []string{policy.RuleMissing, policy.RuleMin, policy.RuleMax, policy.RuleMaxDrop, policy.RuleMaxIncrease}

// CheckJSON reads a JSON report as JSON writes it, strictly, and returns
// what it says of the gate. It is for a report that comes from an
// untrusted place, such as an artifact of a pull request's workflow run:
// the document must be at most MaxJSONBytes, one JSON object of valid
// UTF-8 with no unknown or duplicate member and the members' types, each
// list at most MaxJSONItems long, every status and rule one this version
// writes, and a gate that agrees with its violations. name names the
// document in errors.
func CheckJSON(name string, data []byte) (JSONGate, error) {
	if len(data) > MaxJSONBytes {
		return JSONGate{}, fmt.Errorf("%s: %d bytes, over the limit of %d for a JSON report", name, len(data), MaxJSONBytes)
	}
	var doc jsonReport
	if err := jsonv2.Unmarshal(data, &doc, jsonv2.RejectUnknownMembers(true)); err != nil {
		return JSONGate{}, fmt.Errorf("%s: not a modelci JSON report: %w", name, err)
	}
	if err := checkJSONReport(doc); err != nil {
		return JSONGate{}, fmt.Errorf("%s: not a modelci JSON report: %w", name, err)
	}
	return JSONGate{Passed: doc.Gate.Passed, Policy: doc.Gate.Policy,
		Violations: len(doc.Gate.Violations), Metrics: len(doc.Metrics)}, nil
}

// checkJSONReport checks what the types do not: required lists, bounds,
// known values and a consistent gate.
func checkJSONReport(doc jsonReport) error {
	switch {
	case doc.Metrics == nil:
		return errors.New(`"metrics": expected a list, found none`)
	case doc.Gate.Violations == nil:
		return errors.New(`"gate"."violations": expected a list, found none`)
	case doc.Warnings == nil:
		return errors.New(`"warnings": expected a list, found none`)
	}
	lists := map[string]int{"metrics": len(doc.Metrics), "gate.violations": len(doc.Gate.Violations), "warnings": len(doc.Warnings)}
	if doc.Policy != nil {
		lists["policy_change.changes"] = len(doc.Policy.Changes)
	}
	for key, n := range lists {
		if n > MaxJSONItems {
			return fmt.Errorf("%q: %d items, over the limit of %d", key, n, MaxJSONItems)
		}
	}
	for i, m := range doc.Metrics {
		if !slices.Contains(statuses, compare.Status(m.Status)) {
			return fmt.Errorf(`"metrics"[%d]."status": unknown status %q`, i, m.Status)
		}
	}
	for i, v := range doc.Gate.Violations {
		if !slices.Contains(rules, v.Rule) {
			return fmt.Errorf(`"gate"."violations"[%d]."rule": unknown rule %q`, i, v.Rule)
		}
	}
	if doc.Gate.Passed != (len(doc.Gate.Violations) == 0) {
		return fmt.Errorf(`"gate": "passed" is %v with %d violations`, doc.Gate.Passed, len(doc.Gate.Violations))
	}
	if !doc.Gate.Policy && !doc.Gate.Passed {
		return errors.New(`"gate": failed without a policy`)
	}
	return nil
}
