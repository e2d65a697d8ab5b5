package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	exampleResults = "../../examples/digits/results"
	examplePolicy  = "../../examples/digits/.modelci.yaml"
)

func example(side, file string) string { return filepath.Join(exampleResults, side, file) }

// runCLI runs the CLI and returns its exit code, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCompareExitCodes(t *testing.T) {
	dir := t.TempDir()
	failing := writeFile(t, dir, "strict.yaml", "metrics:\n  accuracy:\n    min: 0.99\n")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string // substring of stdout
		wantErr  string // substring of stderr
	}{
		{
			name:     "aggregates without policy pass",
			args:     []string{"compare", "--base", example("baseline", "metrics.json"), "--head", example("candidate", "metrics.json")},
			wantCode: 0,
			wantOut:  "accuracy",
		},
		{
			name: "examples with the example policy pass",
			args: []string{"compare", "--base-examples", example("baseline", "examples.jsonl"), "--head-examples", example("candidate", "examples.jsonl"),
				"--base", example("baseline", "metrics.json"), "--head", example("candidate", "metrics.json"), "--policy", examplePolicy},
			wantCode: 0,
			wantOut:  "<!-- modelci:report -->",
		},
		{
			name:     "gate failure exits 1",
			args:     []string{"compare", "--base", example("baseline", "metrics.json"), "--head", example("candidate", "metrics.json"), "--policy", failing},
			wantCode: 1,
			wantOut:  "min",
		},
		{
			name:     "swapped runs regress and fail the example gate",
			args:     []string{"compare", "--base-examples", example("candidate", "examples.jsonl"), "--head-examples", example("baseline", "examples.jsonl"), "--policy", examplePolicy},
			wantCode: 1,
			wantOut:  "worse",
		},
		{
			name:     "missing file exits 2 naming it",
			args:     []string{"compare", "--base", filepath.Join(dir, "nope.json"), "--head", example("candidate", "metrics.json")},
			wantCode: 2,
			wantErr:  "nope.json",
		},
		{
			name:     "base without head is a usage error",
			args:     []string{"compare", "--base", example("baseline", "metrics.json")},
			wantCode: 2,
			wantErr:  "--base needs --head",
		},
		{
			name:     "nothing to compare",
			args:     []string{"compare"},
			wantCode: 2,
			wantErr:  "nothing to compare",
		},
		{
			name:     "unknown format",
			args:     []string{"compare", "--base", example("baseline", "metrics.json"), "--head", example("candidate", "metrics.json"), "--format", "html"},
			wantCode: 2,
			wantErr:  `--format "html"`,
		},
		{
			name:     "unknown flag",
			args:     []string{"compare", "--bsae", "x"},
			wantCode: 2,
			wantErr:  "unknown flag",
		},
		{
			name:     "unknown command",
			args:     []string{"comapre"},
			wantCode: 2,
			wantErr:  "unknown command",
		},
		{
			name:     "bad confidence",
			args:     []string{"compare", "--base", example("baseline", "metrics.json"), "--head", example("candidate", "metrics.json"), "--confidence", "1.5"},
			wantCode: 2,
			wantErr:  "--confidence",
		},
		{
			name:     "help exits 0",
			args:     []string{"compare", "--help"},
			wantCode: 0,
			wantOut:  "--base-examples",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout, stderr)
			}
			if !strings.Contains(stdout, tt.wantOut) {
				t.Errorf("stdout lacks %q:\n%s", tt.wantOut, stdout)
			}
			if !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErr, stderr)
			}
		})
	}
}

func TestCompareBadInputsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	good := example("baseline", "metrics.json")
	tests := []struct {
		name, file, content string
		flag                string
		want                []string
	}{
		{"invalid json", "m.json", "{\n  \"accuracy\": 0.9,\n  oops\n}\n", "--head", []string{"m.json", "line 3"}},
		{"nan in examples", "e.jsonl", "{\"id\": \"a\", \"accuracy\": 1}\n{\"id\": \"b\", \"accuracy\": NaN}\n", "--head-examples", []string{"e.jsonl", "line 2"}},
		// A difference with the base's value could overflow.
		{"aggregate near the float limit", "m.json", "{\"accuracy\": 0.9,\n \"log_loss\": -1.7e308}\n", "--head", []string{"m.json", "line 2", `key "log_loss"`, "beyond ±1e+300"}},
		{"example near the float limit", "e.jsonl", "{\"id\": \"a\", \"accuracy\": 1}\n{\"id\": \"b\", \"accuracy\": 1.7e308}\n", "--head-examples", []string{"e.jsonl", "line 2", `key "accuracy"`, "beyond ±1e+300"}},
		{"policy typo", "p.yaml", "metrics:\n  accuracy:\n    max_dorp: 1%\n", "--policy", []string{"p.yaml", "line 3", "max_dorp"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, dir, tt.file, tt.content)
			args := []string{"compare", "--base", good, "--head", good}
			switch tt.flag {
			case "--head":
				args[4] = path
			case "--head-examples":
				args = []string{"compare", "--base-examples", example("baseline", "examples.jsonl"), "--head-examples", path}
			default:
				args = append(args, tt.flag, path)
			}
			code, stdout, stderr := runCLI(t, args...)
			if code != 2 {
				t.Fatalf("exit code %d, want 2\nstderr: %s", code, stderr)
			}
			if stdout != "" {
				t.Errorf("a failed run printed a report:\n%s", stdout)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q: %s", w, stderr)
				}
			}
		})
	}
}

