//go:build integration

package integration

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPipelineGatesWithTheBasePolicy: a pull request that loosens its own
// .modelci.yaml is still gated by the base's, and the comment shows the
// change; policy-from head lets the head's gate.
func TestPipelineGatesWithTheBasePolicy(t *testing.T) {
	n := nonce(t)
	base, head := digitsSource(t, false, n), digitsSource(t, true, n)
	writeFile(t, filepath.Join(base, ".modelci.yaml"), "metrics:\n  accuracy: {min: 0.999}\n")
	writeFile(t, filepath.Join(head, ".modelci.yaml"), "metrics:\n  accuracy: {min: 0.5}\n")
	run := func(extra ...string) (jsonReport, string) {
		t.Helper()
		out := filepath.Join(t.TempDir(), "out")
		args := append([]string{"--image", pythonImage(t), "pipeline", "--source", head, "--base-source", base}, extra...)
		mustSucceed(t, "dagger call pipeline", daggerCall(t, append(args, "export", "--path", out)...))
		js, err := os.ReadFile(filepath.Join(out, "report.json"))
		if err != nil {
			t.Fatal(err)
		}
		md, err := os.ReadFile(filepath.Join(out, "report.md"))
		if err != nil {
			t.Fatal(err)
		}
		return parseReport(t, js), string(md)
	}

	rep, md := run()
	if rep.Gate.Passed {
		t.Error("the gate passed: the head's loosened policy was applied instead of the base's min 0.999")
	}
	for _, want := range []string{"Gate policy changed", "base/.modelci.yaml", "head/.modelci.yaml", "{ min: 0.999 }", "{ min: 0.5 }"} {
		if !strings.Contains(md, want) {
			t.Errorf("the comment lacks %q:\n%s", want, md)
		}
	}

	rep, md = run("--policy-from", "head")
	if !rep.Gate.Passed || strings.Contains(md, "Gate policy changed") {
		t.Errorf("policy-from head: passed %v, comment:\n%s", rep.Gate.Passed, md)
	}

	r := daggerCall(t, "--image", pythonImage(t), "pipeline", "--source", head, "--policy-from", "pr", "entries")
	if r.code == 0 || !strings.Contains(r.stderr, `expected "base"`) {
		t.Errorf("--policy-from pr: exit %d, stderr:\n%s", r.code, tail(r.stderr, 1500))
	}
}

// TestPipelineLatencyStage times base and head in one container with the
// example's latency.py: its latency metrics replace the evaluations', every
// latency metric has a paired interval, and the measurements are exported.
func TestPipelineLatencyStage(t *testing.T) {
	n := nonce(t)
	base, head := digitsSource(t, false, n), digitsSource(t, true, n)
	out := filepath.Join(t.TempDir(), "out")
	mustSucceed(t, "dagger call pipeline --latency-command", daggerCall(t, "--image", pythonImage(t), "pipeline",
		"--source", head, "--base-source", base,
		"--latency-command", "python3,latency.py,--base,/models/base,--head,/models/head,--out,/latency",
		"export", "--path", out))
	rep := readReport(t, filepath.Join(out, "report.json"))
	for _, side := range []string{"base", "head"} {
		lat := readJSON(t, filepath.Join(out, "evaluation", "latency", side, "metrics.json"))
		i := rep.metric(t, "latency_p95_ms")
		got := rep.Metrics[i].Base
		if side == "head" {
			got = rep.Metrics[i].Head
		}
		// The digits policy declares latency_p95_ms as the p95 of the
		// stage's latency_ms column, which latency.py rounds to 0.1 µs.
		want := lat["latency_p95_ms"]
		if got == nil || math.Abs(*got-want) > 1e-3*want {
			t.Errorf("%s latency_p95_ms in the report = %v, want the latency stage's %v", side, deref(got), want)
		}
	}
	if m := rep.Metrics[rep.metric(t, "latency_ms")]; m.CI == nil || m.CI.Method != "paired-bootstrap" {
		t.Errorf("latency_ms has no paired interval: %+v", m.CI)
	}

	r := daggerCall(t, "--image", pythonImage(t), "pipeline", "--source", head,
		"--latency-command", "python3,latency.py", "entries")
	if r.code == 0 || !strings.Contains(r.stderr, "needs a baseline") {
		t.Errorf("latency without a baseline: exit %d, stderr:\n%s", r.code, tail(r.stderr, 1500))
	}
}

func readReport(t *testing.T, path string) jsonReport {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parseReport(t, data)
}

func readJSON(t *testing.T, path string) map[string]float64 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]float64
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
