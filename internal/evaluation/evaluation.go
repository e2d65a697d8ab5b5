// Package evaluation is the one orchestration every edge of modelci calls:
// two evaluations (the baseline's and the head's) and a policy in, a report
// with its verdict out.
//
// The CLI (modelci compare), the Dagger functions (compare, gate, pipeline,
// check) and the GitHub actions only translate their inputs into a Request
// and Run's report into their outputs (Render, GateMessage), so they give
// byte-identical reports and the same verdict for the same inputs.
package evaluation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/modelci/modelci/internal/aggregate"
	"github.com/modelci/modelci/internal/compare"
	"github.com/modelci/modelci/internal/metrics"
	"github.com/modelci/modelci/internal/policy"
	"github.com/modelci/modelci/internal/report"
)

// Input is one file given to Run: its name, shown in messages, and a way to
// open it. Files are opened when Run reads them, one at a time, so a large
// per-example file streams.
type Input struct {
	// Name names the file in messages and in the report.
	Name string
	// Open opens the file for reading.
	Open func() (io.ReadCloser, error)
}

// File is an Input reading the file at path.
func File(path string) *Input {
	return &Input{Name: path, Open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

// Bytes is an Input holding data in memory; name names it in messages.
func Bytes(name string, data []byte) *Input {
	return &Input{Name: name, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}}
}

// Side is one side of the comparison: aggregate metrics, per-example
// results, or both. A side with neither is absent (no baseline).
type Side struct {
	// Metrics is the aggregate metrics file, or nil.
	Metrics *Input
	// Examples is the per-example results file, or nil.
	Examples *Input
	// Overlay, when not nil, is a later measurement of the same model
	// (the pipeline's interleaved latency run): its metrics and its
	// per-example columns, matched by id, replace the same-named ones.
	Overlay *Side
}

// Empty reports whether the side gives no file.
func (s Side) Empty() bool { return s.Metrics == nil && s.Examples == nil && s.Overlay == nil }

// Overrides replace the policy's comparison settings; nil keeps the policy's
// (or, without a policy, the defaults: DefaultConfidence, DefaultResamples,
// DefaultSeed).
type Overrides struct {
	// Confidence is the confidence level of every interval, in (0, 1).
	Confidence *float64
	// Resamples is the number of paired-bootstrap resamples, from
	// MinResamples to MaxResamples.
	Resamples *int
	// Seed seeds the bootstrap.
	Seed *uint64
}

// Request is everything one comparison needs.
type Request struct {
	// Base is the baseline's evaluation; empty when there is no baseline
	// (every head metric is then new).
	Base Side
	// Head is the head's evaluation; it must give at least one file.
	Head Side
	// MetricsFormat is the format of both aggregate files; FormatAuto
	// detects each.
	MetricsFormat metrics.Format
	// ExamplesFormat is the format of both per-example files; ExamplesAuto
	// detects each.
	ExamplesFormat metrics.ExamplesFormat
	// Policy is the gate's policy file (.modelci.yaml), or nil for none: the
	// gate then passes.
	Policy *Input
	// ProposedPolicy is the policy file the head side proposes (its
	// .modelci.yaml), or nil: when it differs from Policy, the report shows
	// the change, and the gate still uses Policy.
	ProposedPolicy *Input
	// Overrides replace the policy's settings.
	Overrides Overrides
	// Title names what was compared in the report, e.g. the model.
	Title string
	// Baseline names the base side in the report, e.g. the registry
	// reference and digest its evaluation was pulled from; optional.
	Baseline string
}

// Defaults of the comparison settings, stated once for every edge (flag
// help, Dagger arguments, the policy file).
const (
	DefaultConfidence = compare.DefaultLevel
	DefaultResamples  = compare.DefaultResamples
	DefaultSeed       = 0
)

// Bounds of the resamples setting, the same for a flag, a Dagger argument
// and the policy file.
const (
	MinResamples = compare.MinResamples
	MaxResamples = compare.MaxResamples
)

// Run reads both sides and the policy, compares head with base under the
// policy and the overrides, and returns the report with its verdict (nil
// when there is no policy). A failed gate is not an error: the report's
// verdict says so. Every error names the file and what was wrong in it.
func Run(ctx context.Context, req Request) (report.Report, error) {
	if req.Head.Empty() {
		return report.Report{}, errors.New("nothing to compare: the head evaluation gives neither aggregate metrics nor per-example results")
	}
	pol, err := readPolicy(req.Policy)
	if err != nil {
		return report.Report{}, err
	}
	change, err := policyChange(pol, req.Policy, req.ProposedPolicy)
	if err != nil {
		return report.Report{}, err
	}
	opts, err := options(pol, req.Overrides)
	if err != nil {
		return report.Report{}, err
	}
	var specs []aggregate.Spec
	if pol != nil {
		specs = pol.Aggregates
	}
	sides, paired, err := readSides(req, len(specs) > 0)
	if err != nil {
		return report.Report{}, err
	}
	cmp, err := compare.Compare(ctx, sides.BaseSet, sides.HeadSet, paired, opts)
	if err != nil {
		return report.Report{}, err
	}
	// Declared aggregates replace the same-named metrics.
	if err := aggregate.Apply(ctx, cmp, specs, sides, opts); err != nil {
		return report.Report{}, err
	}
	// Every result of the report is one family: adjust once all exist.
	if cmp.Family, err = compare.Adjust(cmp.Metrics, pol.Correction(), opts.Level); err != nil {
		return report.Report{}, err
	}
	r := report.Report{Comparison: cmp, Title: req.Title, Baseline: req.Baseline, PolicyChange: change}
	if pol != nil {
		v := pol.Evaluate(cmp)
		r.Verdict, r.Policy = &v, pol
	}
	return r, nil
}

// Check checks the overrides' values. Each message starts with the
// setting's name ("resamples 5: expected 100 to 1000000, like 2000"), so an
// edge can prefix it with its own spelling ("--").
func (o Overrides) Check() error {
	if o.Confidence != nil {
		if c := *o.Confidence; !(c > 0 && c < 1) {
			return fmt.Errorf("confidence %v: expected a level between 0 and 1, e.g. %v", c, DefaultConfidence)
		}
	}
	if o.Resamples != nil {
		if n := *o.Resamples; n < MinResamples || n > MaxResamples {
			return fmt.Errorf("resamples %d: expected %d to %d, like %d", n, MinResamples, MaxResamples, DefaultResamples)
		}
	}
	return nil
}

// options returns the comparison options: the policy's, then the overrides.
func options(pol *policy.Policy, o Overrides) (compare.Options, error) {
	opts := pol.CompareOptions()
	if err := o.Check(); err != nil {
		return opts, err
	}
	if o.Confidence != nil {
		opts.Level = *o.Confidence
	}
	if o.Resamples != nil {
		opts.Resamples = *o.Resamples
	}
	if o.Seed != nil {
		opts.Seed = *o.Seed
	}
	return opts, nil
}

// readSides reads the aggregate files of both sides and pairs their
// per-example results by id, when either side has some. It keeps the
// per-example results in sides only when keepExamples says an aggregate
// reads them.
func readSides(req Request, keepExamples bool) (sides aggregate.Sides, paired *metrics.Paired, err error) {
	base, be, err := readSide(req.Base, req.MetricsFormat, req.ExamplesFormat)
	if err != nil {
		return sides, nil, err
	}
	head, he, err := readSide(req.Head, req.MetricsFormat, req.ExamplesFormat)
	if err != nil {
		return sides, nil, err
	}
	if be != nil || he != nil {
		paired = metrics.Pair(be, he)
	}
	sides = aggregate.Sides{BaseSet: base, HeadSet: head}
	if keepExamples {
		sides.Base, sides.Head = be, he
	}
	return sides, paired, nil
}

// readMetrics reads and parses an aggregate metrics file; nil for none.
func readMetrics(in *Input, format metrics.Format) (*metrics.Set, error) {
	return parseInput(in, func(name string, data []byte) (*metrics.Set, error) {
		return metrics.Parse(name, data, format)
	})
}

// parseInput reads in whole and parses it with parse, which names it in
// its errors; nil for none.
func parseInput[T any](in *Input, parse func(name string, data []byte) (*T, error)) (*T, error) {
	if in == nil {
		return nil, nil
	}
	data, err := readAll(in)
	if err != nil {
		return nil, err
	}
	return parse(in.Name, data)
}

// readExamples reads and parses a per-example results file, streamed;
// nil for none.
func readExamples(in *Input, format metrics.ExamplesFormat) (*metrics.Examples, error) {
	if in == nil {
		return nil, nil
	}
	rc, err := open(in)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return metrics.ParseExamples(in.Name, rc, format)
}

// readAll reads in whole; an error names it.
func readAll(in *Input) ([]byte, error) {
	rc, err := open(in)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, inputError(in.Name, err)
	}
	return data, nil
}

// open opens in; an error names it.
func open(in *Input) (io.ReadCloser, error) {
	rc, err := in.Open()
	if err != nil {
		return nil, inputError(in.Name, err)
	}
	return rc, nil
}

// inputError names the file, dropping the path an *os.PathError repeats.
func inputError(name string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &metrics.Error{File: name, Err: err}
}
