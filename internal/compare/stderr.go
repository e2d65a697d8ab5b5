package compare

import "math"

// StdErrInterval returns the normal-approximation interval at level for a
// delta between two independent estimates with standard errors seBase and
// seHead: delta ± z·sqrt(seBase² + seHead²), where z is the two-sided
// standard normal quantile for level (1.959964 at 0.95). Method is
// MethodStdErr. level must lie in (0, 1); Compare checks it.
func StdErrInterval(delta, seBase, seHead, level float64) Interval {
	half := zScore(level) * math.Hypot(seBase, seHead)
	return Interval{Low: delta - half, High: delta + half, Level: level, Method: MethodStdErr}
}

// zScore returns the standard normal quantile at (1+level)/2.
func zScore(level float64) float64 {
	return math.Sqrt2 * math.Erfinv(level)
}

// StdErrPValue returns the two-sided p-value of "the delta is 0" under the
// normal approximation of StdErrInterval: erfc(|delta| / (√2·se)) with
// se = sqrt(seBase² + seHead²), so that it is below 1-level exactly when
// the interval at level excludes 0. With se = 0 it is 0 for a nonzero
// delta and 1 for a zero one.
func StdErrPValue(delta, seBase, seHead float64) float64 {
	se := math.Hypot(seBase, seHead)
	if se == 0 {
		if delta == 0 {
			return 1
		}
		return 0
	}
	return math.Erfc(math.Abs(delta) / (math.Sqrt2 * se))
}
