//go:build integration

package integration

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelci/modelci/internal/modelpack"
)

var examplePolicy = filepath.Join(repoRoot, "examples", "digits", ".modelci.yaml")

// trainAndEvaluate trains and evaluates source with `dagger call train` and
// `dagger call evaluate`, exporting the model and the evaluation under dir.
func trainAndEvaluate(t *testing.T, source, dir string) (model, eval string) {
	t.Helper()
	img := pythonImage(t)
	model, eval = filepath.Join(dir, "model"), filepath.Join(dir, "eval")
	mustSucceed(t, "dagger call train", daggerCall(t, "--image", img, "train", "--source", source, "export", "--path", model))
	mustSucceed(t, "dagger call evaluate", daggerCall(t, "--image", img, "evaluate", "--model", model, "--source", source, "export", "--path", eval))
	return model, eval
}

// TestTrainEvaluateCompareWithDaggerCall runs each step on its own through
// `dagger call`, and checks that compare and gate give exactly what the
// modelci CLI gives for the same files.
func TestTrainEvaluateCompareWithDaggerCall(t *testing.T) {
	n := nonce(t)
	dir := t.TempDir()
	baseModel, baseEval := trainAndEvaluate(t, digitsSource(t, false, n), filepath.Join(dir, "base"))
	_, headEval := trainAndEvaluate(t, digitsSource(t, true, n), filepath.Join(dir, "head"))

	if _, err := os.Stat(filepath.Join(baseModel, "model.pkl")); err != nil {
		t.Errorf("the trained model lacks model.pkl: %v", err)
	}
	for _, f := range []string{"metrics.json", "examples.jsonl"} {
		if _, err := os.Stat(filepath.Join(headEval, f)); err != nil {
			t.Errorf("the evaluation lacks %s: %v", f, err)
		}
	}

	cli := func(base, head string, extra ...string) result {
		args := append([]string{"run", "./cmd/modelci", "compare",
			"--base", filepath.Join(base, "metrics.json"), "--head", filepath.Join(head, "metrics.json"),
			"--base-examples", filepath.Join(base, "examples.jsonl"), "--head-examples", filepath.Join(head, "examples.jsonl"),
			"--policy", examplePolicy}, extra...)
		return runIn(t, repoRoot, "go", args...)
	}

	t.Run("compare matches the CLI", func(t *testing.T) {
		got := daggerCall(t, "compare", "--base", baseEval, "--head", headEval, "--policy", examplePolicy, "--format", "json", "contents")
		mustSucceed(t, "dagger call compare", got)
		want := cli(baseEval, headEval, "--format", "json")
		if want.code != 0 {
			t.Fatalf("modelci compare: exit %d: %s", want.code, want.stderr)
		}
		if strings.TrimSpace(got.stdout) != strings.TrimSpace(want.stdout) {
			t.Errorf("dagger call compare and modelci compare disagree\ndagger:\n%s\nCLI:\n%s", got.stdout, want.stdout)
		}
		checkDigitsReport(t, parseReport(t, []byte(got.stdout)))
	})

	t.Run("markdown comment", func(t *testing.T) {
		got := daggerCall(t, "compare", "--base", baseEval, "--head", headEval, "--title", "digits", "contents")
		mustSucceed(t, "dagger call compare", got)
		if !strings.HasPrefix(got.stdout, "<!-- modelci:report -->") || !strings.Contains(got.stdout, "digits") {
			t.Errorf("not a modelci comment:\n%s", got.stdout)
		}
	})

	t.Run("gate passes like the CLI", func(t *testing.T) {
		got := daggerCall(t, "gate", "--base", baseEval, "--head", headEval, "--policy", examplePolicy)
		mustSucceed(t, "dagger call gate", got)
		if !strings.Contains(got.stdout, "gate passed") {
			t.Errorf("gate output %q lacks the verdict", got.stdout)
		}
		if c := cli(baseEval, headEval); c.code != 0 {
			t.Errorf("modelci compare exit %d, want 0 like dagger call gate", c.code)
		}
	})

	t.Run("gate fails like the CLI", func(t *testing.T) {
		// Swapped: the baseline as the head loses the candidate's gains.
		got := daggerCall(t, "gate", "--base", headEval, "--head", baseEval, "--policy", examplePolicy)
		if got.code != 1 {
			t.Fatalf("dagger call gate on a regression: exit %d, want 1\n%s", got.code, tail(got.stderr, 2000))
		}
		if !strings.Contains(got.stderr, "gate failed") || !strings.Contains(got.stderr, "log_loss") {
			t.Errorf("the failure does not list the broken rule:\n%s", tail(got.stderr, 2000))
		}
		if c := cli(headEval, baseEval); c.code != 1 {
			t.Errorf("modelci compare exit %d, want 1 like dagger call gate", c.code)
		}
	})
}

