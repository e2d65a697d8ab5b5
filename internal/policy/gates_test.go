package policy

import (
	"math"
	"testing"

	"github.com/modelci/modelci/internal/compare"
)

func TestGates(t *testing.T) {
	p := mustParse(t, `
defaults: {require_significance: false}
metrics:
  accuracy: {min: 0.9}
  model_size_mb:
  eval_loss: {direction: lower}
  "latency_*": {max: 5}
  "f1_*": {direction: higher}
  'top\[1\]': {direction: higher}
`)
	for name, want := range map[string]bool{
		"accuracy":      true,  // a bound
		"model_size_mb": true,  // an empty exact entry requires the metric
		"eval_loss":     true,  // an exact entry, even with a direction only
		"latency_p50":   true,  // a glob with a bound
		"f1_macro":      false, // a glob with a direction only
		"other":         false, // only require_significance in the defaults
		"top[1]":        true,  // an escaped exact name requires the metric
	} {
		if got := p.Gates(name); got != want {
			t.Errorf("Gates(%q) = %v, want %v", name, got, want)
		}
	}
	if !mustParse(t, "defaults: {max_drop: 1%}").Gates("anything") {
		t.Error("a change limit in the defaults gates every metric")
	}
	var none *Policy
	if none.Gates("accuracy") {
		t.Error("a nil policy gates accuracy")
	}
}

func TestExcess(t *testing.T) {
	p := mustParse(t, `
metrics:
  accuracy: {min: 0.9, max_drop: 2%}
  latency: {max: 10, max_increase: 0.5}
  errors: {max: 0}
  required: {}
`)
	const hi, lo = compare.HigherIsBetter, compare.LowerIsBetter
	inf := math.Inf(1)
	tests := []struct {
		rule string
		r    compare.Result
		want float64
	}{
		{RuleMin, res("accuracy", f(0.95), f(0.81), hi, compare.Regressed), 0.1},
		{RuleMaxDrop, res("accuracy", f(1), f(0.97), hi, compare.Regressed), 0.5},
		{RuleMax, res("latency", f(9), f(15), lo, compare.Regressed), 0.5},
		{RuleMaxIncrease, res("latency", f(9), f(10), lo, compare.Regressed), 1},
		{RuleMax, res("errors", f(0), f(3), lo, compare.Regressed), inf},
		{RuleMissing, res("required", f(1), nil, hi, compare.Removed), inf},
		{RuleMin, res("accuracy", f(0.95), f(0.95), hi, compare.Unchanged), 0},
		{RuleMaxDrop, res("accuracy", nil, f(0.5), hi, compare.New), 0},
		{"future_rule", res("accuracy", f(0.95), f(0.5), hi, compare.Regressed), 0},
	}
	for _, tt := range tests {
		got := p.Excess(Violation{Metric: tt.r.Name, Rule: tt.rule}, tt.r)
		if math.Abs(got-tt.want) > 1e-9 && got != tt.want {
			t.Errorf("Excess(%s %s) = %v, want %v", tt.r.Name, tt.rule, got, tt.want)
		}
	}
}
