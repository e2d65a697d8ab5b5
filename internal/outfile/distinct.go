package outfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Named is a file a user named, with the flag (or argument) that named
// it, e.g. {"--output", "report.md"}.
type Named struct {
	Flag, Path string
}

// Distinct checks, before anything is written, that no output would
// overwrite an input or another output: two outputs may not both be
// standard output (Stdout) or the same regular file, and no output may be
// one of the inputs (the same file by os.SameFile, whatever the path
// that names it). Devices and FIFOs are not files one loses by writing
// them, so /dev/null may be named twice. Empty paths are skipped.
func Distinct(outputs, inputs []Named) error {
	for i, out := range outputs {
		if out.Path == "" {
			continue
		}
		for _, other := range outputs[:i] {
			if other.Path == out.Path && out.Path == Stdout {
				return fmt.Errorf("%s and %s both write standard output; give one of them a file", other.Flag, out.Flag)
			}
			if sameFile(other.Path, out.Path) {
				return fmt.Errorf("%s %s and %s %s name the same file; give each output its own", other.Flag, other.Path, out.Flag, out.Path)
			}
		}
		for _, in := range inputs {
			if in.Path != "" && sameFile(in.Path, out.Path) {
				return fmt.Errorf("%s %s is also the %s input: writing it would destroy the input", out.Flag, out.Path, in.Flag)
			}
		}
	}
	return nil
}

// sameFile reports whether paths a and b name the same regular file, or
// the same path where nothing is yet.
func sameFile(a, b string) bool {
	if a == Stdout || b == Stdout {
		return false
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	switch {
	case errA == nil && errB == nil:
		return fa.Mode().IsRegular() && os.SameFile(fa, fb)
	case errA != nil && errB != nil:
		return samePath(a, b)
	}
	return false
}

// samePath reports whether a and b are the same path once made absolute
// and cleaned.
func samePath(a, b string) bool {
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	return errA == nil && errB == nil && absA == absB
}