// TestPipelineWithDaggerCall runs the whole job through `dagger call
// pipeline` and checks every output: the reports and the packaged model.
func TestPipelineWithDaggerCall(t *testing.T) {
	n := nonce(t)
	out := filepath.Join(t.TempDir(), "out")
	got := daggerCall(t, "--image", pythonImage(t), "pipeline", "--source", digitsSource(t, true, n), "--base-source", digitsSource(t, false, n),
		"--name", "digits", "export", "--path", out)
	mustSucceed(t, "dagger call pipeline", got)

	data, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	rep := parseReport(t, data)
	checkDigitsReport(t, rep)
	if !rep.Gate.Passed {
		t.Errorf("the candidate should pass the example's gate: %+v", rep.Gate.Violations)
	}
	// The source's .modelci.yaml was picked up: its rules are in force.
	if ll := rep.Metrics[rep.metric(t, "log_loss")]; ll.Status != "improved" {
		t.Errorf("log_loss status %q, want improved", ll.Status)
	}
	comment, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(comment), "<!-- modelci:report -->") {
		t.Errorf("report.md is not the comment:\n%s", comment)
	}
	for _, f := range []string{"summary.md", "evaluation/head/metrics.json", "evaluation/base/examples.jsonl"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("pipeline output lacks %s", f)
		}
	}

	// The model is a ModelPack artifact holding the model and its report.
	man, err := modelpack.Unpack(t.Context(), filepath.Join(out, "model"), "latest", filepath.Join(t.TempDir(), "unpacked"))
	if err != nil {
		t.Fatalf("unpacking the packaged model: %v", err)
	}
	paths := map[string]bool{}
	for _, f := range man.Files {
		paths[f.Path] = true
	}
	for _, p := range []string{"model.pkl", "params.json", "evaluation/metrics.json", "evaluation/report.md", "evaluation/report.json"} {
		if !paths[p] {
			t.Errorf("the packaged model lacks %s (has %v)", p, paths)
		}
	}
	if man.Manifest.ArtifactType != "application/vnd.cncf.model.manifest.v1+json" {
		t.Errorf("artifactType %q", man.Manifest.ArtifactType)
	}

	// unpack restores it, through the engine.
	unpacked := filepath.Join(t.TempDir(), "through-the-engine")
	mustSucceed(t, "dagger call unpack", daggerCall(t, "unpack", "--layout", filepath.Join(out, "model"), "export", "--path", unpacked))
	for _, f := range []string{"metrics.json", "examples.jsonl"} {
		want, err := os.ReadFile(filepath.Join(out, "evaluation", "head", f))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(unpacked, "evaluation", f))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("unpacked evaluation/%s differs from the evaluation (err %v)", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(unpacked, "model.pkl")); err != nil {
		t.Errorf("unpack lost the model: %v", err)
	}
}

