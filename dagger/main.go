// Continuous integration for machine-learning models.
//
// modelci trains, evaluates and packages a model in containers, compares
// the evaluation with the baseline's (deltas, confidence intervals,
// statuses), gates the change on the policy in .modelci.yaml, and writes the
// pull-request comment: the same report and verdict as the modelci CLI.
//
// The runtime options (base image or container, environment, secrets,
// GPUs) are given once, before the function, and hold for every step:
//
//	dagger call --image python:3.12-slim --secret env:HF_TOKEN pipeline --source ./pr --base-source ./main export --path out
//
// Conventions: the source is mounted at /src (the working directory), the
// data at /data, the model is written to /model and the evaluation
// (metrics.json, examples.jsonl) to /eval. The default commands are
// "python3 train.py --out /model" and
// "python3 evaluate.py --model /model --out /eval", each with
// "--data /data" when data is given. Every step is cached by its inputs,
// and training does not see evaluate.py, .modelci.yaml or *.md (--exclude),
// so an edit to the evaluation re-runs only the evaluation.
package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/modelci/modelci/dagger/internal/dagger"
	"github.com/modelci/modelci/internal/steps"
)

// Modelci trains, evaluates, compares and packages models.
type Modelci struct {
	// Base container of the Python runtime; overrides Image.
	// +private
	Base *dagger.Container
	// Base image of the Python runtime.
	// +private
	Image string
	// Environment variables, each NAME=VALUE.
	// +private
	Env []string
	// Names of the variables the secrets are exposed as, one per secret.
	// +private
	SecretNames []string
	// Secrets, exposed as variables named by SecretNames.
	// +private
	Secrets []*dagger.Secret
	// GPUs: "all", or device ids.
	// +private
	Gpus []string
	// The prepare stage's command and the source paths it reads (see
	// with-prepare); no stage without a command.
	// +private
	PrepareCommand []string
	// +private
	PrepareInclude []string
	// The serve stage's command, port, requests file (a path in the
	// data), endpoint and load-test bounds (see with-serve); no stage
	// without a command.
	// +private
	ServeCommand []string
	// +private
	ServePort int
	// +private
	ServeRequests string
	// +private
	ServePath string
	// +private
	LoadtestConcurrency int
	// +private
	LoadtestRepeats int
	// Services on the caller's host that publish and with-baseline reach
	// (see with-host-service).
	// +private
	HostServices []*dagger.Service
	// How publish and with-baseline reach registries (see with-registry).
	// +private
	RegistryUsername string
	// +private
	RegistryPassword *dagger.Secret
	// +private
	RegistryToken *dagger.Secret
	// +private
	RegistryCA *dagger.File
	// +private
	RegistryPlainHTTP bool
	// The published model whose evaluation is the base side (see
	// with-baseline); "" trains the base source.
	// +private
	BaselineRef string
}

// New sets the runtime every step runs in.
func New(
	ctx context.Context,
	// Base container of the Python runtime; overrides image.
	// +optional
	base *dagger.Container,
	// Base image of the Python runtime. Where no public registry is
	// reachable (air-gapped machines, a local mirror), name an image the
	// engine can pull.
	// +optional
	// +default="python:3.12-slim"
	image string,
	// Environment variables for every step, each NAME=VALUE.
	// +optional
	env []string,
	// Secrets for every step, each exposed as the variable it names:
	// --secret env:HF_TOKEN gives HF_TOKEN. Secrets never enter a layer, a
	// log or a cache key. Name other secrets with with-secret.
	// +optional
	secret []*dagger.Secret,
	// GPUs for every step: "all", or device ids. The engine needs GPU
	// support.
	// +optional
	gpus []string,
) (*Modelci, error) {
	if image == "" {
		image = steps.DefaultImage
	}
	if _, err := steps.ParseEnv(env); err != nil {
		return nil, err
	}
	if err := steps.CheckGPUs(gpus); err != nil {
		return nil, err
	}
	m := &Modelci{Base: base, Image: image, Env: env, Gpus: gpus}
	for _, s := range secret {
		uri, err := s.URI(ctx)
		if err != nil {
			return nil, fmt.Errorf("secret: %w", err)
		}
		name, err := steps.SecretEnvName(uri)
		if err != nil {
			return nil, err
		}
		m = m.WithSecret(name, s)
	}
	return m, nil
}

// WithSecret exposes a secret to every step as the variable name.
func (m *Modelci) WithSecret(
	// The variable's name, e.g. HF_TOKEN.
	name string,
	// The secret.
	secret *dagger.Secret,
) *Modelci {
	c := *m
	c.SecretNames = append(append([]string(nil), m.SecretNames...), name)
	c.Secrets = append(append([]*dagger.Secret(nil), m.Secrets...), secret)
	return &c
}

// runtime is the container a step runs in: the Python runtime with the
// runtime options, the source at /src and, when given, the data at /data.
func (m *Modelci) runtime(source, data *dagger.Directory) *dagger.Container {
	py := dag.Pyml(dagger.PymlOpts{Base: m.Base, Image: m.Image})
	if len(m.Env) > 0 {
		py = py.WithEnv(m.Env)
	}
	for i, name := range m.SecretNames {
		py = py.WithSecret(name, m.Secrets[i])
	}
	if len(m.Gpus) > 0 {
		py = py.WithGpus(m.Gpus).WithEnv([]string{steps.GPUsEnv + "=" + strings.Join(m.Gpus, ",")})
	}
	ctr := py.Container().WithMountedDirectory(steps.SourcePath, source).WithWorkdir(steps.SourcePath)
	if data != nil {
		ctr = ctr.WithMountedDirectory(steps.DataPath, data)
	}
	return ctr
}
