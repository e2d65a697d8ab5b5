package compare

// Defaults for Options.
const (
	// DefaultLevel is the confidence level when Options.Level is 0.
	DefaultLevel = 0.95
	// DefaultResamples is the number of bootstrap resamples when
	// Options.Resamples is 0: enough for stable 95% percentile bounds.
	DefaultResamples = 2000
	// MinResamples and MaxResamples bound the resamples setting wherever it
	// is given (a flag, a Dagger argument, the policy file): fewer gives
	// unstable percentile bounds, more costs memory for nothing.
	MinResamples = 100
	MaxResamples = 1_000_000
	// MinPairs is the fewest paired examples a metric needs for an
	// interval. Below it the percentile bootstrap is too narrow to trust:
	// for normal differences, a nominal 95% interval covers the true
	// delta with probability P(|t(n-1)| < 1.96·sqrt((n-1)/n)): 92.9% at
	// 20 pairs, 90.4% at 10, 84.6% at 5, and less for skewed or 0/1
	// values; one pair gives the single point of its difference.
	MinPairs = 20
)

// Options configure a comparison. Zero values take defaults.
type Options struct {
	// Level is the confidence level of the intervals, in (0, 1);
	// 0 means DefaultLevel.
	Level float64
	// Resamples is the number of bootstrap resamples, from MinResamples to
	// MaxResamples; 0 means DefaultResamples.
	Resamples int
	// Seed seeds the bootstrap; the same seed gives the same intervals.
	// 0 is a valid seed. Every metric is resampled with this seed, so a
	// metric's interval is the same whichever other metrics it is
	// compared with.
	Seed uint64
	// Direction gives the direction of a metric, from the policy; when it
	// is nil or returns false, the metrics files' higher_is_better
	// decides, else DefaultDirection.
	Direction func(name string) (Direction, bool)
}

// WithDefaults returns o with a zero Level and a zero Resamples replaced
// by DefaultLevel and DefaultResamples.
func (o Options) WithDefaults() Options {
	if o.Level == 0 {
		o.Level = DefaultLevel
	}
	if o.Resamples == 0 {
		o.Resamples = DefaultResamples
	}
	return o
}
