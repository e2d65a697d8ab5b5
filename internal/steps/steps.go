// Package steps holds the conventions of modelci's training and evaluation
// steps that need no engine: where things are mounted, the default image and
// commands, the checks of the runtime options, and the advice added to an
// engine's errors. The Dagger functions build their containers from it.
package steps

import (
	"fmt"
	"slices"
	"strings"
)

// Paths inside the step containers.
const (
	// SourcePath is where the model's source is mounted; the working
	// directory.
	SourcePath = "/src"
	// DataPath is where the data is mounted, when given.
	DataPath = "/data"
	// ModelPath is where training writes the model, and where evaluation
	// finds it.
	ModelPath = "/model"
	// EvalPath is where evaluation writes metrics.json and examples.jsonl.
	EvalPath = "/eval"
	// BaseModelPath and HeadModelPath are where the latency step finds
	// the two models it times.
	BaseModelPath = "/models/base"
	HeadModelPath = "/models/head"
	// LatencyPath is where the latency step writes base/ and head/, each
	// an evaluation directory of latency metrics.
	LatencyPath = "/latency"
)

// DefaultImage is the base image of the Python runtime.
const DefaultImage = "python:3.12-slim"

// DefaultModelName names the model in the report and the package.
const DefaultModelName = "model"

// DefaultTrainCommand is the training command: it writes the model to
// ModelPath.
func DefaultTrainCommand() []string { return []string{"python3", "train.py", "--out", ModelPath} }

// DefaultEvaluateCommand is the evaluation command: it reads the model at
// ModelPath and writes the evaluation to EvalPath.
func DefaultEvaluateCommand() []string {
	return []string{"python3", "evaluate.py", "--model", ModelPath, "--out", EvalPath}
}

// ExampleLatencyCommand is the latency command of the bundled examples
// (latency.py): it times both models in one process, interleaved, and
// writes LatencyPath/base and LatencyPath/head. The latency step has no
// default command: a source without one has no latency stage.
func ExampleLatencyCommand() []string {
	return []string{"python3", "latency.py", "--base", BaseModelPath, "--head", HeadModelPath, "--out", LatencyPath}
}

// DefaultTrainExclude are the source paths training does not read: the
// evaluation script, the policy and docs, so an edit to them does not
// retrain.
func DefaultTrainExclude() []string {
	return []string{"evaluate.py", "latency.py", ".modelci.yaml", "*.md"}
}

// TrainCommand returns the training command to run: command, or the default
// with "--data /data" appended when hasData. A command of the user's is
// run as given.
func TrainCommand(command []string, hasData bool) []string {
	return withDefault(command, DefaultTrainCommand(), hasData)
}

// EvaluateCommand returns the evaluation command to run, like TrainCommand.
func EvaluateCommand(command []string, hasData bool) []string {
	return withDefault(command, DefaultEvaluateCommand(), hasData)
}

func withDefault(command, def []string, hasData bool) []string {
	if len(command) == 0 {
		command = def
	}
	if hasData && slices.Equal(command, def) {
		return append(slices.Clip(command), "--data", DataPath)
	}
	return command
}

// Policy sources: which side's .modelci.yaml gates a pipeline.
const (
	// PolicyFromBase gates with the base branch's policy, so a pull request
	// cannot loosen its own gate; the default.
	PolicyFromBase = "base"
	// PolicyFromHead gates with the head's policy, for trusted branches.
	PolicyFromHead = "head"
)

// CheckPolicyFrom checks a policy source: PolicyFromBase or PolicyFromHead.
func CheckPolicyFrom(from string) error {
	if from != PolicyFromBase && from != PolicyFromHead {
		return fmt.Errorf("policy-from %q: expected %q (the default: a pull request cannot loosen its own gate) or %q", from, PolicyFromBase, PolicyFromHead)
	}
	return nil
}

// Env is one environment variable.
type Env struct{ Name, Value string }

// ParseEnv parses NAME=VALUE pairs; a pair without "=" or a name is an
// error naming it.
func ParseEnv(pairs []string) ([]Env, error) {
	out := make([]Env, 0, len(pairs))
	for _, p := range pairs {
		name, value, ok := strings.Cut(p, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("env %q: expected NAME=VALUE", p)
		}
		out = append(out, Env{name, value})
	}
	return out, nil
}

// CheckGPUs checks a GPU list: empty (none), ["all"], or device ids.
func CheckGPUs(gpus []string) error {
	if len(gpus) == 1 && gpus[0] == "all" {
		return nil
	}
	for _, d := range gpus {
		if d == "" || d == "all" {
			return fmt.Errorf("gpus %q: expected \"all\" alone, or device ids such as 0,1", strings.Join(gpus, ","))
		}
	}
	return nil
}

// SecretEnvName returns the environment variable a secret given by its URI
// is exposed as: HF_TOKEN for "env://HF_TOKEN" (dagger call's
// --secret env:HF_TOKEN). Secrets from other providers need a name given
// with them.
func SecretEnvName(uri string) (string, error) {
	name, ok := strings.CutPrefix(uri, "env://")
	if !ok {
		name, ok = strings.CutPrefix(uri, "env:")
	}
	if !ok || name == "" || strings.ContainsAny(name, "=/ ") {
		return "", fmt.Errorf("secret %q: only env:NAME secrets take their variable's name from the secret; name others with with-secret --name NAME --secret …", uri)
	}
	return name, nil
}

// Explain adds what a user can do to an engine error that needs it: a step
// that asked for GPUs on an engine without GPU support. The step names the
// failed step in the message.
func Explain(step string, gpus []string, err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if len(gpus) > 0 && (strings.Contains(msg, "GPU support is not enabled") || strings.Contains(msg, "nvidia-container-runtime-hook")) {
		// %v, not %w: the Dagger SDK reports a wrapped engine error by the
		// engine's message alone, dropping the advice.
		return fmt.Errorf("%s: gpus %s were asked for, but this Dagger engine cannot give GPUs: start it with _EXPERIMENTAL_DAGGER_GPU_SUPPORT=1 on a host with the NVIDIA container toolkit, or leave out --gpus (%v)", step, strings.Join(gpus, ","), err)
	}
	return fmt.Errorf("%s: %w", step, err)
}
