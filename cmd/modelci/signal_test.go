package main

import (
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

// TestMain lets a test run this binary as the CLI: with MODELCI_TEST_CLI
// set, the test binary is modelci.
func TestMain(m *testing.M) {
	if os.Getenv("MODELCI_TEST_CLI") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// TestSignalsEndTheRunCleanly sends SIGTERM (what a CI runner sends on
// cancel) and SIGINT to a comparison: the CLI stops with exit code 130,
// says why, and leaves no output file behind. The baseline is a FIFO, so
// the signal arrives once the CLI is reading its inputs (it listens for
// signals before that), whatever the machine's load.
func TestSignalsEndTheRunCleanly(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := range 50000 {
		fmt.Fprintf(&b, "{\"id\": %d, \"accuracy\": %d}\n", i, i%3/2)
	}
	head := writeFile(t, dir, "head.jsonl", strings.ReplaceAll(b.String(), `"accuracy": 0`, `"accuracy": 1`))
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			base := filepath.Join(dir, "base-"+sig.String()+".jsonl")
			if err := syscall.Mkfifo(base, 0o600); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "report-"+sig.String()+".md")
			cmd := exec.Command(os.Args[0], "compare", "--base-examples", base, "--head-examples", head,
				"--resamples", "1000000", "--output", out)
			cmd.Env = append(os.Environ(), "MODELCI_TEST_CLI=1")
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Opening the FIFO for writing waits for the CLI to open it.
			fifo, err := os.OpenFile(base, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			fifo.WriteString(b.String())
			fifo.Close()
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err = <-done:
			case <-time.After(60 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("the CLI did not stop within 60s of %v", sig)
			}
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
				t.Fatalf("exit: %v, want code %d; stderr:\n%s", err, exitInterrupted, stderr.String())
			}
			if !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("stderr does not say it was interrupted:\n%s", stderr.String())
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("output file exists after the interruption (stat: %v)", err)
			}
		})
	}
}
