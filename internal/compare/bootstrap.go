package compare

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/modelci/modelci/internal/resample"
)

// MultinomialMaxExamples is the largest number of pairs Compare's
// bootstrap resamples with the classic (multinomial) bootstrap; above it,
// it uses the Poisson bootstrap. Up to this size the differences (512 KiB) stay in
// the processor's cache, so drawing indices at random costs no more than
// streaming; beyond it, the Poisson bootstrap's variance differs from the
// classic one's by a relative O(1/n), below 0.002%.
const MultinomialMaxExamples = resample.MultinomialMax

// cancelEvery is the number of examples (Poisson) or draws (multinomial)
// between checks of the context.
const cancelEvery = 1 << 12

// bootstrapMethod is the resampling scheme of a bootstrap.
type bootstrapMethod int

const (
	autoMethod bootstrapMethod = iota // by the number of pairs
	multinomialMethod
	poissonMethod
)

// bootJob is the bootstrap of one metric: its input, checked, and the
// resampled means it yields.
type bootJob struct {
	base, head []float64
	// mean is the mean difference.
	mean float64
	// constant reports whether all differences are equal (to mean).
	constant bool
	method   bootstrapMethod
	// centered holds d[i]-mean for the multinomial bootstrap.
	centered []float64
	seed     uint64
	// means are the resampled means, one per resample.
	means []float64
}

// newBootJob checks a paired sample and prepares its bootstrap.
func newBootJob(base, head []float64, resamples int, seed uint64, method bootstrapMethod) (*bootJob, error) {
	n := len(base)
	if len(head) != n {
		return nil, fmt.Errorf("base has %d values, head has %d", n, len(head))
	}
	if n == 0 {
		return nil, errors.New("no paired values")
	}
	if resamples < 1 {
		return nil, fmt.Errorf("resamples must be at least 1, got %d", resamples)
	}
	j := &bootJob{base: base, head: head, seed: seed, constant: true}
	d0 := head[0] - base[0]
	sum := 0.0
	for i := range base {
		d := head[i] - base[i]
		if math.IsNaN(d) || math.IsInf(d, 0) {
			return nil, fmt.Errorf("example %d: difference of %v and %v is not a finite number", i, head[i], base[i])
		}
		if d != d0 {
			j.constant = false
		}
		sum += d
	}
	if j.constant {
		j.mean = d0
		return j, nil
	}
	j.mean = sum / float64(n)
	if method == autoMethod {
		method = poissonMethod
		if n <= MultinomialMaxExamples {
			method = multinomialMethod
		}
	}
	j.method = method
	if method == multinomialMethod {
		j.centered = make([]float64, n)
		for i := range base {
			j.centered[i] = head[i] - base[i] - j.mean
		}
	}
	j.means = make([]float64, resamples)
	return j, nil
}

// result returns the percentile interval of the resampled means at level
// and the p-value of "the mean difference is 0"; it sorts the means.
func (j *bootJob) result(level float64) (Interval, float64) {
	if j.constant {
		p := 0.0
		if j.mean == 0 {
			p = 1
		}
		return Interval{Low: j.mean, High: j.mean, Level: level, Method: MethodBootstrap}, p
	}
	slices.Sort(j.means)
	return PercentileInterval(j.means, level), BootstrapPValue(j.means)
}

// PercentileInterval returns the percentile interval at level of sorted,
// the resampled values of a delta sorted in increasing order (not empty):
// its (1-level)/2 and (1+level)/2 quantiles, interpolated linearly between
// order statistics (R's type 7). A bound that is zero up to rounding
// (within 1e-9 of the interval's width) is 0. Method is MethodBootstrap.
// Producers of other bootstrapped results use it so that their intervals
// are Compare's.
func PercentileInterval(sorted []float64, level float64) Interval {
	iv := Interval{Level: level, Method: MethodBootstrap}
	iv.Low = quantile(sorted, (1-level)/2)
	iv.High = quantile(sorted, (1+level)/2)
	// Resampled means carry rounding error (mean + Σ(d-mean)/n): a bound
	// that is zero up to that error is zero, so that an interval ending at
	// zero counts as containing it.
	tol := 1e-9 * (iv.High - iv.Low)
	if math.Abs(iv.Low) <= tol {
		iv.Low = 0
	}
	if math.Abs(iv.High) <= tol {
		iv.High = 0
	}
	return iv
}

// BootstrapPValue returns the two-sided p-value of "the delta is 0" from
// sorted, the resampled values of the delta in increasing order: twice the
// smaller of the shares of resamples at or below 0 and at or above 0, at
// most 1. Values within 1e-9 of the range of sorted count as 0, on both
// sides. Under no change it is about uniform, so that P(p < α) stays
// within 1/(len(sorted)+1) of α at any α, as Holm's small thresholds need
// (an interpolated share, as PercentileInterval's quantiles are, would be
// smaller by about one resample per tail: 20% too many false alarms at
// α = 0.005 with 2000 resamples). p < 1-level implies, up to that one
// resample, that the percentile interval at level excludes 0; the status
// asks for both. 0 means that no resample fell on the far side of 0.
func BootstrapPValue(sorted []float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 1
	}
	tol := 1e-9 * (sorted[n-1] - sorted[0])
	below := sort.Search(n, func(i int) bool { return sorted[i] > tol })       // count at or below 0
	above := n - sort.Search(n, func(i int) bool { return sorted[i] >= -tol }) // count at or above 0
	return min(1, 2*float64(min(below, above))/float64(n))
}

