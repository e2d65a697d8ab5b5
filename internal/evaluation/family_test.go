package evaluation

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/modelci/modelci/internal/compare"
)

// familyExamples returns per-example files of 200 examples and ten 0/1
// metrics: the head gets m0 right on 5 more examples, and m1…m9 right on
// 2 more and wrong on 2 more. Alone, m0's gain is significant at 95%
// (p ≈ 2·e^-5); among ten metrics it is not.
func familyExamples() (base, head *Input) {
	var b, h strings.Builder
	for i := range 200 {
		fmt.Fprintf(&b, `{"id": "%d"`, i)
		fmt.Fprintf(&h, `{"id": "%d"`, i)
		for m := range 10 {
			bv, hv := i%2, i%2
			switch {
			case m == 0 && i < 10 && i%2 == 0:
				hv = 1
			case m > 0 && i < 4 && i%2 == 0:
				hv = 1
			case m > 0 && i >= 4 && i < 8 && i%2 == 1:
				hv = 0
			}
			fmt.Fprintf(&b, `, "m%d": %d`, m, bv)
			fmt.Fprintf(&h, `, "m%d": %d`, m, hv)
		}
		b.WriteString("}\n")
		h.WriteString("}\n")
	}
	return Bytes("base.jsonl", []byte(b.String())), Bytes("head.jsonl", []byte(h.String()))
}

// TestRunAdjustsForTheFamily checks that Run adjusts the report's p-values
// by Holm's procedure unless the policy says multiple_comparisons: none.
func TestRunAdjustsForTheFamily(t *testing.T) {
	for _, tc := range []struct {
		policy *Input
		method compare.Correction
		status compare.Status
	}{
		{nil, compare.Holm, compare.NotSignificant},
		{Bytes(".modelci.yaml", []byte("seed: 3\n")), compare.Holm, compare.NotSignificant},
		{Bytes(".modelci.yaml", []byte("seed: 3\nmultiple_comparisons: none\n")), compare.NoCorrection, compare.Improved},
	} {
		base, head := familyExamples()
		r, err := Run(context.Background(), Request{Base: Side{Examples: base}, Head: Side{Examples: head}, Policy: tc.policy})
		if err != nil {
			t.Fatal(err)
		}
		fam := r.Comparison.Family
		if fam.Method != tc.method || fam.Size != 10 {
			t.Errorf("%s: family %+v, want %s of 10", tc.method, fam, tc.method)
		}
		m0 := r.Comparison.Metrics[0]
		if m0.Name != "m0" || m0.Status != tc.status || m0.CI == nil || m0.CI.Contains(0) {
			t.Errorf("%s: m0 %s with interval %+v, want %s and an interval excluding 0", tc.method, m0.Status, m0.CI, tc.status)
		}
		if *m0.P >= 0.05 || (tc.method == compare.Holm) != (*m0.PAdjusted >= 0.05) {
			t.Errorf("%s: m0 p %v, adjusted %v", tc.method, *m0.P, *m0.PAdjusted)
		}
		if (m0.MDE != nil) != (tc.status == compare.NotSignificant) {
			t.Errorf("%s: m0 MDE %v with status %s", tc.method, m0.MDE, m0.Status)
		}
	}
}
