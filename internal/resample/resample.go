// Package resample draws the resamples of a seeded, reproducible bootstrap
// of n paired examples, as weights, and runs the resamples in parallel.
//
// Resamples are split into chunks of ChunkSize, each with its own random
// stream derived from (seed, chunk index) by NewStream, so a resample
// depends on the seed, its index and n only, never on how many goroutines
// run or on what else is resampled. Up to MultinomialMax examples a
// resample is the classic bootstrap's: n indices drawn with replacement
// (Draw), two per 64 random bits. Above it each example gets an
// independent Poisson(1) weight (PoissonTable), four examples per 64
// random bits, resample after resample.
//
// Compare's bootstrap of a mean draws from the same streams, with Draw and
// PoissonTable, and runs its chunks with RunChunks, but sums the
// differences as it draws instead of building weights. Its multinomial
// resamples take the indices in the order Weights counts them, so a
// weighted mean over these weights resamples the same examples as
// compare's bootstrap of a mean with the same seed; its Poisson resamples
// read the stream four pairs at a time for all of a chunk's resamples,
// rather than resample after resample, and differ from Weights'.
package resample

import (
	"context"
	"math"
	"math/bits"
	"runtime"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
)

const (
	// ChunkSize is the number of resamples that share one random stream.
	ChunkSize = 64
	// MultinomialMax is the largest number of examples resampled with
	// the classic (multinomial) bootstrap; above it, the Poisson
	// bootstrap. It equals compare.MultinomialMaxExamples.
	MultinomialMax = 1 << 16
)

// Stream is the random stream of one chunk of resamples: wyrand, which
// passes BigCrush and PractRand and costs one 64×64 multiplication.
type Stream struct{ s uint64 }

// NewStream returns the stream of chunk c of the resamples seeded by seed.
func NewStream(seed uint64, c int) *Stream {
	return &Stream{s: mix(seed ^ mix(uint64(c)+0x9e3779b97f4a7c15))}
}

// mix is the SplitMix64 finalizer, a bijection that scrambles its input.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// Uint64 returns the next 64 random bits.
func (r *Stream) Uint64() uint64 {
	r.s += 0xa0761d6478bd642f
	hi, lo := bits.Mul64(r.s, r.s^0xe7037ed1a0b428db)
	return hi ^ lo
}

// Weights fills w with the next resample's weight of each of the len(w)
// examples, a whole number: how many times the classic bootstrap drew the
// example up to MultinomialMax examples, else a Poisson(1) variate read
// from t (which may be nil then). It returns the sum of the weights,
// which is len(w) for the classic bootstrap and may be 0 for the Poisson
// one.
func (r *Stream) Weights(w []float64, t *PoissonTable) float64 {
	clear(w)
	if len(w) <= MultinomialMax {
		r.multinomial(w)
		return float64(len(w))
	}
	return r.poisson(w, t)
}

// multinomial adds to w the counts of len(w) indices drawn with
// replacement, two per 64 random bits (see Draw).
func (r *Stream) multinomial(w []float64) {
	d := NewDraw(len(w))
	i := 0
	for ; i+1 < len(w); i += 2 {
		x := r.Uint64()
		w[d.Index(uint32(x), r)]++
		w[d.Index(uint32(x>>32), r)]++
	}
	if i < len(w) {
		w[d.Index(uint32(r.Uint64()), r)]++
	}
}

// Draw draws indices in [0, n) uniformly, as the classic bootstrap does:
// Lemire's nearly divisionless bounded integers, rejecting the few low
// products that would bias them. The bootstrap takes two indices from
// each Uint64 of its stream, from its low then its high 32 bits.
type Draw struct{ n, reject uint32 }

// NewDraw returns the draw of indices in [0, n), for 0 < n < 2^32.
func NewDraw(n int) Draw {
	m := uint32(n)
	return Draw{n: m, reject: -m % m}
}

// Index maps 32 random bits x to an index in [0, n), reading more bits
// from r in the rare case that x would bias it.
func (d Draw) Index(x uint32, r *Stream) uint32 {
	m := uint64(x) * uint64(d.n)
	for uint32(m) < d.reject {
		m = uint64(uint32(r.Uint64())) * uint64(d.n)
	}
	return uint32(m >> 32)
}

// poisson sets w to independent Poisson(1) weights and returns their sum.
func (r *Stream) poisson(w []float64, t *PoissonTable) float64 {
	var sum uint64
	for i := 0; i < len(w); i += 4 {
		x := r.Uint64()
		for j := i; j < min(i+4, len(w)); j++ {
			k := t[uint16(x)]
			w[j] = float64(k)
			sum += uint64(k)
			x >>= 16
		}
	}
	return float64(sum)
}

// PoissonTable maps 16 random bits to a Poisson(1) variate: entry u is
// the number of k ≥ 0 with u ≥ round(65536·P(X ≤ k)), at most 8. Each
// probability is off by at most 2^-17.
type PoissonTable [1 << 16]uint8

// NewPoissonTable builds the table.
func NewPoissonTable() *PoissonTable {
	t := new(PoissonTable)
	var thresholds [8]int
	p, cdf := math.Exp(-1), 0.0
	for k := range thresholds {
		cdf += p
		p /= float64(k + 1)
		thresholds[k] = int(math.Round(cdf * (1 << 16)))
	}
	w := 0
	for u := range t {
		for w < len(thresholds) && u >= thresholds[w] {
			w++
		}
		t[u] = uint8(w)
	}
	return t
}

// Chunks returns the number of chunks of resamples resamples.
func Chunks(resamples int) int { return (resamples + ChunkSize - 1) / ChunkSize }

// Span returns the resamples [lo, hi) of chunk c of resamples resamples.
func Span(c, resamples int) (lo, hi int) {
	return c * ChunkSize, min((c+1)*ChunkSize, resamples)
}

// RunChunks calls do(ctx, j, c, lo, hi) for every chunk c of the
// resamples resamples of every job j in [0, jobs), in parallel (see
// Parallel); lo and hi bound the chunk's resamples (see Span).
func RunChunks(ctx context.Context, jobs, resamples int, do func(ctx context.Context, j, c, lo, hi int) error) error {
	chunks := Chunks(resamples)
	return Parallel(ctx, jobs*chunks, func(ctx context.Context, u int) error {
		j, c := u/chunks, u%chunks
		lo, hi := Span(c, resamples)
		return do(ctx, j, c, lo, hi)
	})
}

// Parallel calls do(u) for every unit of work u in [0, units), spread over
// GOMAXPROCS goroutines. It stops at the first error, and returns ctx's
// error when ctx ends first (do should check ctx in long units).
func Parallel(ctx context.Context, units int, do func(ctx context.Context, u int) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if units <= 0 {
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	var next atomic.Int64
	for range min(runtime.GOMAXPROCS(0), units) {
		g.Go(func() error {
			for {
				u := int(next.Add(1) - 1)
				if u >= units {
					return nil
				}
				if err := do(gctx, u); err != nil {
					return err
				}
			}
		})
	}
	if err := g.Wait(); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		return err
	}
	return nil
}
