package ghaction_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelci/modelci/internal/ghaction"
	"github.com/modelci/modelci/internal/report"
)

// artifact runs compare as a fork's run does (read-only token) and returns
// the directory its artifact would hold.
func artifact(t testing.TB) string {
	t.Helper()
	fake := newFake(t)
	in := map[string]string{"token": forkToken, "approval": "false", "fail-on-gate": "false"}
	for k, v := range failing {
		in[k] = v
	}
	s := newStep(t, fake, in)
	if err := ghaction.Compare(context.Background(), s.action()); err != nil {
		t.Fatal(err)
	}
	return s.outputDir
}

func TestCommentPostsTheArtifactOnce(t *testing.T) {
	dir := artifact(t)
	fake := newFake(t)
	for run, want := range []string{"created", "unchanged"} {
		s := newStep(t, fake, map[string]string{"artifact": dir})
		writeJSONFile(t, s.env["GITHUB_EVENT_PATH"], map[string]any{"workflow_run": map[string]any{"head_sha": headSHA, "event": "pull_request"}})
		if err := ghaction.Comment(context.Background(), s.action()); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		s.noSecret()
		if out := s.outputs(); out["comment-action"] != want || out["comment-id"] == "" {
			t.Errorf("run %d: outputs %v", run, out)
		}
		if !strings.Contains(s.summaryText(), "gate failed") {
			t.Errorf("run %d: summary:\n%s", run, s.summaryText())
		}
	}
	if c := fake.Comments(repo, prNumber); len(c) != 1 || !strings.Contains(c[0].Body, "gate failed") {
		t.Errorf("comments %+v", c)
	}
}

func TestCommentRefusesAnotherCommitAndSkipsAMovedPullRequest(t *testing.T) {
	dir := artifact(t)
	fake := newFake(t)
	other := strings.Repeat("b", 40)
	s := newStep(t, fake, map[string]string{"artifact": dir, "head-sha": other})
	err := ghaction.Comment(context.Background(), s.action())
	if err == nil || !strings.Contains(err.Error(), "the artifact is about commit "+headSHA+", not the workflow run's "+other) {
		t.Errorf("err = %v", err)
	}
	fake.SetHead(repo, prNumber, other)
	s = newStep(t, fake, map[string]string{"artifact": dir, "head-sha": headSHA})
	if err := ghaction.Comment(context.Background(), s.action()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.out.String(), "::warning::pull request #7 has moved on to "+other) || s.outputs()["comment-action"] != "skipped" {
		t.Errorf("log:\n%s", s.out.String())
	}
	if len(fake.Comments(repo, prNumber)) != 0 {
		t.Error("commented on a pull request that moved on")
	}
	s = newStep(t, fake, map[string]string{"artifact": dir})
	err = ghaction.Comment(context.Background(), s.action())
	if err == nil || !strings.Contains(err.Error(), "run this on workflow_run, or give head-sha") {
		t.Errorf("without a workflow_run event: err = %v", err)
	}
}

func TestReadBundleRefusesWhatCompareDoesNotWrite(t *testing.T) {
	good := artifact(t)
	if b, err := ghaction.ReadBundle(good); err != nil || b.Pull.Number != prNumber || b.Gate.Passed {
		t.Fatalf("ReadBundle = %+v, %v", b, err)
	}
	tests := []struct {
		name   string
		change func(dir string)
		want   string
	}{
		{"extra file", func(d string) { write(t, d, "run.sh", "echo") }, `unexpected entry "run.sh"`},
		{"a directory", func(d string) {
			os.Remove(filepath.Join(d, "summary.md"))
			os.Mkdir(filepath.Join(d, "summary.md"), 0o755)
		}, "summary.md is not a regular file"},
		{"a link", func(d string) {
			os.Remove(filepath.Join(d, "summary.md"))
			os.Symlink("/etc/passwd", filepath.Join(d, "summary.md"))
		}, "summary.md is not a regular file"},
		{"no report", func(d string) { os.Remove(filepath.Join(d, "report.json")) }, "no report.json"},
		{"big comment", func(d string) { write(t, d, "report.md", strings.Repeat("x", 70000)) }, "report.md is over its limit of 65536 bytes"},
		{"no marker", func(d string) { write(t, d, "report.md", "hello @everyone") }, "report.md: the first line is not <!-- modelci:report -->"},
		{"verdict disagrees", func(d string) { write(t, d, "report.md", "<!-- modelci:report -->\n**✅ all good**") }, "does not agree with report.json's gate"},
		{"bad UTF-8", func(d string) { write(t, d, "report.md", "<!-- modelci:report -->\n\xff") }, "report.md: not valid UTF-8"},
		{"bad report", func(d string) { write(t, d, "report.json", `{"metrics": []}`) }, "report.json: not a modelci JSON report"},
		{"pull number", func(d string) { write(t, d, "pull-request.json", `{"number": 0, "head_sha": "`+headSHA+`"}`) }, `"number": expected a positive`},
		{"pull sha", func(d string) { write(t, d, "pull-request.json", `{"number": 7, "head_sha": "main"}`) }, `"head_sha": expected a full commit SHA`},
		{"pull extra", func(d string) { write(t, d, "pull-request.json", `{"number": 7, "head_sha": "`+headSHA+`", "x": 1}`) }, `unknown object member name "x"`},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		entries, _ := os.ReadDir(good)
		for _, e := range entries {
			data, _ := os.ReadFile(filepath.Join(good, e.Name()))
			write(t, dir, e.Name(), string(data))
		}
		tt.change(dir)
		if _, err := ghaction.ReadBundle(dir); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func write(t testing.TB, dir, name, text string) {
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func FuzzReadBundle(f *testing.F) {
	good := artifact(f)
	files := map[string][]byte{}
	for _, name := range []string{ghaction.ReportJSON, ghaction.CommentFile, ghaction.PullFile} {
		data, err := os.ReadFile(filepath.Join(good, name))
		if err != nil {
			f.Fatal(err)
		}
		files[name] = data
	}
	f.Add(files[ghaction.PullFile], files[ghaction.CommentFile])
	f.Add([]byte(`{"number": 1e3, "head_sha": null}`), []byte("<!-- modelci:report -->\n**⚪ x"))
	f.Fuzz(func(t *testing.T, pull, comment []byte) {
		dir := t.TempDir()
		write(t, dir, ghaction.ReportJSON, string(files[ghaction.ReportJSON]))
		write(t, dir, ghaction.PullFile, string(pull))
		write(t, dir, ghaction.CommentFile, string(comment))
		b, err := ghaction.ReadBundle(dir)
		if err != nil {
			return
		}
		if b.Pull.Number <= 0 || len(b.Pull.HeadSHA) < 40 || !strings.HasPrefix(b.Comment, report.Marker+"\n**❌ ") {
			t.Fatalf("accepted %+v", b)
		}
	})
}
