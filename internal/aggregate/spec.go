package aggregate

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/modelci/modelci/internal/compare"
	"github.com/modelci/modelci/internal/inputerr"
)

// Statistic names, as the statistic key spells them. A percentile is
// spelled "p" and a number from 0 to 100: p50, p95, p99.9.
const (
	Mean           = "mean"
	Accuracy       = "accuracy"
	PrecisionMicro = "precision_micro"
	RecallMicro    = "recall_micro"
	F1Micro        = "f1_micro"
	PrecisionMacro = "precision_macro"
	RecallMacro    = "recall_macro"
	F1Macro        = "f1_macro"
	LogLoss        = "log_loss"
	ROCAUC         = "roc_auc"
)

// Keys of an aggregate's mapping, in the order messages list them.
const (
	keyStatistic   = "statistic"
	keyColumn      = "column"
	keyLabel       = "label"
	keyPrediction  = "prediction"
	keyProbability = "probability"
	keyScore       = "score"
)

var (
	specKeys     = []string{keyStatistic, keyColumn, keyLabel, keyPrediction, keyProbability, keyScore}
	classifiers  = []string{Accuracy, PrecisionMicro, RecallMicro, F1Micro, PrecisionMacro, RecallMacro, F1Macro}
	statistics   = append(append([]string{Mean, "p50", "p95", "p99"}, classifiers...), LogLoss, ROCAUC)
	percentileRE = regexp.MustCompile(`^p([0-9]+(?:\.[0-9]+)?)$`)
)

// Spec declares one metric as an aggregate of per-example columns.
type Spec struct {
	// Name is the metric's name.
	Name string
	// Line is the name's line in the policy file, for messages.
	Line int
	// Statistic is the statistic's name: one of the constants, or a
	// percentile ("p95").
	Statistic string
	// Percentile is the percentile's level in [0, 100] when Statistic is
	// a percentile.
	Percentile float64
	// Column is the column a mean or a percentile aggregates.
	Column string
	// Label is the column holding each example's true class: for the
	// classification statistics, for roc_auc (0 or 1), and for a binary
	// log_loss (0 or 1).
	Label string
	// Prediction is the column holding each example's predicted class.
	Prediction string
	// Probability is the column log_loss reads: with Label, the
	// probability of class 1; without, the probability the model gave the
	// example's true class.
	Probability string
	// Score is the column roc_auc ranks: higher means more likely class 1.
	Score string
}

