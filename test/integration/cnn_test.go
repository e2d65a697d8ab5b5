//go:build integration

package integration

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// torchImage is the image with Python, PyTorch and scikit-learn the engine
// scripts publish to the local registry.
func torchImage(t *testing.T) string {
	t.Helper()
	return engineImage(t, "MODELCI_TORCH_IMAGE")
}

// cnnSource copies examples/cnn into a temporary directory, with the
// candidate's hyper-parameters when candidate is set and a nonce file that
// makes the source new to training (prepare does not see it).
func cnnSource(t *testing.T, candidate bool, nonceValue string) string {
	t.Helper()
	return exampleSource(t, "cnn", []string{"common.py", "prepare.py", "prepare.json", "train.py", "evaluate.py", "serve.py", "params.json", ".modelci.yaml"},
		candidate, nonceValue)
}

// countingPrepare is a prepare command that runs prepare.py and appends a
// line to a file of the datasets cache volume named by key, so that a test
// can count how many times the step really ran (a cached step does not).
func countingPrepare(key string) string {
	return "sh,-c,python3 prepare.py --out /prepared && echo ran >> /root/.cache/datasets/prepare-runs-" + key
}

// prepareRuns returns how many times countingPrepare(key) ran.
func prepareRuns(t *testing.T, key string) int {
	t.Helper()
	out := filepath.Join(t.TempDir(), "count")
	// The nonce in the command makes this call new to the engine.
	cmd := "sh,-c,mkdir -p /prepared && (cat /root/.cache/datasets/prepare-runs-" + key + " 2>/dev/null || true) | wc -l > /prepared/runs # " + nonce(t)
	mustSucceed(t, "dagger call prepare (count)", daggerCall(t, "--image", torchImage(t), "prepare", "--source", t.TempDir(),
		"--command", cmd, "export", "--path", out))
	data, err := os.ReadFile(filepath.Join(out, "runs"))
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatalf("runs file %q: %v", data, err)
	}
	return n
}

// TestCNNPrepareIsCachedOnItsInputs: prepare sees only prepare.py and
// prepare.json; an edit to the model does not prepare again, an edit to the
// preparation does.
func TestCNNPrepareIsCachedOnItsInputs(t *testing.T) {
	key := nonce(t)
	src := cnnSource(t, false, key)
	// Make the preparation new to the engine without touching its logic.
	appendFile(t, filepath.Join(src, "prepare.py"), "# "+key+"\n")
	prep := func(source string) string {
		t.Helper()
		out := filepath.Join(t.TempDir(), "prepared")
		mustSucceed(t, "dagger call prepare", daggerCall(t, "--image", torchImage(t), "prepare", "--source", source,
			"--command", countingPrepare(key), "export", "--path", out))
		return out
	}
	first := prep(src)
	for _, f := range []string{"train.npz", "test.npz", "requests.jsonl", "prepare.json"} {
		if _, err := os.Stat(filepath.Join(first, f)); err != nil {
			t.Errorf("prepared data lacks %s: %v", f, err)
		}
	}
	if got := lines(t, filepath.Join(first, "requests.jsonl")); got != 450 {
		t.Errorf("requests.jsonl has %d lines, want the 450 test digits", got)
	}

	// A model-only edit: hyper-parameters, training code, the nonce file.
	copyFile(t, filepath.Join(repoRoot, "examples", "cnn", "variants", "candidate.json"), filepath.Join(src, "params.json"))
	appendFile(t, filepath.Join(src, "train.py"), "# a model edit\n")
	writeFile(t, filepath.Join(src, "nonce.txt"), nonce(t))
	second := prep(src)
	if fileHash(t, filepath.Join(first, "train.npz")) != fileHash(t, filepath.Join(second, "train.npz")) {
		t.Error("a model-only edit changed the prepared training data")
	}
	if n := prepareRuns(t, key); n != 1 {
		t.Errorf("prepare ran %d times for the original and a model-only edit, want 1 (the second cached)", n)
	}

	// An edit to the preparation prepares again.
	writeFile(t, filepath.Join(src, "prepare.json"), `{"test_size": 0.3, "seed": 0}`)
	third := prep(src)
	if n := prepareRuns(t, key); n != 2 {
		t.Errorf("prepare ran %d times after an edit to prepare.json, want 2", n)
	}
	if got := lines(t, filepath.Join(third, "requests.jsonl")); got != 540 {
		t.Errorf("test_size 0.3 gives %d test digits, want 540", got)
	}
}

