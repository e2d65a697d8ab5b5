package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/modelci/modelci/internal/publish"
)

// aliasFlags are the flags of `modelci promote` and `modelci rollback`.
type aliasFlags struct {
	registryFlags
	alias string
}

func (f *aliasFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.alias, "alias", "production", "the alias (a tag) to move")
	f.registryFlags.add(cmd)
}

func newPromoteCommand() *cobra.Command {
	var f aliasFlags
	cmd := &cobra.Command{
		Use:   "promote REPOSITORY:VERSION|REPOSITORY@DIGEST",
		Short: "Move an alias (production) to a published, approved model",
		Long: `Promote moves an alias (default production) to a model that modelci publish
pushed with an approval record that allows it, and records the move in the
alias's history (the artifact tagged ALIAS.history), so that rollback needs
no argument. The history is written first; the alias moves last.

Exit codes: 0 promoted, 2 usage, input or registry error (a model without
an approval record that allows it, an unknown version).`,
		Example: `  modelci promote registry.example.com/models/iris:1.4.0
  modelci promote --alias staging registry.example.com/models/iris@sha256:3f2c…`,
		Args: exactlyOneArg("the model's repository and version or digest"),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, ref, err := f.open(cmd, args[0])
			if err != nil {
				return err
			}
			if ref == "" {
				return fmt.Errorf("%q: name the model, REPOSITORY:VERSION or REPOSITORY@DIGEST", args[0])
			}
			mv, err := publish.Promote(cmd.Context(), t, f.alias, ref, f.publishOptions(cmd))
			if err != nil {
				return err
			}
			return printMove(cmd, "promoted", mv)
		},
	}
	f.add(cmd)
	return cmd
}

func newRollbackCommand() *cobra.Command {
	var f aliasFlags
	cmd := &cobra.Command{
		Use:   "rollback REPOSITORY",
		Short: "Move an alias (production) back to the model it pointed to before",
		Long: `Rollback moves an alias (default production) back to the model it pointed
to before its current model was promoted, as the alias's history records,
and records that move too: rolling back twice goes back two promotions.

Exit codes: 0 rolled back, 2 usage, input or registry error (an alias with
no history or nothing before it).`,
		Example: `  modelci rollback registry.example.com/models/iris`,
		Args:    exactlyOneArg("the repository"),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, ref, err := f.open(cmd, args[0])
			if err != nil {
				return err
			}
			if ref != "" {
				return fmt.Errorf("%q: give the repository only; the alias's history says where it goes back to", args[0])
			}
			mv, err := publish.Rollback(cmd.Context(), t, f.alias, f.publishOptions(cmd))
			if err != nil {
				return err
			}
			return printMove(cmd, "rolled back", mv)
		},
	}
	f.add(cmd)
	return cmd
}

// printMove says where the alias moved.
func printMove(cmd *cobra.Command, what string, mv publish.Move) error {
	_, err := fmt.Fprintf(cmd.OutOrStdout(), "%s %s\n", what, mv)
	return err
}

// pullFlags are the flags of `modelci pull`.
type pullFlags struct {
	registryFlags
	output string
}

func newPullCommand() *cobra.Command {
	var f pullFlags
	cmd := &cobra.Command{
		Use:   "pull REPOSITORY:TAG|REPOSITORY@DIGEST",
		Short: "Restore a published model into a directory, verified by digest",
		Long: `Pull writes the files of a published model (its evaluation files under
evaluation/) into the output directory, verifying each file's digest. A
digest in the reference pins the model; a tag or alias is read once and the
files fetched by digest. Files already in the directory are not
overwritten.

Exit codes: 0 pulled, 2 usage, input or registry error.`,
		Example: `  modelci pull --output model registry.example.com/models/iris:production`,
		Args:    exactlyOneArg("the model's repository and tag or digest"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.output == "" {
				return fmt.Errorf("--output is required")
			}
			t, ref, err := f.open(cmd, args[0])
			if err != nil {
				return err
			}
			if ref == "" {
				return fmt.Errorf("%q: name the model, REPOSITORY:TAG or REPOSITORY@DIGEST", args[0])
			}
			m, err := publish.Pull(cmd.Context(), t, ref, f.output)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "pulled %s (%d files) into %s\n", m.Descriptor.Digest, len(m.Files), f.output)
			return err
		},
	}
	cmd.Flags().StringVarP(&f.output, "output", "o", "", "the `directory` to write the model into (required)")
	f.registryFlags.add(cmd)
	return cmd
}
