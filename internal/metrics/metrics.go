// Package metrics reads evaluation results: aggregate metric files in the
// formats machine-learning tools write (flat or nested JSON and YAML, CSV,
// lm-evaluation-harness, Hugging Face Trainer, scikit-learn classification
// reports) and per-example result files (JSON Lines or CSV), and pairs the
// per-example results of two runs by id.
package metrics

import "github.com/modelci/modelci/internal/inputerr"

// Metric is one aggregate value read from a metrics file.
type Metric struct {
	// Name is the flattened metric name: nested keys joined with "."
	// ("eval.accuracy"); lm-evaluation-harness keys keep their filter
	// suffix ("hellaswag.acc,none").
	Name string
	// Value is the metric's value; never NaN or Inf.
	Value float64
	// StdErr is the standard error of Value when the file gives one
	// (lm-evaluation-harness "_stderr" companions), else nil.
	StdErr *float64
	// HigherIsBetter is the metric's direction when the file states it
	// (lm-evaluation-harness "higher_is_better"), else nil.
	HigherIsBetter *bool
}

// Set is the aggregate metrics read from one file.
type Set struct {
	// Source names the file the metrics came from, for messages.
	Source string
	// Format is the format the file was read as: the one given, or the
	// one detected (never FormatAuto).
	Format Format
	// Metrics are sorted by Name; names are unique.
	Metrics []Metric
}

// Lookup returns the metric called name.
func (s *Set) Lookup(name string) (Metric, bool) {
	if s == nil {
		return Metric{}, false
	}
	lo, hi := 0, len(s.Metrics)
	for lo < hi {
		mid := (lo + hi) / 2
		if s.Metrics[mid].Name < name {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(s.Metrics) && s.Metrics[lo].Name == name {
		return s.Metrics[lo], true
	}
	return Metric{}, false
}

// Error is an input error: which file, where in it, and what was
// expected. Its Key is the metric name or field concerned, if any; it
// formats as `file: line N: key "k": message`, leaving out what is unknown.
type Error = inputerr.Error
