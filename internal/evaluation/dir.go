package evaluation

import (
	"fmt"
	"slices"
	"strings"

	"github.com/modelci/modelci/internal/metrics"
)

// The files an evaluation directory may hold, in the order they are looked
// for: the first present aggregate file and the first present per-example
// file are read.
var (
	MetricsFiles  = []string{"metrics.json", "metrics.yaml", "metrics.yml", "metrics.csv"}
	ExamplesFiles = []string{"examples.jsonl", "examples.csv"}
)

// DirFiles picks the files to read from an evaluation directory holding
// entries (names as listed, directories with a trailing "/"). A name given
// in metricsName or examplesName must be present; otherwise the first of
// MetricsFiles and ExamplesFiles present is taken. side ("base", "head")
// names the directory in messages. An empty base directory is no baseline
// (both names empty, no error); any other directory without either file is
// an error listing what it holds.
func DirFiles(side string, entries []string, metricsName, examplesName string) (metricsFile, examplesFile string, err error) {
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e, "/"))
	}
	pick := func(given string, candidates []string) (string, error) {
		if given != "" {
			if !slices.Contains(names, given) {
				return "", fmt.Errorf("%s evaluation has no %s (found: %s)", side, given, listing(names))
			}
			return given, nil
		}
		for _, c := range candidates {
			if slices.Contains(names, c) {
				return c, nil
			}
		}
		return "", nil
	}
	if metricsFile, err = pick(metricsName, MetricsFiles); err != nil {
		return "", "", err
	}
	if examplesFile, err = pick(examplesName, ExamplesFiles); err != nil {
		return "", "", err
	}
	if metricsFile == "" && examplesFile == "" && (len(names) > 0 || side != "base") {
		return "", "", fmt.Errorf("%s evaluation has no metrics file (%s) and no examples file (%s) (found: %s)",
			side, strings.Join(MetricsFiles, ", "), strings.Join(ExamplesFiles, ", "), listing(names))
	}
	return metricsFile, examplesFile, nil
}

func listing(names []string) string {
	if len(names) == 0 {
		return "nothing"
	}
	return strings.Join(names, ", ")
}

// CheckSide reads a side's files as Run would, in the formats they are
// detected as, so a step that writes an evaluation fails right away on a
// broken file, naming the file, the line and the key.
func CheckSide(side Side) error {
	_, _, err := readSide(side, metrics.FormatAuto, metrics.ExamplesAuto)
	return err
}
