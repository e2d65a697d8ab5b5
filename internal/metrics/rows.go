package metrics

// PairRows returns the rows of base and head that hold the same id: the
// k-th pair is base row bi[k] and head row hi[k], in head's order, as Pair
// pairs them. A nil side has no rows, so there are no pairs.
func PairRows(base, head *Examples) (bi, hi []int) {
	if base == nil || head == nil {
		return nil, nil
	}
	bi, hi, n := matchIDs(base.IDs, head.IDs)
	if bi == nil {
		bi = make([]int, n)
		for i := range bi {
			bi[i] = i
		}
		hi = bi
	}
	return bi, hi
}
