package ghaction

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sethvargo/go-githubactions"
)

// ErrGateFailed is returned when the gate failed and the step is to fail
// (fail-on-gate); everything else was written first.
var ErrGateFailed = errors.New("gate failed")

// runner is the step's environment: its inputs, outputs, job summary and
// log, through go-githubactions.
type runner struct {
	a *githubactions.Action
}

// newRunner checks that the environment is a step's: the files outputs
// and the job summary go to are named.
func newRunner(a *githubactions.Action) (runner, error) {
	for _, v := range []string{"GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"} {
		if a.Getenv(v) == "" {
			return runner{}, fmt.Errorf("%s is not set: modelci action runs as a step of a GitHub Actions workflow", v)
		}
	}
	return runner{a: a}, nil
}

// input returns the input called name, trimmed.
func (r runner) input(name string) string { return r.a.GetInput(name) }

// required returns the input called name, or an error saying it is needed.
func (r runner) required(name string) (string, error) {
	v := r.input(name)
	if v == "" {
		return "", fmt.Errorf("input %q is required", name)
	}
	return v, nil
}

// boolean reads a true/false input; empty is def.
func (r runner) boolean(name string, def bool) (bool, error) {
	switch v := strings.ToLower(r.input(name)); v {
	case "":
		return def, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("input %q: expected true or false, found %q", name, r.input(name))
}

// number reads a positive whole-number input; empty is 0.
func (r runner) number(name string) (int, error) {
	v := r.input(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("input %q: expected a positive whole number, found %q", name, v)
	}
	return n, nil
}

// output sets the step output called name.
func (r runner) output(name, value string) { r.a.SetOutput(name, value) }

// summary appends markdown to the job summary.
func (r runner) summary(markdown string) { r.a.AddStepSummary(markdown) }

// token reads the token input (or GITHUB_TOKEN) and masks it at once.
func (r runner) token() string {
	t := r.input("token")
	if t == "" {
		t = r.a.Getenv("GITHUB_TOKEN")
	}
	if t != "" {
		r.a.AddMask(t)
	}
	return t
}

// event reads the event payload at GITHUB_EVENT_PATH; empty when there is
// none.
func (r runner) event() (map[string]any, error) {
	ctx, err := r.a.Context()
	if err != nil {
		return nil, fmt.Errorf("reading the workflow's context: %w", err)
	}
	return ctx.Event, nil
}

// field walks the event's objects along keys; nil when a key is absent.
func field(event map[string]any, keys ...string) any {
	var v any = event
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// str is the string at keys in the event, or "".
func str(event map[string]any, keys ...string) string {
	s, _ := field(event, keys...).(string)
	return s
}

// workspacePath makes p, when relative, relative to GITHUB_WORKSPACE.
func (r runner) workspacePath(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	if ws := r.a.Getenv("GITHUB_WORKSPACE"); ws != "" {
		return filepath.Join(ws, p)
	}
	return p
}

// writeFile writes data to dir/name and returns its path.
func writeFile(dir, name string, data []byte) (string, error) {
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		return "", fmt.Errorf("writing %s: %w", p, err)
	}
	return p, nil
}

// writeJSON writes v as indented JSON to dir/name and returns its path.
func writeJSON(dir, name string, v any) (string, error) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return "", fmt.Errorf("encoding %s: %w", name, err)
	}
	return writeFile(dir, name, append(data, '\n'))
}
