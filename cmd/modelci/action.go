package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/sethvargo/go-githubactions"
	"github.com/spf13/cobra"

	"github.com/modelci/modelci/internal/ghaction"
)

// newActionCommand is `modelci action`, the steps of the GitHub actions
// under actions/: they read INPUT_* and write GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY, so they run only as a workflow's step.
func newActionCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "action",
		Short: "The steps of the GitHub actions (compare, comment, publish)",
		Long: `The steps of modelci's GitHub actions (actions/ in the repository). They
read their inputs from INPUT_* variables and write outputs, the job summary
and annotations as GitHub Actions does: use them through the actions.

Exit codes: 0 success, 1 gate failed (or publishing refused), 2 input or
other error, 130 interrupted (SIGINT or SIGTERM, as a cancelled run sends).`,
		Args: noArgs,
	}
	step := func(use, short string, f func(context.Context, *githubactions.Action) error) *cobra.Command {
		return &cobra.Command{Use: use, Short: short, Args: noArgs, RunE: func(c *cobra.Command, _ []string) error {
			a := githubactions.New(githubactions.WithWriter(c.OutOrStdout()))
			return actionError(c.Context(), a, f(c.Context(), a))
		}}
	}
	cmd.AddCommand(
		step("compare", "Compare, post the pull-request comment, summarize and annotate (actions/compare)", ghaction.Compare),
		step("comment", "Post the comment from a pull request's run artifact, in a workflow_run workflow (actions/comment)", ghaction.Comment),
		step("publish", "Check the publish inputs and run modelci publish (actions/publish)", runPublish),
	)
	return cmd
}

// actionError turns a step's error into the CLI's: a failed gate exits 1,
// any other error is also printed as an error annotation.
func actionError(ctx context.Context, a *githubactions.Action, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ghaction.ErrGateFailed):
		return errGateFailed
	case ctx.Err() == nil:
		a.Errorf("modelci: %v", err)
	}
	return err
}

// runPublish checks the inputs and runs `modelci publish` with them, or
// prints the command when dry-run is true.
func runPublish(ctx context.Context, a *githubactions.Action) error {
	pc, err := ghaction.Publish(a)
	if err != nil {
		return err
	}
	if pc.DryRun {
		a.Infof("dry run: %s", pc)
		a.SetOutput("command", pc.String())
		return nil
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding modelci: %w", err)
	}
	c := exec.CommandContext(ctx, self, pc.Args...)
	c.Env = append(os.Environ(), pc.Env...)
	c.Stdout, c.Stderr = os.Stdout, os.Stderr
	var exit *exec.ExitError
	switch err := c.Run(); {
	case errors.As(err, &exit) && exit.ExitCode() == exitGateFailed:
		return errGateFailed
	case err != nil:
		return fmt.Errorf("modelci publish: %w", err)
	}
	return nil
}
