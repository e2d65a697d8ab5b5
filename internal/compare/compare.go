package compare

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/modelci/modelci/internal/metrics"
)

// Direction says which way a metric improves.
type Direction string

// Directions.
const (
	HigherIsBetter Direction = "higher"
	LowerIsBetter  Direction = "lower"
)

// Status is the outcome for one metric.
type Status string

// Statuses.
const (
	Improved       Status = "improved"
	Regressed      Status = "regressed"
	Unchanged      Status = "unchanged"
	NotSignificant Status = "not-significant"
	New            Status = "new"
	Removed        Status = "removed"
)

// Interval methods.
const (
	MethodBootstrap = "paired-bootstrap"
	MethodStdErr    = "stderr"
)

// Interval is a confidence interval for a delta.
type Interval struct {
	Low, High float64
	// Level is the confidence level, e.g. 0.95.
	Level float64
	// Method is MethodBootstrap or MethodStdErr.
	Method string
}

// Contains reports whether x lies in the interval (bounds included).
func (iv Interval) Contains(x float64) bool { return iv.Low <= x && x <= iv.High }

// Result is the comparison of one metric. Absent values are nil.
type Result struct {
	Name      string
	Base      *float64
	Head      *float64
	Delta     *float64 // Head - Base
	Relative  *float64 // Delta / |Base|; nil when Base is 0 or absent
	Direction Direction
	CI        *Interval
	Status    Status
	// Examples is the number of paired examples behind CI when the method
	// is the bootstrap, else 0.
	Examples int
}

// Unpaired counts example ids present on one side only.
type Unpaired struct {
	Base int `json:"base"`
	Head int `json:"head"`
}

// Comparison is the result of comparing a head run with its baseline.
type Comparison struct {
	// Metrics are sorted by name.
	Metrics []Result
	// Paired is the number of examples present on both sides.
	Paired int
	// Unpaired counts the examples present on one side only.
	Unpaired Unpaired
}

