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

// The directions a metric can improve in.
const (
	// HigherIsBetter: accuracy, F1, BLEU, …
	HigherIsBetter Direction = "higher"
	// LowerIsBetter: loss, error rate, perplexity, latency, …
	LowerIsBetter Direction = "lower"
)

// Status is the outcome for one metric; the package doc says how it is
// decided.
type Status string

// The statuses, as the report and the policy read them.
const (
	// Improved: the delta is significant and in the metric's direction.
	Improved Status = "improved"
	// Regressed: the delta is significant and against the direction.
	Regressed Status = "regressed"
	// Unchanged: the delta is exactly 0.
	Unchanged Status = "unchanged"
	// NotSignificant: the interval contains 0, or no side has a value.
	NotSignificant Status = "not-significant"
	// New: only head has a value.
	New Status = "new"
	// Removed: only base has a value.
	Removed Status = "removed"
	// ChangedNoInterval: both sides have a value and they differ, but
	// there is no interval to say whether the change is significant (no
	// per-example values, too few pairs, no standard errors). It is never
	// read as improved or regressed.
	ChangedNoInterval Status = "changed-no-interval"
)

// Interval methods, as Interval.Method and the JSON report name them.
const (
	// MethodBootstrap: the percentile interval of a paired bootstrap.
	MethodBootstrap = "paired-bootstrap"
	// MethodStdErr: the normal approximation from both sides' standard
	// errors; see StdErrInterval.
	MethodStdErr = "stderr"
)

// Interval is a confidence interval for a delta.
type Interval struct {
	// Low and High bound the interval, both included.
	Low, High float64
	// Level is the confidence level, e.g. 0.95.
	Level float64
	// Method is MethodBootstrap or MethodStdErr.
	Method string
}

// Contains reports whether x lies in the interval (bounds included).
func (iv Interval) Contains(x float64) bool { return iv.Low <= x && x <= iv.High }

// Result is the comparison of one metric. Absent values are nil, so that
// "no value" is never confused with 0.
type Result struct {
	// Name is the metric's name as the files give it.
	Name string
	// Base and Head are each side's value; see the package doc.
	Base, Head *float64
	// Delta is Head - Base, when both are present.
	Delta *float64
	// Relative is Delta / |Base|; nil when Base is 0 or absent.
	Relative *float64
	// Direction is the way the metric improves.
	Direction Direction
	// CI is the interval for Delta; nil when neither paired values nor
	// both standard errors are available.
	CI *Interval
	// Status is the outcome.
	Status Status
	// Examples is the number of paired examples behind the values: the
	// bootstrap's when CI is one, or the pairs that were too few for an
	// interval (fewer than MinPairs); else 0.
	Examples int
	// P is the two-sided p-value of "the delta is 0" for this metric
	// alone (the package doc says how it is computed); nil when there is
	// no interval.
	P *float64
	// PAdjusted is P adjusted for the family of metrics of the report by
	// Adjust; Compare sets it to P. The status follows it.
	PAdjusted *float64
	// MDE is the minimum detectable effect of a metric whose change is
	// not significant: the size of a true change this evaluation would
	// find significant in 80% of runs (see the package doc); nil
	// otherwise.
	MDE *float64
	// Declared holds the values the aggregate files give for a metric
	// whose shown values come from per-example values and disagree with
	// them; nil when they agree or there are none.
	Declared *Declared
}

// SetDelta sets r's Delta and Relative from Base and Head when both are
// present.
func (r *Result) SetDelta() {
	if r.Base == nil || r.Head == nil {
		return
	}
	r.Delta = new(*r.Head - *r.Base)
	if *r.Base != 0 {
		r.Relative = new(*r.Delta / math.Abs(*r.Base))
	}
}

// Declared is what the aggregate files give for a metric whose values
// Compare takes from the per-example values instead; a side's value is nil
// when its file does not give the metric.
type Declared struct {
	// Base and Head are the aggregate files' values.
	Base, Head *float64
}

// Warning is something a reader of the report should know that is not an
// error: a metric too small for an interval, an aggregate file that
// disagrees with the per-example values, a policy pattern that matches no
// metric.
type Warning struct {
	// Metric names the metric the warning is about; empty when it is
	// about no single metric.
	Metric string
	// Message says what happened and what was done about it.
	Message string
}

