package publish

import (
	"encoding/json"
	"errors"

	"github.com/modelci/modelci/internal/inputerr"
)

// ReportSummary is what publishing reads from a report.json (the JSON
// report of modelci compare): the gate and each metric's values.
type ReportSummary struct {
	// GatePassed is gate.passed.
	GatePassed bool
	// Violations are the messages of gate.violations.
	Violations []string
	// Metrics are the metrics in report order.
	Metrics []MetricSummary
}

// MetricSummary is one metric of the report, as the model's config
// records it.
type MetricSummary struct {
	// Name is the metric's name.
	Name string `json:"name"`
	// Value is the head's value; nil when the head lacks the metric.
	Value *float64 `json:"value"`
	// Base is the baseline's value; nil without one.
	Base *float64 `json:"base,omitempty"`
	// Status is the report's status of the metric (better, worse, …).
	Status string `json:"status,omitempty"`
}

// ParseReport reads a report.json; source names it in errors. It needs
// gate.passed and ignores what it does not use.
func ParseReport(source string, data []byte) (ReportSummary, error) {
	var doc struct {
		Gate *struct {
			Passed     *bool `json:"passed"`
			Violations []struct {
				Message string `json:"message"`
			} `json:"violations"`
		} `json:"gate"`
		Metrics []struct {
			Name   string   `json:"name"`
			Base   *float64 `json:"base"`
			Head   *float64 `json:"head"`
			Status string   `json:"status"`
		} `json:"metrics"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return ReportSummary{}, &inputerr.Error{File: source, Err: err}
	}
	if doc.Gate == nil || doc.Gate.Passed == nil {
		return ReportSummary{}, &inputerr.Error{File: source, Key: "gate.passed", Path: true,
			Err: errors.New("missing: expected the JSON report of modelci compare (--json)")}
	}
	s := ReportSummary{GatePassed: *doc.Gate.Passed}
	for _, v := range doc.Gate.Violations {
		s.Violations = append(s.Violations, v.Message)
	}
	for _, m := range doc.Metrics {
		s.Metrics = append(s.Metrics, MetricSummary{Name: m.Name, Value: m.Head, Base: m.Base, Status: m.Status})
	}
	return s, nil
}
