// Python machine-learning runtime containers.
//
// Pyml builds the container a training or evaluation step runs in: a Python
// base image, its requirements installed with pip (or uv) through a cache
// volume, cache volumes for Hugging Face models and datasets, environment
// variables and secrets, and GPUs through the engine's GPU support.
//
//	dagger call -m modules/pyml --image python:3.12-slim \
//	  with-requirements --file requirements.txt \
//	  with-gpus --devices all \
//	  container terminal
package main

import (
	"fmt"
	"strings"

	"github.com/modelci/modelci/modules/pyml/internal/dagger"
)

// Cache locations inside the container.
const (
	pipCache      = "/root/.cache/pip"
	uvCache       = "/root/.cache/uv"
	hfHome        = "/root/.cache/huggingface"
	datasetsCache = "/root/.cache/datasets"
)

// Pyml is a Python machine-learning runtime being configured.
type Pyml struct {
	// +private
	Ctr *dagger.Container
}

// New starts a runtime from a base container or a base image.
func New(
	// Base container; when given, image is ignored.
	// +optional
	base *dagger.Container,
	// Base image reference, used when no base container is given.
	// +optional
	// +default="python:3.12-slim"
	image string,
) *Pyml {
	if base == nil {
		base = dag.Container().From(image)
	}
	ctr := base.
		WithMountedCache(pipCache, dag.CacheVolume("modelci-pip")).
		WithMountedCache(uvCache, dag.CacheVolume("modelci-uv")).
		WithMountedCache(hfHome, dag.CacheVolume("modelci-huggingface")).
		WithMountedCache(datasetsCache, dag.CacheVolume("modelci-datasets")).
		WithEnvVariable("PIP_CACHE_DIR", pipCache).
		WithEnvVariable("UV_CACHE_DIR", uvCache).
		WithEnvVariable("HF_HOME", hfHome).
		WithEnvVariable("HF_DATASETS_CACHE", datasetsCache).
		WithEnvVariable("PYTHONUNBUFFERED", "1").
		WithEnvVariable("PYTHONDONTWRITEBYTECODE", "1")
	return &Pyml{Ctr: ctr}
}

// WithRequirements installs a requirements file, with pip by default or
// with uv, through the package cache volume.
func (m *Pyml) WithRequirements(
	// The requirements file (requirements.txt format).
	file *dagger.File,
	// Install with uv (which must be in the image) instead of pip.
	// +optional
	uv bool,
) *Pyml {
	const path = "/tmp/modelci/requirements.txt"
	install := []string{"python3", "-m", "pip", "install", "--root-user-action=ignore", "-r", path}
	if uv {
		install = []string{"uv", "pip", "install", "--system", "-r", path}
	}
	// Debian-based images mark their Python "externally managed" (PEP 668);
	// a throwaway training container is exactly where installing into it
	// is right. Older pips ignore the variable.
	m.Ctr = m.Ctr.
		WithFile(path, file).
		WithEnvVariable("PIP_BREAK_SYSTEM_PACKAGES", "1").
		WithExec(install)
	return m
}

// WithEnv sets environment variables, each written NAME=VALUE.
func (m *Pyml) WithEnv(
	// Variables, NAME=VALUE.
	vars []string,
) (*Pyml, error) {
	for _, v := range vars {
		name, value, ok := strings.Cut(v, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("env %q: expected NAME=VALUE", v)
		}
		m.Ctr = m.Ctr.WithEnvVariable(name, value)
	}
	return m, nil
}

// WithSecret exposes a secret as an environment variable. Secrets never
// enter a layer, a log or a cache key.
func (m *Pyml) WithSecret(
	// The variable's name, e.g. HF_TOKEN.
	name string,
	// The secret.
	secret *dagger.Secret,
) *Pyml {
	m.Ctr = m.Ctr.WithSecretVariable(name, secret)
	return m
}

// WithGpus gives the container GPUs: "all", or a list of device ids. The
// engine must run with GPU support (_EXPERIMENTAL_DAGGER_GPU_SUPPORT and
// the NVIDIA container toolkit).
func (m *Pyml) WithGpus(
	// "all", or device ids such as "0", "1".
	devices []string,
) (*Pyml, error) {
	ctr, err := withGpus(m.Ctr, devices)
	if err != nil {
		return nil, err
	}
	m.Ctr = ctr
	return m, nil
}

// Container returns the configured runtime.
func (m *Pyml) Container() *dagger.Container {
	return m.Ctr
}

// withGpus asks the engine for GPUs for ctr: all of them for ["all"], the
// given devices otherwise, none for an empty list.
func withGpus(ctr *dagger.Container, devices []string) (*dagger.Container, error) {
	switch {
	case len(devices) == 0:
		return ctr, nil
	case len(devices) == 1 && devices[0] == "all":
		return ctr.ExperimentalWithAllGPUs(), nil
	}
	for _, d := range devices {
		if d == "" || d == "all" {
			return nil, fmt.Errorf("gpus %q: expected \"all\" alone, or device ids such as 0,1", strings.Join(devices, ","))
		}
	}
	return ctr.ExperimentalWithGPU(devices), nil
}
