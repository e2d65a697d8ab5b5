//go:build integration

package integration

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// repoRoot is the repository's root, where dagger.json lives.
var repoRoot = func() string {
	abs, err := filepath.Abs("../..")
	if err != nil {
		panic(err)
	}
	return abs
}()

// pythonImage is the image with Python and scikit-learn the engine scripts
// publish to the local registry.
func pythonImage(t *testing.T) string {
	t.Helper()
	return engineImage(t, "MODELCI_PYTHON_IMAGE")
}

// engineImage is the image the engine scripts published and named in the
// variable env.
func engineImage(t *testing.T, env string) string {
	t.Helper()
	img := os.Getenv(env)
	if img == "" {
		t.Fatal(env + " is not set: run these tests through ./scripts/test, which starts the engine and sets it")
	}
	return img
}

// result is one finished command.
type result struct {
	code           int
	stdout, stderr string
	elapsed        time.Duration
}

// daggerCall runs `dagger call args…` from the repository root.
func daggerCall(t *testing.T, args ...string) result {
	t.Helper()
	return runIn(t, repoRoot, "dagger", append([]string{"call"}, args...)...)
}

func runIn(t *testing.T, dir, name string, args ...string) result {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(start)}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
		}
		r.code = ee.ExitCode()
	}
	return r
}

// mustSucceed fails the test when r failed, showing the end of its log.
func mustSucceed(t *testing.T, what string, r result) {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("%s: exit %d\nstdout:\n%s\nstderr (end):\n%s", what, r.code, r.stdout, tail(r.stderr, 4000))
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// nonce returns a random string, to give a run inputs the engine has not
// seen.
func nonce(t *testing.T) string {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// digitsSource copies examples/digits into a temporary directory, with the
// candidate's hyper-parameters when candidate is set, and a nonce file
// whose content makes the source new to the engine (an empty nonce leaves
// it out).
func digitsSource(t *testing.T, candidate bool, nonceValue string) string {
	t.Helper()
	return exampleSource(t, "digits", []string{"train.py", "evaluate.py", "latency.py", "common.py", "params.json", ".modelci.yaml"},
		candidate, nonceValue)
}

// exampleSource copies files of examples/NAME into a temporary directory,
// with variants/candidate.json as params.json when candidate is set, and
// nonceValue in nonce.txt unless it is empty.
func exampleSource(t *testing.T, name string, files []string, candidate bool, nonceValue string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	src := filepath.Join(repoRoot, "examples", name)
	for _, f := range files {
		copyFile(t, filepath.Join(src, f), filepath.Join(dir, f))
	}
	if candidate {
		copyFile(t, filepath.Join(src, "variants", "candidate.json"), filepath.Join(dir, "params.json"))
	}
	if nonceValue != "" {
		writeFile(t, filepath.Join(dir, "nonce.txt"), nonceValue+"\n")
	}
	return dir
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, to, string(data))
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// jsonReport is the part of report.json the tests read.
type jsonReport struct {
	Metrics []struct {
		Name   string   `json:"name"`
		Base   *float64 `json:"base"`
		Head   *float64 `json:"head"`
		Delta  *float64 `json:"delta"`
		Status string   `json:"status"`
		CI     *struct {
			Low    float64 `json:"low"`
			High   float64 `json:"high"`
			Method string  `json:"method"`
		} `json:"ci"`
	} `json:"metrics"`
	Gate struct {
		Passed     bool `json:"passed"`
		Violations []struct {
			Metric, Rule, Message string
		} `json:"violations"`
	} `json:"gate"`
	Paired int `json:"paired"`
}

func parseReport(t *testing.T, data []byte) jsonReport {
	t.Helper()
	var r jsonReport
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("report.json: %v\n%s", err, data)
	}
	return r
}

// metric returns the named metric of r.
func (r jsonReport) metric(t *testing.T, name string) int {
	t.Helper()
	for i, m := range r.Metrics {
		if m.Name == name {
			return i
		}
	}
	t.Fatalf("report has no metric %q", name)
	return -1
}

// checkDigitsReport checks what any digits comparison must show: the
// metrics evaluate.py writes, all 450 test digits paired, and bootstrap
// intervals for the per-example metrics.
func checkDigitsReport(t *testing.T, r jsonReport) {
	t.Helper()
	for _, name := range []string{"accuracy", "macro_f1", "log_loss", "latency_p50_ms", "latency_p95_ms", "model_size_bytes", "peak_memory_mb"} {
		m := r.Metrics[r.metric(t, name)]
		if m.Base == nil || m.Head == nil {
			t.Errorf("%s: base %v head %v, want both", name, m.Base, m.Head)
		}
	}
	if r.Paired != 450 {
		t.Errorf("paired examples = %d, want the 450 test digits", r.Paired)
	}
	acc := r.Metrics[r.metric(t, "accuracy")]
	if acc.CI == nil || acc.CI.Method != "paired-bootstrap" {
		t.Errorf("accuracy has no paired-bootstrap interval: %+v", acc.CI)
	}
	if *acc.Head < 0.9 || *acc.Base < 0.9 {
		t.Errorf("accuracy base %v head %v: the digits models should be above 0.9", *acc.Base, *acc.Head)
	}
}

// buildCLI builds the modelci CLI once per test run and returns its path.
var buildCLI = func() func(t *testing.T) string {
	var once sync.Once
	var path string
	var out []byte
	var err error
	return func(t *testing.T) string {
		t.Helper()
		once.Do(func() {
			var dir string
			if dir, err = os.MkdirTemp("", "modelci-cli-"); err != nil {
				return
			}
			path = filepath.Join(dir, "modelci")
			cmd := exec.Command("go", "build", "-o", path, "./cmd/modelci")
			cmd.Dir = repoRoot
			out, err = cmd.CombinedOutput()
		})
		if err != nil {
			t.Fatalf("building the modelci CLI: %v\n%s", err, out)
		}
		return path
	}
}()

// engineLogs is where the Go SDK writes the engine's progress:
// MODELCI_TEST_ENGINE_LOGS=1 shows it.
func engineLogs() io.Writer {
	if os.Getenv("MODELCI_TEST_ENGINE_LOGS") != "" {
		return os.Stderr
	}
	return io.Discard
}
