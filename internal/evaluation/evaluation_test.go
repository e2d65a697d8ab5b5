package evaluation

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelci/modelci/internal/compare"
	"github.com/modelci/modelci/internal/report"
)

const digits = "../../examples/digits/results"

func digitsSide(run string) Side {
	return Side{
		Metrics:  File(filepath.Join(digits, run, "metrics.json")),
		Examples: File(filepath.Join(digits, run, "examples.jsonl")),
	}
}

func TestRunComparesAndGates(t *testing.T) {
	r, err := Run(context.Background(), Request{
		Base:   digitsSide("baseline"),
		Head:   digitsSide("candidate"),
		Policy: File("../../examples/digits/.modelci.yaml"),
		Title:  "digits",
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict == nil {
		t.Fatal("no verdict, though a policy was given")
	}
	if r.Title != "digits" || len(r.Comparison.Metrics) == 0 {
		t.Fatalf("report: title %q, %d metrics", r.Title, len(r.Comparison.Metrics))
	}
	if r.Comparison.Paired == 0 {
		t.Error("per-example results were not paired")
	}
	// The policy's settings reach the comparison: seed 1, 2000 resamples.
	if lvl := ciOf(t, r, "accuracy").Level; lvl != 0.95 {
		t.Errorf("level %v, want the policy's 0.95", lvl)
	}
}

func TestRunWithoutBaselineMakesEveryMetricNew(t *testing.T) {
	r, err := Run(context.Background(), Request{Head: digitsSide("candidate")})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range r.Comparison.Metrics {
		if m.Status != compare.New {
			t.Errorf("%s: status %s, want new", m.Name, m.Status)
		}
	}
	if r.Verdict != nil {
		t.Error("a verdict without a policy")
	}
	if !Passed(r) || GateMessage(r) != "gate passed: no policy" {
		t.Errorf("gate: passed %v, %q", Passed(r), GateMessage(r))
	}
}

func TestRunOverridesBeatThePolicy(t *testing.T) {
	level, n, seed := 0.8, 500, uint64(7)
	req := Request{Base: digitsSide("baseline"), Head: digitsSide("candidate"),
		Policy:    File("../../examples/digits/.modelci.yaml"),
		Overrides: Overrides{Confidence: &level, Resamples: &n, Seed: &seed}}
	r, err := Run(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if lvl := ciOf(t, r, "accuracy").Level; lvl != 0.8 {
		t.Errorf("level %v, want the override 0.8", lvl)
	}
	// Another seed gives other interval bounds for a bootstrapped metric.
	other := uint64(8)
	req.Overrides.Seed = &other
	r2, err := Run(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if ciOf(t, r, "log_loss") == ciOf(t, r2, "log_loss") {
		t.Error("the seed override changed nothing")
	}
}

func ciOf(t *testing.T, r report.Report, name string) compare.Interval {
	t.Helper()
	for _, m := range r.Comparison.Metrics {
		if m.Name == name && m.CI != nil {
			return *m.CI
		}
	}
	t.Fatalf("no interval for %s", name)
	return compare.Interval{}
}

func TestRunErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"accuracy": "high"`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		req  Request
		want string
	}{
		{"no head", Request{Base: digitsSide("baseline")}, "nothing to compare"},
		{"missing file", Request{Head: Side{Metrics: File(filepath.Join(dir, "nope.json"))}}, "nope.json"},
		{"broken file", Request{Head: Side{Metrics: File(bad)}}, "bad.json"},
		{"broken policy", Request{Head: digitsSide("candidate"), Policy: Bytes("p.yaml", []byte("confidense: 0.9\n"))}, "p.yaml"},
		{"open error", Request{Head: Side{Examples: &Input{Name: "x.jsonl", Open: func() (io.ReadCloser, error) { return nil, errors.New("boom") }}}}, "x.jsonl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(context.Background(), tt.req)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one naming %q", err, tt.want)
			}
		})
	}
}

func TestOverridesCheck(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	i := func(v int) *int { return &v }
	tests := []struct {
		o    Overrides
		want string
	}{
		{Overrides{}, ""},
		{Overrides{Confidence: f(0.99), Resamples: i(MinResamples)}, ""},
		{Overrides{Resamples: i(MaxResamples)}, ""},
		{Overrides{Confidence: f(1)}, "confidence 1:"},
		{Overrides{Confidence: f(0)}, "confidence 0:"},
		{Overrides{Resamples: i(1)}, "resamples 1: expected 100 to 1000000"},
		{Overrides{Resamples: i(MaxResamples + 1)}, "resamples 1000001"},
	}
	for _, tt := range tests {
		err := tt.o.Check()
		if (err == nil) != (tt.want == "") || (err != nil && !strings.HasPrefix(err.Error(), tt.want)) {
			t.Errorf("Check(%+v) = %v, want %q", tt.o, err, tt.want)
		}
	}
}
