package aggregate

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/modelci/modelci/internal/compare"
	"github.com/modelci/modelci/internal/metrics"
)

// Sides are what Apply reads of the two runs; any may be nil.
type Sides struct {
	// BaseSet and HeadSet are the aggregate files.
	BaseSet, HeadSet *metrics.Set
	// Base and Head are the per-example results.
	Base, Head *metrics.Examples
}

// Apply computes the declared aggregates on both sides' per-example
// results, bootstraps their deltas paired by id, and puts them in cmp in
// place of the same-named metrics (see the package doc). opts are the
// comparison's options (level, resamples, seed, directions); zero values
// take compare's defaults. The statuses of all of cmp's metrics are then
// decided again as one family, with cmp.Family's correction.
//
// It returns an input error naming the file, the example and the column
// for a value the statistic cannot take (a probability outside [0, 1], a
// label that is not 0 or 1 where a binary one is read, a single class for
// roc_auc), and ctx's error if ctx ends first.
func Apply(ctx context.Context, cmp *compare.Comparison, specs []Spec, in Sides, opts compare.Options) error {
	if len(specs) == 0 {
		return nil
	}
	a, err := newApplier(in, opts)
	if err != nil {
		return err
	}
	var results []compare.Result
	var jobs []*job
	var jobResult []int
	for _, s := range specs {
		r, j, err := a.one(s)
		if err != nil {
			return err
		}
		if r == nil {
			continue
		}
		if j != nil {
			jobs = append(jobs, j)
			jobResult = append(jobResult, len(results))
		}
		results = append(results, *r)
	}
	if err := runJobs(ctx, jobs, a.opts.Resamples, a.opts.Seed); err != nil {
		return fmt.Errorf("aggregates: %w", err)
	}
	for k, j := range jobs {
		a.interval(&results[jobResult[k]], j.deltas)
	}
	merge(cmp, results, inputs(specs), a.warnings)
	method := cmp.Family.Method
	if method == "" {
		method = compare.NoCorrection
	}
	fam, err := compare.Adjust(cmp.Metrics, method, a.opts.Level)
	if err != nil {
		return fmt.Errorf("aggregates: %w", err)
	}
	cmp.Family = fam
	return nil
}

// applier holds one Apply's inputs.
type applier struct {
	Sides
	opts     compare.Options
	bi, hi   []int // paired rows (metrics.PairRows)
	warnings []compare.Warning
}

// newApplier fills in the defaults of opts, checks them and pairs the
// sides' examples.
func newApplier(in Sides, opts compare.Options) (*applier, error) {
	a := &applier{Sides: in, opts: opts.WithDefaults()}
	if !(a.opts.Level > 0 && a.opts.Level < 1) || a.opts.Resamples < 1 {
		return nil, fmt.Errorf("aggregates: invalid options: level %v, resamples %d", a.opts.Level, a.opts.Resamples)
	}
	a.bi, a.hi = metrics.PairRows(in.Base, in.Head)
	return a, nil
}

// interval sets r's interval and p-value from its resampled deltas, or
// leaves it with no interval, with a warning, when the statistic is
// undefined in most resamples.
func (a *applier) interval(r *compare.Result, deltas []float64) {
	d := slices.DeleteFunc(deltas, math.IsNaN)
	if 2*len(d) < len(deltas) {
		a.warn(r.Name, "the statistic is undefined in %d of %d resamples: no interval", len(deltas)-len(d), len(deltas))
		r.Status = compare.ChangedNoInterval
		return
	}
	slices.Sort(d)
	iv := compare.PercentileInterval(d, a.opts.Level)
	// A percentile interval of a discrete or skewed statistic can
	// miss its own estimate by a hair: widen it to hold it.
	iv.Low, iv.High = min(iv.Low, *r.Delta), max(iv.High, *r.Delta)
	r.CI, r.P = &iv, new(compare.BootstrapPValue(d))
	if r.Status == compare.ChangedNoInterval {
		r.Status = compare.NotSignificant // for Adjust to decide
	}
}

// warn records a warning about metric name.
func (a *applier) warn(name, format string, args ...any) {
	a.warnings = append(a.warnings, compare.Warnf(name, format, args...))
}

// one computes the aggregate s: its result, with its status but no
// interval, and its bootstrap job when it has enough pairs. It returns a
// nil result when neither side's examples hold its columns: the metric is
// then compared as the files give it.
func (a *applier) one(s Spec) (*compare.Result, *job, error) {
	inBase, inHead := has(a.Base, s), has(a.Head, s)
	if !inBase && !inHead {
		return nil, nil, nil
	}
	r := &compare.Result{Name: s.Name, Direction: s.Direction()}
	if a.opts.Direction != nil {
		if d, ok := a.opts.Direction(s.Name); ok {
			r.Direction = d
		}
	}
	br, hr := rows{ex: a.Base}, rows{ex: a.Head}
	var keys []int
	if inBase && inHead {
		br, hr, keys = a.pairs(s)
	}
	paired := len(hr.idx)
	if paired == 0 {
		if inBase {
			br = allRows(a.Base, s)
		}
		if inHead {
			hr = allRows(a.Head, s)
		}
	}
	bs, err := a.side(s, br, a.BaseSet, "base", &r.Base)
	if err != nil {
		return nil, nil, err
	}
	hs, err := a.side(s, hr, a.HeadSet, "head", &r.Head)
	if err != nil {
		return nil, nil, err
	}
	a.checkDeclared(s, r, br, hr)
	r.SetDelta()
	r.Examples = paired
	r.Status = status(r)
	if paired == 0 || bs == nil || hs == nil {
		return r, nil, nil
	}
	if paired < compare.MinPairs {
		a.warn(s.Name, "only %d paired examples, fewer than %d: no interval", paired, compare.MinPairs)
		return r, nil, nil
	}
	return r, &job{base: bs, head: hs, rows: keys}, nil
}

