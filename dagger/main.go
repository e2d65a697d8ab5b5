// Continuous integration for machine-learning models.
//
// modelci trains, evaluates and packages a model in containers, compares
// the evaluation with the baseline's (deltas, confidence intervals,
// statuses), gates the change on the policy in .modelci.yaml, and writes the
// pull-request comment. The same code as the modelci CLI gives the same
// verdict.
//
// Conventions: the source directory is mounted at /src (the working
// directory), the data at /data, the model is written to /model and the
// evaluation (metrics.json, examples.jsonl) to /eval. The default commands
// are "python3 train.py --out /model" and
// "python3 evaluate.py --model /model --out /eval", each with
// "--data /data" when data is given. Every step is cached by its inputs,
// and training does not see evaluate.py, .modelci.yaml or *.md (--exclude),
// so an edit to the evaluation re-runs only the evaluation.
//
//	dagger call pipeline --source ./examples/digits --base-source ./main/examples/digits export --path ./out
package main

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/modelci/modelci/dagger/internal/dagger"
)

// Paths inside the training and evaluation containers.
const (
	srcPath   = "/src"
	dataPath  = "/data"
	modelPath = "/model"
	evalPath  = "/eval"
)

// defaultImage is the base image of the Python runtime.
const defaultImage = "python:3.12-slim"

// defaultTrainExclude are the source paths training does not read.
var defaultTrainExclude = []string{"evaluate.py", ".modelci.yaml", "*.md"}

// Modelci trains, evaluates, compares and packages models.
type Modelci struct{}

// runtime is the container a step runs in: the Python runtime with the
// source at /src and, when given, the data at /data.
func runtime(source, data *dagger.Directory, base *dagger.Container, image string, env []string, gpus []string) *dagger.Container {
	if image == "" {
		image = defaultImage
	}
	// pyml checks the GPU list: its error reaches the caller as it is.
	py := dag.Pyml(dagger.PymlOpts{Base: base, Image: image})
	if len(env) > 0 {
		py = py.WithEnv(env)
	}
	if len(gpus) > 0 {
		py = py.WithGpus(gpus)
	}
	ctr := py.Container().WithMountedDirectory(srcPath, source).WithWorkdir(srcPath)
	if data != nil {
		ctr = ctr.WithMountedDirectory(dataPath, data)
	}
	return ctr
}

// explain adds what a user can do to the engine's errors that need it.
func explain(step string, gpus []string, err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	switch {
	case len(gpus) > 0 && (strings.Contains(msg, "GPU support is not enabled") || strings.Contains(msg, "nvidia-container-runtime-hook")):
		// %v, not %w: the SDK would report a wrapped engine error by the
		// engine's message alone, dropping the advice.
		return fmt.Errorf("%s: gpus %s were asked for, but this Dagger engine cannot give GPUs: start it with _EXPERIMENTAL_DAGGER_GPU_SUPPORT=1 on a host with the NVIDIA container toolkit, or leave out --gpus (%v)", step, strings.Join(gpus, ","), err)
	}
	return fmt.Errorf("%s: %w", step, err)
}

// withData appends "--data /data" to a default command when data is given.
func withData(cmd []string, data *dagger.Directory) []string {
	if data != nil {
		return append(cmd, "--data", dataPath)
	}
	return cmd
}

// Train trains a model and returns the model directory (/model).
//
// The training command runs in the Python runtime with the source at /src
// (the working directory) and the data at /data. Cache volumes keep pip,
// uv, Hugging Face and dataset downloads between runs; an unchanged step is
// not run again.
func (m *Modelci) Train(
	ctx context.Context,
	// The model's source: training code and hyper-parameters.
	source *dagger.Directory,
	// Training data, mounted at /data.
	// +optional
	data *dagger.Directory,
	// Base container of the Python runtime; overrides image.
	// +optional
	base *dagger.Container,
	// Base image of the Python runtime.
	// +optional
	// +default="python:3.12-slim"
	image string,
	// The training command; it writes the model to /model.
	// +optional
	// +default=["python3", "train.py", "--out", "/model"]
	command []string,
	// Environment variables, each NAME=VALUE.
	// +optional
	env []string,
	// GPUs to use: "all", or device ids.
	// +optional
	gpus []string,
	// Source paths training does not read (globs): a change to them does
	// not retrain. By default the evaluation script, the policy and docs.
	// +optional
	// +default=["evaluate.py", ".modelci.yaml", "*.md"]
	exclude []string,
) (*dagger.Directory, error) {
	if exclude == nil {
		exclude = defaultTrainExclude
	}
	source, err := trainingSource(ctx, source, exclude)
	if err != nil {
		return nil, fmt.Errorf("train: reading the source: %w", err)
	}
	ctr := runtime(source, data, base, image, env, gpus)
	if len(command) == 0 {
		command = []string{"python3", "train.py", "--out", modelPath}
	}
	if isDefaultTrain(command) {
		command = withData(command, data)
	}
	model := ctr.WithDirectory(modelPath, dag.Directory()).WithExec(command).Directory(modelPath)
	entries, err := model.Entries(ctx)
	if err != nil {
		return nil, explain("train", gpus, err)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("train: the command %q wrote nothing to %s", strings.Join(command, " "), modelPath)
	}
	return model, nil
}

