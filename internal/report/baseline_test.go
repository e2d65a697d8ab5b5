package report

import (
	"strings"
	"testing"

	"github.com/modelci/modelci/internal/compare"
)

func TestBaselineNamed(t *testing.T) {
	r := Report{Comparison: &compare.Comparison{}, Baseline: "reg.example/iris@sha256:abc\n# not a heading"}
	md := Markdown(r)
	if !strings.Contains(md, "Baseline: `reg.example/iris@sha256:abc # not a heading`\n") {
		t.Errorf("markdown does not name the baseline on one line:\n%s", md)
	}
	if !strings.Contains(Summary(r), "Baseline: `reg.example/iris@sha256:abc") {
		t.Error("summary does not name the baseline")
	}
	js, err := JSON(r)
	if err != nil || !strings.Contains(string(js), `"baseline": "reg.example/iris@sha256:abc\n# not a heading"`) {
		t.Errorf("JSON = %s, %v", js, err)
	}
	if _, err := CheckJSON("r.json", js); err != nil {
		t.Errorf("CheckJSON refuses a report with a baseline: %v", err)
	}
	if js, _ := JSON(Report{}); strings.Contains(string(js), "baseline") {
		t.Error("JSON names a baseline when there is none")
	}
}
