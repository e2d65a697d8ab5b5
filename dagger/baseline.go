package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/modelci/modelci/dagger/internal/dagger"
	"github.com/modelci/modelci/internal/publish"
	"github.com/modelci/modelci/internal/publish/location"
)

// pipelineFromRegistry runs the pipeline with the registry's evaluation
// of the model ref names (baseline-ref) as the base side: the base source
// is not trained, only read for its policy. The report names the
// baseline's digest.
func (m *Modelci) pipelineFromRegistry(ctx context.Context, j job, ref string) (*dagger.Directory, error) {
	if len(j.latencyCommand) > 0 {
		return nil, errors.New("latency-command times both models and needs the base trained: give it without baseline-ref")
	}
	gate, proposed, side, err := choosePolicy(ctx, j)
	if err != nil {
		return nil, err
	}
	j.baseSource = nil // the head alone is trained
	res, err := m.run(ctx, j)
	if err != nil {
		return nil, err
	}
	var name string
	if res.baseEval, name, err = registryEvaluation(ctx, ref); err != nil {
		return nil, err
	}
	q := request{base: res.baseEval, head: res.headEval, policy: gate, proposed: proposed, policySide: side, title: j.name}
	if res.report, err = q.run(ctx); err != nil {
		return nil, err
	}
	res.report.Baseline = name
	return m.outputs(ctx, res, j.name)
}

// registryEvaluation pulls the evaluation attached to the model ref names
// into the function's working directory and returns it as a Directory,
// with the baseline's name, repository@digest.
func registryEvaluation(ctx context.Context, ref string) (*dagger.Directory, string, error) {
	t, tag, err := location.Open(ctx, ref, location.Options{})
	if err != nil {
		return nil, "", fmt.Errorf("baseline-ref: %w", err)
	}
	if tag == "" {
		return nil, "", fmt.Errorf("baseline-ref %q: name the model, REPOSITORY:ALIAS or REPOSITORY@DIGEST", ref)
	}
	dir, err := os.MkdirTemp(".", "baseline-")
	if err != nil {
		return nil, "", err
	}
	_, name, err := publish.Baseline(ctx, t, location.Repository(ref, tag), tag, dir)
	if err != nil {
		return nil, "", fmt.Errorf("baseline-ref: %w", err)
	}
	return dag.CurrentModule().Workdir(dir), name, nil
}