func isDefaultTrain(cmd []string) bool {
	return strings.Join(cmd, "\x00") == strings.Join([]string{"python3", "train.py", "--out", modelPath}, "\x00")
}

func isDefaultEvaluate(cmd []string) bool {
	return strings.Join(cmd, "\x00") == strings.Join([]string{"python3", "evaluate.py", "--model", modelPath, "--out", evalPath}, "\x00")
}

// Evaluate evaluates a model and returns the evaluation directory (/eval):
// metrics.json with the aggregate metrics (accuracy, latency p50/p95, model
// size in bytes, peak memory, …) and, when the command writes it,
// examples.jsonl with one line per example ({"id": …, "<metric>": …}).
//
// The model is mounted at /model, the source at /src and the data at
// /data. The metrics are checked with the same reader as the modelci CLI,
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
	// Base container of the Python runtime; overrides image.
	// +optional
	base *dagger.Container,
	// Base image of the Python runtime.
	// +optional
	// +default="python:3.12-slim"
	image string,
	// The evaluation command; it writes metrics.json (and examples.jsonl) to /eval.
	// +optional
	// +default=["python3", "evaluate.py", "--model", "/model", "--out", "/eval"]
	command []string,
	// Environment variables, each NAME=VALUE.
	// +optional
	env []string,
	// GPUs to use: "all", or device ids.
	// +optional
	gpus []string,
) (*dagger.Directory, error) {
	ctr := runtime(source, data, base, image, env, gpus)
	if len(command) == 0 {
		command = []string{"python3", "evaluate.py", "--model", modelPath, "--out", evalPath}
	}
	if isDefaultEvaluate(command) {
		command = withData(command, data)
	}
	eval := ctr.
		WithMountedDirectory(modelPath, model).
		WithDirectory(evalPath, dag.Directory()).
		WithExec(command).
		Directory(evalPath)
	if _, err := readEvaluation(ctx, "evaluation", eval); err != nil {
		return nil, explain("evaluate", gpus, err)
	}
	return eval, nil
}

// Package packages a model and its evaluation as an OCI image layout that
// follows the CNCF ModelPack specification (see the modelpack module).
func (m *Modelci) Package(
	// The model directory, from train.
	model *dagger.Directory,
	// The evaluation directory, from evaluate (reports may be added).
	// +optional
	evaluation *dagger.Directory,
	// The model's name.
	// +optional
	// +default="model"
	name string,
	// The model's version.
	// +optional
	version string,
) *dagger.Directory {
	return dag.Modelpack().Pack(model, dagger.ModelpackPackOpts{Evaluation: evaluation, Name: name, Version: version})
}

// Compare compares a head evaluation with its baseline and renders the
// report: the pull-request comment (markdown), the job summary (summary)
// or JSON (json). The gate's verdict is in the report; use gate to fail on
// it.
func (m *Modelci) Compare(
	ctx context.Context,
	// The baseline's evaluation directory (metrics.json, examples.jsonl).
	base *dagger.Directory,
	// The head's evaluation directory.
	head *dagger.Directory,
	// The gate policy (.modelci.yaml).
	// +optional
	policy *dagger.File,
	// The report's format: markdown, summary or json.
	// +optional
	// +default="markdown"
	format string,
	// A title for the report, e.g. the model's name.
	// +optional
	title string,
) (*dagger.File, error) {
	res, err := compareEvaluations(ctx, base, head, policy, title)
	if err != nil {
		return nil, err
	}
	name, content, err := res.render(format)
	if err != nil {
		return nil, err
	}
	return dag.Directory().WithNewFile(name, content).File(name), nil
}

// Gate compares a head evaluation with its baseline and fails when the
// policy's gate fails, listing the broken rules: the same verdict as
// "modelci compare --policy".
func (m *Modelci) Gate(
	ctx context.Context,
	// The baseline's evaluation directory.
	base *dagger.Directory,
	// The head's evaluation directory.
	head *dagger.Directory,
	// The gate policy (.modelci.yaml).
	policy *dagger.File,
) (string, error) {
	res, err := compareEvaluations(ctx, base, head, policy, "")
	if err != nil {
		return "", err
	}
	return res.gateError()
}