// TestCNNPipeline runs the CNN's whole flow through the engine: one shared
// preparation, training and evaluation of base and head, the served models
// load-tested one after the other, compared and gated; the load test's
// latency has a paired interval in the comment.
func TestCNNPipeline(t *testing.T) {
	key := nonce(t)
	base, head := cnnSource(t, false, key), cnnSource(t, true, key)
	for _, src := range []string{base, head} {
		appendFile(t, filepath.Join(src, "prepare.py"), "# "+key+"\n")
	}
	out := filepath.Join(t.TempDir(), "out")
	mustSucceed(t, "dagger call pipeline", daggerCall(t, "--image", torchImage(t),
		"with-prepare", "--command", countingPrepare(key),
		"with-serve",
		"pipeline", "--source", head, "--base-source", base, "--name", "cnn",
		"--train-exclude", "evaluate.py,serve.py,.modelci.yaml,*.md",
		"export", "--path", out))

	if n := prepareRuns(t, key); n != 1 {
		t.Errorf("head and base with the same preparation prepared %d times, want once", n)
	}
	data, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	rep := parseReport(t, data)
	if rep.Paired != 450 {
		t.Errorf("paired examples = %d, want the 450 test digits", rep.Paired)
	}
	acc := rep.Metrics[rep.metric(t, "accuracy")]
	if *acc.Base < 0.9 || *acc.Head < 0.9 {
		t.Errorf("accuracy base %v head %v: the CNNs should be above 0.9", *acc.Base, *acc.Head)
	}
	for _, name := range []string{"serve.latency_p50_ms", "serve.latency_p95_ms", "serve.latency_p99_ms", "serve.error_rate"} {
		m := rep.Metrics[rep.metric(t, name)]
		if m.CI == nil || m.CI.Method != "paired-bootstrap" {
			t.Errorf("%s has no paired-bootstrap interval: %+v", name, m.CI)
		}
	}
	for _, name := range []string{"serve.throughput_rps", "serve.requests"} {
		if m := rep.Metrics[rep.metric(t, name)]; m.Base == nil || m.Head == nil || *m.Head <= 0 {
			t.Errorf("%s: base %v head %v", name, m.Base, m.Head)
		}
	}
	if e := rep.Metrics[rep.metric(t, "serve.errors")]; *e.Base != 0 || *e.Head != 0 {
		t.Errorf("the load tests had errors: base %v head %v", *e.Base, *e.Head)
	}
	// The candidate is more accurate; its served tail latency moves with
	// the machine's load and may break max_increase, nothing else may.
	for _, v := range rep.Gate.Violations {
		if v.Metric != "serve.latency_p95_ms" {
			t.Errorf("the candidate broke a rule it should keep: %+v", v)
		}
	}
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "`serve.latency_p95_ms`") {
		t.Errorf("the comment does not show the served latency:\n%s", md)
	}
	for _, f := range []string{"evaluation/serve/base/examples.jsonl", "evaluation/serve/head/metrics.json", "evaluation/head/examples.jsonl"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("the output lacks %s: %v", f, err)
		}
	}
}

