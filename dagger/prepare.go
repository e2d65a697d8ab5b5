package main

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/modelci/modelci/dagger/internal/dagger"
	"github.com/modelci/modelci/internal/stagetime"
	"github.com/modelci/modelci/internal/steps"
)

// Prepare turns raw data into the training and evaluation sets
// (normalisation, split, feature extraction) and returns them (/prepared).
//
// The command runs in the Python runtime with the source at /src, reduced
// to the paths in include, and the raw data at /data. The step is cached
// on exactly these inputs: an edit to the model's code or
// hyper-parameters does not prepare again; an edit to the preparation or
// the data does.
func (m *Modelci) Prepare(
	ctx context.Context,
	// The source holding the preparation code.
	source *dagger.Directory,
	// Raw data, mounted at /data.
	// +optional
	data *dagger.Directory,
	// The preparation command; it writes the prepared data to /prepared.
	// +optional
	// +default=["python3", "prepare.py", "--out", "/prepared"]
	command []string,
	// The source paths (globs) preparation reads.
	// +optional
	// +default=["prepare.py", "prepare.json"]
	include []string,
) (*dagger.Directory, error) {
	command = steps.PrepareCommand(command, data != nil)
	source, err := prepareSource(ctx, source, include)
	if err != nil {
		return nil, fmt.Errorf("prepare: reading the source: %w", err)
	}
	out := m.runtime(source, data).
		WithDirectory(steps.PreparedPath, dag.Directory()).
		WithExec(command).
		Directory(steps.PreparedPath)
	entries, err := out.Entries(ctx)
	if err != nil {
		return nil, steps.Explain("prepare", m.Gpus, err)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("prepare: the command %q wrote nothing to %s", strings.Join(command, " "), steps.PreparedPath)
	}
	return out, nil
}

// WithPrepare adds a prepare stage to pipeline and check: each side's
// source is prepared (see prepare) before training, and training and
// evaluation find the prepared data at /data in place of the raw data.
// Head and base share one preparation when their preparation code is
// the same.
func (m *Modelci) WithPrepare(
	// The preparation command.
	// +optional
	// +default=["python3", "prepare.py", "--out", "/prepared"]
	command []string,
	// The source paths (globs) preparation reads.
	// +optional
	// +default=["prepare.py", "prepare.json"]
	include []string,
) *Modelci {
	c := *m
	c.PrepareCommand = steps.PrepareCommand(command, false)
	c.PrepareInclude = include
	if len(include) == 0 {
		c.PrepareInclude = steps.DefaultPrepareInclude()
	}
	return &c
}

// prepareSource is source reduced to the paths preparation reads,
// identified by their content alone (see trainingSource), so that an edit
// to another path leaves the step cached.
func prepareSource(ctx context.Context, source *dagger.Directory, include []string) (*dagger.Directory, error) {
	if len(include) == 0 {
		include = steps.DefaultPrepareInclude()
	}
	return trainingSource(ctx, source.Filter(dagger.DirectoryFilterOpts{Include: include}), nil)
}

// prepared is the outcome of a pipeline's prepare stage: each side's data
// for training and evaluation, and whether one preparation served both.
type prepared struct {
	head, base *dagger.Directory
	shared     bool
}

// prepareSides runs the prepare stage of a pipeline, when it has one: once
// when head and base read the same preparation code, else once per side,
// in parallel. Without a stage, both sides get the raw data.
func (m *Modelci) prepareSides(ctx context.Context, j job, rec *stagetime.Recorder) (prepared, error) {
	if len(m.PrepareCommand) == 0 {
		return prepared{head: j.data, base: j.data}, nil
	}
	var p prepared
	run := func(side string, src *dagger.Directory) (out *dagger.Directory, err error) {
		err = rec.Time("prepare", side, func() (err error) {
			out, err = m.Prepare(ctx, src, j.data, m.PrepareCommand, m.PrepareInclude)
			return err
		})
		return out, err
	}
	if j.baseSource != nil {
		same, err := samePreparation(ctx, j.source, j.baseSource, m.PrepareInclude)
		if err != nil {
			return p, fmt.Errorf("prepare: %w", err)
		}
		p.shared = same
	}
	if j.baseSource == nil || p.shared {
		var err error
		side := "head"
		if p.shared {
			side = "both"
		}
		p.head, err = run(side, j.source)
		p.base = p.head
		return p, err
	}
	g := new(errgroup.Group)
	g.Go(func() (err error) { p.head, err = run("head", j.source); return err })
	g.Go(func() (err error) { p.base, err = run("base", j.baseSource); return err })
	return p, g.Wait()
}

// samePreparation reports whether sources a and b hold the same
// preparation code.
func samePreparation(ctx context.Context, a, b *dagger.Directory, include []string) (bool, error) {
	var digests [2]string
	for i, src := range []*dagger.Directory{a, b} {
		dir, err := prepareSource(ctx, src, include)
		if err != nil {
			return false, err
		}
		if digests[i], err = dir.Digest(ctx); err != nil {
			return false, err
		}
	}
	return digests[0] == digests[1], nil
}
