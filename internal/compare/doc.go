// Package compare compares a head run's evaluation with its baseline's:
// per metric the values, the delta and relative change, the direction in
// which the metric improves, a confidence interval for the delta, its
// p-value adjusted for the number of metrics, and a status.
//
// # Values
//
// A metric with paired per-example values (at least one pair) takes each
// side's value from them: the mean of that side's paired values, the mean
// the interval is about, so that the delta is the interval's own. When an
// aggregate file gives the metric too and its value differs from that
// mean by more than DeclaredTolerance (relative), the file's values are
// kept in Result.Declared and a warning says so: 0.95 → 0.90 in
// metrics.json and 0.80 → 0.90 over the examples shows 0.80 → 0.90, a
// delta of +0.10 inside its interval, with the files' values as declared.
// A metric without pairs takes a side's aggregate (metrics.Set) when the
// side has one, else the mean of all the side's rows that have the column
// (metrics.Paired.BaseMeans, HeadMeans), which is how a column only one
// side has (BaseOnly, HeadOnly), or a run with no baseline to pair with,
// still shows a value. A side with none of these has no value (nil).
// Delta is head - base; Relative is delta / |base|, nil when base is 0.
//
// # Confidence intervals
//
// The interval is for the delta at Options.Level (default 95%):
//
//   - Paired bootstrap, when the metric has at least MinPairs paired
//     per-example values: the percentile interval of the resampled mean
//     of d[i] = head[i] - base[i] over Options.Resamples resamples
//     (default 2000). Up to MultinomialMaxExamples pairs it is the
//     classic bootstrap (each resample draws n indices with replacement);
//     above that it is the Poisson bootstrap (each example gets an
//     independent Poisson(1) weight per resample and the resample's mean
//     is Σw·d/Σw), which differs from it by O(1/n) and streams through
//     memory instead of reading it at random. With fewer pairs there is
//     no interval and a warning says so (MinPairs says why).
//   - Standard errors, when there are no paired values and both sides
//     give a standard error: delta ± z·sqrt(se_base² + se_head²), z the
//     two-sided normal quantile for the level (1.96 at 95%). This treats
//     the two runs as independent, which is conservative for runs on the
//     same examples.
//
// The bootstrap is reproducible: resamples are split into fixed chunks of
// 64, each with its own random stream derived from (seed, chunk index) by
// package resample,
// and every resample's sum is accumulated in example order by one
// goroutine, so the interval depends on the data, the seed, the number of
// resamples and the level only, never on GOMAXPROCS or scheduling.
//
// # p-values
//
// Each interval comes with the two-sided p-value of "the delta is 0":
//
//   - Bootstrap: BootstrapPValue, twice the share of resampled means on
//     the far side of 0 (at or below it for a rise, at or above it for a
//     drop). It agrees with the percentile interval up to one resample
//     per tail, and unlike an interpolated share it keeps the false-alarm
//     rate at the small thresholds Holm uses (0.005 for ten metrics).
//     Its resolution is 2/Resamples: with many metrics, more resamples
//     let a real change reach Holm's smallest threshold, 0.05/m.
//   - Standard errors: StdErrPValue, erfc(|delta| / (√2·se)), the smallest
//     α whose interval at 1-α excludes 0.
//
// # Many metrics, one verdict
//
// A report tests many metrics at once: at 95% each, one of ten unchanged
// metrics is called significant in up to 40% of reports. Adjust adjusts
// the p-values of all the report's results as one family, by Holm's
// step-down procedure (the default) or not at all, and a change is
// significant when its adjusted p-value is below 1 - level and its
// interval excludes 0. Holm keeps the probability of calling any
// unchanged metric significant below 1 - level whatever the correlation
// between metrics. The family is every result with a p-value except those
// whose interval is the single point 0 (every pair equal), which cannot be
// significant. Compare itself leaves the p-values unadjusted
// (NoCorrection), so that results other producers bootstrap can join the
// family: the caller runs Adjust once every result exists. The intervals
// are always per metric, at the confidence level, unadjusted.
//
// # Minimum detectable effect
//
// A change that is not significant is not "no change": Result.MDE says how
// large a true change this evaluation would have called significant in 80%
// of runs (DetectPower). With h the interval's half-width and z(x) the
// standard normal quantile, the standard error is h / z(1 - α/2) and
//
//	MDE = (z(1 - α'/2) + z(0.80)) · h / z(1 - α/2)
//
// where α = 1 - level and α' is α under NoCorrection and α/m under Holm
// with m metrics in the family (the threshold the smallest p-value must
// pass, as a lone real change would have): 1.43·h at 95% alone, 1.86·h
// at 95% among ten metrics.
//
// # Status
//
// new (head only), removed (base only); with both values: unchanged when
// delta is exactly 0, changed-no-interval when there is no interval,
// not-significant when the change is not significant (see above),
// otherwise improved or regressed by the sign of delta and the metric's
// direction. A metric neither side gives a value for (a per-example
// column with no paired examples and no aggregate) is not-significant.
package compare
