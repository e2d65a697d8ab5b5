package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
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
		Version:       cliVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
		// Without a command there is nothing to do: say how to use it.
		RunE: func(cmd *cobra.Command, _ []string) error {
			cmd.SetOut(cmd.ErrOrStderr())
			cmd.Usage()
			return errors.New("a command is required, e.g. modelci compare --help")
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(flagError)
	root.AddCommand(newCompareCommand(), newVersionCommand(), newActionCommand())
	root.AddCommand(newPublishCommand(), newPromoteCommand(), newRollbackCommand(), newPullCommand())
	return root
}

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of modelci",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), "modelci version", cmd.Root().Version)
			return err
		},
	}
}

// noArgs accepts no positional argument, saying so in the user's terms.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q: %s takes flags only (see %s --help)", args[0], cmd.CommandPath(), cmd.CommandPath())
	}
	return nil
}

// numberKinds names the values of numeric flags by their pflag type.
var numberKinds = map[string]string{
	"int":     "a whole number",
	"uint64":  "a whole number, 0 or more",
	"float64": "a number",
}

// flagError words a flag's parse error without the parser's internals
// ("strconv.ParseInt: parsing …"): the flag, the value, what was wrong.
func flagError(_ *cobra.Command, err error) error {
	var ive *pflag.InvalidValueError
	if !errors.As(err, &ive) {
		return err
	}
	cause := errors.Unwrap(ive)
	var ne *strconv.NumError
	if errors.As(cause, &ne) {
		cause = fmt.Errorf("expected %s", numberKinds[ive.GetFlag().Value.Type()])
		if errors.Is(ne.Err, strconv.ErrRange) {
			cause = errors.New("out of range")
		}
	}
	return fmt.Errorf("--%s %s: %w", ive.GetFlag().Name, ive.GetValue(), cause)
}
