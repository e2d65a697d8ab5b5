package publish

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/modelci/modelci/internal/evaluation"
)

// Baseline pulls the evaluation attached to the model ref names in src
// (an alias such as production, a version or a digest) into dir, and
// returns it as the base side of a comparison, with the name the report
// gives it: repository@digest. The base branch need not be trained again.
func Baseline(ctx context.Context, src Target, repository, ref, dir string) (evaluation.Side, string, error) {
	model, err := PullEvaluation(ctx, src, ref, dir)
	if err != nil {
		return evaluation.Side{}, "", fmt.Errorf("baseline %s: %w", ref, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return evaluation.Side{}, "", err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	name := repository + "@" + model.Digest.String()
	metricsFile, examplesFile, err := evaluation.DirFiles("the baseline "+name, names, "", "")
	if err != nil {
		return evaluation.Side{}, "", err
	}
	var side evaluation.Side
	if metricsFile != "" {
		side.Metrics = evaluation.File(filepath.Join(dir, metricsFile))
	}
	if examplesFile != "" {
		side.Examples = evaluation.File(filepath.Join(dir, examplesFile))
	}
	return side, name, nil
}