// String formats the declaration as the policy file would, in flow
// style: "{ statistic: p95, column: latency_ms }".
func (s Spec) String() string {
	parts := []string{keyStatistic + ": " + s.Statistic}
	for _, k := range specKeys[1:] {
		if v := *s.field(k); v != "" {
			parts = append(parts, k+": "+v)
		}
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

// IsPercentile reports whether the statistic is a percentile.
func (s Spec) IsPercentile() bool { return percentileRE.MatchString(s.Statistic) }

// Columns returns the per-example columns the aggregate reads, in the
// order of the keys.
func (s Spec) Columns() []string {
	var out []string
	for _, c := range []string{s.Column, s.Label, s.Prediction, s.Probability, s.Score} {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}

// Direction returns the way the aggregate improves when the policy says
// nothing: higher for the classification statistics and roc_auc, lower
// for log_loss; for a mean or a percentile, lower when the metric's name
// or the column's suggests it (compare.DefaultDirection), else higher.
func (s Spec) Direction() compare.Direction {
	switch {
	case s.Statistic == LogLoss:
		return compare.LowerIsBetter
	case s.Statistic == ROCAUC || slices.Contains(classifiers, s.Statistic):
		return compare.HigherIsBetter
	case compare.DefaultDirection(s.Name) == compare.LowerIsBetter:
		return compare.LowerIsBetter
	}
	return compare.DefaultDirection(s.Column)
}

// required returns the keys the statistic needs, and the keys it may
// have besides.
func required(statistic string) (need, may []string) {
	switch {
	case statistic == Mean || percentileRE.MatchString(statistic):
		return []string{keyColumn}, nil
	case slices.Contains(classifiers, statistic):
		return []string{keyLabel, keyPrediction}, nil
	case statistic == LogLoss:
		return []string{keyProbability}, []string{keyLabel}
	case statistic == ROCAUC:
		return []string{keyLabel, keyScore}, nil
	}
	return nil, nil
}

// Key returns the key path of the aggregate called name in the policy
// file, as messages name it: aggregates."macro_f1".
func Key(name string) string { return "aggregates." + strconv.Quote(name) }

// Parse parses the value of the policy file's aggregates key: a mapping
// from metric name to its declaration. file names the policy file in
// messages. A null node declares none. Every error is an *inputerr.Error
// naming the file, the line and the key path.
func Parse(file string, n *yaml.Node) ([]Spec, error) {
	fields, err := inputerr.Mapping(file, n, "aggregates", nil)
	if err != nil {
		return nil, err
	}
	specs := make([]Spec, 0, len(fields))
	for _, f := range fields {
		if strings.TrimSpace(f.Key) == "" {
			return nil, &inputerr.Error{File: file, Line: f.Line, Key: "aggregates", Path: true, Err: fmt.Errorf("empty metric name")}
		}
		s, err := parseSpec(file, f)
		if err != nil {
			return nil, err
		}
		specs = append(specs, s)
	}
	return specs, nil
}

// parseSpec parses one aggregate's mapping.
func parseSpec(file string, f inputerr.Field) (Spec, error) {
	s := Spec{Name: f.Key, Line: f.Line, Statistic: Mean}
	at := Key(f.Key)
	fail := func(line int, key, format string, args ...any) error {
		return &inputerr.Error{File: file, Line: line, Key: key, Path: true, Err: fmt.Errorf(format, args...)}
	}
	fields, err := inputerr.Mapping(file, f.Value, at, specKeys)
	if err != nil {
		return s, err
	}
	if len(fields) == 0 {
		return s, fail(f.Line, at, "expected a mapping like {statistic: p95, column: latency_ms}, found %s", inputerr.Describe(inputerr.Resolve(f.Value)))
	}
	set := map[string]int{}
	for _, kf := range fields {
		v := inputerr.Resolve(kf.Value)
		if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" || strings.TrimSpace(v.Value) == "" {
			what := "a per-example column's name"
			if kf.Key == keyStatistic {
				what = "a statistic (" + strings.Join(statistics, ", ") + ", or any pNN)"
			}
			return s, fail(v.Line, at+"."+kf.Key, "expected %s, found %s", what, inputerr.Describe(v))
		}
		set[kf.Key] = kf.Line
		*s.field(kf.Key) = v.Value
	}
	if err := s.checkStatistic(); err != nil {
		return s, fail(max(set[keyStatistic], f.Line), at+"."+keyStatistic, "%w", err)
	}
	need, may := required(s.Statistic)
	for _, k := range need {
		if _, ok := set[k]; !ok {
			return s, fail(f.Line, at, "%s needs %s (%s)", s.Statistic, strings.Join(need, " and "), describeKeys(need))
		}
	}
	for _, kf := range fields {
		if kf.Key != keyStatistic && !slices.Contains(need, kf.Key) && !slices.Contains(may, kf.Key) {
			return s, fail(kf.Line, at+"."+kf.Key, "%s does not read %s (it reads %s)", s.Statistic, kf.Key, strings.Join(append(need, may...), " and "))
		}
	}
	return s, nil
}

// field returns the field a key sets.
func (s *Spec) field(key string) *string {
	switch key {
	case keyStatistic:
		return &s.Statistic
	case keyColumn:
		return &s.Column
	case keyLabel:
		return &s.Label
	case keyPrediction:
		return &s.Prediction
	case keyProbability:
		return &s.Probability
	}
	return &s.Score
}

// checkStatistic checks the statistic's name and sets Percentile.
func (s *Spec) checkStatistic() error {
	if m := percentileRE.FindStringSubmatch(s.Statistic); m != nil {
		p, err := strconv.ParseFloat(m[1], 64)
		if err != nil || p > 100 {
			return fmt.Errorf("%q is not a percentile (expected p0 to p100, like p95)", s.Statistic)
		}
		s.Percentile = p
		return nil
	}
	if need, _ := required(s.Statistic); need == nil {
		return fmt.Errorf("unknown statistic %q%s (expected one of: %s, or any pNN)", s.Statistic, inputerr.DidYouMean(s.Statistic, statistics), strings.Join(statistics, ", "))
	}
	return nil
}

// describeKeys says what the keys name.
func describeKeys(keys []string) string {
	what := map[string]string{
		keyColumn:      "the per-example column to aggregate",
		keyLabel:       "the column of true classes",
		keyPrediction:  "the column of predicted classes",
		keyProbability: "the column of probabilities",
		keyScore:       "the column of scores",
	}
	var out []string
	for _, k := range keys {
		out = append(out, k+": "+what[k])
	}
	return strings.Join(out, "; ")
}
