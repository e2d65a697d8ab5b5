package metrics

import (
	"slices"
	"testing"
)

func TestPairRows(t *testing.T) {
	base := &Examples{IDs: []string{"a", "b", "c"}}
	head := &Examples{IDs: []string{"c", "x", "a"}}
	bi, hi := PairRows(base, head)
	if !slices.Equal(bi, []int{2, 0}) || !slices.Equal(hi, []int{0, 2}) {
		t.Errorf("got %v, %v", bi, hi)
	}
	bi, hi = PairRows(base, &Examples{IDs: []string{"a", "b", "c"}})
	if !slices.Equal(bi, []int{0, 1, 2}) || !slices.Equal(hi, bi) {
		t.Errorf("same ids: got %v, %v", bi, hi)
	}
	if bi, hi = PairRows(nil, head); bi != nil || hi != nil {
		t.Errorf("no base: got %v, %v", bi, hi)
	}
}