// TestUnchangedRerunIsCached runs the same training twice and checks the
// second run did not execute: the training writes a random run id, which
// must come back unchanged. A changed source must run again.
func TestUnchangedRerunIsCached(t *testing.T) {
	n := nonce(t)
	source := digitsSource(t, false, n)
	runID := func(src string) string {
		r := daggerCall(t, "--image", pythonImage(t), "train", "--source", src,
			"--command", "sh,-c,python3 train.py --out /model && od -An -N16 -tx1 /dev/urandom > /model/run-id",
			"file", "--path", "run-id", "contents")
		mustSucceed(t, "dagger call train", r)
		return strings.TrimSpace(r.stdout)
	}
	first, second := runID(source), runID(source)
	if first == "" || first != second {
		t.Errorf("an unchanged rerun executed again: run ids %q and %q", first, second)
	}
	if third := runID(digitsSource(t, false, nonce(t))); third == first {
		t.Errorf("a changed source did not run again: run id %q", third)
	}

	// Only the training's own files count: a change to evaluate.py does
	// not retrain.
	changed := digitsSource(t, false, n)
	f, err := os.OpenFile(filepath.Join(changed, "evaluate.py"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("# an edit to the evaluation only\n")
	f.Close()
	if got := runID(changed); got != first {
		t.Errorf("a change to evaluate.py retrained: run id %q, want %q", got, first)
	}
}

// TestCacheVolumePersists writes into the pip cache volume in one call and
// reads it back in another.
func TestCacheVolumePersists(t *testing.T) {
	n := nonce(t)
	img := pythonImage(t)
	write := runIn(t, repoRoot, "dagger", "call", "-m", "modules/pyml", "--image", img, "container",
		"with-exec", "--args", "sh,-c,echo "+n+" >> /root/.cache/pip/modelci-test-marker", "sync")
	mustSucceed(t, "writing into the cache volume", write)
	read := runIn(t, repoRoot, "dagger", "call", "-m", "modules/pyml", "--image", img, "container",
		// The read differs from any earlier one, or the engine would answer
		// it from its cache without looking at the volume.
		"with-exec", "--args", "sh,-c,cat /root/.cache/pip/modelci-test-marker # read "+n, "stdout")
	mustSucceed(t, "reading the cache volume", read)
	if !strings.Contains(read.stdout, n) {
		t.Errorf("the cache volume lost %q: it holds\n%s", n, read.stdout)
	}
}

// TestBaseImageOverride runs training in a base container given by
// reference, and with --image.
func TestBaseImageOverride(t *testing.T) {
	img := pythonImage(t)
	source := digitsSource(t, false, nonce(t))
	for _, flag := range []string{"--base", "--image"} {
		r := daggerCall(t, flag, img, "train", "--source", source,
			"--command", "sh,-c,python3 -c 'import sklearn; print(sklearn.__version__)' > /model/sklearn-version && cat /etc/debian_version > /model/debian",
			"file", "--path", "debian", "contents")
		mustSucceed(t, "train "+flag, r)
		if !strings.HasPrefix(strings.TrimSpace(r.stdout), "12") {
			t.Errorf("train %s %s ran on %q, want the Debian 12 image", flag, img, r.stdout)
		}
	}
}

// TestGpusWithoutGPUSupport asks an engine without GPU support for GPUs.
func TestGpusWithoutGPUSupport(t *testing.T) {
	r := daggerCall(t, "--image", pythonImage(t), "--gpus", "all", "train", "--source", digitsSource(t, false, nonce(t)), "entries")
	if r.code == 0 {
		t.Fatal("training with --gpus all succeeded on an engine without GPU support")
	}
	for _, want := range []string{"gpus all were asked for", "_EXPERIMENTAL_DAGGER_GPU_SUPPORT"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the error lacks %q:\n%s", want, tail(r.stderr, 3000))
		}
	}
}

// TestBadArguments checks that wrong calls fail with a message that says
// what is wrong.
func TestBadArguments(t *testing.T) {
	img := pythonImage(t)
	source := digitsSource(t, false, "")
	empty := t.TempDir()
	noScript := t.TempDir()
	writeFile(t, filepath.Join(noScript, "params.json"), "{}")
	badPolicy := filepath.Join(t.TempDir(), ".modelci.yaml")
	writeFile(t, badPolicy, "metrics:\n  accuracy:\n    max_dorp: 1%\n")
	evalDir := filepath.Join(repoRoot, "examples", "digits", "results", "baseline")

	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"train without a source", []string{"train", "entries"}, []string{"source"}},
		{"gpus all with ids", []string{"--image", img, "--gpus", "all,0", "train", "--source", source, "entries"}, []string{`expected "all" alone`}},
		{"evaluate without the script", []string{"--image", img, "evaluate", "--model", evalDir, "--source", noScript, "entries"}, []string{"evaluate.py"}},
		{"evaluation writes a NaN", []string{"--image", img, "evaluate", "--model", evalDir, "--source", noScript,
			"--command", `sh,-c,printf '{\042accuracy\042: NaN}' > /eval/metrics.json`, "entries"}, []string{"evaluation/metrics.json", "accuracy"}},
		{"compare an empty head", []string{"compare", "--base", evalDir, "--head", empty, "contents"}, []string{"head evaluation has no metrics file"}},
		{"compare in an unknown format", []string{"compare", "--base", evalDir, "--head", evalDir, "--format", "html", "contents"}, []string{`format "html"`}},
		{"gate with a typo in the policy", []string{"gate", "--base", evalDir, "--head", evalDir, "--policy", badPolicy}, []string{".modelci.yaml: line 3", "max_dorp"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := daggerCall(t, tt.args...)
			if r.code == 0 {
				t.Fatalf("succeeded, want an error\nstdout: %s", r.stdout)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("the error lacks %q:\n%s", w, tail(r.stderr, 3000))
				}
			}
		})
	}
}

