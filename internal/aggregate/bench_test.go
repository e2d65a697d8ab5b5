package aggregate

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/modelci/modelci/internal/compare"
)

// BenchmarkApply times the headline case, a dozen aggregates (accuracy,
// micro F1, log loss, a mean, macro precision, recall and F1, five
// percentiles) of 2,000 paired examples × 2,000 resamples, and the same
// per statistic. resamples/ms counts one aggregate's resamples.
func BenchmarkApply(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	in := Sides{Base: examples("b", classifier(r, 2000, 10, 0.9)), Head: examples("h", classifier(r, 2000, 10, 0.9))}
	specs := classifierSpecs()
	cases := map[string][]Spec{"all12": specs}
	for _, s := range []int{0, 2, 6, 9} {
		cases[specs[s].Statistic] = specs[s : s+1]
	}
	in.Base.Values["bin"], in.Head.Values["bin"] = in.Base.Values["pred"], in.Head.Values["pred"]
	for _, ex := range []*Sides{&in} {
		for i, v := range ex.Base.Values["label"] {
			ex.Base.Values["bin"][i] = float64(int(v) % 2)
			ex.Head.Values["bin"][i] = float64(int(ex.Head.Values["label"][i]) % 2)
		}
	}
	cases[ROCAUC] = []Spec{{Name: "auc", Statistic: ROCAUC, Label: "bin", Score: "p_true"}}
	for _, name := range []string{"all12", Accuracy, LogLoss, F1Macro, "p95", ROCAUC} {
		b.Run(fmt.Sprintf("n=2000/B=2000/%s", name), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				cmp := &compare.Comparison{}
				if err := Apply(context.Background(), cmp, cases[name], in, compare.Options{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(cases[name])*2000*b.N)/float64(b.Elapsed().Milliseconds()+1), "resamples/ms")
		})
	}
}