// Compare compares head with base metric by metric, over the union of the
// names in base, head and paired's columns (see the package doc for how
// values, intervals and statuses are decided). base, head and paired may
// be nil. Metrics with paired per-example values get a paired bootstrap
// interval (all of them resampled together on GOMAXPROCS goroutines, each
// exactly as PairedBootstrap with opts.Seed would); others get a
// standard-error interval when both sides give standard errors.
//
// It returns an error for invalid options, for paired values that cannot
// be resampled (unequal lengths, non-finite differences), naming the
// metric, and ctx's error if ctx ends first.
func Compare(ctx context.Context, base, head *metrics.Set, paired *metrics.Paired, opts Options) (*Comparison, error) {
	level, resamples := opts.Level, opts.Resamples
	if level == 0 {
		level = DefaultLevel
	}
	if err := checkLevel(level); err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	if resamples == 0 {
		resamples = DefaultResamples
	}
	if resamples < 0 {
		return nil, fmt.Errorf("compare: resamples must be positive, got %d", resamples)
	}
	if paired == nil {
		paired = &metrics.Paired{}
	}

	names := make(map[string]bool)
	for _, s := range []*metrics.Set{base, head} {
		if s != nil {
			for _, m := range s.Metrics {
				names[m.Name] = true
			}
		}
	}
	for _, cols := range [][]string{paired.Columns, paired.BaseOnly, paired.HeadOnly} {
		for _, c := range cols {
			names[c] = true
		}
	}
	for c := range paired.Pairs {
		names[c] = true
	}
	sorted := slices.Sorted(maps.Keys(names))

	cmp := &Comparison{
		Metrics:  make([]Result, len(sorted)),
		Paired:   paired.N,
		Unpaired: Unpaired{Base: paired.UnpairedBase, Head: paired.UnpairedHead},
	}
	var jobs []*bootJob
	var jobResult []int
	for i, name := range sorted {
		r := &cmp.Metrics[i]
		r.Name = name
		bm, inBase := base.Lookup(name)
		hm, inHead := head.Lookup(name)
		// The policy decides, else what the files say (lm-evaluation-harness
		// "higher_is_better"), else the name.
		r.Direction = fileDirection(name, hm, bm)
		if opts.Direction != nil {
			if d, ok := opts.Direction(name); ok {
				if d != HigherIsBetter && d != LowerIsBetter {
					return nil, fmt.Errorf("compare: metric %q: invalid direction %q", name, d)
				}
				r.Direction = d
			}
		}
		pv := paired.Pairs[name]
		hasPairs := len(pv.Base) > 0 || len(pv.Head) > 0
		// A side's value: its aggregate, else the mean of the paired values
		// (the mean the interval is about), else the mean of all its rows
		// (nothing to pair with, e.g. no baseline).
		r.Base = sideValue(bm, inBase, pv.Base, paired.BaseMeans, name)
		r.Head = sideValue(hm, inHead, pv.Head, paired.HeadMeans, name)
		if r.Base != nil && r.Head != nil {
			r.Delta = ptr(*r.Head - *r.Base)
			if *r.Base != 0 {
				r.Relative = ptr(*r.Delta / math.Abs(*r.Base))
			}
		}
		switch {
		case hasPairs:
			j, err := newBootJob(pv.Base, pv.Head, resamples, opts.Seed, autoMethod)
			if err != nil {
				return nil, fmt.Errorf("compare: metric %q: paired values: %w", name, err)
			}
			jobs = append(jobs, j)
			jobResult = append(jobResult, i)
			r.Examples = len(pv.Base)
		case inBase && inHead && bm.StdErr != nil && hm.StdErr != nil && r.Delta != nil:
			r.CI = ptr(StdErrInterval(*r.Delta, *bm.StdErr, *hm.StdErr, level))
		}
	}

	if err := runBootstraps(ctx, jobs, resamples); err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	for k, j := range jobs {
		cmp.Metrics[jobResult[k]].CI = ptr(j.interval(level))
	}
	for i := range cmp.Metrics {
		r := &cmp.Metrics[i]
		r.Status = status(r, slices.Contains(paired.BaseOnly, r.Name), slices.Contains(paired.HeadOnly, r.Name))
	}
	return cmp, nil
}

// status decides a result's status from its values, delta, interval and
// direction; baseOnly and headOnly say whether the metric is a per-example
// column of one side only, which decides when neither side has a value.
func status(r *Result, baseOnly, headOnly bool) Status {
	switch {
	case r.Base == nil && r.Head == nil:
		switch {
		case baseOnly:
			return Removed
		case headOnly:
			return New
		}
		return NotSignificant
	case r.Base == nil:
		return New
	case r.Head == nil:
		return Removed
	case *r.Delta == 0:
		return Unchanged
	case r.CI != nil && r.CI.Contains(0):
		return NotSignificant
	case (*r.Delta > 0) == (r.Direction == HigherIsBetter):
		return Improved
	default:
		return Regressed
	}
}

// mean returns the mean of x, which is not empty.
func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func ptr[T any](v T) *T { return &v }

// fileDirection returns the direction the head's or the base's file states
// for the metric name, else the default for the name.
func fileDirection(name string, head, base metrics.Metric) Direction {
	for _, m := range []metrics.Metric{head, base} {
		if m.HigherIsBetter != nil {
			if *m.HigherIsBetter {
				return HigherIsBetter
			}
			return LowerIsBetter
		}
	}
	return DefaultDirection(name)
}

// sideValue returns one side's value of metric name: the aggregate m when
// the side has one, else the mean of its paired values, else its all-rows
// mean from means; nil when the side has none of them.
func sideValue(m metrics.Metric, ok bool, pairedValues []float64, means map[string]float64, name string) *float64 {
	switch {
	case ok:
		return ptr(m.Value)
	case len(pairedValues) > 0:
		return ptr(mean(pairedValues))
	}
	if v, ok := means[name]; ok {
		return ptr(v)
	}
	return nil
}
