package policy

import (
	"math"

	"github.com/modelci/modelci/internal/compare"
)

// Gates reports whether a rule of the policy can fail the metric called
// name: a bound or a change limit applies to it, or an entry names it
// exactly (which requires it). A direction or require_significance alone
// gates nothing. A nil policy gates nothing.
func (p *Policy) Gates(name string) bool {
	if p == nil {
		return false
	}
	for _, m := range p.Metrics {
		if exact, ok := exactName(m.Pattern); ok && exact == name {
			return true
		}
	}
	r := p.RuleFor(name)
	return r.Min != nil || r.Max != nil || r.MaxDrop != nil || r.MaxIncrease != nil
}

// Excess says how far the metric's result r went past the limit of the
// rule that v broke, relative to the limit: 0.5 for a head of 15 under
// max 10, or a drop of 3% under max_drop 2%. A missing metric, or a limit
// of 0, is +Inf: nothing is worse. A rule Excess does not know, or a
// result that does not break it, is 0.
func (p *Policy) Excess(v Violation, r compare.Result) float64 {
	if v.Rule == RuleMissing {
		return math.Inf(1)
	}
	if p == nil || r.Head == nil {
		return 0
	}
	rule, head := p.RuleFor(v.Metric), *r.Head
	switch {
	case v.Rule == RuleMin && rule.Min != nil:
		return past(*rule.Min-head, *rule.Min)
	case v.Rule == RuleMax && rule.Max != nil:
		return past(head-*rule.Max, *rule.Max)
	case r.Base == nil:
		return 0
	case v.Rule == RuleMaxDrop && rule.MaxDrop != nil:
		limit := rule.MaxDrop.Limit(*r.Base)
		return past(*r.Base-head-limit, limit)
	case v.Rule == RuleMaxIncrease && rule.MaxIncrease != nil:
		limit := rule.MaxIncrease.Limit(*r.Base)
		return past(head-*r.Base-limit, limit)
	}
	return 0
}

// past is how far over is past limit, relative to |limit|; +Inf past a
// limit of 0, and 0 when not past it.
func past(over, limit float64) float64 {
	switch {
	case !(over > 0):
		return 0
	case limit == 0:
		return math.Inf(1)
	}
	return over / math.Abs(limit)
}
