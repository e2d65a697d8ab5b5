package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/modelci/modelci/dagger/internal/dagger"
	"github.com/modelci/modelci/internal/steps"
)

// Latency times the base and the head model in one container, interleaved
// (base, head, head, base, … after a warm-up), so that both see the same
// machine load and the comparison is paired in time as well as by example.
// Timing each model in its own evaluation, in parallel on a loaded machine,
// measures the load, not the model.
//
// The command runs in the Python runtime with the source at /src, the models
// at /models/base and /models/head and the data at /data; it writes
// /latency/base and /latency/head, each an evaluation directory
// (metrics.json and/or examples.jsonl) whose metrics replace the
// same-named ones of that side's evaluation in the comparison. The examples
// ship one such command: latency.py.
func (m *Modelci) Latency(
	ctx context.Context,
	// The baseline's model directory, from train.
	base *dagger.Directory,
	// The head's model directory, from train.
	head *dagger.Directory,
	// The source holding the latency command's code (the head's).
	source *dagger.Directory,
	// Data, mounted at /data.
	// +optional
	data *dagger.Directory,
	// The latency command, e.g. python3 latency.py --base /models/base --head /models/head --out /latency.
	command []string,
) (*dagger.Directory, error) {
	if len(command) == 0 {
		return nil, fmt.Errorf("latency: expected a command, such as %s", strings.Join(steps.ExampleLatencyCommand(), " "))
	}
	out := m.runtime(source, data).
		WithMountedDirectory(steps.BaseModelPath, base).
		WithMountedDirectory(steps.HeadModelPath, head).
		WithDirectory(steps.LatencyPath, dag.Directory()).
		WithExec(command).
		Directory(steps.LatencyPath)
	for _, side := range []string{"base", "head"} {
		if err := checkEvaluation(ctx, "latency/"+side, out.Directory(side)); err != nil {
			return nil, steps.Explain("latency", m.Gpus, err)
		}
	}
	return out, nil
}
