package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// actionEnv is the environment of a step running `modelci action …`.
func actionEnv(t *testing.T, dir string, inputs ...string) []string {
	env := append(os.Environ(), "MODELCI_TEST_CLI=1",
		"GITHUB_OUTPUT="+filepath.Join(dir, "output"), "GITHUB_STEP_SUMMARY="+filepath.Join(dir, "summary"),
		"GITHUB_EVENT_NAME=push", "RUNNER_TEMP="+dir)
	return append(env, inputs...)
}

// TestActionCompareExitCodes: a failed gate exits 1, a bad input 2 with
// an error annotation, SIGTERM (a cancelled run) 130.
func TestActionCompareExitCodes(t *testing.T) {
	dir := t.TempDir()
	head := writeFile(t, dir, "head.json", `{"accuracy": 0.5}`)
	policy := writeFile(t, dir, "policy.yaml", "metrics:\n  accuracy: {min: 0.9}\n")
	tests := []struct {
		inputs []string
		code   int
		want   string
	}{
		{[]string{"INPUT_HEAD=" + head, "INPUT_POLICY=" + policy}, 1, "::error::gate failed: 1 rule(s) broken"},
		{[]string{"INPUT_HEAD=" + head, "INPUT_FAIL-ON-GATE=no"}, 2, `::error::modelci: input "fail-on-gate": expected true or false, found "no"`},
	}
	for _, tt := range tests {
		cmd := exec.Command(os.Args[0], "action", "compare")
		cmd.Env = actionEnv(t, dir, tt.inputs...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != tt.code || !strings.Contains(out.String(), tt.want) {
			t.Errorf("%v: %v, want exit %d and %q in:\n%s", tt.inputs, err, tt.code, tt.want, out.String())
		}
	}
}

func TestActionCompareEndsOnSIGTERM(t *testing.T) {
	dir := t.TempDir()
	head := filepath.Join(dir, "head.jsonl")
	if err := syscall.Mkfifo(head, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "action", "compare")
	cmd.Env = actionEnv(t, dir, "INPUT_HEAD-EXAMPLES="+head, "INPUT_COMMENT=false", "INPUT_APPROVAL=false")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	fifo, err := os.OpenFile(head, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The signal cancels the run's context from a goroutine of the Go
	// runtime's: spread the input over half a second, so that a loaded
	// machine cannot finish the comparison before the cancellation lands.
	for i := range 1000 {
		if i%100 == 0 {
			time.Sleep(50 * time.Millisecond)
		}
		fmt.Fprintf(fifo, "{\"id\": %d, \"accuracy\": 1}\n", i)
	}
	fifo.Close()
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted || !strings.Contains(out.String(), "modelci: interrupted") {
		t.Errorf("%v, want exit 130:\n%s", err, out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "modelci", "report.json")); err == nil {
		t.Error("an interrupted run wrote its report")
	}
}
