package policy

import (
	"reflect"
	"strings"
	"testing"

	"github.com/modelci/modelci/internal/compare"
)

func mustParse(t *testing.T, s string) *Policy {
	t.Helper()
	p, err := Parse(".modelci.yaml", []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// res builds a result; base or head NaN-free nil via the has flags.
func res(name string, base, head *float64, dir compare.Direction, st compare.Status) compare.Result {
	r := compare.Result{Name: name, Base: base, Head: head, Direction: dir, Status: st}
	if base != nil && head != nil {
		d := *head - *base
		r.Delta = &d
	}
	return r
}

func TestRuleFor(t *testing.T) {
	p := mustParse(t, `
defaults: {max_drop: 2%, min: 0}
metrics:
  "lat*":       {direction: lower, max: 50}
  "latency_*":  {max: 10}
  latency_p99:  {max: 100, min: 1}
  "acc[0]":     {min: 0.5}
`)
	tests := []struct {
		name string
		want Rule
	}{
		{"latency_p99", Rule{MaxDrop: &Change{2, true}, Min: f(1), Max: f(100)}},
		{"latency_p50", Rule{MaxDrop: &Change{2, true}, Min: f(0), Max: f(50), Direction: compare.LowerIsBetter}},
		{"acc[0]", Rule{MaxDrop: &Change{2, true}, Min: f(0.5)}},
		{"acc0", Rule{MaxDrop: &Change{2, true}, Min: f(0.5)}},
		{"other", Rule{MaxDrop: &Change{2, true}, Min: f(0)}},
	}
	for _, tt := range tests {
		if got := p.RuleFor(tt.name); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("RuleFor(%q) = %+v, want %+v", tt.name, got, tt.want)
		}
	}
	if d, ok := p.Direction("latency_p50"); !ok || d != compare.LowerIsBetter {
		t.Errorf("Direction(latency_p50) = %q, %v", d, ok)
	}
	if d, ok := p.Direction("accuracy"); ok {
		t.Errorf("Direction(accuracy) = %q, true; want none", d)
	}
}

func TestEntryGivesTheLineOfTheRuleThatApplies(t *testing.T) {
	p := mustParse(t, `defaults: {min: 0}
metrics:
  "lat*":       {max: 50}
  latency_p99:  {max: 100}
  "acc[0]":     {min: 0.5}
`)
	for name, want := range map[string]int{"latency_p99": 4, "latency_p50": 3, "acc0": 5, "acc[0]": 5, "other": 0} {
		m, ok := p.Entry(name)
		if m.Line != want || ok != (want != 0) {
			t.Errorf("Entry(%q) = line %d, %v; want line %d", name, m.Line, ok, want)
		}
	}
	if _, ok := (*Policy)(nil).Entry("x"); ok {
		t.Error("a nil policy has an entry")
	}
}

func TestCompareOptions(t *testing.T) {
	var nilPolicy *Policy
	if o := nilPolicy.CompareOptions(); o.Level != 0 || o.Resamples != 0 || o.Seed != 0 || o.Direction != nil {
		t.Errorf("nil policy options = %+v, want zero", o)
	}
	p := mustParse(t, "confidence: 0.9\nresamples: 500\nseed: 7\nmetrics: {loss: {direction: lower}}")
	o := p.CompareOptions()
	if o.Level != 0.9 || o.Resamples != 500 || o.Seed != 7 || o.Direction == nil {
		t.Fatalf("options = %+v", o)
	}
	if d, ok := o.Direction("loss"); !ok || d != compare.LowerIsBetter {
		t.Errorf("Direction(loss) = %q, %v", d, ok)
	}
}

func TestEvaluate(t *testing.T) {
	const hi, lo = compare.HigherIsBetter, compare.LowerIsBetter
	const reg, imp, ns, unch = compare.Regressed, compare.Improved, compare.NotSignificant, compare.Unchanged
	tests := []struct {
		name   string
		policy string
		cmp    []compare.Result
		want   []Violation
	}{
		{"empty policy passes", "", []compare.Result{res("acc", f(0.9), f(0.1), hi, reg)}, nil},
		{"min", "metrics: {accuracy: {min: 0.95}}", []compare.Result{res("accuracy", f(0.95), f(0.912), hi, reg)},
			[]Violation{{"accuracy", "min", "accuracy 0.912 is below min 0.95"}}},
		{"min applies when not significant", "metrics: {accuracy: {min: 0.95}}", []compare.Result{res("accuracy", f(0.95), f(0.9499), hi, ns)},
			[]Violation{{"accuracy", "min", "accuracy 0.9499 is below min 0.95"}}},
		{"min close values get more digits", "metrics: {accuracy: {min: 0.95}}", []compare.Result{res("accuracy", nil, f(0.949999), hi, compare.New)},
			[]Violation{{"accuracy", "min", "accuracy 0.949999 is below min 0.95"}}},
		{"max", "metrics: {\"latency_*\": {max: 50}}", []compare.Result{res("latency_p50", f(40), f(61.2), lo, reg), res("latency_p90", f(40), f(50), lo, reg)},
			[]Violation{{"latency_p50", "max", "latency_p50 61.2 is above max 50"}}},
		{"max_drop percent", "metrics: {accuracy: {max_drop: 0.5%}}", []compare.Result{res("accuracy", f(0.95), f(0.938), hi, reg)},
			[]Violation{{"accuracy", "max_drop", "accuracy dropped by 1.26% (0.95 → 0.938), more than max_drop 0.5%"}}},
		{"max_drop within", "metrics: {accuracy: {max_drop: 2%}}", []compare.Result{res("accuracy", f(0.95), f(0.938), hi, reg)}, nil},
		{"max_drop absolute", "defaults: {max_drop: 0.005}", []compare.Result{res("f1", f(0.8), f(0.79), hi, reg)},
			[]Violation{{"f1", "max_drop", "f1 dropped by 0.01 (0.8 → 0.79), more than max_drop 0.005"}}},
		{"max_drop exactly at limit passes", "defaults: {max_drop: 0.5}", []compare.Result{res("x", f(2), f(1.5), hi, reg)}, nil},
		{"not significant skips change rules", "defaults: {max_drop: 0.5%}", []compare.Result{res("accuracy", f(0.95), f(0.938), hi, ns)}, nil},
		{"require_significance false", "defaults: {max_drop: 0.5%, require_significance: false}", []compare.Result{res("accuracy", f(0.95), f(0.938), hi, ns)},
			[]Violation{{"accuracy", "max_drop", "accuracy dropped by 1.26% (0.95 → 0.938), more than max_drop 0.5%"}}},
		{"metric overrides require_significance", "defaults: {max_drop: 0.5%}\nmetrics: {accuracy: {require_significance: false}}", []compare.Result{res("accuracy", f(0.95), f(0.938), hi, ns)},
			[]Violation{{"accuracy", "max_drop", "accuracy dropped by 1.26% (0.95 → 0.938), more than max_drop 0.5%"}}},
		{"no interval is judged on the point estimate", "defaults: {max_drop: 0.5%}", []compare.Result{res("accuracy", f(0.95), f(0.938), hi, compare.ChangedNoInterval)},
			[]Violation{{"accuracy", "max_drop", "accuracy dropped by 1.26% (0.95 → 0.938), more than max_drop 0.5%; judged on the point estimate, as the metric has no interval"}}},
		{"no interval without require_significance needs no note", "defaults: {max_increase: 1, require_significance: false}", []compare.Result{res("latency_ms", f(1), f(3), lo, compare.ChangedNoInterval)},
			[]Violation{{"latency_ms", "max_increase", "latency_ms increased by 2 (1 → 3), more than max_increase 1"}}},
		{"escaped exact name is required", `metrics: {'acc\[top1\]': {min: 0.5}}`, []compare.Result{res("acc1", f(0.1), f(0.1), hi, unch)},
			[]Violation{{"acc[top1]", "missing", "acc[top1] is missing from the head run; the policy requires it"}}},
		{"escaped exact name applies", `metrics: {'acc\[top1\]': {min: 0.5}, "acc*": {min: 0}}`, []compare.Result{res("acc[top1]", f(0.1), f(0.1), hi, unch)},
			[]Violation{{"acc[top1]", "min", "acc[top1] 0.1 is below min 0.5"}}},
		{"improvement never fails a change rule", "defaults: {max_drop: 2%}", []compare.Result{res("latency", f(50), f(40), lo, imp)}, nil},
		{"max_increase lower is better", "metrics: {eval_loss: {max_increase: 0.05, require_significance: false}}", []compare.Result{res("eval_loss", f(0.41), f(0.472), lo, ns)},
			[]Violation{{"eval_loss", "max_increase", "eval_loss increased by 0.062 (0.41 → 0.472), more than max_increase 0.05"}}},
		{"unknown direction applies both", "defaults: {max_drop: 1%, max_increase: 1%}", []compare.Result{res("a", f(1), f(0.5), "", reg), res("b", f(1), f(2), "", reg)},
			[]Violation{{"a", "max_drop", "a dropped by 50% (1 → 0.5), more than max_drop 1%"}, {"b", "max_increase", "b increased by 100% (1 → 2), more than max_increase 1%"}}},
		{"policy direction used when result has none", "metrics: {a: {direction: lower, max_drop: 1%}}", []compare.Result{res("a", f(1), f(0.5), "", imp)}, nil},
		{"percent of negative base", "defaults: {max_drop: 10%}", []compare.Result{res("score", f(-2), f(-2.5), hi, reg)},
			[]Violation{{"score", "max_drop", "score dropped by 25% (-2 → -2.5), more than max_drop 10%"}}},
		{"percent of zero base", "defaults: {max_increase: 10%}", []compare.Result{res("errors", f(0), f(0.01), lo, reg)},
			[]Violation{{"errors", "max_increase", "errors increased by 0.01 (0 → 0.01); max_increase 10% allows no change from a base of 0"}}},
		{"unchanged ok", "defaults: {max_drop: 0}", []compare.Result{res("a", f(1), f(1), hi, unch)}, nil},
		{"several rules, one violation each", "metrics: {accuracy: {min: 0.95, max_drop: 0.5%}}", []compare.Result{res("accuracy", f(0.96), f(0.9), hi, reg)},
			[]Violation{{"accuracy", "min", "accuracy 0.9 is below min 0.95"}, {"accuracy", "max_drop", "accuracy dropped by 6.25% (0.96 → 0.9), more than max_drop 0.5%"}}},
		{"missing exact name", "metrics: {accuracy: {min: 0.9}, \"lat*\": {max: 1}}", nil,
			[]Violation{{"accuracy", "missing", "accuracy is missing from the head run; the policy requires it"}}},
		{"removed exact name", "metrics: {accuracy: {}}", []compare.Result{res("accuracy", f(0.9), nil, hi, compare.Removed)},
			[]Violation{{"accuracy", "missing", "accuracy is missing from the head run (base was 0.9); the policy requires it"}}},
		{"removed glob match is fine", "metrics: {\"acc*\": {min: 0.5}}", []compare.Result{res("accuracy", f(0.9), nil, hi, compare.Removed)}, nil},
		{"new metric gets bounds, not change rules", "defaults: {max_drop: 0}\nmetrics: {a: {min: 1}}", []compare.Result{res("a", nil, f(0.5), hi, compare.New)},
			[]Violation{{"a", "min", "a 0.5 is below min 1"}}},
		{"sorted by name", "defaults: {min: 1}\nmetrics: {zz: {}}", []compare.Result{res("b", f(2), f(0), hi, reg), res("a", f(2), f(0), hi, reg)},
			[]Violation{{"a", "min", "a 0 is below min 1"}, {"b", "min", "b 0 is below min 1"}, {"zz", "missing", "zz is missing from the head run; the policy requires it"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, tt.policy)
			var c *compare.Comparison
			if tt.cmp != nil {
				c = &compare.Comparison{Metrics: tt.cmp}
			}
			v := p.Evaluate(c)
			if v.Violations == nil {
				t.Fatal("Violations is nil")
			}
			if len(v.Violations) == 0 && len(tt.want) == 0 {
				if !v.Passed {
					t.Error("Passed = false with no violations")
				}
				return
			}
			if !reflect.DeepEqual(v.Violations, tt.want) {
				t.Errorf("violations\n got %q\nwant %q", v.Violations, tt.want)
			}
			if v.Passed {
				t.Error("Passed = true with violations")
			}
		})
	}
}

func TestEvaluateNilPolicy(t *testing.T) {
	var p *Policy
	v := p.Evaluate(&compare.Comparison{Metrics: []compare.Result{res("a", f(1), f(0), compare.HigherIsBetter, compare.Regressed)}})
	if !v.Passed || v.Violations == nil || len(v.Violations) != 0 {
		t.Errorf("nil policy verdict = %+v", v)
	}
	if r := p.RuleFor("a"); !reflect.DeepEqual(r, Rule{}) {
		t.Errorf("nil policy rule = %+v", r)
	}
}

// TestEvaluateWarnsOfUnmatchedGlobs checks that a glob that applies to no
// metric says so, with its line, and that one holding a [ suggests the
// escape that would make it an exact name.
func TestEvaluateWarnsOfUnmatchedGlobs(t *testing.T) {
	p := mustParse(t, `metrics:
  "latency_*": {max: 5}
  "acc[top1]": {min: 0.5}
  "f1_*": {min: 0.1}
  'loss\*': {max: 1}
  accuracy: {}
`)
	v := p.Evaluate(&compare.Comparison{Metrics: []compare.Result{
		res("accuracy", f(0.9), f(0.9), compare.HigherIsBetter, compare.Unchanged),
		res("f1_macro", f(0.9), f(0.9), compare.HigherIsBetter, compare.Unchanged),
	}})
	want := []compare.Warning{
		{Message: `.modelci.yaml: line 2: metrics."latency_*" matches no metric of the report`},
		{Message: `.modelci.yaml: line 3: metrics."acc[top1]" matches no metric of the report; [ starts a character class: to name a metric acc[top1] exactly, escape it as "acc\\[top1\\]"`},
	}
	if !reflect.DeepEqual(v.Warnings, want) {
		t.Errorf("warnings\n got %q\nwant %q", v.Warnings, want)
	}
	// The escaped exact name loss* is required, not warned about.
	if len(v.Violations) != 1 || v.Violations[0].Metric != "loss*" || v.Violations[0].Rule != RuleMissing {
		t.Errorf("violations %+v, want loss* missing", v.Violations)
	}
	// A pattern equal to a metric's name applies to it, glob or not.
	v = p.Evaluate(&compare.Comparison{Metrics: []compare.Result{res("acc[top1]", f(0.9), f(0.4), compare.HigherIsBetter, compare.Regressed)}})
	for _, w := range v.Warnings {
		if strings.Contains(w.Message, "acc[top1]") {
			t.Errorf("warning %q about a pattern that names a metric", w.Message)
		}
	}
}
