package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/modelci/modelci/dagger/internal/dagger"
	"github.com/modelci/modelci/internal/steps"
)

// Train trains a model and returns the model directory (/model).
//
// The training command runs in the Python runtime with the source at /src
// (the working directory) and the data at /data. Cache volumes keep pip,
// uv, Hugging Face and dataset downloads between runs, and checkpoints at
// /checkpoints (named by MODELCI_CHECKPOINTS), so that a command that
// saves them there can resume an interrupted or extended run; an
// unchanged step is not run again.
func (m *Modelci) Train(
	ctx context.Context,
	// The model's source: training code and hyper-parameters.
	source *dagger.Directory,
	// Training data, mounted at /data.
	// +optional
	data *dagger.Directory,
	// The training command; it writes the model to /model.
	// +optional
	// +default=["python3", "train.py", "--out", "/model"]
	command []string,
	// Source paths training does not read (globs): a change to them does
	// not retrain. By default the evaluation script, the policy and docs.
	// +optional
	// +default=["evaluate.py", "latency.py", ".modelci.yaml", "*.md"]
	exclude []string,
) (*dagger.Directory, error) {
	if exclude == nil {
		exclude = steps.DefaultTrainExclude()
	}
	source, err := trainingSource(ctx, source, exclude)
	if err != nil {
		return nil, fmt.Errorf("train: reading the source: %w", err)
	}
	command = steps.TrainCommand(command, data != nil)
	model := m.runtime(source, data).
		WithMountedCache(steps.CheckpointPath, dag.CacheVolume("modelci-checkpoints")).
		WithEnvVariable(steps.CheckpointEnv, steps.CheckpointPath).
		WithDirectory(steps.ModelPath, dag.Directory()).
		WithExec(command).
		Directory(steps.ModelPath)
	entries, err := model.Entries(ctx)
	if err != nil {
		return nil, steps.Explain("train", m.Gpus, err)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("train: the command %q wrote nothing to %s", strings.Join(command, " "), steps.ModelPath)
	}
	return model, nil
}

// Evaluate evaluates a model and returns the evaluation directory (/eval):
// metrics.json with the aggregate metrics (accuracy, latency p50/p95, model
// size in bytes, peak memory, …) and, when the command writes it,
// examples.jsonl with one line per example ({"id": …, "<metric>": …}).
//
// The model is mounted at /model, the source at /src and the data at
// /data. The files are checked with the same readers as the modelci CLI,
// so a broken file fails here, naming the file and the line.
func (m *Modelci) Evaluate(
	ctx context.Context,
	// The model directory, from train.
	model *dagger.Directory,
	// The model's source: evaluation code.
	source *dagger.Directory,
	// Evaluation data, mounted at /data.
	// +optional
	data *dagger.Directory,
	// The evaluation command; it writes metrics.json (and examples.jsonl) to /eval.
	// +optional
	// +default=["python3", "evaluate.py", "--model", "/model", "--out", "/eval"]
	command []string,
) (*dagger.Directory, error) {
	eval := m.runtime(source, data).
		WithMountedDirectory(steps.ModelPath, model).
		WithDirectory(steps.EvalPath, dag.Directory()).
		WithExec(steps.EvaluateCommand(command, data != nil)).
		Directory(steps.EvalPath)
	if err := checkEvaluation(ctx, "evaluation", eval); err != nil {
		return nil, steps.Explain("evaluate", m.Gpus, err)
	}
	return eval, nil
}