// TestSecretsStayOutOfOutput passes a secret to the runtime: the container
// sees it, and neither the output nor the engine's log shows it.
func TestSecretsStayOutOfOutput(t *testing.T) {
	secret := "modelci-secret-" + nonce(t)
	sum := sha256.Sum256([]byte(secret))
	cmd := exec.Command("dagger", "call", "-m", "modules/pyml", "--image", pythonImage(t),
		"with-secret", "--name", "HF_TOKEN", "--secret", "env:MODELCI_TEST_SECRET",
		"container", "with-exec", "--args",
		"sh,-c,printf %s $HF_TOKEN | sha256sum; echo token: $HF_TOKEN", "stdout")
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "MODELCI_TEST_SECRET="+secret)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("dagger call: %v\n%s", err, tail(stderr.String(), 3000))
	}
	if !strings.Contains(stdout.String(), hex.EncodeToString(sum[:])) {
		t.Errorf("the container did not see the secret: %s", stdout.String())
	}
	for name, out := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String()} {
		if strings.Contains(out, secret) {
			t.Errorf("the secret appears in dagger's %s", name)
		}
	}
	if !strings.Contains(stdout.String(), "token: ***") {
		t.Errorf("the echoed secret was not masked: %s", stdout.String())
	}
}

// TestRequirements installs a requirements file with pip in the runtime:
// satisfied requirements pass, and one pip cannot find fails naming it.
func TestRequirements(t *testing.T) {
	img := pythonImage(t)
	dir := t.TempDir()
	ok := filepath.Join(dir, "requirements.txt")
	writeFile(t, ok, "# the image's own packages\nscikit-learn\nnumpy\n")
	r := runIn(t, repoRoot, "dagger", "call", "-m", "modules/pyml", "--image", img,
		"with-requirements", "--file", ok, "container",
		"with-exec", "--args", "python3,-c,import sklearn; print(sklearn.__version__)", "stdout")
	mustSucceed(t, "with-requirements", r)
	if !strings.HasPrefix(r.stdout, "1.") {
		t.Errorf("unexpected output: %s", r.stdout)
	}

	missing := filepath.Join(dir, "missing.txt")
	pkg := "modelci-no-such-package-" + nonce(t)
	writeFile(t, missing, pkg+"\n")
	r = runIn(t, repoRoot, "dagger", "call", "-m", "modules/pyml", "--image", img,
		"with-requirements", "--file", missing, "container", "sync")
	if r.code == 0 {
		t.Fatalf("installing %s succeeded", pkg)
	}
	if !strings.Contains(r.stderr, pkg) {
		t.Errorf("the failure does not name the requirement:\n%s", tail(r.stderr, 3000))
	}
}