// Pipeline runs the whole job: trains and evaluates the head and, when a
// baseline source is given, the baseline, in parallel; compares them; gates
// the change; and packages the head model with its evaluation and report.
//
// It returns a directory with report.md (the pull-request comment),
// summary.md (the job summary), report.json, evaluation/head and
// evaluation/base, and model/ (the OCI image layout). A failed gate does
// not fail the pipeline: report.json says so; use gate or check for that.
func (m *Modelci) Pipeline(
	ctx context.Context,
	// The head's source (the pull request's).
	source *dagger.Directory,
	// The baseline's source (the base branch's).
	// +optional
	baseSource *dagger.Directory,
	// The gate policy; default: .modelci.yaml in the source, if any.
	// +optional
	policy *dagger.File,
	// Data, mounted at /data for both runs.
	// +optional
	data *dagger.Directory,
	// Base container of the Python runtime; overrides image.
	// +optional
	base *dagger.Container,
	// Base image of the Python runtime.
	// +optional
	// +default="python:3.12-slim"
	image string,
	// The training command.
	// +optional
	// +default=["python3", "train.py", "--out", "/model"]
	trainCommand []string,
	// The evaluation command.
	// +optional
	// +default=["python3", "evaluate.py", "--model", "/model", "--out", "/eval"]
	evalCommand []string,
	// GPUs to use: "all", or device ids.
	// +optional
	gpus []string,
	// The model's name, for the report and the package.
	// +optional
	// +default="model"
	name string,
	// Source paths training does not read (globs).
	// +optional
	// +default=["evaluate.py", ".modelci.yaml", "*.md"]
	trainExclude []string,
) (*dagger.Directory, error) {
	res, headModel, headEval, baseEval, err := m.run(ctx, source, baseSource, policy, data, base, image, trainCommand, evalCommand, gpus, name, trainExclude)
	if err != nil {
		return nil, err
	}
	return res.outputs(m, headModel, headEval, baseEval, name)
}

// Check runs the whole job like pipeline and fails when the gate fails.
func (m *Modelci) Check(
	ctx context.Context,
	// The head's source (the pull request's).
	source *dagger.Directory,
	// The baseline's source (the base branch's).
	// +optional
	baseSource *dagger.Directory,
	// The gate policy; default: .modelci.yaml in the source, if any.
	// +optional
	policy *dagger.File,
	// Data, mounted at /data for both runs.
	// +optional
	data *dagger.Directory,
	// Base container of the Python runtime; overrides image.
	// +optional
	base *dagger.Container,
	// Base image of the Python runtime.
	// +optional
	// +default="python:3.12-slim"
	image string,
	// GPUs to use: "all", or device ids.
	// +optional
	gpus []string,
) (string, error) {
	res, _, _, _, err := m.run(ctx, source, baseSource, policy, data, base, image, nil, nil, gpus, "", nil)
	if err != nil {
		return "", err
	}
	return res.gateError()
}

// run trains and evaluates head and base in parallel and compares them.
func (m *Modelci) run(ctx context.Context, source, baseSource *dagger.Directory, policy *dagger.File, data *dagger.Directory,
	base *dagger.Container, image string, trainCommand, evalCommand, gpus []string, name string, trainExclude []string,
) (res *comparison, headModel, headEval, baseEval *dagger.Directory, err error) {
	if policy == nil {
		if policy, err = sourcePolicy(ctx, source); err != nil {
			return nil, nil, nil, nil, err
		}
	}
	trainEval := func(ctx context.Context, src *dagger.Directory) (*dagger.Directory, *dagger.Directory, error) {
		model, err := m.Train(ctx, src, data, base, image, trainCommand, nil, gpus, trainExclude)
		if err != nil {
			return nil, nil, err
		}
		eval, err := m.Evaluate(ctx, model, src, data, base, image, evalCommand, nil, gpus)
		return model, eval, err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		var err error
		headModel, headEval, err = trainEval(gctx, source)
		if err != nil {
			return fmt.Errorf("head: %w", err)
		}
		return nil
	})
	if baseSource != nil {
		g.Go(func() error {
			var err error
			_, baseEval, err = trainEval(gctx, baseSource)
			if err != nil {
				return fmt.Errorf("base: %w", err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, nil, nil, err
	}
	compareBase := baseEval
	if compareBase == nil {
		compareBase = dag.Directory()
	}
	res, err = compareEvaluations(ctx, compareBase, headEval, policy, name)
	return res, headModel, headEval, baseEval, err
}

// sourcePolicy returns the source's .modelci.yaml, or nil without one.
func sourcePolicy(ctx context.Context, source *dagger.Directory) (*dagger.File, error) {
	ok, err := source.Exists(ctx, ".modelci.yaml")
	if err != nil {
		return nil, fmt.Errorf("looking for .modelci.yaml in the source: %w", err)
	}
	if !ok {
		return nil, nil
	}
	return source.File(".modelci.yaml"), nil
}