func TestCompareWritesOutputs(t *testing.T) {
	dir := t.TempDir()
	md, js, sum := filepath.Join(dir, "comment.md"), filepath.Join(dir, "report.json"), filepath.Join(dir, "summary.md")
	code, stdout, stderr := runCLI(t, "compare",
		"--base", example("baseline", "metrics.json"), "--head", example("candidate", "metrics.json"),
		"--base-examples", example("baseline", "examples.jsonl"), "--head-examples", example("candidate", "examples.jsonl"),
		"--policy", examplePolicy, "--output", md, "--json", js, "--summary", sum, "--title", "digits")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout should be empty with --output, got %q", stdout)
	}
	comment, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(comment), "<!-- modelci:report -->") {
		t.Errorf("comment does not start with the marker:\n%s", comment)
	}
	if _, err := os.Stat(sum); err != nil {
		t.Error(err)
	}

	var rep struct {
		Metrics []struct {
			Name      string   `json:"name"`
			Base      *float64 `json:"base"`
			Head      *float64 `json:"head"`
			Delta     *float64 `json:"delta"`
			Direction string   `json:"direction"`
			CI        *struct {
				Low, High, Level float64
				Method           string
			} `json:"ci"`
			Status string `json:"status"`
		} `json:"metrics"`
		Gate struct {
			Passed     bool              `json:"passed"`
			Violations []json.RawMessage `json:"violations"`
		} `json:"gate"`
		Unpaired struct{ Base, Head int } `json:"unpaired"`
	}
	data, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("report.json: %v\n%s", err, data)
	}
	if !rep.Gate.Passed || rep.Gate.Violations == nil {
		t.Errorf("gate = %+v, want passed with an empty violations list", rep.Gate)
	}
	byName := map[string]int{}
	for i, m := range rep.Metrics {
		byName[m.Name] = i
	}
	acc, ok := byName["accuracy"]
	if !ok {
		t.Fatalf("no accuracy metric in %s", data)
	}
	m := rep.Metrics[acc]
	if m.Base == nil || m.Head == nil || m.Delta == nil || m.CI == nil {
		t.Fatalf("accuracy lacks values: %+v", m)
	}
	if m.CI.Method != "paired-bootstrap" || m.CI.Level != 0.95 {
		t.Errorf("accuracy CI = %+v, want a 95%% paired bootstrap", *m.CI)
	}
	if !(m.CI.Low <= *m.Delta && *m.Delta <= m.CI.High) {
		t.Errorf("delta %v outside its interval %+v", *m.Delta, *m.CI)
	}
	// The candidate fixes 15 test digits and breaks 6 of 450: a borderline
	// change whose status must agree with its interval.
	wantStatus := "improved"
	if m.CI.Low <= 0 {
		wantStatus = "not-significant"
	}
	if m.Direction != "higher" || m.Status != wantStatus {
		t.Errorf("accuracy direction %q status %q with CI %+v, want higher %s", m.Direction, m.Status, *m.CI, wantStatus)
	}
	// The log loss falls by 70%: clearly significant.
	if i, ok := byName["log_loss"]; !ok || rep.Metrics[i].Direction != "lower" || rep.Metrics[i].Status != "improved" {
		t.Errorf("log_loss missing, not lower-is-better or not improved: %+v", rep.Metrics[i])
	}
	// Every metric of the comment is in the JSON report.
	for name := range byName {
		if !strings.Contains(strings.ReplaceAll(string(comment), `\`, ""), name) {
			t.Errorf("metric %q is in the JSON but not in the comment", name)
		}
	}
}
