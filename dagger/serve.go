package main

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/modelci/modelci/dagger/internal/dagger"
	"github.com/modelci/modelci/internal/steps"
)

// loadtestScript is the load test, in Python's standard library only, so
// that it runs in any image with python3.
//
//go:embed loadtest.py
var loadtestScript string

// loadtestScriptPath is where the load test's script is written.
const loadtestScriptPath = "/modelci/loadtest.py"

// Serve returns the packaged model as a service with an HTTP prediction
// endpoint: the serving command runs in the Python runtime with the model
// at /model and the source at /src, listening on port.
func (m *Modelci) Serve(
	// The model directory, from train.
	model *dagger.Directory,
	// The source holding the serving code.
	source *dagger.Directory,
	// The serving command.
	// +optional
	// +default=["python3", "serve.py", "--model", "/model", "--port", "8080"]
	command []string,
	// The port the command listens on.
	// +optional
	// +default=8080
	port int,
) *dagger.Service {
	if len(command) == 0 {
		command = steps.DefaultServeCommand()
	}
	if port == 0 {
		port = steps.DefaultServePort
	}
	return m.runtime(source, nil).
		WithMountedDirectory(steps.ModelPath, model).
		WithExposedPort(port).
		AsService(dagger.ContainerAsServiceOpts{Args: command})
}

// Loadtest sends a bounded number of concurrent requests to a served model
// from another container and returns an evaluation directory (/loadtest):
// metrics.json with serve.throughput_rps, serve.latency_p50_ms, _p95_ms,
// _p99_ms, serve.requests, serve.errors and serve.error_rate, and
// examples.jsonl with each request id's serve_latency_ms and serve_error,
// so that latency pairs by id with another model's load test.
//
// Each line of requests is a JSON object with an "id", posted as it is to
// path, repeats times, with concurrency requests in flight.
func (m *Modelci) Loadtest(
	ctx context.Context,
	// The served model, from serve.
	service *dagger.Service,
	// The requests: one JSON object per line, each with an "id".
	requests *dagger.File,
	// The port the service listens on.
	// +optional
	// +default=8080
	port int,
	// The endpoint to post to.
	// +optional
	// +default="/predict"
	path string,
	// How many requests are in flight at once.
	// +optional
	// +default=4
	concurrency int,
	// How many times each request is sent; an id's latency is the median
	// of its repeats.
	// +optional
	// +default=3
	repeats int,
) (*dagger.Directory, error) {
	lt := loadtestOf(port, path, concurrency, repeats)
	if err := lt.Check(); err != nil {
		return nil, fmt.Errorf("loadtest: %w", err)
	}
	const requestsPath = steps.LoadtestPath + "-requests.jsonl"
	out := dag.Pyml(dagger.PymlOpts{Base: m.Base, Image: m.Image}).Container().
		WithNewFile(loadtestScriptPath, loadtestScript).
		WithFile(requestsPath, requests).
		WithServiceBinding(steps.ServiceHost, service).
		WithExec(lt.Command(loadtestScriptPath, requestsPath)).
		Directory(steps.LoadtestPath)
	if _, err := readSide(ctx, "loadtest", out, evalFiles{}); err != nil {
		return nil, steps.Explain("loadtest", m.Gpus, err)
	}
	return out, nil
}

// loadtestOf fills in the defaults of a load test's bounds.
func loadtestOf(port int, path string, concurrency, repeats int) steps.Loadtest {
	lt := steps.Loadtest{Port: port, Path: path, Concurrency: concurrency, Repeats: repeats}
	if lt.Port == 0 {
		lt.Port = steps.DefaultServePort
	}
	if lt.Path == "" {
		lt.Path = steps.DefaultLoadtestPath
	}
	if lt.Concurrency == 0 {
		lt.Concurrency = steps.DefaultLoadtestConcurrency
	}
	if lt.Repeats == 0 {
		lt.Repeats = steps.DefaultLoadtestRepeats
	}
	return lt
}

// WithServe adds a serve stage to pipeline and check: after training, the
// base model and then the head model are served (see serve) and
// load-tested (see loadtest) the same way, one after the other, and the
// load test's metrics join each side's evaluation in the comparison and
// the gate (serve.latency_p95_ms, serve.throughput_rps, …).
func (m *Modelci) WithServe(
	// The serving command.
	// +optional
	// +default=["python3", "serve.py", "--model", "/model", "--port", "8080"]
	command []string,
	// The port the command listens on.
	// +optional
	// +default=8080
	port int,
	// The requests file, a path in the data (the prepared data, with a
	// prepare stage).
	// +optional
	// +default="requests.jsonl"
	requests string,
	// The endpoint to post to.
	// +optional
	// +default="/predict"
	path string,
	// How many requests are in flight at once.
	// +optional
	// +default=4
	concurrency int,
	// How many times each request is sent; an id's latency is the median
	// of its repeats.
	// +optional
	// +default=3
	repeats int,
) (*Modelci, error) {
	lt := loadtestOf(port, path, concurrency, repeats)
	if err := lt.Check(); err != nil {
		return nil, fmt.Errorf("with-serve: %w", err)
	}
	c := *m
	c.ServeCommand = command
	if len(command) == 0 {
		c.ServeCommand = steps.DefaultServeCommand()
	}
	c.ServeRequests = requests
	if requests == "" {
		c.ServeRequests = steps.DefaultLoadtestRequests
	}
	c.ServePort, c.ServePath, c.LoadtestConcurrency, c.LoadtestRepeats = lt.Port, lt.Path, lt.Concurrency, lt.Repeats
	return &c, nil
}

// serveSides runs the serve stage of a pipeline, when it has one: the base
// model, then the head model, each served and load-tested alone, so that
// neither's load test competes with the other's. It returns an
// evaluation directory per side (nil without the stage).
func (m *Modelci) serveSides(ctx context.Context, res *jobResult, j job, data prepared) (base, head *dagger.Directory, err error) {
	if len(m.ServeCommand) == 0 {
		return nil, nil, nil
	}
	one := func(side string, model, src, data *dagger.Directory) (*dagger.Directory, error) {
		if data == nil {
			return nil, fmt.Errorf("serve: %s: no data holding the requests file %s: give data or a prepare stage (with-prepare)", side, m.ServeRequests)
		}
		// Serving does not read the evaluation, the policy or docs: an
		// edit to them does not serve and load-test again.
		src, err := trainingSource(ctx, src, steps.DefaultTrainExclude())
		if err != nil {
			return nil, fmt.Errorf("serve: %s: reading the source: %w", side, err)
		}
		svc := m.Serve(model, src, m.ServeCommand, m.ServePort)
		var out *dagger.Directory
		err = res.timings.Time("serve + loadtest", side, func() (err error) {
			out, err = m.Loadtest(ctx, svc, data.File(m.ServeRequests), m.ServePort, m.ServePath, m.LoadtestConcurrency, m.LoadtestRepeats)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", side, err)
		}
		return out, nil
	}
	if res.baseModel != nil {
		if base, err = one("base", res.baseModel, j.baseSource, data.base); err != nil {
			return nil, nil, err
		}
	}
	head, err = one("head", res.headModel, j.source, data.head)
	return base, head, err
}
