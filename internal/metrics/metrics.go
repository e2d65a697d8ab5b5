// Package metrics reads evaluation results: aggregate metric files in the
// formats machine-learning tools write (flat or nested JSON and YAML, CSV,
// lm-evaluation-harness, Hugging Face Trainer, scikit-learn classification
// reports) and per-example result files (JSON Lines or CSV), and pairs the
// per-example results of two runs by id.
package metrics

import (
	"fmt"
	"math"

	"github.com/modelci/modelci/internal/inputerr"
)

// MaxMagnitude is the largest magnitude of a value the readers accept: a
// metric, a per-example value or a standard error beyond ±1e300 is an
// input error naming the file, line and key. Within it the difference of
// two values, and the sums of tens of millions of them that the
// statistics take, stay finite; no metric of a model comes near it.
const MaxMagnitude = 1e300

// checkValue says what is wrong with v as a metric's value: not a finite
// number, or beyond MaxMagnitude.
func checkValue(v float64) error {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return fmt.Errorf("value is %v; metrics must be finite numbers", v)
	case math.Abs(v) > MaxMagnitude:
		return fmt.Errorf("value %v is beyond ±%g, the largest magnitude compared (its difference with another value could overflow)", v, MaxMagnitude)
	}
	return nil
}

// Metric is one aggregate value read from a metrics file.
type Metric struct {
	// Name is the flattened metric name: nested keys joined with "."
	// ("eval.accuracy"); lm-evaluation-harness keys keep their filter
	// suffix ("hellaswag.acc,none").
	Name string
	// Value is the metric's value: finite, at most MaxMagnitude in
	// magnitude.
	Value float64
	// StdErr is the standard error of Value when the file gives one
	// (lm-evaluation-harness "_stderr" companions) within MaxMagnitude,
	// else nil.
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
