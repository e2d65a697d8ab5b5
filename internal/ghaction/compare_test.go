package ghaction_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelci/modelci/internal/forge/githubfake"
	"github.com/modelci/modelci/internal/ghaction"
	"github.com/modelci/modelci/internal/report"
)

var failing = map[string]string{"base": "base.json", "head": "head.json", "policy": "policy.yaml", "policy-path": ".modelci.yaml", "title": "digits"}

func TestCompareTwoRunsKeepOneCommentAndSetEverything(t *testing.T) {
	fake := newFake(t)
	fake.AddReview(repo, prNumber, githubfake.Review{Login: "alice", State: "APPROVED", CommitID: headSHA})
	var first *step
	for run := range 2 {
		s := newStep(t, fake, failing)
		err := ghaction.Compare(context.Background(), s.action())
		if !errors.Is(err, ghaction.ErrGateFailed) {
			t.Fatalf("run %d: err = %v, want ErrGateFailed", run, err)
		}
		s.noSecret()
		if !strings.HasPrefix(s.out.String(), "::add-mask::"+token+"\n") {
			t.Errorf("run %d: the token is not masked first:\n%s", run, s.out.String())
		}
		if first == nil {
			first = s
		}
		out := s.outputs()
		wantAction := map[int]string{0: "created", 1: "unchanged"}[run]
		if out["verdict"] != "failed" || out["comment-action"] != wantAction || out["approved"] != "true" {
			t.Errorf("run %d: outputs %v", run, out)
		}
		if out["comment-id"] != first.outputs()["comment-id"] || !strings.Contains(out["comment-url"], "#issuecomment-"+out["comment-id"]) {
			t.Errorf("run %d: comment %s %s; the first run's was %s", run, out["comment-id"], out["comment-url"], first.outputs()["comment-id"])
		}
		for _, name := range []string{"report", "comment", "summary", "approval"} {
			if _, err := os.Stat(out[name]); err != nil {
				t.Errorf("run %d: output %s: %v", run, name, err)
			}
		}
	}
	comments := fake.Comments(repo, prNumber)
	if len(comments) != 1 || !strings.HasPrefix(comments[0].Body, report.Marker+"\n**❌ modelci · digits: gate failed**") {
		t.Fatalf("comments: %+v", comments)
	}
	if !strings.Contains(first.summaryText(), "## ❌ modelci · digits: gate failed") {
		t.Errorf("job summary:\n%s", first.summaryText())
	}
	log := first.out.String()
	for _, want := range []string{
		"::error file=.modelci.yaml,line=4,title=modelci gate%3A accuracy min::accuracy 0.8 is below min 0.9",
		"::error::gate failed: 1 rule(s) broken:",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
	for _, f := range []string{ghaction.ReportJSON, ghaction.CommentFile, ghaction.SummaryFile, ghaction.PullFile, ghaction.ApprovalFile} {
		if _, err := os.Stat(filepath.Join(first.outputDir, f)); err != nil {
			t.Error(err)
		}
	}
}

func TestCompareFailOnGateFalsePasses(t *testing.T) {
	in := map[string]string{"fail-on-gate": "false", "comment": "false", "approval": "false"}
	for k, v := range failing {
		in[k] = v
	}
	s := newStep(t, nil, in)
	if err := ghaction.Compare(context.Background(), s.action()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.out.String(), "::warning::gate failed") || s.outputs()["verdict"] != "failed" {
		t.Errorf("log:\n%s\noutputs %v", s.out.String(), s.outputs())
	}
}

func TestCompareWithAReadOnlyTokenWarnsAndPasses(t *testing.T) {
	fake := newFake(t)
	s := newStep(t, fake, map[string]string{"head": "head.json", "base": "base.json", "policy": "passing.yaml", "token": forkToken, "approval": "false"})
	if err := ghaction.Compare(context.Background(), s.action()); err != nil {
		t.Fatal(err)
	}
	s.noSecret()
	if out := s.outputs(); out["comment-action"] != "skipped" || out["verdict"] != "passed" || out["comment-id"] != "" {
		t.Errorf("outputs %v", out)
	}
	if !strings.Contains(s.out.String(), "::warning::no pull-request comment: ") || !strings.Contains(s.out.String(), "model-ci-comment.yml") {
		t.Errorf("no warning about the fork:\n%s", s.out.String())
	}
	if !strings.Contains(s.summaryText(), "gate passed") || len(fake.Comments(repo, prNumber)) != 0 {
		t.Errorf("summary:\n%s", s.summaryText())
	}
}

func TestCompareOutsideAPullRequestWritesNoComment(t *testing.T) {
	s := newStep(t, nil, map[string]string{"head": "head.json"})
	writeJSONFile(t, s.env["GITHUB_EVENT_PATH"], map[string]any{"ref": "refs/heads/main"})
	s.env["GITHUB_EVENT_NAME"] = "push"
	if err := ghaction.Compare(context.Background(), s.action()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.out.String(), `::notice::not a pull request (event "push")`) || s.outputs()["verdict"] != "none" {
		t.Errorf("log:\n%s", s.out.String())
	}
}

func TestCompareInputErrors(t *testing.T) {
	tests := []struct {
		inputs map[string]string
		want   string
	}{
		{map[string]string{}, `input "head" is required`},
		{map[string]string{"head": "head.json", "fail-on-gate": "yes"}, `input "fail-on-gate": expected true or false, found "yes"`},
		{map[string]string{"head": "head.json", "pull-request": "-1"}, `input "pull-request": expected a positive whole number`},
		{map[string]string{"head": "head.json", "comment-id": "a--b"}, `input "comment-id": comment id "a--b"`},
		{map[string]string{"head": "missing.json"}, `input "head": stat`},
		{map[string]string{"head": ".", "base": "base.json"}, `input "head" (`},
		{map[string]string{"head": "head.json", "token": " "}, `input "token" is empty`},
		{map[string]string{"head": "head.json", "policy": "head.json"}, `head.json`},
	}
	for _, tt := range tests {
		s := newStep(t, nil, tt.inputs)
		if _, ok := tt.inputs["token"]; ok {
			delete(s.env, "INPUT_TOKEN")
		}
		err := ghaction.Compare(context.Background(), s.action())
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want %q", tt.inputs, err, tt.want)
		}
	}
}

func TestCompareNeedsAStep(t *testing.T) {
	s := newStep(t, nil, map[string]string{"head": "head.json"})
	delete(s.env, "GITHUB_OUTPUT")
	err := ghaction.Compare(context.Background(), s.action())
	if err == nil || !strings.Contains(err.Error(), "GITHUB_OUTPUT is not set") {
		t.Errorf("err = %v", err)
	}
}

func TestCompareCancelled(t *testing.T) {
	fake := newFake(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s := newStep(t, fake, failing)
	if err := ghaction.Compare(ctx, s.action()); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if len(fake.Comments(repo, prNumber)) != 0 {
		t.Error("a cancelled run wrote a comment")
	}
}
