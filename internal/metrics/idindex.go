package metrics

import "hash/maphash"

// idIndex finds rows by id: an open-addressing hash table of row numbers,
// 4 bytes a slot, over ids held elsewhere. A map from id to row would keep
// a second copy of every id's header and cost ten times the memory on
// files of millions of examples.
type idIndex struct {
	seed  maphash.Seed
	slots []uint32 // row+1 of the id hashed there, 0 when empty
	n     int      // rows indexed
}

// newIDIndex returns an index sized for n ids.
func newIDIndex(n int) *idIndex {
	x := &idIndex{seed: maphash.MakeSeed()}
	x.slots = make([]uint32, slotsFor(n))
	return x
}

// slotsFor returns a power of two with n at most 3/4 of it.
func slotsFor(n int) int {
	size := 16
	for size/4*3 < n {
		size *= 2
	}
	return size
}

// add indexes row, whose id is ids[row], unless an earlier row has the
// same id: it then returns that row and true.
func (x *idIndex) add(ids []string, row int) (first int, dup bool) {
	x.reserve(ids, x.n+1)
	return x.insert(ids, row)
}

// reserve makes room for n ids, placing the indexed ones anew once.
func (x *idIndex) reserve(ids []string, n int) {
	if size := slotsFor(n); size > len(x.slots) {
		x.resize(ids, size)
	}
}

// insert indexes row, or returns the earlier row with its id.
func (x *idIndex) insert(ids []string, row int) (first int, dup bool) {
	mask := uint64(len(x.slots) - 1)
	id := ids[row]
	for i := maphash.String(x.seed, id) & mask; ; i = (i + 1) & mask {
		s := x.slots[i]
		if s == 0 {
			x.slots[i] = uint32(row) + 1
			x.n++
			return 0, false
		}
		if ids[s-1] == id {
			return int(s - 1), true
		}
	}
}

// find returns the row whose id is id.
func (x *idIndex) find(ids []string, id string) (int, bool) {
	mask := uint64(len(x.slots) - 1)
	for i := maphash.String(x.seed, id) & mask; ; i = (i + 1) & mask {
		s := x.slots[i]
		if s == 0 {
			return 0, false
		}
		if ids[s-1] == id {
			return int(s - 1), true
		}
	}
}

// resize makes the table size slots, placing every indexed row anew.
func (x *idIndex) resize(ids []string, size int) {
	old := x.slots
	x.slots = make([]uint32, size)
	mask := uint64(len(x.slots) - 1)
	for _, s := range old {
		if s == 0 {
			continue
		}
		i := maphash.String(x.seed, ids[s-1]) & mask
		for x.slots[i] != 0 {
			i = (i + 1) & mask
		}
		x.slots[i] = s
	}
}
