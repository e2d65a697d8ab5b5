package aggregate

import (
	"context"
	"slices"

	"github.com/modelci/modelci/internal/resample"
)

// job is the bootstrap of one aggregate: its two sides' statistics on the
// same paired examples, and the resampled deltas.
type job struct {
	base, head stat
	// rows are the pairs' indices in the pairing (metrics.PairRows), by
	// which jobs share their resamples.
	rows   []int
	deltas []float64
}

// group is the jobs on the same pairs, which share each resample's
// weights.
type group struct {
	n    int
	jobs []*job
}

// groupJobs groups the jobs by their pairs, in order of first appearance.
func groupJobs(jobs []*job) []*group {
	var out []*group
	var rows [][]int
	for _, j := range jobs {
		k := slices.IndexFunc(rows, func(r []int) bool { return slices.Equal(r, j.rows) })
		if k < 0 {
			k = len(out)
			rows = append(rows, j.rows)
			out = append(out, &group{n: len(j.rows)})
		}
		out[k].jobs = append(out[k].jobs, j)
	}
	return out
}

// runJobs fills every job's deltas: resample b's weights are the same
// for every job of a group, drawn as package resample draws them from
// (seed, b), so each job's deltas are what bootstrapping it alone gives.
// Chunks of resamples of every group run in parallel.
func runJobs(ctx context.Context, jobs []*job, resamples int, seed uint64) error {
	groups := groupJobs(jobs)
	var table *resample.PoissonTable
	for _, g := range groups {
		for _, j := range g.jobs {
			j.deltas = make([]float64, resamples)
		}
		if g.n > resample.MultinomialMax && table == nil {
			table = resample.NewPoissonTable()
		}
	}
	return resample.RunChunks(ctx, len(groups), resamples, func(ctx context.Context, k, c, lo, hi int) error {
		g, rng := groups[k], resample.NewStream(seed, c)
		w := make([]float64, g.n)
		for b := lo; b < hi; b++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			total := rng.Weights(w, table)
			for _, j := range g.jobs {
				j.deltas[b] = j.head.of(w, total) - j.base.of(w, total)
			}
		}
		return nil
	})
}
