package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/modelci/modelci/dagger/internal/dagger"
	"github.com/modelci/modelci/internal/modelpack"
)

// Package packages a model and its evaluation as an OCI image layout that
// follows the CNCF ModelPack specification: one raw layer per file with its
// path and media type (weights, configuration, code, docs), the ModelPack
// config, and the evaluation files (metrics.json, examples.jsonl,
// report.md, …) as modelci evaluation layers, tagged in the layout's
// index.json. The same inputs give the same manifest digest.
func (m *Modelci) Package(
	ctx context.Context,
	// The model directory, from train.
	model *dagger.Directory,
	// The evaluation directory, from evaluate (reports may be added).
	// +optional
	evaluation *dagger.Directory,
	// The model's name, recorded in the config and annotations.
	// +optional
	// +default="model"
	name string,
	// The model's version.
	// +optional
	version string,
	// The tag in the layout's index.json.
	// +optional
	// +default="latest"
	tag string,
	// Extra manifest annotations, each KEY=VALUE.
	// +optional
	annotations []string,
) (*dagger.Directory, error) {
	opts := modelpack.Options{Name: name, Version: version, Tag: tag}
	for _, a := range annotations {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("annotation %q: expected KEY=VALUE", a)
		}
		if opts.Annotations == nil {
			opts.Annotations = map[string]string{}
		}
		opts.Annotations[k] = v
	}
	// The function runs in its own container: export the inputs into its
	// working directory, pack there, and hand the layout back.
	work, err := os.MkdirTemp(".", "pack-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	modelDir := filepath.Join(work, "model")
	if _, err := model.Export(ctx, modelDir); err != nil {
		return nil, fmt.Errorf("exporting the model: %w", err)
	}
	evalDir := ""
	if evaluation != nil {
		evalDir = filepath.Join(work, "evaluation")
		if _, err := evaluation.Export(ctx, evalDir); err != nil {
			return nil, fmt.Errorf("exporting the evaluation: %w", err)
		}
	}
	layout := filepath.Join(work, "layout")
	if _, err := modelpack.Pack(ctx, modelDir, evalDir, layout, opts); err != nil {
		return nil, err
	}
	return layoutDirectory(ctx, layout, tag, model, evaluation)
}

// layoutDirectory rebuilds the layout written at dir as a Directory made of
// content the engine already has: every layer blob is the input file it
// was made from, and only the small JSON files (oci-layout, index.json,
// manifest, config) are new. Nothing points into this call's working
// directory, which is gone once the call returns, so results can be cached.
func layoutDirectory(ctx context.Context, dir, tag string, model, evaluation *dagger.Directory) (*dagger.Directory, error) {
	store, err := modelpack.OpenLayout(ctx, dir)
	if err != nil {
		return nil, err
	}
	man, err := modelpack.Read(ctx, store, tag)
	if err != nil {
		return nil, err
	}
	layers := map[string]*dagger.File{}
	for _, f := range man.Files {
		src := model.File(f.Path)
		if rest, ok := strings.CutPrefix(f.Path, modelpack.EvaluationPrefix); ok && evaluation != nil {
			src = evaluation.File(rest)
		}
		layers[blobPath(f.Layer.Digest)] = src
	}
	out := dag.Directory()
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		if src, ok := layers[filepath.ToSlash(rel)]; ok {
			out = out.WithFile(rel, src)
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !utf8.Valid(data) {
			return fmt.Errorf("layout file %s is neither a layer nor JSON", rel)
		}
		out = out.WithNewFile(rel, string(data))
		return nil
	})
	return out, err
}

// PackageFiles lists the files of a packaged layout with their media
// types, one "path<TAB>media type<TAB>size" line each: what a registry
// would hold.
func (m *Modelci) PackageFiles(
	ctx context.Context,
	// An OCI image layout made by package.
	layout *dagger.Directory,
	// The tag to read.
	// +optional
	// +default="latest"
	tag string,
) (string, error) {
	man, err := modelpack.Read(ctx, layoutTarget{layout}, tag)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, f := range man.Files {
		fmt.Fprintf(&b, "%s\t%s\t%d\n", f.Path, f.Layer.MediaType, f.Layer.Size)
	}
	return b.String(), nil
}

// Unpack returns the files of a packaged layout as a directory: the
// model's files, and its evaluation under evaluation/. The inverse of
// package.
func (m *Modelci) Unpack(
	ctx context.Context,
	// An OCI image layout made by package.
	layout *dagger.Directory,
	// The tag to read.
	// +optional
	// +default="latest"
	tag string,
) (*dagger.Directory, error) {
	man, err := modelpack.Read(ctx, layoutTarget{layout}, tag)
	if err != nil {
		return nil, err
	}
	out := dag.Directory()
	for _, f := range man.Files {
		if f.Kind == "" {
			return nil, fmt.Errorf("layer %s (%s): media type %s is not a file modelci unpacks", f.Layer.Digest, f.Path, f.Layer.MediaType)
		}
		out = out.WithFile(f.Path, layout.File(blobPath(f.Layer.Digest)), dagger.DirectoryWithFileOpts{Permissions: int(f.Mode.Perm())})
	}
	return out, nil
}
