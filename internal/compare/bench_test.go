package compare

import (
	"context"
	"fmt"
	"testing"

	"github.com/modelci/modelci/internal/metrics"
)

// BenchmarkPairedBootstrap times the bootstrap; the headline case is
// 1,000,000 pairs × 2,000 resamples (Poisson), the others show that the
// time is linear in pairs × resamples, and 10,000 pairs runs the
// multinomial bootstrap. draws/ns is pairs × resamples per nanosecond.
func BenchmarkPairedBootstrap(b *testing.B) {
	for _, bc := range []struct{ n, resamples int }{
		{1_000_000, 2000},
		{1_000_000, 1000},
		{100_000, 2000},
		{10_000, 2000},
	} {
		b.Run(fmt.Sprintf("n=%d/B=%d", bc.n, bc.resamples), func(b *testing.B) {
			base, head := normalPairs(bc.n, 0.01, 1, 1)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := pairedBootstrap(ctx, base, head, bc.resamples, 0.95, 1, autoMethod); err != nil {
					b.Fatal(err)
				}
			}
			draws := float64(bc.n) * float64(bc.resamples) * float64(b.N)
			b.ReportMetric(draws/float64(b.Elapsed().Nanoseconds()), "draws/ns")
		})
	}
}

// BenchmarkCompare compares 50 metrics, each with 10,000 paired examples
// and an aggregate, plus 50 aggregate-only metrics with standard errors.
func BenchmarkCompare(b *testing.B) {
	const metricsN, n = 50, 10_000
	base, head := &metrics.Set{}, &metrics.Set{}
	paired := &metrics.Paired{N: n, Pairs: map[string]metrics.PairedValues{}}
	for i := range metricsN {
		name := fmt.Sprintf("task%02d.acc", i)
		pb, ph := normalPairs(n, 0.001*float64(i), 0.5, uint64(i))
		paired.Columns = append(paired.Columns, name)
		paired.Pairs[name] = metrics.PairedValues{Base: pb, Head: ph}
	}
	for i := range 2 * metricsN {
		name := fmt.Sprintf("task%02d.acc", i)
		if i >= metricsN {
			name = fmt.Sprintf("task%02d.f1", i)
		}
		se := 0.01
		base.Metrics = append(base.Metrics, metrics.Metric{Name: name, Value: 0.5, StdErr: &se})
		head.Metrics = append(head.Metrics, metrics.Metric{Name: name, Value: 0.5 + 0.001*float64(i), StdErr: &se})
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compare(ctx, base, head, paired, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
