package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRunPrintsBothCorrections(t *testing.T) {
	c := config{runs: 3, examples: 100, metrics: 4, resamples: 200, mean: 0.85, churn: 0.2, drop: 0.02, level: 0.95, seed: 1}
	if err := c.check(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), &out, c); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"4 per-example metrics on 100 paired examples",
		"2 metrics of 0/1 correctness, 2 of scores",
		"paired correlation 0.80",
		"Holm (default)   none",
		`nothing changed: reports with any "regressed"`,
		`first metric down 0.02: caught as "regressed"`,
		"3 runs per scenario",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestCheckRejectsWhatTheModelCannotSimulate(t *testing.T) {
	ok := config{runs: 1, examples: 2000, metrics: 10, mean: 0.85, churn: 0.2, drop: 0.02}
	for _, tc := range []struct {
		name   string
		change func(*config)
		want   string
	}{
		{"few examples", func(c *config) { c.examples = 5 }, "-examples"},
		{"no churn", func(c *config) { c.churn = 0 }, "-churn"},
		{"mean out of range", func(c *config) { c.mean = 0.99 }, "-mean"},
		{"drop beyond churn", func(c *config) { c.churn = 0.01 }, "raise -churn"},
	} {
		c := ok
		tc.change(&c)
		if err := c.check(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error about %s", tc.name, err, tc.want)
		}
	}
	if err := ok.check(); err != nil {
		t.Errorf("defaults rejected: %v", err)
	}
}
