package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"

	"github.com/modelci/modelci/dagger/internal/dagger"
)

// Limits of trainingSource's rebuild: past them, the filtered source is
// used as it is (correct, but a change to an excluded file then retrains),
// and a warning says so.
const (
	maxRebuildFiles = 256
	maxRebuildBytes = 8 << 20
)

// trainingSource returns source without the paths training does not read,
// identified by its content alone.
//
// The engine caches a step by the identity of its inputs. A host directory
// is identified by its content, but a filtered one by its parent and the
// filter: filtering evaluate.py out would still retrain whenever
// evaluate.py changed. Rebuilding the filtered files as new files makes the
// result's identity its content, so a change to an excluded file leaves the
// training cached. Sources of binary files, or beyond maxRebuildFiles or
// maxRebuildBytes, keep the plain filter.
func trainingSource(ctx context.Context, source *dagger.Directory, exclude []string) (*dagger.Directory, error) {
	filtered := source.Filter(dagger.DirectoryFilterOpts{Exclude: exclude})
	paths, err := filtered.Glob(ctx, "**")
	if err != nil {
		return nil, err
	}
	if len(paths) > maxRebuildFiles {
		return fallback(filtered, fmt.Sprintf("it has %d paths, more than %d", len(paths), maxRebuildFiles)), nil
	}
	slices.Sort(paths)

	// One file's facts; fetched concurrently, assembled in path order.
	type file struct {
		skip     bool // a directory
		fallback bool // not a small regular text file
		size     int
		perm     int
		contents string
	}
	files := make([]file, len(paths))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for i, p := range paths {
		g.Go(func() error {
			f := &files[i]
			st := filtered.Stat(p, dagger.DirectoryStatOpts{DoNotFollowSymlinks: true})
			ft, err := st.FileType(gctx)
			if err != nil {
				return err
			}
			switch ft {
			case dagger.FileTypeDirectory:
				f.skip = true
				return nil
			case dagger.FileTypeRegular:
			default:
				f.fallback = true
				return nil
			}
			if f.size, err = st.Size(gctx); err != nil {
				return err
			}
			if f.size > maxRebuildBytes {
				f.fallback = true
				return nil
			}
			if f.perm, err = st.Permissions(gctx); err != nil {
				return err
			}
			if f.contents, err = filtered.File(p).Contents(gctx); err != nil {
				return err
			}
			f.fallback = !utf8.ValidString(f.contents)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := dag.Directory()
	total := 0
	for i, f := range files {
		if f.skip {
			continue
		}
		if f.fallback {
			return fallback(filtered, paths[i]+" is not a small text file"), nil
		}
		if total += f.size; total > maxRebuildBytes {
			return fallback(filtered, fmt.Sprintf("its files hold more than %d MiB", maxRebuildBytes>>20)), nil
		}
		out = out.WithNewFile(paths[i], f.contents, dagger.DirectoryWithNewFileOpts{Permissions: f.perm})
	}
	return out, nil
}

// fallback warns that the source is used filtered as it is, and why.
func fallback(filtered *dagger.Directory, why string) *dagger.Directory {
	fmt.Fprintf(os.Stderr, "warning: train: the source is used as it is, not rebuilt from its contents (%s): an edit to an excluded file (--exclude) will retrain\n", why)
	return filtered
}
