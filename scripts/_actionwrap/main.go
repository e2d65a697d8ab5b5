// Command _actionwrap writes, for a composite action's action.yml, a
// workflow that runs its steps, so that actionlint (which checks
// workflows, not action metadata) checks the steps' expressions and
// shell scripts too: the action's inputs become the workflow_call inputs
// the steps' ${{ inputs.* }} read.
//
//	go run ./scripts/_actionwrap actions/compare/action.yml > wrapped.yml
package main

import (
	"fmt"
	"os"

	"go.yaml.in/yaml/v3"
)

// action is the part of action.yml the wrapper reads.
type action struct {
	Inputs map[string]struct {
		Required bool `yaml:"required"`
	} `yaml:"inputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []any  `yaml:"steps"`
	} `yaml:"runs"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: _actionwrap ACTION.yml")
		os.Exit(2)
	}
	if err := wrap(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "_actionwrap:", err)
		os.Exit(1)
	}
}

func wrap(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var a action
	if err := yaml.Unmarshal(data, &a); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if a.Runs.Using != "composite" {
		return fmt.Errorf("%s: runs.using is %q; only composite actions are wrapped", path, a.Runs.Using)
	}
	inputs := map[string]any{}
	for name, in := range a.Inputs {
		inputs[name] = map[string]any{"type": "string", "required": in.Required}
	}
	wf := map[string]any{
		"name": "composite steps of " + path,
		"on":   map[string]any{"workflow_call": map[string]any{"inputs": inputs}},
		"jobs": map[string]any{"steps": map[string]any{"runs-on": "ubuntu-latest", "steps": a.Runs.Steps}},
	}
	return yaml.NewEncoder(os.Stdout).Encode(wf)
}
