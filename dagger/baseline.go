package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"unicode/utf8"

	"github.com/modelci/modelci/dagger/internal/dagger"
	"github.com/modelci/modelci/internal/publish"
	"github.com/modelci/modelci/internal/publish/location"
	"github.com/modelci/modelci/internal/stagetime"
)

// WithBaseline takes the base side of the pipeline or check that follows
// from a registry instead of training the base source: the evaluation
// attached to a published model (see publish), paired by example id. The
// base source, if given, only supplies its policy; the report names the
// baseline's digest. with-registry and with-host-service say how to reach
// the registry.
//
// An alias moves: this call is cached per session only, so every
// dagger call reads the alias again (and runs the function that follows
// again; its steps stay cached).
// +cache="session"
func (m *Modelci) WithBaseline(
	// The published model: REPOSITORY:ALIAS
	// (registry.example.com/models/iris:production) or
	// REPOSITORY@sha256:….
	ref string,
) (*Modelci, error) {
	if ref == "" {
		return nil, errors.New("with-baseline: give --ref REPOSITORY:ALIAS or REPOSITORY@DIGEST")
	}
	c := *m
	c.BaselineRef = ref
	return &c, nil
}

// runFromRegistry runs the job with the registry's evaluation of the
// model ref names as the base side: the base source is not trained, only
// read for its policy. The report names the baseline's digest.
func (m *Modelci) runFromRegistry(ctx context.Context, j job, ref string) (*jobResult, error) {
	if len(j.latencyCommand) > 0 {
		return nil, errors.New("latency-command times both models and needs the base trained: give it without with-baseline")
	}
	// The baseline first: a wrong reference or credentials fail before
	// any training.
	timings := &stagetime.Recorder{}
	var name string
	if err := timings.Time("baseline", "base", func() (err error) {
		j.baseEval, name, err = m.registryEvaluation(ctx, ref)
		return err
	}); err != nil {
		return nil, err
	}
	res, err := m.run(ctx, j, timings)
	if err != nil {
		return nil, err
	}
	res.report.Baseline = name
	return res, nil
}

// registryEvaluation pulls the evaluation attached to the model ref names
// and returns it as a Directory, with the baseline's name,
// REPOSITORY@DIGEST. with-registry and with-host-service say how to reach
// the registry.
func (m *Modelci) registryEvaluation(ctx context.Context, ref string) (*dagger.Directory, string, error) {
	stop, err := m.reachHostServices(ctx)
	if err != nil {
		return nil, "", err
	}
	defer stop()
	dir, name, err := m.pullEvaluation(ctx, ref)
	if err != nil {
		return nil, "", m.explainLoopback(err, ref)
	}
	defer os.RemoveAll(dir)
	eval, err := textDirectory(dir)
	return eval, name, err
}

// textDirectory is the text files under dir as a Directory of their
// contents: unlike the function's working directory, which is gone after
// the call, it stays valid when the call's result is reused.
func textDirectory(dir string) (*dagger.Directory, error) {
	out := dag.Directory()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !utf8.Valid(data) {
			return fmt.Errorf("the baseline's evaluation file %s is not text", rel)
		}
		out = out.WithNewFile(filepath.ToSlash(rel), string(data))
		return nil
	})
	return out, err
}

// pullEvaluation pulls the evaluation attached to the model ref names into
// a new directory under the working directory; it returns the directory
// and the baseline's name.
func (m *Modelci) pullEvaluation(ctx context.Context, ref string) (string, string, error) {
	work, err := os.MkdirTemp(".", "registry-")
	if err != nil {
		return "", "", err
	}
	defer os.RemoveAll(work)
	var o location.Options
	if o.OCI, err = m.registryOptions(ctx, work); err != nil {
		return "", "", err
	}
	t, tag, err := location.Open(ctx, ref, o)
	if err != nil {
		return "", "", fmt.Errorf("with-baseline: %w", err)
	}
	if tag == "" {
		return "", "", fmt.Errorf("with-baseline %q: name the model, REPOSITORY:ALIAS or REPOSITORY@DIGEST", ref)
	}
	dir, err := os.MkdirTemp(".", "baseline-")
	if err != nil {
		return "", "", err
	}
	_, name, err := publish.Baseline(ctx, t, location.Repository(ref, tag), tag, dir)
	if err != nil {
		return "", "", fmt.Errorf("with-baseline: %w", err)
	}
	return dir, name, nil
}
