// Package aggregate computes metrics declared as aggregates of per-example
// columns (a mean, a percentile, a classification score) on a base and a
// head run, and bootstraps each aggregate's delta paired by example id, so
// that a macro F1 or a p95 latency gets a confidence interval and a
// p-value like a per-example mean does.
//
// # Declaring
//
// The policy file's aggregates key maps a metric name to its statistic and
// the columns it reads (Parse):
//
//	aggregates:
//	  accuracy:       { statistic: accuracy, label: label, prediction: prediction }
//	  macro_f1:       { statistic: f1_macro, label: label, prediction: prediction }
//	  log_loss:       { statistic: log_loss, probability: p_true }
//	  auc:            { statistic: roc_auc, label: is_spam, score: spam_score }
//	  latency_p95_ms: { statistic: p95, column: latency_ms }
//	  mean_tokens:    { column: tokens }            # statistic: mean
//
// The statistics, each as scikit-learn computes it on the examples:
//
//   - mean (the default) and any percentile pNN from p0 to p100 (p50,
//     p95, p99.9) of column, interpolated linearly between order
//     statistics like numpy.percentile;
//   - accuracy, precision_micro, recall_micro, f1_micro (with one class
//     per example all four equal accuracy), precision_macro, recall_macro
//     and f1_macro from label and prediction, the class columns: classes
//     are numbers (write class 7 as 7, a class name as its index), and a
//     macro average is over the classes that occur as a label or a
//     prediction, a class never predicted having precision 0 and one
//     never true recall 0 (zero_division=0);
//   - log_loss from probability: without label, the probability the model
//     gave each example's true class (the mean of -log p); with label (0
//     or 1), the probability of class 1. Probabilities are clipped to
//     [1e-15, 1 - 1e-15];
//   - roc_auc from label (0 or 1) and score, higher meaning class 1: the
//     probability that a class-1 example outscores a class-0 one, ties
//     counting half.
//
// Its direction, unless the policy gives one, is higher for the
// classification statistics and roc_auc, lower for log_loss, and for a
// mean or a percentile lower when the metric's or the column's name says
// so (compare.DefaultDirection), else higher.
//
// # Values, the files, and the interval
//
// A declared aggregate replaces the same-named metric of the comparison,
// whether it came from an aggregate file (metrics.json) or a per-example
// column. Its values are the statistic on the examples both runs have, paired
// by id and holding every column it reads (so the delta is the one the
// interval is about); when there are none (no baseline, no common ids),
// on each run's own examples. A run whose per-example results lack a
// column keeps its aggregate file's value, with a warning and no
// interval; when neither run's has the columns, the declaration is
// ignored and the files' values stand. When a file gives a value that
// differs from the computed one by more than compare.DeclaredTolerance,
// the file's values are kept in Result.Declared for display, with a
// warning.
//
// The columns an aggregate reads as label, prediction, probability or
// score are its inputs, not metrics (a mean of class labels means
// nothing): they leave the comparison, unless an aggregate has their name.
// A column a mean or a percentile reads is a per-example metric and stays.
//
// The interval is that of a paired bootstrap of the aggregate itself: each
// resample weights the pairs (package resample: the classic bootstrap up
// to resample.MultinomialMax pairs, the Poisson one above), the same
// weights for base and head, and the resample's delta is head's statistic
// minus base's under those weights. Resample b's weights depend only on
// the seed, b and the pairs, so every aggregate on the same pairs is
// resampled alike, a mean aggregate gives the interval compare gives the
// column, and the interval does not depend on what else is declared or on
// how many goroutines run. The interval is compare.PercentileInterval of
// the resampled deltas, widened to contain the observed delta, and the
// p-value compare.BootstrapPValue; resamples where the statistic is
// undefined (roc_auc with one class drawn) are left out. Below
// compare.MinPairs pairs there is no interval (status
// changed-no-interval). Statuses are then decided, with the other
// metrics', by compare.Adjust.
package aggregate
