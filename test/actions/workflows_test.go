//go:build actions

package actions_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// jobSummary is how act shows a step's job summary: the report's.
const jobSummary = "⚙  Summary - ## ❌ modelci"

// workflowRunEvent writes the workflow_run event of a completed Model CI
// run of the pull request.
func workflowRunEvent(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "workflow_run.json")
	data, err := json.Marshal(map[string]any{"action": "completed", "workflow_run": map[string]any{
		"id": 4242, "event": "pull_request", "head_sha": headSHA, "conclusion": "failure", "name": "Model CI"},
		"repository": map[string]any{"full_name": repo}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestForkSafeWorkflowPair runs .github/workflows/model-ci.yml (read-only
// token, pipeline through the dagger stand-in, artifact) and then
// model-ci-comment.yml (workflow_run, write token) twice on the same pull
// request: one comment remains, with the report.
func TestForkSafeWorkflowPair(t *testing.T) {
	a := newAct(t)
	prEvent := filepath.Join(a.root, "test/actions/testdata/event.json")
	for run := range 2 {
		log := a.run("pull_request", ".github/workflows/model-ci.yml", prEvent, readToken, false)
		for _, want := range []string{
			"::error file=head/.modelci.yaml,line=4,title=modelci gate%3A accuracy min::accuracy 0.8 is below min 0.9",
			"gate failed: 1 rule(s) broken",
			jobSummary,
		} {
			if !strings.Contains(log, want) {
				t.Errorf("run %d: model-ci.yml's log lacks %q:\n%s", run, want, log)
			}
		}
		if _, err := os.Stat(filepath.Join(a.artifacts, "modelci-report", "report.json")); err != nil {
			t.Fatalf("run %d: no artifact: %v\n%s", run, err, log)
		}
		if c := a.fake.Comments(repo, pr); len(c) != run {
			t.Fatalf("run %d: the pull_request run wrote a comment: %+v", run, c)
		}
		log = a.run("workflow_run", ".github/workflows/model-ci-comment.yml", workflowRunEvent(t), writeToken, true)
		want := map[int]string{0: "created", 1: "unchanged"}[run]
		if !strings.Contains(log, "comment "+want+": ") || !strings.Contains(log, jobSummary) {
			t.Errorf("run %d: model-ci-comment.yml's log does not say the comment was %s, or lacks the job summary:\n%s", run, want, log)
		}
	}
	comments := a.fake.Comments(repo, pr)
	if len(comments) != 1 {
		t.Fatalf("%d comments, want 1: %+v", len(comments), comments)
	}
	body := comments[0].Body
	for _, want := range []string{"<!-- modelci:report -->", "gate failed", "accuracy", "0.8"} {
		if !strings.Contains(body, want) {
			t.Errorf("the comment lacks %q:\n%s", want, body)
		}
	}
	dagger, err := os.ReadFile(a.daggerLog)
	if err != nil || !strings.Contains(string(dagger), "pipeline --source head --policy-from base --base-source base export --path") {
		t.Errorf("dagger was called as %q (%v)", dagger, err)
	}
}

// TestActionsOneByOne runs each action as a user's workflow would, with a
// token that may write: compare posts its own comment and sets its
// outputs, pipeline and publish build their commands (dry runs: no
// Dagger engine, no registry here).
func TestActionsOneByOne(t *testing.T) {
	a := newAct(t)
	prEvent := filepath.Join(a.root, "test/actions/testdata/event.json")
	var logs []string
	for range 2 {
		logs = append(logs, a.run("pull_request", "test/actions/testdata/compare-action.yml", prEvent, writeToken, true))
	}
	for i, want := range []string{"outputs: verdict=failed comment-id=", "outputs: verdict=failed comment-id="} {
		if !strings.Contains(logs[i], want) {
			t.Errorf("run %d lacks %q:\n%s", i, want, logs[i])
		}
	}
	log := logs[1]
	for _, want := range []string{
		"comment-action=unchanged approved=true",
		"outputs: comment-url=https://github.com/octo/models/pull/7#issuecomment-",
		"outputs: report is a file",
		"summary file: ## ❌ modelci · digits: gate failed",
		jobSummary,
		"::error file=.modelci.yaml,line=4,title=modelci gate%3A accuracy min::accuracy 0.8 is below min 0.9",
		// -m is the action's own source: act's copy of it.
		"pipeline command: dagger call -m /",
		" --image python:3.12-slim pipeline --source head --policy-from base --base-source head --name digits --latency-command python3,latency.py export --path /",
		// baseline-ref (with-baseline): the pipeline's report names the registry baseline, and so does the comment.
		`deployed report:   "baseline": "ghcr.io/octo/digits@sha256:4c8f0f5c`,
		"deployed comment: Baseline: `ghcr.io/octo/digits@sha256:4c8f0f5c",
		// check gives a verdict, nothing to export.
		" check --source head --policy-from base.",
		"publish command: modelci publish --model ",
		"--registry ghcr.io/octo/digits:1.0.0 --alias production --force (credentials in MODELCI_REGISTRY_USERNAME, MODELCI_REGISTRY_PASSWORD)",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the second run lacks %q:\n%s", want, log)
		}
	}
	if dagger, err := os.ReadFile(a.daggerLog); err != nil ||
		!strings.Contains(string(dagger), "with-baseline --ref ghcr.io/octo/digits:production pipeline --source head --policy-from base --base-source head --name digits export --path") {
		t.Errorf("dagger was called as %q (%v)", dagger, err)
	}
	if c := a.fake.Comments(repo, pr); len(c) != 1 || !strings.HasPrefix(c[0].Body, "<!-- modelci:report:direct -->") {
		t.Errorf("comments %+v", c)
	}
}
