package steps

import (
	"fmt"
	"strings"
)

// Paths and names of the optional stages: prepare, serve and loadtest.
const (
	// PreparedPath is where the prepare step writes the prepared data.
	// Training and evaluation then find it at DataPath, in place of the
	// raw data, which only the prepare step sees.
	PreparedPath = "/prepared"
	// CheckpointPath is where the train step mounts its checkpoint cache
	// volume; the variable CheckpointEnv names it to the command.
	CheckpointPath = "/checkpoints"
	// CheckpointEnv is the variable that names CheckpointPath.
	CheckpointEnv = "MODELCI_CHECKPOINTS"
	// GPUsEnv is set to the GPUs a step was given ("all", or device ids),
	// so that its command can say clearly when it cannot use them.
	GPUsEnv = "MODELCI_GPUS"
	// DefaultServePort is the port the served model listens on.
	DefaultServePort = 8080
	// DefaultLoadtestPath is the endpoint the load test posts to.
	DefaultLoadtestPath = "/predict"
	// DefaultLoadtestRequests is the requests file, in the (prepared) data.
	DefaultLoadtestRequests = "requests.jsonl"
	// DefaultLoadtestConcurrency is how many requests are in flight at once.
	DefaultLoadtestConcurrency = 4
	// DefaultLoadtestRepeats is how many times each request is sent: each
	// id's latency is the median of its repeats.
	DefaultLoadtestRepeats = 3
	// ServiceHost is the host name the load test reaches the model by.
	ServiceHost = "model"
	// LoadtestPath is where the load test writes its evaluation directory.
	LoadtestPath = "/loadtest"
)

// DefaultPrepareCommand is the preparation command: it writes the prepared
// data to PreparedPath.
func DefaultPrepareCommand() []string {
	return []string{"python3", "prepare.py", "--out", PreparedPath}
}

// DefaultPrepareInclude are the source paths the prepare step sees: its
// script and its configuration. An edit elsewhere (the model, its
// hyper-parameters) does not prepare again.
func DefaultPrepareInclude() []string { return []string{"prepare.py", "prepare.json"} }

// PrepareCommand returns the preparation command to run, like TrainCommand:
// the default gets "--data /data" when there is raw data.
func PrepareCommand(command []string, hasData bool) []string {
	return withDefault(command, DefaultPrepareCommand(), hasData)
}

// DefaultServeCommand is the command that serves the model at ModelPath on
// DefaultServePort.
func DefaultServeCommand() []string {
	return []string{"python3", "serve.py", "--model", ModelPath, "--port", fmt.Sprint(DefaultServePort)}
}

// Loadtest bounds a load test: how many requests, how many at once.
type Loadtest struct {
	// Port and Path are where the served model answers.
	Port int
	Path string
	// Concurrency is how many requests are in flight at once; Repeats how
	// many times each line of the requests file is sent.
	Concurrency, Repeats int
}

// Check checks the bounds, naming the argument that is out of range.
func (l Loadtest) Check() error {
	switch {
	case l.Port < 1 || l.Port > 65535:
		return fmt.Errorf("port %d: expected 1 to 65535", l.Port)
	case !strings.HasPrefix(l.Path, "/"):
		return fmt.Errorf("path %q: expected an absolute URL path such as %s", l.Path, DefaultLoadtestPath)
	case l.Concurrency < 1 || l.Concurrency > 256:
		return fmt.Errorf("concurrency %d: expected 1 to 256", l.Concurrency)
	case l.Repeats < 1 || l.Repeats > 100:
		return fmt.Errorf("repeats %d: expected 1 to 100", l.Repeats)
	}
	return nil
}

// Command is the load test's command line (the script modelci ships,
// loadtest.py, at script), posting the lines of requests.
func (l Loadtest) Command(script, requests string) []string {
	return []string{"python3", script,
		"--url", fmt.Sprintf("http://%s:%d", ServiceHost, l.Port), "--path", l.Path,
		"--requests", requests, "--out", LoadtestPath,
		"--concurrency", fmt.Sprint(l.Concurrency), "--repeats", fmt.Sprint(l.Repeats)}
}
