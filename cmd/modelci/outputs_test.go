package main

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// compareArgs compares the digits example's aggregates, then the extra
// arguments.
func compareArgs(extra ...string) []string {
	return append([]string{"compare", "--base", example("baseline", "metrics.json"), "--head", example("candidate", "metrics.json")}, extra...)
}

// TestOutputErrorsSpeakOfTheOutput: an output that cannot be written is
// reported before the comparison runs, naming the flag and the path the
// user gave (never a temporary file), and exits 2.
func TestOutputErrorsSpeakOfTheOutput(t *testing.T) {
	dir := t.TempDir()
	head := filepath.Join(dir, "head.json")
	data, err := os.ReadFile(example("candidate", "metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(head, data, 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "nope", "report.md")
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"missing directory", compareArgs("--output", missing), "--output: writing " + missing + ": directory " + filepath.Dir(missing) + " does not exist"},
		{"a directory", compareArgs("--json", dir), "--json: writing " + dir + ": is a directory; expected a file name"},
		{"an input", []string{"compare", "--base", example("baseline", "metrics.json"), "--head", head, "--summary", head}, "--summary " + head + " is also the --head input"},
		{"two outputs on stdout", compareArgs("--output", "-", "--json", "-"), "--output and --json both write standard output"},
		{"one file twice", compareArgs("--output", filepath.Join(dir, "r.md"), "--summary", filepath.Join(dir, "r.md")), "name the same file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != exitUsage || stdout != "" {
				t.Fatalf("exit code %d, stdout %q, want 2 and nothing", code, stdout)
			}
			if !strings.Contains(stderr, tt.want) || strings.Contains(stderr, ".tmp") {
				t.Errorf("stderr %q, want it to say %q", stderr, tt.want)
			}
		})
	}
	if got, _ := os.ReadFile(head); string(got) != string(data) {
		t.Error("the input was overwritten")
	}
}

// TestOutputToStdoutAndDevices: "-" is standard output, and /dev/null
// stays a device.
func TestOutputToStdoutAndDevices(t *testing.T) {
	code, stdout, stderr := runCLI(t, compareArgs("--output", os.DevNull, "--json", "-", "--summary", os.DevNull)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !json.Valid([]byte(stdout)) {
		t.Errorf("--json - did not write the JSON report on stdout:\n%s", stdout)
	}
	fi, err := os.Stat(os.DevNull)
	if err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Errorf("%s is no longer a device: %v %v", os.DevNull, fi, err)
	}
}

// TestFailedGateInAFileSaysWhyOnStderr: with the report in a file, the
// CI log still shows the broken rules.
func TestFailedGateInAFileSaysWhyOnStderr(t *testing.T) {
	dir := t.TempDir()
	policy := writeFile(t, dir, "strict.yaml", "metrics:\n  accuracy:\n    min: 0.99\n")
	code, stdout, stderr := runCLI(t, compareArgs("--policy", policy, "-o", filepath.Join(dir, "report.md"))...)
	if code != exitGateFailed || stdout != "" {
		t.Fatalf("exit %d, stdout %q; want 1 and nothing", code, stdout)
	}
	for _, want := range []string{"gate failed: 1 rule(s) broken", "accuracy", "below min 0.99"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}