// TestPipelineWithoutBaseline runs the pipeline with no baseline, as on a
// model's first pull request: every metric is new, and the policy's bounds
// still apply.
func TestPipelineWithoutBaseline(t *testing.T) {
	source := digitsSource(t, false, nonce(t))
	strict := filepath.Join(t.TempDir(), "strict.yaml")
	writeFile(t, strict, "metrics:\n  accuracy:\n    min: 0.99\n")
	for _, tt := range []struct {
		policy string
		passed bool
	}{{"", true}, {strict, false}} {
		args := []string{"--image", pythonImage(t), "pipeline", "--source", source}
		if tt.policy != "" {
			args = append(args, "--policy", tt.policy)
		}
		r := daggerCall(t, append(args, "file", "--path", "report.json", "contents")...)
		mustSucceed(t, "dagger call pipeline without a baseline", r)
		rep := parseReport(t, []byte(r.stdout))
		for _, m := range rep.Metrics {
			if m.Status != "new" || m.Base != nil || m.Head == nil {
				t.Errorf("%s: status %s base %v head %v, want new with only a head value", m.Name, m.Status, m.Base, m.Head)
			}
		}
		if rep.Gate.Passed != tt.passed {
			t.Errorf("policy %q: gate passed = %v, want %v (%+v)", tt.policy, rep.Gate.Passed, tt.passed, rep.Gate.Violations)
		}
	}
}

// TestRuntimeOptionsReachSteps gives env and secrets once, before the
// function: training sees them (a secret from --secret env:NAME under its
// own name, one from with-secret under the name given), and the secret is
// in no output.
func TestRuntimeOptionsReachSteps(t *testing.T) {
	secret := "modelci-secret-" + nonce(t)
	sum := sha256.Sum256([]byte(secret))
	// A script file: dagger call reads a list argument as CSV, where a
	// command with quotes would need escaping.
	source := digitsSource(t, false, nonce(t))
	writeFile(t, filepath.Join(source, "probe.sh"), `python3 train.py --out /model && { printf %s "$MODELCI_TEST_SECRET" | sha256sum; printf %s "$HF_TOKEN" | sha256sum; echo "$RUN_LABEL"; } > /model/seen && echo token: $MODELCI_TEST_SECRET`+"\n")
	cmd := exec.Command("dagger", "call", "--image", pythonImage(t), "--env", "RUN_LABEL=label-"+secret[:8],
		"--secret", "env:MODELCI_TEST_SECRET",
		"with-secret", "--name", "HF_TOKEN", "--secret", "env:MODELCI_TEST_SECRET",
		"train", "--source", source, "--command", "sh,probe.sh",
		"file", "--path", "seen", "contents")
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "MODELCI_TEST_SECRET="+secret)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("dagger call: %v\n%s", err, tail(stderr.String(), 3000))
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	want := hex.EncodeToString(sum[:])
	if len(lines) != 3 || !strings.HasPrefix(lines[0], want) || !strings.HasPrefix(lines[1], want) || lines[2] != "label-"+secret[:8] {
		t.Errorf("training saw %q, want both secrets' hash %s and the label", lines, want)
	}
	for name, out := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String()} {
		if strings.Contains(out, secret) {
			t.Errorf("the secret appears in dagger's %s", name)
		}
	}

	r := daggerCall(t, "--secret", "file:///etc/hostname", "train", "--source", digitsSource(t, false, ""), "entries")
	if r.code == 0 || !strings.Contains(r.stderr, "with-secret") {
		t.Errorf("a file secret without a name: exit %d, want advice to use with-secret:\n%s", r.code, tail(r.stderr, 2000))
	}
}
