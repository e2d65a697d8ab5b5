package main

import (
	"encoding/json"
	"runtime/debug"
	"strings"
	"testing"
)

// TestUsageErrors covers what a user types wrong: each exits 2 with a
// message in the user's terms, not the parser's.
func TestUsageErrors(t *testing.T) {
	base, head := example("baseline", "metrics.json"), example("candidate", "metrics.json")
	for _, tt := range []struct {
		name    string
		args    []string
		want    []string // substrings of stderr
		notWant string
	}{
		{"no command", nil, []string{"Usage:", "modelci: a command is required"}, ""},
		{"an argument to compare", []string{"compare", "extra", "--head", head}, []string{`unexpected argument "extra": modelci compare takes flags only`}, "unknown command"},
		{"resamples far too many", []string{"compare", "--base", base, "--head", head, "--resamples", "99999999999999"}, []string{"--resamples 99999999999999: expected 100 to 1000000"}, ""},
		{"resamples too many", []string{"compare", "--base", base, "--head", head, "--resamples", "1000000000"}, []string{"--resamples 1000000000: expected 100 to 1000000"}, ""},
		{"resamples too few", []string{"compare", "--base", base, "--head", head, "--resamples", "1"}, []string{"--resamples 1: expected 100 to 1000000"}, ""},
		{"resamples overflowing", []string{"compare", "--base", base, "--head", head, "--resamples", "999999999999999999999999"}, []string{"--resamples 999999999999999999999999: expected a whole number from 100 to 1000000"}, "strconv"},
		{"negative seed", []string{"compare", "--base", base, "--head", head, "--seed", "-1"}, []string{"--seed -1: expected a whole number, 0 or more"}, "strconv"},
		{"confidence not a number", []string{"compare", "--base", base, "--head", head, "--confidence", "high"}, []string{"--confidence high: expected a number"}, "strconv"},
		{"confidence overflowing", []string{"compare", "--base", base, "--head", head, "--confidence", "1e999"}, []string{"--confidence 1e999: out of range"}, "strconv"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != exitUsage {
				t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitUsage, stdout, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if tt.notWant != "" && strings.Contains(stderr, tt.notWant) {
				t.Errorf("stderr says %q:\n%s", tt.notWant, stderr)
			}
		})
	}
}

// TestEnumFlagsIgnoreCase: every flag naming one of a few words takes it
// in any case.
func TestEnumFlagsIgnoreCase(t *testing.T) {
	code, stdout, stderr := runCLI(t, "compare", "--base", example("baseline", "metrics.json"), "--head", example("candidate", "metrics.json"),
		"--head-examples", example("candidate", "examples.jsonl"),
		"--format", "JSON", "--metrics-format", "JSON", "--examples-format", "JSONL")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !json.Valid([]byte(stdout)) {
		t.Errorf("--format JSON did not write JSON:\n%s", stdout)
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, stdout, stderr := runCLI(t, args...)
		if code != 0 || !strings.HasPrefix(stdout, "modelci version ") || strings.TrimSpace(stdout) == "modelci version dev" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
}

func TestBuildVersion(t *testing.T) {
	rev := "0123456789abcdef0123456789abcdef01234567"
	vcs := func(modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	for _, tt := range []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"go install of a release", debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.0"}}, "v1.2.0 (go1.26.0)"},
		{"pseudo-version with its commit", debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v0.0.0-20250101120000-0123456789ab+dirty"}, Settings: vcs("true")},
			"v0.0.0-20250101120000-0123456789ab+dirty (go1.26.0)"},
		{"checkout, modified", debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}, Settings: vcs("true")}, "devel (commit 0123456789ab, modified, go1.26.0)"},
		{"checkout, clean", debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("false")}, "devel (commit 0123456789ab)"},
		{"nothing recorded", debug.BuildInfo{}, "devel"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := buildVersion(&tt.info); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
