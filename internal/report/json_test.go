package report

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/modelci/modelci/internal/compare"
	"github.com/modelci/modelci/internal/policy"
)

// TestJSONFamilyAndWarnings checks that the JSON report carries the
// per-metric p-values, adjusted p-values, MDE and declared values, the
// correction in its header, and every warning of the comparison and the
// verdict.
func TestJSONFamilyAndWarnings(t *testing.T) {
	acc := metric("accuracy", f(0.8), f(0.9), compare.HigherIsBetter, compare.Improved, boot(0.05, 0.15))
	acc.P, acc.PAdjusted = f(0.001), f(0.002)
	acc.Declared = &compare.Declared{Base: f(0.95), Head: f(0.9)}
	f1 := metric("f1", f(0.7), f(0.71), compare.HigherIsBetter, compare.NotSignificant, boot(-0.01, 0.03))
	f1.P, f1.PAdjusted, f1.MDE = f(0.3), f(0.3), f(0.029)
	r := Report{
		Comparison: &compare.Comparison{
			Metrics:  []compare.Result{acc, f1},
			Family:   compare.Family{Method: compare.Holm, Size: 2, Level: 0.95},
			Warnings: []compare.Warning{{Metric: "accuracy", Message: "accuracy: the aggregate files disagree"}},
		},
		Verdict: &policy.Verdict{Passed: true, Violations: []policy.Violation{},
			Warnings: []compare.Warning{{Message: `.modelci.yaml: line 3: metrics."lat*" matches no metric of the report`}}},
	}
	js, err := JSON(r)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Metrics []struct {
			Name      string             `json:"name"`
			P         *float64           `json:"p_value"`
			PAdjusted *float64           `json:"p_adjusted"`
			MDE       *float64           `json:"mde"`
			Declared  map[string]float64 `json:"declared"`
		} `json:"metrics"`
		Family   map[string]any      `json:"multiple_comparisons"`
		Warnings []map[string]string `json:"warnings"`
	}
	if err := json.Unmarshal(js, &got); err != nil {
		t.Fatal(err)
	}
	a, b := got.Metrics[0], got.Metrics[1]
	if *a.P != 0.001 || *a.PAdjusted != 0.002 || a.MDE != nil || !reflect.DeepEqual(a.Declared, map[string]float64{"base": 0.95, "head": 0.9}) {
		t.Errorf("accuracy: %s", js)
	}
	if *b.P != 0.3 || *b.MDE != 0.029 || b.Declared != nil {
		t.Errorf("f1: %s", js)
	}
	if want := map[string]any{"method": "holm", "family_size": 2.0, "level": 0.95}; !reflect.DeepEqual(got.Family, want) {
		t.Errorf("multiple_comparisons %v, want %v", got.Family, want)
	}
	want := []map[string]string{
		{"metric": "accuracy", "message": "accuracy: the aggregate files disagree"},
		{"message": `.modelci.yaml: line 3: metrics."lat*" matches no metric of the report`},
	}
	if !reflect.DeepEqual(got.Warnings, want) {
		t.Errorf("warnings %v, want %v", got.Warnings, want)
	}
}
