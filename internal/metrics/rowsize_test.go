package metrics

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIDIndex(t *testing.T) {
	var ids []string
	x := newIDIndex(0)
	for i := range 10_000 {
		ids = append(ids, fmt.Sprintf("id-%d", i%7000))
		first, dup := x.add(ids, i)
		if wantDup := i >= 7000; dup != wantDup || dup && first != i-7000 {
			t.Fatalf("row %d: add = %d, %v", i, first, dup)
		}
		if dup {
			ids = ids[:i]
			ids = append(ids, fmt.Sprintf("new-%d", i))
			if _, dup := x.add(ids, i); dup {
				t.Fatalf("row %d: a new id is a duplicate", i)
			}
		}
	}
	for i, id := range ids {
		if row, ok := x.find(ids, id); !ok || row != i {
			t.Errorf("find(%q) = %d, %v; want %d", id, row, ok, i)
		}
	}
	if _, ok := x.find(ids, "absent"); ok {
		t.Error("found an absent id")
	}
	if len(x.slots) > 4*len(ids) {
		t.Errorf("%d slots for %d ids", len(x.slots), len(ids))
	}
}

func TestRowLines(t *testing.T) {
	var l rowLines
	lines := []int{1, 2, 3, 5, 6, 9, 10, 11}
	for row, line := range lines {
		l.add(row, line)
	}
	for row, line := range lines {
		if got := l.line(row); got != line {
			t.Errorf("row %d on line %d, want %d", row, got, line)
		}
	}
	if len(l.rows) != 3 {
		t.Errorf("%d entries for 2 skips: %v", len(l.rows), l.rows)
	}
}

// TestReadSizesToTheFile: a file of known size gets columns of about its
// rows, without spare room, whatever the shape of its lines.
func TestReadSizesToTheFile(t *testing.T) {
	var long strings.Builder
	for i := range 50_000 {
		pad := ""
		if i > 20_000 {
			pad = strings.Repeat("x", 200) // rows longer than those estimated from
		}
		fmt.Fprintf(&long, "{\"id\": %d, \"a\": %d, \"note\": %q}\n", i, i%2, pad)
	}
	dir := t.TempDir()
	for name, data := range map[string][]byte{"even.jsonl": evalLines(50_000, 1), "lengthening.jsonl": []byte(long.String()), "even.csv": exampleCSV(50_000)} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			for _, src := range []string{"file", "reader"} {
				var ex *Examples
				var err error
				if src == "file" {
					ex, err = ReadExamples(path, ExamplesAuto)
				} else {
					ex, err = ParseExamples(name, bytes.NewReader(data), ExamplesAuto)
				}
				if err != nil {
					t.Fatal(err)
				}
				n := len(ex.IDs)
				if n != 50_000 || cap(ex.IDs) > n+n/4+64 {
					t.Errorf("%s: %d ids in room for %d", src, n, cap(ex.IDs))
				}
				for c, v := range ex.Values {
					if len(v) != n || cap(v) > n+n/4+64 {
						t.Errorf("%s: column %s: %d values in room for %d", src, c, len(v), cap(v))
					}
				}
			}
		})
	}
}

func TestSizerCapacity(t *testing.T) {
	for _, tt := range []struct {
		s         sizer
		need      int
		low, high int
	}{
		{sizer{}, 100_000, 125_000, 125_064},                                   // unknown size: a quarter more
		{sizer{total: 100 << 20, read: 1 << 20}, 10_000, 10_000, 40_000},       // early: at most four times
		{sizer{total: 100 << 20, read: 1 << 20}, 20_000, 2_000_000, 2_100_000}, // trusted: the file's rows
		{sizer{total: 100 << 20, read: 99 << 20}, 1_000_000, 1_062_564, 1_062_564},
	} {
		if got := tt.s.capacity(tt.need); got < tt.low || got > tt.high {
			t.Errorf("%+v.capacity(%d) = %d, want %d to %d", tt.s, tt.need, got, tt.low, tt.high)
		}
	}
}

// TestPairSharesAlignedColumns: paired row for row without a missing
// value, the pairs are the columns themselves; otherwise copies.
func TestPairSharesAlignedColumns(t *testing.T) {
	mk := func(ids []string, vals ...float64) *Examples {
		return &Examples{IDs: ids, Columns: []string{"a"}, Values: map[string][]float64{"a": vals}}
	}
	base := mk([]string{"x", "y", "z"}, 1, 2, 3)
	head := mk([]string{"x", "y", "z"}, 4, 5, 6)
	p := Pair(base, head)
	if pv := p.Pairs["a"]; &pv.Base[0] != &base.Values["a"][0] || &pv.Head[0] != &head.Values["a"][0] || cap(pv.Base) != 3 {
		t.Error("aligned columns were copied")
	}
	for _, other := range []*Examples{mk([]string{"z", "y", "x"}, 6, 5, 4), mk([]string{"x", "y", "z"}, 4, nan, 6)} {
		p := Pair(base, other)
		if pv := p.Pairs["a"]; len(pv.Base) > 0 && &pv.Base[0] == &base.Values["a"][0] {
			t.Errorf("pairs of %v share the base's column", other.IDs)
		}
	}
}