// TestCNNTrainingResumes: training checkpoints every epoch to the cache
// volume; a run with more epochs resumes from the last one and ends with
// the weights of a run straight through.
func TestCNNTrainingResumes(t *testing.T) {
	img := torchImage(t)
	src := cnnSource(t, false, nonce(t))
	prepared := filepath.Join(t.TempDir(), "prepared")
	mustSucceed(t, "dagger call prepare", daggerCall(t, "--image", img, "prepare", "--source", src, "export", "--path", prepared))
	train := func(source string, epochs int) (trainLog, string) {
		t.Helper()
		p := filepath.Join(source, "params.json")
		var params map[string]any
		if err := json.Unmarshal(readFile(t, p), &params); err != nil {
			t.Fatal(err)
		}
		params["epochs"] = epochs
		js, _ := json.Marshal(params)
		writeFile(t, p, string(js))
		out := filepath.Join(t.TempDir(), "model")
		mustSucceed(t, "dagger call train", daggerCall(t, "--image", img, "train", "--source", source, "--data", prepared,
			"--exclude", "evaluate.py,serve.py,.modelci.yaml,*.md", "export", "--path", out))
		var tl trainLog
		if err := json.Unmarshal(readFile(t, filepath.Join(out, "train.json")), &tl); err != nil {
			t.Fatal(err)
		}
		return tl, fileHash(t, filepath.Join(out, "weights.pt"))
	}
	short, _ := train(src, 3)
	if short.ResumedFrom != 0 || short.EpochsRun != 3 || short.Device != "cpu" {
		t.Errorf("first run: %+v, want 3 epochs run from scratch on cpu", short)
	}
	extended, resumedWeights := train(src, 5)
	if extended.ResumedFrom != 3 || extended.EpochsRun != 2 {
		t.Errorf("extended run: %+v, want it resumed from epoch 3, 2 epochs run", extended)
	}
	fresh := cnnSource(t, false, nonce(t)) // another key: no checkpoint to resume from
	straight, straightWeights := train(fresh, 5)
	if straight.ResumedFrom != 0 {
		t.Fatalf("a new source resumed: %+v", straight)
	}
	if resumedWeights != straightWeights || !equalFloats(extended.Losses, straight.Losses) {
		t.Errorf("resumed and straight runs differ: losses %v vs %v", extended.Losses, straight.Losses)
	}
}

// TestCNNDevice: the scripts' device choice and, through the engine, the
// advice when GPUs are asked of an engine that has none.
func TestCNNDevice(t *testing.T) {
	img := torchImage(t)
	src := cnnSource(t, false, nonce(t))
	script := `
from common import choose_device
print(choose_device("auto", False, False)[0])
print(choose_device("auto", True, True)[0])
print(choose_device("cpu", True, True)[0])
d, msg = choose_device("auto", False, True, "1.13.1", None)
print(d, "|", msg)
try:
    choose_device("cuda", False, True)
except SystemExit as e:
    print("exit |", e)
`
	writeFile(t, filepath.Join(src, "device_check.py"), script)
	r := daggerCall(t, "--image", img, "prepare", "--source", src, "--include", "*.py",
		"--command", "sh,-c,mkdir -p /prepared && python3 device_check.py > /prepared/out", "file", "--path", "out", "contents")
	mustSucceed(t, "device choice", r)
	got := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(got) != 5 || got[0] != "cpu" || got[1] != "cuda" || got[2] != "cpu" {
		t.Fatalf("device choices:\n%s", r.stdout)
	}
	for _, want := range []string{"cpu | device: cpu — GPUs were given", "CPU build", "pytorch/pytorch:", "running on CPU"} {
		if !strings.Contains(got[3], want) {
			t.Errorf("GPUs given, none usable: %q lacks %q", got[3], want)
		}
	}
	if !strings.HasPrefix(got[4], "exit | --device cuda: torch.cuda.is_available() is False") || !strings.Contains(got[4], "CUDA base image") {
		t.Errorf("--device cuda without CUDA: %q", got[4])
	}

	r = daggerCall(t, "--image", img, "--gpus", "all", "prepare", "--source", src, "entries")
	if r.code == 0 {
		t.Fatal("prepare with --gpus all succeeded on an engine without GPU support")
	}
	if !strings.Contains(r.stderr, "_EXPERIMENTAL_DAGGER_GPU_SUPPORT=1") || !strings.Contains(r.stderr, "leave out --gpus") {
		t.Errorf("no advice for GPUs on an engine without them:\n%s", tail(r.stderr, 2000))
	}
}

// trainLog is the part of train.json the tests read.
type trainLog struct {
	Device      string    `json:"device"`
	ResumedFrom int       `json:"resumed_from_epoch"`
	EpochsRun   int       `json:"epochs_run"`
	Losses      []float64 `json:"losses"`
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	writeFile(t, path, string(readFile(t, path))+s)
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func fileHash(t *testing.T, path string) string {
	t.Helper()
	sum := sha256.Sum256(readFile(t, path))
	return hex.EncodeToString(sum[:])
}

func lines(t *testing.T, path string) int {
	t.Helper()
	return strings.Count(string(readFile(t, path)), "\n")
}