// quantile returns the p-quantile of sorted x, interpolating linearly
// between order statistics (R's type 7).
func quantile(x []float64, p float64) float64 {
	h := float64(len(x)-1) * p
	lo := int(math.Floor(h))
	if lo >= len(x)-1 {
		return x[len(x)-1]
	}
	if lo < 0 {
		return x[0]
	}
	return x[lo] + (h-float64(lo))*(x[lo+1]-x[lo])
}

// checkLevel checks a confidence level.
func checkLevel(level float64) error {
	if !(level > 0 && level < 1) {
		return fmt.Errorf("confidence level must lie in (0, 1), got %v", level)
	}
	return nil
}

// runBootstraps fills the means of jobs, spreading chunks of resamples
// over GOMAXPROCS goroutines. Each chunk draws from its own random stream
// (package resample), so that results do not depend on how many
// goroutines run. Constant jobs need no resampling.
func runBootstraps(ctx context.Context, jobs []*bootJob, resamples int) error {
	var active []*bootJob
	var table *resample.PoissonTable
	for _, j := range jobs {
		if j.constant {
			continue
		}
		active = append(active, j)
		if j.method == poissonMethod && table == nil {
			table = resample.NewPoissonTable()
		}
	}
	return resample.RunChunks(ctx, len(active), resamples, func(ctx context.Context, k, c, lo, hi int) error {
		j, rng := active[k], *resample.NewStream(active[k].seed, c)
		if j.method == poissonMethod {
			return poissonChunk(ctx, j.base, j.head, j.mean, j.means[lo:hi], rng, table)
		}
		return multinomialChunk(ctx, j.centered, j.mean, j.means[lo:hi], rng)
	})
}

// canceled reports ctx's error without blocking.
func canceled(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	default:
		return nil
	}
}

// multinomialChunk fills out with means of resamples of n = len(centered)
// differences drawn with replacement from rng (see resample.Draw): mean +
// Σ centered[idx]/n.
func multinomialChunk(ctx context.Context, centered []float64, mean float64, out []float64, rng resample.Stream) error {
	n := uint32(len(centered))
	d := resample.NewDraw(len(centered))
	checked := 0
	for b := range out {
		if checked += int(n); checked >= cancelEvery {
			checked = 0
			if err := canceled(ctx); err != nil {
				return err
			}
		}
		var s0, s1 float64
		i := uint32(0)
		for ; i+1 < n; i += 2 {
			r := rng.Uint64()
			s0 += centered[d.Index(uint32(r), &rng)]
			s1 += centered[d.Index(uint32(r>>32), &rng)]
		}
		if i < n {
			s0 += centered[d.Index(uint32(rng.Uint64()), &rng)]
		}
		out[b] = mean + (s0+s1)/float64(n)
	}
	return nil
}

// poissonChunk fills out (at most resample.ChunkSize long) with Poisson
// bootstrap means: mean + Σw·(d-mean)/Σw with independent Poisson(1)
// weights w read from t, or mean when all weights are 0. It streams the
// pairs in order, four at a time: per resample, 64 random bits of rng
// give the four pairs' weights, 16 bits each.
func poissonChunk(ctx context.Context, base, head []float64, mean float64, out []float64, rng resample.Stream, t *resample.PoissonTable) error {
	var sumsArr [resample.ChunkSize]float64
	var countsArr [resample.ChunkSize]uint64
	sums := sumsArr[:len(out)]
	counts := countsArr[:len(sums)]
	n := len(base)
	head = head[:n]
	for i := 0; i < n; i += 4 {
		if i%cancelEvery == 0 && i > 0 {
			if err := canceled(ctx); err != nil {
				return err
			}
		}
		// we[j][w] = w·(d[i+j]-mean) for w ≤ 8. Past the end, the lane's
		// random bits are cleared: t[0] is 0, a zero weight.
		var we [4][16]float64
		keep := ^uint64(0)
		for j := range 4 {
			if i+j >= n {
				keep &^= 0xffff << (16 * j)
				continue
			}
			e := head[i+j] - base[i+j] - mean
			for w := 1; w <= 8; w++ {
				we[j][w] = float64(w) * e
			}
		}
		for b := range sums {
			r := rng.Uint64() & keep
			w0, w1, w2, w3 := t[uint16(r)], t[uint16(r>>16)], t[uint16(r>>32)], t[uint16(r>>48)]
			sums[b] += (we[0][w0&15] + we[1][w1&15]) + (we[2][w2&15] + we[3][w3&15])
			counts[b] += uint64(w0) + uint64(w1) + uint64(w2) + uint64(w3)
		}
	}
	for b := range out {
		out[b] = mean
		if counts[b] > 0 {
			out[b] += sums[b] / float64(counts[b])
		}
	}
	return nil
}
