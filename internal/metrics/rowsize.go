package metrics

import (
	"io"
	"io/fs"
	"sort"
	"unsafe"
)

// rowLines maps rows to the lines they are on, recording only where the
// lines stop following the rows one for one (blank lines, CSV cells over
// several lines): a few entries where a map would hold one per row.
type rowLines struct{ rows, lines []int }

// add records that row is on line; rows come in order.
func (l *rowLines) add(row, line int) {
	if k := len(l.rows) - 1; k >= 0 && line-l.lines[k] == row-l.rows[k] {
		return
	}
	l.rows = append(l.rows, row)
	l.lines = append(l.lines, line)
}

// line returns the line of row, or 0 for a row never added.
func (l *rowLines) line(row int) int {
	k := sort.Search(len(l.rows), func(i int) bool { return l.rows[i] > row }) - 1
	if k < 0 {
		return 0
	}
	return l.lines[k] + row - l.rows[k]
}

// sizer chooses how many rows the ids and columns make room for when they
// are full. When the file's size is known, that is the number of rows the
// file holds at the bytes per row read so far, so that on a file of
// millions of examples each slice is allocated about once, at about its
// final size, rather than grown a quarter at a time through copies four
// times its size.
type sizer struct {
	total int64 // bytes of rows in the file, or 0 when unknown
	read  int64 // bytes of the rows read so far
}

// Rows read before their size predicts the file's rows: from
// minEstimateRows the room made is at most four times the rows read, from
// trustEstimateRows it is what the estimate says.
const (
	minEstimateRows   = 1 << 10
	trustEstimateRows = 1 << 14
)

// inputSize returns the size of what r reads when r says it (an *os.File
// of a regular file, a *bytes.Reader), else 0.
func inputSize(r io.Reader) int64 {
	switch r := r.(type) {
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := r.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size()
		}
	case interface{ Size() int64 }:
		return r.Size()
	}
	return 0
}

// capacity returns the room to make for rows, at least need.
func (s sizer) capacity(need int) int {
	grown := need + need/4 + 64
	if s.total <= 0 || s.read <= 0 || need < minEstimateRows {
		return grown
	}
	est := max(int(float64(need)*float64(s.total)/float64(s.read)*1.02)+64, need+need/16+64)
	if need < trustEstimateRows {
		// A start of short rows must not reserve many times the file's rows.
		est = min(est, 4*need)
	}
	return est
}

// fit returns s, or a copy without its spare room when that is more than
// a quarter of its length: rows longer than those the estimate was made
// from leave a slice much larger than needed.
func fit[T any](s []T) []T {
	if cap(s)-len(s) <= len(s)/4+64 {
		return s[:len(s):len(s)]
	}
	return append([]T(nil), s...)
}

// growTo returns s with room for at least n elements, keeping its
// contents; it grows to c.capacity(n).
func growTo[T any](s []T, n int, c sizer) []T {
	if n <= cap(s) {
		return s
	}
	out := make([]T, len(s), max(n, c.capacity(n)))
	copy(out, s)
	return out
}

// idArena holds ids in blocks of memory: each id is a string over its
// bytes in a block, so that millions of short ids cost their bytes, not an
// allocation each, and an id read from a CSV record does not keep the
// whole record's text alive.
type idArena struct {
	block []byte // bytes are appended, never changed
}

// idBlockSize is the size of a block of ids.
const idBlockSize = 256 << 10

// add copies id, which must not be empty, into the arena.
func (a *idArena) add(id []byte) string {
	if len(a.block)+len(id) > cap(a.block) {
		a.block = make([]byte, 0, max(idBlockSize, len(id)))
	}
	start := len(a.block)
	a.block = append(a.block, id...)
	// The bytes are never written again: a string may refer to them, as
	// strings.Builder's does.
	return unsafe.String(&a.block[start], len(id))
}
