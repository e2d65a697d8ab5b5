// Package stagetime records how long each stage of a pipeline took, per
// side (base, head, or both), and renders the record as a Markdown table
// and as JSON: the pipeline writes both next to its report.
package stagetime

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Stage is one stage's run on one side.
type Stage struct {
	// Name is the stage: prepare, train, evaluate, serve, …
	Name string `json:"stage"`
	// Side is "base", "head", or "both" for a stage they share.
	Side string `json:"side"`
	// Seconds is the stage's wall time, cached or not.
	Seconds float64 `json:"seconds"`
	// Start is when the stage started, in seconds after the first stage.
	Start float64 `json:"start"`
}

// Recorder collects stages from concurrent goroutines. The zero value is
// ready; a nil *Recorder records nothing.
type Recorder struct {
	mu     sync.Mutex
	origin time.Time
	stages []Stage
}

// Time runs f as the stage name of side and records its wall time, also
// when f fails; it returns f's error.
func (r *Recorder) Time(name, side string, f func() error) error {
	if r == nil {
		return f()
	}
	start := time.Now()
	err := f()
	r.add(name, side, start, time.Since(start))
	return err
}

func (r *Recorder) add(name, side string, start time.Time, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.origin.IsZero() || start.Before(r.origin) {
		shift := 0.0
		if !r.origin.IsZero() {
			shift = r.origin.Sub(start).Seconds()
		}
		for i := range r.stages {
			r.stages[i].Start += shift
		}
		r.origin = start
	}
	r.stages = append(r.stages, Stage{Name: name, Side: side, Seconds: d.Seconds(), Start: start.Sub(r.origin).Seconds()})
}

// Stages returns the recorded stages in the order they started.
func (r *Recorder) Stages() []Stage {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	out := append([]Stage(nil), r.stages...)
	slices.SortStableFunc(out, func(a, b Stage) int { return cmp.Compare(a.Start, b.Start) })
	return out
}

// Markdown renders stages as a table: stage, side, start and seconds.
func Markdown(stages []Stage) string {
	var b strings.Builder
	b.WriteString("| Stage | Side | Start (s) | Time (s) |\n|:---|:---|---:|---:|\n")
	for _, s := range stages {
		fmt.Fprintf(&b, "| %s | %s | %.1f | %.1f |\n", s.Name, s.Side, s.Start, s.Seconds)
	}
	return b.String()
}

// JSON renders stages as an indented JSON array.
func JSON(stages []Stage) ([]byte, error) {
	if stages == nil {
		stages = []Stage{}
	}
	data, err := json.MarshalIndent(stages, "", "  ")
	return append(data, '\n'), err
}
