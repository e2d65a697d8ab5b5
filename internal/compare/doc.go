// Package compare compares a head run's evaluation with its baseline's:
// per metric the values, the delta and relative change, the direction in
// which the metric improves, a confidence interval for the delta, and a
// status.
//
// # Values
//
// A metric's value on a side is its aggregate (metrics.Set) when the side
// has one; otherwise, when the metric has paired per-example values, the
// mean of that side's (the mean the interval is about); otherwise the mean
// of all the side's rows that have the column (metrics.Paired.BaseMeans,
// HeadMeans), which is how a column only one side has (BaseOnly, HeadOnly),
// or a run with no baseline to pair with, still shows a value. A side with
// none of these has no value (nil). Delta is head - base; Relative is
// delta / |base|, nil when base is 0.
//
// # Confidence intervals
//
// The interval is for the delta at Options.Level (default 95%):
//
//   - Paired bootstrap, when the metric has paired per-example values: the
//     percentile interval of the resampled mean of d[i] = head[i] - base[i]
//     over Options.Resamples resamples (default 2000). Up to
//     MultinomialMaxExamples pairs it is the classic bootstrap (each
//     resample draws n indices with replacement); above that it is the
//     Poisson bootstrap (each example gets an independent Poisson(1)
//     weight per resample and the resample's mean is Σw·d/Σw), which
//     differs from it by O(1/n) and streams through memory instead of
//     reading it at random. When a side's value is an aggregate that
//     is not the per-example mean (a corpus-level score, say), the
//     interval is still that of the mean per-example difference, and the
//     status uses only whether it contains 0.
//   - Standard errors, when there are no paired values and both sides
//     give a standard error: delta ± z·sqrt(se_base² + se_head²), z the
//     two-sided normal quantile for the level (1.96 at 95%). This treats
//     the two runs as independent, which is conservative for runs on the
//     same examples.
//
// The bootstrap is reproducible: resamples are split into fixed chunks of
// 64, each with its own random stream derived from (seed, chunk index),
// and every resample's sum is accumulated in example order by one
// goroutine, so the interval depends on the data, the seed, the number of
// resamples and the level only, never on GOMAXPROCS or scheduling.
//
// # Status
//
// new (head only), removed (base only); with both values: unchanged when
// delta is exactly 0, not-significant when the interval contains 0,
// otherwise improved or regressed by the sign of delta and the metric's
// direction. Without an interval the sign of delta decides. A metric
// neither side gives a value for (a per-example column with no paired
// examples and no aggregate) is not-significant.
package compare
