package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Exit codes, the CLI's contract.
const (
	exitOK         = 0
	exitGateFailed = 1
	exitUsage      = 2
	// exitInterrupted is the shell's 128+SIGINT: the run was cancelled
	// (SIGINT or SIGTERM) and wrote nothing it had not finished.
	exitInterrupted = 130
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// errGateFailed is returned by a command whose gate failed; its report has
// already been written.
var errGateFailed = errors.New("gate failed")

// run executes the CLI with args and returns the process exit code: any
// error other than a failed gate is a usage or input error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCommand(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errGateFailed):
		return exitGateFailed
	case ctx.Err() != nil:
		fmt.Fprintf(stderr, "modelci: interrupted: %v\n", err)
		return exitInterrupted
	default:
		fmt.Fprintf(stderr, "modelci: %v\n", err)
		return exitUsage
	}
}

func newRootCommand(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "modelci",
		Short: "Continuous integration for machine-learning models",
		Long: `modelci compares a model's evaluation with its baseline, gates the change
on the policy in .modelci.yaml, and renders the pull-request comment.

Exit codes: 0 success or gate passed, 1 gate failed, 2 usage or input error,
130 interrupted (SIGINT or SIGTERM).`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newCompareCommand())
	return root
}
