// Command simulate measures, by simulation, how often a report of many
// per-example metrics calls a change significant: with nothing changed
// (the family-wise false-alarm rate) and with one metric truly worse (the
// power to catch it), with Holm's correction and without, side by side.
// Every report goes through compare.Compare and compare.Adjust, as
// modelci's evaluation runs them. scripts/simulate-fwer runs it.
//
// # Data model
//
// Each run draws one base and one head evaluation of -examples examples
// and -metrics per-example metrics, independent of each other: the first
// half 0/1 correctness with mean -mean, the rest continuous scores in
// [0, 1] from a Beta distribution with the same mean (concentration 10).
// The head is paired with the base: on each example and metric, the head's
// value is the base's, except on a fraction -churn of them, redrawn
// independently (the examples whose prediction the change touched), so
// base and head values correlate with coefficient 1 - churn. With nothing
// changed the redraw has the base's distribution. In the second scenario
// the first metric (0/1) is redrawn with mean -mean - drop/churn, so its
// mean falls by -drop; the others stay unchanged.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"github.com/modelci/modelci/internal/compare"
	"github.com/modelci/modelci/internal/metrics"
)

// config is the simulation's settings, from the flags.
type config struct {
	runs, examples, metrics, resamples int
	mean, churn, drop, level           float64
	seed                               uint64
}

func main() {
	var c config
	flag.IntVar(&c.runs, "runs", 600, "reports simulated per scenario")
	flag.IntVar(&c.examples, "examples", 2000, "examples per evaluation")
	flag.IntVar(&c.metrics, "metrics", 10, "per-example metrics per report")
	flag.IntVar(&c.resamples, "resamples", compare.DefaultResamples, "bootstrap resamples per metric")
	flag.Float64Var(&c.mean, "mean", 0.85, "mean of every metric")
	flag.Float64Var(&c.churn, "churn", 0.2, "fraction of examples whose head value is redrawn")
	flag.Float64Var(&c.drop, "drop", 0.02, "true drop of the first metric in the second scenario")
	flag.Float64Var(&c.level, "confidence", compare.DefaultLevel, "confidence level")
	flag.Uint64Var(&c.seed, "seed", 1, "seed of the simulated data")
	flag.Parse()
	if err := c.check(); err != nil {
		fmt.Fprintln(os.Stderr, "simulate:", err)
		os.Exit(2)
	}
	if err := run(context.Background(), os.Stdout, c); err != nil {
		fmt.Fprintln(os.Stderr, "simulate:", err)
		os.Exit(1)
	}
}

// check rejects settings the data model cannot simulate.
func (c config) check() error {
	switch {
	case c.runs < 1 || c.examples < compare.MinPairs || c.metrics < 1:
		return fmt.Errorf("need -runs ≥ 1, -examples ≥ %d, -metrics ≥ 1", compare.MinPairs)
	case !(c.mean >= 0.1 && c.mean <= 0.9) || !(c.churn > 0 && c.churn <= 1):
		return fmt.Errorf("need 0.1 ≤ -mean ≤ 0.9 and 0 < -churn ≤ 1")
	case !(c.mean-c.drop/c.churn >= 0):
		return fmt.Errorf("-drop %v with -churn %v needs a redrawn mean below 0: raise -churn to at least %v", c.drop, c.churn, c.drop/c.mean)
	}
	return nil
}

// tally counts the reports of one scenario where something happened, with
// each correction.
type tally struct{ holm, none int }

// rate formats k of n as a percentage with its binomial standard error.
func rate(k, n int) string {
	p := float64(k) / float64(n)
	return fmt.Sprintf("%5.1f%% ± %.1f%%", 100*p, 100*math.Sqrt(p*(1-p)/float64(n)))
}

func run(ctx context.Context, w io.Writer, c config) error {
	start := time.Now()
	var anyRegressed, anySignificant, caught, otherAlarms tally
	for i := range c.runs {
		null, err := c.report(ctx, uint64(2*i), false)
		if err != nil {
			return err
		}
		alt, err := c.report(ctx, uint64(2*i+1), true)
		if err != nil {
			return err
		}
		count(&anyRegressed, null, func(r []compare.Result) bool { return slices.ContainsFunc(r, isStatus(compare.Regressed)) })
		count(&anySignificant, null, func(r []compare.Result) bool {
			return slices.ContainsFunc(r, isStatus(compare.Regressed)) || slices.ContainsFunc(r, isStatus(compare.Improved))
		})
		count(&caught, alt, func(r []compare.Result) bool { return r[0].Status == compare.Regressed })
		count(&otherAlarms, alt, func(r []compare.Result) bool {
			return slices.ContainsFunc(r[1:], isStatus(compare.Regressed)) || slices.ContainsFunc(r[1:], isStatus(compare.Improved))
		})
	}
	c.describe(w)
	fmt.Fprintf(w, "\n%-58s %-16s %s\n", "", "Holm (default)", "none")
	line := func(label string, t tally) {
		fmt.Fprintf(w, "%-58s %-16s %s\n", label, rate(t.holm, c.runs), rate(t.none, c.runs))
	}
	line("nothing changed: reports with any \"regressed\"", anyRegressed)
	line("nothing changed: reports with any significant change", anySignificant)
	line(fmt.Sprintf("first metric down %v: caught as \"regressed\"", c.drop), caught)
	line("first metric down: any other metric significant", otherAlarms)
	fmt.Fprintf(w, "\n%d runs per scenario (± is the binomial standard error), %s\n", c.runs, time.Since(start).Round(time.Second))
	return nil
}

