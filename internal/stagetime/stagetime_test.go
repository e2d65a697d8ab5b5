package stagetime

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRecorderKeepsEveryStageInStartOrder(t *testing.T) {
	var r Recorder
	var wg sync.WaitGroup
	for _, side := range []string{"base", "head"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = r.Time("train", side, func() error { time.Sleep(2 * time.Millisecond); return nil })
		}()
	}
	wg.Wait()
	boom := errors.New("boom")
	if err := r.Time("evaluate", "head", func() error { return boom }); err != boom {
		t.Fatalf("Time returned %v, want f's error", err)
	}
	got := r.Stages()
	if len(got) != 3 || got[2].Name != "evaluate" || got[2].Side != "head" {
		t.Fatalf("stages %+v", got)
	}
	if got[0].Start != 0 {
		t.Errorf("the first stage starts at %v, want 0", got[0].Start)
	}
	for i, s := range got {
		if s.Seconds < 0 || (i > 0 && s.Start < got[i-1].Start) {
			t.Errorf("stage %d: %+v out of order or negative", i, s)
		}
	}
	if got[0].Seconds < 0.002 {
		t.Errorf("train took %vs, want at least the 2 ms it slept", got[0].Seconds)
	}
}

func TestNilRecorderRunsWithoutRecording(t *testing.T) {
	var r *Recorder
	ran := false
	if err := r.Time("x", "head", func() error { ran = true; return nil }); err != nil || !ran {
		t.Fatalf("ran %v err %v", ran, err)
	}
	if r.Stages() != nil {
		t.Error("a nil recorder has stages")
	}
}

func TestRender(t *testing.T) {
	stages := []Stage{{"prepare", "both", 3.04, 0}, {"train", "head", 12.96, 3.1}}
	want := "| Stage | Side | Start (s) | Time (s) |\n|:---|:---|---:|---:|\n" +
		"| prepare | both | 0.0 | 3.0 |\n| train | head | 3.1 | 13.0 |\n"
	if got := Markdown(stages); got != want {
		t.Errorf("Markdown:\n%s\nwant:\n%s", got, want)
	}
	data, err := JSON(stages)
	if err != nil {
		t.Fatal(err)
	}
	var back []Stage
	if err := json.Unmarshal(data, &back); err != nil || len(back) != 2 || back[1] != stages[1] {
		t.Errorf("JSON round trip: %v %+v", err, back)
	}
	if data, _ := JSON(nil); strings.TrimSpace(string(data)) != "[]" {
		t.Errorf("JSON(nil) = %s, want []", data)
	}
}
