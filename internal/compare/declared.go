package compare

import (
	"math"

	"github.com/modelci/modelci/internal/numfmt"
)

// DeclaredTolerance is the relative difference between an aggregate
// file's value and the value computed from the per-example values beyond
// which they disagree: a file that rounds to four significant digits
// agrees.
const DeclaredTolerance = 1e-3

// Disagrees reports whether an aggregate file's value (nil when absent)
// differs from the value computed from the per-example values (their
// mean, or a declared aggregate of them) by more than DeclaredTolerance
// of the larger magnitude.
func Disagrees(declared *float64, computed float64) bool {
	if declared == nil {
		return false
	}
	return math.Abs(*declared-computed) > DeclaredTolerance*max(math.Abs(*declared), math.Abs(computed))
}

// ShowValue formats a value for a warning, with four significant digits;
// "none" when absent.
func ShowValue(v *float64) string {
	if v == nil {
		return "none"
	}
	return numfmt.Num(*v, 4)
}