// Warnf returns a warning about metric, its message the metric's name,
// a colon and the formatted text.
func Warnf(metric, format string, args ...any) Warning {
	return Warning{Metric: metric, Message: metric + ": " + fmt.Sprintf(format, args...)}
}

// Unpaired counts example ids present on one side only.
type Unpaired struct {
	// Base counts the examples only the base run has.
	Base int `json:"base"`
	// Head counts the examples only the head run has.
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
	// Family says how the metrics' p-values were adjusted for their
	// number (Adjust); Compare leaves them unadjusted.
	Family Family
	// Warnings are the comparison's warnings, in metric order.
	Warnings []Warning
}

// Compare compares head with base metric by metric, over the union of the
// names in base, head and paired's columns (see the package doc for how
// values, intervals and statuses are decided). base, head and paired may
// be nil. Metrics with paired per-example values get a paired bootstrap
// interval; others get a standard-error interval when both sides give
// standard errors. All the bootstraps run together on GOMAXPROCS
// goroutines, so that many small metrics keep every core busy, yet each
// metric's interval is what resampling it alone with opts.Seed gives.
//
// It returns an error for invalid options, for paired values that cannot
// be resampled (unequal lengths, non-finite differences), naming the
// metric, and ctx's error if ctx ends first.
func Compare(ctx context.Context, base, head *metrics.Set, paired *metrics.Paired, opts Options) (*Comparison, error) {
	c, err := newComparer(base, head, paired, opts)
	if err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	names := c.names()
	cmp := &Comparison{
		Metrics:  make([]Result, len(names)),
		Paired:   c.paired.N,
		Unpaired: Unpaired{Base: c.paired.UnpairedBase, Head: c.paired.UnpairedHead},
	}
	var jobs []*bootJob
	var jobResult []int // jobs[k] is the bootstrap of cmp.Metrics[jobResult[k]]
	for i, name := range names {
		job, err := c.compareValues(&cmp.Metrics[i], name)
		if err != nil {
			return nil, fmt.Errorf("compare: metric %q: %w", name, err)
		}
		if job != nil {
			jobs = append(jobs, job)
			jobResult = append(jobResult, i)
		}
	}
	if err := runBootstraps(ctx, jobs, c.resamples); err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	for k, j := range jobs {
		r := &cmp.Metrics[jobResult[k]]
		iv, p := j.result(c.level)
		r.CI, r.P = &iv, &p
	}
	for i := range cmp.Metrics {
		r := &cmp.Metrics[i]
		r.Status = status(r, slices.Contains(c.paired.BaseOnly, r.Name), slices.Contains(c.paired.HeadOnly, r.Name))
	}
	cmp.Warnings = c.warnings
	if cmp.Family, err = Adjust(cmp.Metrics, NoCorrection, c.level); err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	return cmp, nil
}

// comparer holds one comparison's inputs, with the options' defaults
// filled in and checked.
type comparer struct {
	base, head *metrics.Set
	paired     *metrics.Paired // never nil
	level      float64
	resamples  int
	seed       uint64
	direction  func(name string) (Direction, bool) // may be nil
	warnings   []Warning
}

// newComparer checks opts and fills in their defaults.
func newComparer(base, head *metrics.Set, paired *metrics.Paired, opts Options) (comparer, error) {
	opts = opts.WithDefaults()
	c := comparer{base: base, head: head, paired: paired, level: opts.Level, resamples: opts.Resamples, seed: opts.Seed, direction: opts.Direction}
	if err := checkLevel(c.level); err != nil {
		return comparer{}, err
	}
	if c.resamples < 0 {
		return comparer{}, fmt.Errorf("resamples must be positive, got %d", c.resamples)
	}
	if c.paired == nil {
		c.paired = &metrics.Paired{}
	}
	return c, nil
}

// names returns every metric name either side mentions, sorted: a metric
// one side lacks must still show, as new or removed.
func (c *comparer) names() []string {
	names := make(map[string]bool)
	for _, s := range []*metrics.Set{c.base, c.head} {
		if s != nil {
			for _, m := range s.Metrics {
				names[m.Name] = true
			}
		}
	}
	for _, cols := range [][]string{c.paired.Columns, c.paired.BaseOnly, c.paired.HeadOnly} {
		for _, col := range cols {
			names[col] = true
		}
	}
	for col := range c.paired.Pairs {
		names[col] = true
	}
	return slices.Sorted(maps.Keys(names))
}

