package ghaction_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sethvargo/go-githubactions"

	"github.com/modelci/modelci/internal/forge/githubfake"
)

const (
	token     = "ghs_actionTOKEN0123456789abcdefSECRET"
	forkToken = "ghs_forkTOKEN0123456789abcdefSECRET"
	repo      = "octo/models"
	prNumber  = 7
	headSHA   = "3f2c9a1d0b7e4c5a6f8e9d0c1b2a3f4e5d6c7b8a"
)

// step is one run of an action's step: its environment, files and log.
type step struct {
	t                    testing.TB
	env                  map[string]string
	out                  bytes.Buffer
	outputFile, summary  string
	workspace, outputDir string
}

// newStep prepares a step of a pull_request run against fake, with
// inputs (without the INPUT_ prefix, as action.yml names them).
func newStep(t testing.TB, fake *githubfake.Server, inputs map[string]string) *step {
	t.Helper()
	dir := t.TempDir()
	s := &step{t: t, outputFile: filepath.Join(dir, "output"), summary: filepath.Join(dir, "summary"),
		workspace: mustAbs(t, "testdata"), outputDir: filepath.Join(dir, "out")}
	event := filepath.Join(dir, "event.json")
	writeJSONFile(t, event, map[string]any{"number": prNumber,
		"pull_request": map[string]any{"number": prNumber, "head": map[string]any{"sha": headSHA}}})
	s.env = map[string]string{
		"GITHUB_OUTPUT": s.outputFile, "GITHUB_STEP_SUMMARY": s.summary, "GITHUB_EVENT_PATH": event,
		"GITHUB_EVENT_NAME": "pull_request", "GITHUB_REPOSITORY": repo, "GITHUB_WORKSPACE": s.workspace,
		"GITHUB_SHA": headSHA, "RUNNER_TEMP": dir, "INPUT_TOKEN": token, "INPUT_OUTPUT-DIR": s.outputDir,
	}
	if fake != nil {
		s.env["GITHUB_API_URL"] = fake.EnterpriseURL
	}
	for k, v := range inputs {
		s.env["INPUT_"+strings.ToUpper(k)] = v
	}
	return s
}

// action is the go-githubactions Action of the step.
func (s *step) action() *githubactions.Action {
	return githubactions.New(githubactions.WithWriter(&s.out),
		githubactions.WithGetenv(func(k string) string { return s.env[k] }))
}

// outputs parses GITHUB_OUTPUT (name<<DELIMITER … DELIMITER blocks).
func (s *step) outputs() map[string]string {
	data, err := os.ReadFile(s.outputFile)
	if err != nil && !os.IsNotExist(err) {
		s.t.Fatal(err)
	}
	out := map[string]string{}
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			continue
		}
		var val []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			val = append(val, lines[i])
		}
		out[name] = strings.Join(val, "\n")
	}
	return out
}

// summaryText is what the step added to the job summary.
func (s *step) summaryText() string {
	data, err := os.ReadFile(s.summary)
	if err != nil && !os.IsNotExist(err) {
		s.t.Fatal(err)
	}
	return string(data)
}

// noSecret fails when any token shows in the log, outputs, summary or
// files written, except in the ::add-mask:: command itself.
func (s *step) noSecret() {
	s.t.Helper()
	log := strings.ReplaceAll(s.out.String(), "::add-mask::"+token, "")
	log = strings.ReplaceAll(log, "::add-mask::"+forkToken, "")
	texts := map[string]string{"log": log, "summary": s.summaryText()}
	data, _ := os.ReadFile(s.outputFile)
	texts["outputs"] = string(data)
	entries, _ := os.ReadDir(s.outputDir)
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(s.outputDir, e.Name()))
		texts[e.Name()] = string(data)
	}
	for name, text := range texts {
		if strings.Contains(text, "SECRET") {
			s.t.Errorf("a token shows in the %s:\n%s", name, text)
		}
	}
}

func newFake(t testing.TB) *githubfake.Server {
	fake := githubfake.New(t, nil)
	fake.AddToken(token, githubfake.Token{Login: "github-actions[bot]", Installation: true})
	fake.AddToken(forkToken, githubfake.Token{Login: "github-actions[bot]", Installation: true, ReadOnly: true})
	fake.AddPull(repo, prNumber, headSHA)
	return fake
}

func mustAbs(t testing.TB, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func writeJSONFile(t testing.TB, p string, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