// reports holds one simulated report's results under each correction.
type reports struct{ holm, none []compare.Result }

// count adds to t the corrections under which event happened in r.
func count(t *tally, r reports, event func([]compare.Result) bool) {
	if event(r.holm) {
		t.holm++
	}
	if event(r.none) {
		t.none++
	}
}

func isStatus(s compare.Status) func(compare.Result) bool {
	return func(r compare.Result) bool { return r.Status == s }
}

// describe prints the data model and the settings.
func (c config) describe(w io.Writer) {
	bin := (c.metrics + 1) / 2
	fmt.Fprintf(w, "Family-wise error of one report: %d per-example metrics on %d paired examples\n", c.metrics, c.examples)
	fmt.Fprintf(w, "data: %d metrics of 0/1 correctness, %d of scores in [0,1] (Beta, concentration 10), all with mean %v,\n", bin, c.metrics-bin, c.mean)
	fmt.Fprintf(w, "      independent of each other; the head equals the base on each example except a fraction %v\n", c.churn)
	fmt.Fprintf(w, "      redrawn independently (paired correlation %.2f); in the second scenario the first metric's\n", 1-c.churn)
	fmt.Fprintf(w, "      redrawn 0/1 values have mean %.4g, so its mean falls by %v\n", c.mean-c.drop/c.churn, c.drop)
	fmt.Fprintf(w, "test: %v%% paired bootstrap, %d resamples, p-value from the bootstrap distribution, family of %d\n", 100*c.level, c.resamples, c.metrics)
}

// report simulates one report, with the first metric dropped or not, and
// returns its results under Holm's correction and without.
func (c config) report(ctx context.Context, seed uint64, dropped bool) (reports, error) {
	r := rand.New(rand.NewPCG(c.seed, seed))
	paired := &metrics.Paired{N: c.examples, Pairs: map[string]metrics.PairedValues{}}
	for k := range c.metrics {
		name := fmt.Sprintf("metric_%02d", k)
		redraw := c.mean
		if dropped && k == 0 {
			redraw = c.mean - c.drop/c.churn
		}
		paired.Columns = append(paired.Columns, name)
		paired.Pairs[name] = c.values(r, k < (c.metrics+1)/2, redraw)
	}
	cmp, err := compare.Compare(ctx, nil, nil, paired, compare.Options{Level: c.level, Resamples: c.resamples, Seed: seed})
	if err != nil {
		return reports{}, err
	}
	out := reports{holm: cmp.Metrics, none: slices.Clone(cmp.Metrics)}
	if _, err := compare.Adjust(out.holm, compare.Holm, c.level); err != nil {
		return reports{}, err
	}
	if _, err := compare.Adjust(out.none, compare.NoCorrection, c.level); err != nil {
		return reports{}, err
	}
	return out, nil
}

// values draws one metric's paired values: 0/1 or Beta scores with mean
// c.mean for the base; the head's redrawn values have mean redraw.
func (c config) values(r *rand.Rand, binary bool, redraw float64) metrics.PairedValues {
	draw := func(mean float64) float64 {
		if binary {
			if r.Float64() < mean {
				return 1
			}
			return 0
		}
		return beta(r, 10*mean, 10*(1-mean))
	}
	pv := metrics.PairedValues{Base: make([]float64, c.examples), Head: make([]float64, c.examples)}
	for i := range pv.Base {
		pv.Base[i] = draw(c.mean)
		pv.Head[i] = pv.Base[i]
		if r.Float64() < c.churn {
			pv.Head[i] = draw(redraw)
		}
	}
	return pv
}

// beta draws from Beta(a, b) as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b).
func beta(r *rand.Rand, a, b float64) float64 {
	x, y := gamma(r, a), gamma(r, b)
	return x / (x + y)
}

// gamma draws from Gamma(a, 1), a ≥ 1, by Marsaglia and Tsang's method.
func gamma(r *rand.Rand, a float64) float64 {
	d := a - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := r.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		if u := r.Float64(); math.Log(u) < 0.5*x*x+d-d*v+d*math.Log(v) {
			return d * v
		}
	}
}
