package main

import (
	"context"
	"slices"
	"unicode/utf8"

	"github.com/modelci/modelci/dagger/internal/dagger"
)

// Limits of trainingSource's rebuild: past them, the filtered source is
// used as it is (correct, but any source change then retrains).
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
		return filtered, nil
	}
	slices.Sort(paths)
	out := dag.Directory()
	total := 0
	for _, p := range paths {
		st := filtered.Stat(p, dagger.DirectoryStatOpts{DoNotFollowSymlinks: true})
		ft, err := st.FileType(ctx)
		if err != nil {
			return nil, err
		}
		switch ft {
		case dagger.FileTypeDirectory:
			continue
		case dagger.FileTypeRegular:
		default:
			return filtered, nil
		}
		size, err := st.Size(ctx)
		if err != nil {
			return nil, err
		}
		if total += size; total > maxRebuildBytes {
			return filtered, nil
		}
		perm, err := st.Permissions(ctx)
		if err != nil {
			return nil, err
		}
		contents, err := filtered.File(p).Contents(ctx)
		if err != nil {
			return nil, err
		}
		if !utf8.ValidString(contents) {
			return filtered, nil
		}
		out = out.WithNewFile(p, contents, dagger.DirectoryWithNewFileOpts{Permissions: perm})
	}
	return out, nil
}
