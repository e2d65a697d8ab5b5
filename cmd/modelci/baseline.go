package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/modelci/modelci/internal/evaluation"
	"github.com/modelci/modelci/internal/publish"
	"github.com/modelci/modelci/internal/publish/location"
)

// baselineFlags are compare's flags taking the baseline from a registry.
type baselineFlags struct {
	registryFlags
	ref string
}

func (f *baselineFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.ref, "baseline-ref", "", "take the baseline from the evaluation attached to a published model: REPOSITORY:ALIAS (e.g. …/iris:production) or REPOSITORY@DIGEST; see modelci publish")
	f.registryFlags.add(cmd)
}

// registryBaseline pulls the evaluation --baseline-ref names into a
// temporary directory and makes it req's base side, named in the report;
// the returned function removes the directory.
func registryBaseline(cmd *cobra.Command, f baselineFlags, req *evaluation.Request) (func(), error) {
	if !req.Base.Empty() {
		return nil, errors.New("--baseline-ref takes the baseline from the registry: give it without --base and --base-examples")
	}
	t, ref, err := f.open(cmd, f.ref)
	if err != nil {
		return nil, fmt.Errorf("--baseline-ref: %w", err)
	}
	if ref == "" {
		return nil, fmt.Errorf("--baseline-ref %q: name the model, REPOSITORY:ALIAS or REPOSITORY@DIGEST", f.ref)
	}
	dir, err := os.MkdirTemp("", "modelci-baseline-")
	if err != nil {
		return nil, err
	}
	side, name, err := publish.Baseline(cmd.Context(), t, location.Repository(f.ref, ref), ref, dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("--baseline-ref: %w", err)
	}
	req.Base, req.Baseline = side, name
	return func() { os.RemoveAll(dir) }, nil
}