// pairs returns the paired rows of both sides that have every column of
// s on both sides, and their positions in the pairing, by which jobs on
// the same pairs share their resamples.
func (a *applier) pairs(s Spec) (base, head rows, keys []int) {
	base, head = rows{ex: a.Base}, rows{ex: a.Head}
	cols := s.Columns()
	for k := range a.bi {
		i, j := a.bi[k], a.hi[k]
		if complete(a.Base, cols, i) && complete(a.Head, cols, j) {
			base.idx = append(base.idx, i)
			head.idx = append(head.idx, j)
			keys = append(keys, k)
		}
	}
	return base, head, keys
}

// side prepares the statistic of s on one side's rows and sets *value to
// its value. A side without rows has no statistic; its value is its
// aggregate file's, if any.
func (a *applier) side(s Spec, r rows, set *metrics.Set, name string, value **float64) (stat, error) {
	if len(r.idx) == 0 {
		if m, ok := set.Lookup(s.Name); ok {
			*value = new(m.Value)
			lack := " has no per-example results"
			if r.ex != nil {
				lack = "'s per-example results lack " + strings.Join(s.Columns(), ", ")
			}
			a.warn(s.Name, "the %s run%s: its value is the aggregate file's, with no interval", name, lack)
		}
		return nil, nil
	}
	st, err := build(s, r)
	if err != nil {
		return nil, err
	}
	n := len(r.idx)
	v := st.of(ones(n), float64(n))
	if math.IsNaN(v) {
		return nil, &metrics.Error{File: r.ex.Source, Key: s.Label, Err: fmt.Errorf("aggregate %q (%s): the %d examples hold one class only; it needs both 0 and 1", s.Name, s.Statistic, n)}
	}
	*value = &v
	return st, nil
}

// checkDeclared keeps the aggregate files' values in r.Declared, with a
// warning, when a side computed from its examples disagrees with its file.
func (a *applier) checkDeclared(s Spec, r *compare.Result, br, hr rows) {
	bf, hf := fileValue(a.BaseSet, s.Name), fileValue(a.HeadSet, s.Name)
	disagrees := func(file, computed *float64, side rows) bool {
		return len(side.idx) > 0 && computed != nil && compare.Disagrees(file, *computed)
	}
	if !disagrees(bf, r.Base, br) && !disagrees(hf, r.Head, hr) {
		return
	}
	r.Declared = &compare.Declared{Base: bf, Head: hf}
	a.warn(s.Name, "the aggregate files give %s → %s, the declared %s of the per-example results %s → %s; the report shows the latter, which the interval is about",
		compare.ShowValue(bf), compare.ShowValue(hf), s.Statistic, compare.ShowValue(r.Base), compare.ShowValue(r.Head))
}

// fileValue returns an aggregate file's value of a metric, nil when the
// file does not give it.
func fileValue(set *metrics.Set, name string) *float64 {
	if m, ok := set.Lookup(name); ok {
		return new(m.Value)
	}
	return nil
}

// status is r's status before its interval: new, removed, unchanged,
// changed with no interval; a change that gets an interval is then
// not-significant until compare.Adjust decides it.
func status(r *compare.Result) compare.Status {
	switch {
	case r.Base == nil:
		return compare.New
	case r.Head == nil:
		return compare.Removed
	case *r.Delta == 0:
		return compare.Unchanged
	}
	return compare.ChangedNoInterval
}

// inputs returns the columns the specs read as class labels,
// predictions, probabilities or scores, except those that name a declared
// aggregate: inputs of a statistic, not metrics (a mean of class labels
// means nothing), so they leave the comparison. A column aggregated by a
// mean or a percentile is a per-example metric and stays.
func inputs(specs []Spec) map[string]bool {
	out := map[string]bool{}
	for _, s := range specs {
		for _, c := range []string{s.Label, s.Prediction, s.Probability, s.Score} {
			if c != "" {
				out[c] = true
			}
		}
	}
	for _, s := range specs {
		delete(out, s.Name)
	}
	return out
}

// merge puts results in cmp in place of the same-named metrics and drops
// the metrics named in drop, keeping cmp's metrics sorted by name, and
// replaces the warnings about them with warnings.
func merge(cmp *compare.Comparison, results []compare.Result, drop map[string]bool, warnings []compare.Warning) {
	gone := maps.Clone(drop)
	for _, r := range results {
		gone[r.Name] = true
	}
	cmp.Metrics = slices.DeleteFunc(cmp.Metrics, func(r compare.Result) bool { return gone[r.Name] })
	cmp.Metrics = append(cmp.Metrics, results...)
	slices.SortStableFunc(cmp.Metrics, func(x, y compare.Result) int { return strings.Compare(x.Name, y.Name) })
	cmp.Warnings = slices.DeleteFunc(cmp.Warnings, func(w compare.Warning) bool { return gone[w.Metric] })
	cmp.Warnings = append(cmp.Warnings, warnings...)
	slices.SortStableFunc(cmp.Warnings, func(x, y compare.Warning) int { return strings.Compare(x.Metric, y.Metric) })
}

func ones(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
	}
	return w
}