// compareValues fills r for metric name, all but its status and, when the
// metric has enough paired values, its interval: it returns their
// bootstrap job instead, for Compare to run with the others.
func (c *comparer) compareValues(r *Result, name string) (*bootJob, error) {
	r.Name = name
	bm, inBase := c.base.Lookup(name)
	hm, inHead := c.head.Lookup(name)
	d, err := c.metricDirection(name, hm, bm)
	if err != nil {
		return nil, err
	}
	r.Direction = d
	pv := c.paired.Pairs[name]
	if len(pv.Base) > 0 || len(pv.Head) > 0 {
		return c.pairedValues(r, pv, aggregate(bm, inBase), aggregate(hm, inHead))
	}
	// A side's value: its aggregate, else the mean of all its rows
	// (nothing to pair with, e.g. no baseline).
	r.Base = sideValue(bm, inBase, c.paired.BaseMeans, name)
	r.Head = sideValue(hm, inHead, c.paired.HeadMeans, name)
	r.SetDelta()
	if inBase && inHead && bm.StdErr != nil && hm.StdErr != nil {
		r.CI = new(StdErrInterval(*r.Delta, *bm.StdErr, *hm.StdErr, c.level))
		r.P = new(StdErrPValue(*r.Delta, *bm.StdErr, *hm.StdErr))
	}
	return nil, nil
}

// pairedValues fills r from a metric's paired values: the values are the
// means of each side's paired values, whatever the aggregate files (base
// and head, nil when absent) say, so that the delta is the one the
// interval is about; files that disagree are kept in r.Declared with a
// warning. It returns the bootstrap job, or nil and a warning when there
// are fewer than MinPairs pairs.
func (c *comparer) pairedValues(r *Result, pv metrics.PairedValues, base, head *float64) (*bootJob, error) {
	j, err := newBootJob(pv.Base, pv.Head, c.resamples, c.seed, autoMethod)
	if err != nil {
		return nil, fmt.Errorf("paired values: %w", err)
	}
	n := len(pv.Base)
	r.Examples = n
	r.Base, r.Head = new(mean(pv.Base)), new(mean(pv.Head))
	r.SetDelta()
	if Disagrees(base, *r.Base) || Disagrees(head, *r.Head) {
		r.Declared = &Declared{Base: base, Head: head}
		c.warn(r.Name, "the aggregate files give %s → %s, the %d paired examples %s → %s; the report shows the examples' means, which the delta and its interval are about",
			ShowValue(base), ShowValue(head), n, ShowValue(r.Base), ShowValue(r.Head))
	}
	if n < MinPairs {
		c.warn(r.Name, "only %d paired examples, fewer than %d: no interval", n, MinPairs)
		return nil, nil
	}
	return j, nil
}

// warn records a warning about metric name.
func (c *comparer) warn(name, format string, args ...any) {
	c.warnings = append(c.warnings, Warnf(name, format, args...))
}

// metricDirection returns the direction of metric name: the policy's
// (opts.Direction) when it states one, else what the files say
// (lm-evaluation-harness "higher_is_better"), else the name's default.
func (c *comparer) metricDirection(name string, head, base metrics.Metric) (Direction, error) {
	if c.direction != nil {
		if d, ok := c.direction(name); ok {
			if d != HigherIsBetter && d != LowerIsBetter {
				return "", fmt.Errorf("invalid direction %q", d)
			}
			return d, nil
		}
	}
	return fileDirection(name, head, base), nil
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
	case r.CI == nil:
		return ChangedNoInterval
	default:
		return changeStatus(r, 1)
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
// the side has one, else its all-rows mean from means; nil when the side
// has neither.
func sideValue(m metrics.Metric, ok bool, means map[string]float64, name string) *float64 {
	if ok {
		return new(m.Value)
	}
	if v, ok := means[name]; ok {
		return new(v)
	}
	return nil
}

// aggregate returns an aggregate file's value of a metric, nil when the
// file does not give it.
func aggregate(m metrics.Metric, ok bool) *float64 {
	if !ok {
		return nil
	}
	return new(m.Value)
}
