package compare

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Correction is a way of adjusting the p-values of a report's metrics for
// how many there are, as .modelci.yaml's multiple_comparisons names it.
type Correction string

// The corrections Adjust knows.
const (
	// Holm is Holm's step-down procedure: the probability that any metric
	// of the report whose true delta is 0 is called significant is at
	// most 1 - level, whatever the correlation between metrics.
	Holm Correction = "holm"
	// NoCorrection judges each metric alone at the confidence level; with
	// m unchanged metrics, some metric is called significant in up to
	// m·(1 - level) of the reports.
	NoCorrection Correction = "none"
	// DefaultCorrection is the correction when none is given.
	DefaultCorrection = Holm
)

// Valid reports whether c is a correction Adjust knows.
func (c Correction) Valid() bool { return c == Holm || c == NoCorrection }

// DetectPower is the probability with which a true change of size MDE is
// found significant.
const DetectPower = 0.8

// Family is how the p-values of a report's metrics were adjusted.
type Family struct {
	// Method is the correction applied.
	Method Correction
	// Size is the number of metrics tested together: those with a
	// p-value, except those whose interval is the single point 0 (every
	// pair equal), which no correction could call significant.
	Size int
	// Level is the confidence level: with Holm the family-wise one, the
	// probability of calling no unchanged metric significant.
	Level float64
}

// Adjust adjusts the p-values of results as one family, with method
// (empty means DefaultCorrection) at level (0 means DefaultLevel), and
// decides again the status of every result with a change and an interval:
// improved or regressed when its adjusted p-value is below 1 - level and
// its interval excludes 0, else not-significant. It also sets the MDE of
// results that are not significant. Run it once every result of a report
// exists, whoever produced them; running it again gives the same results.
//
// A result with an interval but no p-value (a producer that does not set
// P) gets one from the normal approximation to its interval: the p-value
// of StdErrPValue with se = half-width / z, z the normal quantile of the
// interval's level.
//
// With Holm, the Size p-values p(1) ≤ … ≤ p(m) get the adjusted values
// max over j ≤ i of min(1, (m - j + 1)·p(j)); with NoCorrection the
// adjusted p-value is P.
func Adjust(results []Result, method Correction, level float64) (Family, error) {
	if method == "" {
		method = DefaultCorrection
	}
	if level == 0 {
		level = DefaultLevel
	}
	if err := checkLevel(level); err != nil {
		return Family{}, err
	}
	if !method.Valid() {
		return Family{}, fmt.Errorf("unknown multiple-comparisons correction %q (expected %s or %s)", method, Holm, NoCorrection)
	}
	var tested []*Result
	for i := range results {
		r := &results[i]
		r.PAdjusted, r.MDE = nil, nil
		if r.P == nil && r.CI != nil && r.Delta != nil {
			r.P = new(intervalPValue(*r.Delta, *r.CI))
		}
		if r.P == nil {
			continue
		}
		r.PAdjusted = new(*r.P)
		if r.CI == nil || r.CI.Low != 0 || r.CI.High != 0 {
			tested = append(tested, r)
		}
	}
	fam := Family{Method: method, Size: len(tested), Level: level}
	if method == Holm {
		holm(tested)
	}
	alpha := 1 - level
	for _, r := range tested {
		switch r.Status {
		case Improved, Regressed, NotSignificant:
			if r.CI != nil && r.Delta != nil {
				r.Status = changeStatus(r, alpha)
			}
		}
		r.MDE = mde(r, fam)
	}
	return fam, nil
}

// holm sets the PAdjusted of results, the family, by Holm's step-down
// procedure.
func holm(results []*Result) {
	order := slices.Clone(results)
	slices.SortStableFunc(order, func(a, b *Result) int { return cmp.Compare(*a.P, *b.P) })
	m, running := len(order), 0.0
	for k, r := range order {
		running = max(running, min(1, float64(m-k)**r.P))
		r.PAdjusted = new(running)
	}
}

// changeStatus is the status of a result with a nonzero delta and an
// interval: not-significant unless its interval excludes 0 and its
// adjusted p-value (when set) is below alpha; else improved or regressed
// by the sign of the delta and the direction.
func changeStatus(r *Result, alpha float64) Status {
	// 1 - 0.95 is 0.050000000000000044 in floating point: a p-value of
	// exactly 0.05 (100 of 2000 resamples) must not pass below it.
	if r.CI.Contains(0) || r.PAdjusted != nil && !(*r.PAdjusted < alpha*(1-1e-9)) {
		return NotSignificant
	}
	if (*r.Delta > 0) == (r.Direction == HigherIsBetter) {
		return Improved
	}
	return Regressed
}

// mde returns the minimum detectable effect of a result that is not
// significant, or nil: with h the interval's half-width and z(x) the
// standard normal quantile at x, the standard error is h / z(1 - α/2)
// for the interval's α, and the MDE is (z(1 - α'/2) + z(DetectPower))
// times it, where α' is the family's 1 - level, divided by the family's
// size under Holm (the threshold the first metric must pass). Nil when the
// interval has no width.
func mde(r *Result, fam Family) *float64 {
	if r.CI == nil || (r.Status != NotSignificant && r.Status != Unchanged) {
		return nil
	}
	h := (r.CI.High - r.CI.Low) / 2
	if !(h > 0) {
		return nil
	}
	alpha := 1 - fam.Level
	if fam.Method == Holm && fam.Size > 1 {
		alpha /= float64(fam.Size)
	}
	se := h / zScore(r.CI.Level)
	return new((zScore(1-alpha) + zScore(2*DetectPower-1)) * se)
}

// intervalPValue is the p-value of a delta whose interval has no p-value
// of its own, from the normal approximation to the interval.
func intervalPValue(delta float64, iv Interval) float64 {
	se := (iv.High - iv.Low) / (2 * zScore(iv.Level))
	if math.IsNaN(se) || se < 0 {
		se = 0
	}
	return StdErrPValue(delta, se, 0)
}
