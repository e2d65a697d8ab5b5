package report

import (
	"fmt"
	"strings"

	"github.com/modelci/modelci/internal/compare"
)

// digitsPolicy is examples/digits/.modelci.yaml's rules.
const digitsPolicy = `
defaults: {require_significance: true}
metrics:
  accuracy: {min: 0.90, max_drop: 1%}
  macro_f1: {min: 0.90, max_drop: 1%}
  log_loss: {max_increase: 10%}
  "latency_*": {direction: lower, max: 5}
  model_size_bytes: {max: 50000000}
  peak_memory_mb: {direction: lower, require_significance: false, max: 2048}
`

// manyTasks has 120 metrics of every status, for the truncated comment.
func manyTasks() *compare.Comparison {
	var many compare.Comparison
	statuses := []compare.Status{compare.Unchanged, compare.NotSignificant, compare.Improved, compare.Regressed, compare.NotSignificant}
	for i := range 120 {
		st := statuses[i%len(statuses)]
		base, head := 0.5+float64(i)/1000, 0.5+float64(i)/1000
		switch st {
		case compare.Improved:
			head += 0.01
		case compare.Regressed:
			head -= 0.01
		case compare.NotSignificant:
			head += 0.0001
		}
		many.Metrics = append(many.Metrics, metric(fmt.Sprintf("task_%03d.accuracy", i), f(base), f(head), hi, st, boot(head-base-0.002, head-base+0.002)))
	}
	many.Paired = 5000
	return &many
}

// notSignificant is a not-significant result with its minimum detectable
// effect.
func notSignificant(name string, base, head float64, dir compare.Direction, lo, hi, mde float64) compare.Result {
	r := metric(name, f(base), f(head), dir, compare.NotSignificant, boot(lo, hi))
	r.MDE = f(mde)
	return r
}

// passedRegressions is the digits example's report where the gate passes
// and ungated metrics regressed: the verdict must not read as a contradiction,
// the gated accuracy must be in the main table, and latency that rose must
// read ↑ and worse.
func passedRegressions() *compare.Comparison {
	c := &compare.Comparison{
		Metrics: []compare.Result{
			notSignificant("accuracy", 0.9611, 0.9583, hi, -0.0071, 0.0015, 0.0061),
			notSignificant("macro_f1", 0.9608, 0.9580, hi, -0.0073, 0.0016, 0.0064),
			notSignificant("log_loss", 0.1290, 0.1342, lo, -0.0021, 0.0127, 0.0106),
			metric("latency_mean_ms", f(0.0123), f(0.01735), lo, compare.Regressed, boot(0.0041, 0.0061)),
			metric("model_size_bytes", f(1655000), f(1655000), lo, compare.Unchanged, nil),
			metric("peak_memory_mb", f(212.4), f(213.1), lo, compare.ChangedNoInterval, nil),
		},
		Paired:   360,
		Family:   compare.Family{Method: compare.Holm, Size: 13, Level: 0.95},
		Warnings: []compare.Warning{{Metric: "latency_p95_ms", Message: "latency_p95_ms: only 5 paired examples, fewer than 10: no interval"}},
	}
	for d := range 10 {
		name := fmt.Sprintf("class_%d.f1", d)
		if d%4 == 1 {
			c.Metrics = append(c.Metrics, metric(name, f(0.97), f(0.94), hi, compare.Regressed, boot(-0.05, -0.011)))
			continue
		}
		c.Metrics = append(c.Metrics, notSignificant(name, 0.96, 0.96+float64(d-5)/1000, hi, -0.02, 0.02, 0.028))
	}
	return c
}

// aggregateOnly has no per-example values: no paired examples, intervals
// from standard errors or none.
func aggregateOnly() *compare.Comparison {
	return &compare.Comparison{Metrics: []compare.Result{
		metric("hellaswag.acc,none", f(0.5712), f(0.5803), hi, compare.Improved, &compare.Interval{Low: 0.0012, High: 0.017, Level: 0.95, Method: compare.MethodStdErr}),
		metric("latency_p95_ms", f(31.5), f(44.4), lo, compare.ChangedNoInterval, nil),
		metric("throughput_per_s", f(1804), f(1799.5), hi, compare.ChangedNoInterval, nil),
		metric("lr", f(1.655e-05), f(1.7e-05), hi, compare.ChangedNoInterval, nil),
		metric("params", f(124439808), f(124439808), hi, compare.Unchanged, nil),
	}}
}

// manyViolations fails min 0.9 on 60 metrics, by growing amounts.
func manyViolations() *compare.Comparison {
	var c compare.Comparison
	for i := range 60 {
		base, head := 0.95, 0.8999-float64((i*37)%60)/1000
		c.Metrics = append(c.Metrics, metric(fmt.Sprintf("suite.task_%02d.acc", i), f(base), f(head), hi, compare.Regressed, boot(head-base-0.01, head-base+0.01)))
	}
	c.Paired = 2000
	return &c
}

// hostileNames are metric names a pull request could write into its
// evaluation's output.
var hostileNames = []string{
	"@octocat please review",
	"see https://evil.example/login",
	"www.evil.example",
	"invoice\u202egnp.exe",
	"zero\u200bwidth\u2060joiner\ufeff",
	"<img src=x onerror=alert(1)>",
	"a|b`c``d",
	strings.Repeat("very_long_metric_name_", 9) + "accuracy",
	"#123 fixes",
	"deadbeefcafe",
	"**bold** _it_ ~~del~~ $x$",
	"line\nbreak | fake | row |",
	"</details><details open>",
	" ",
}

func hostile() *compare.Comparison {
	var c compare.Comparison
	for i, n := range hostileNames {
		st := []compare.Status{compare.Regressed, compare.Improved, compare.NotSignificant}[i%3]
		delta := []float64{-0.01, 0.01, 0.001}[i%3]
		c.Metrics = append(c.Metrics, metric(n, f(0.5), f(0.5+delta), hi, st, boot(delta-0.005, delta+0.005)))
	}
	c.Paired = 100
	c.Warnings = []compare.Warning{{Metric: hostileNames[0], Message: hostileNames[0] + ": only 5 paired examples, fewer than 10: no interval"}}
	return &c
}
