package ghaction

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/modelci/modelci/internal/evaluation"
)

// side reads one side of the comparison from its inputs: path is an
// evaluation directory (its files picked as evaluation.DirFiles does) or
// an aggregate metrics file; examples is a per-example results file.
// Both empty is no side (no baseline).
func side(name, path, examples string) (evaluation.Side, error) {
	var s evaluation.Side
	if examples != "" {
		s.Examples = evaluation.File(examples)
	}
	if path == "" {
		return s, nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return s, fmt.Errorf("input %q: %w", name, err)
	}
	if !info.IsDir() {
		s.Metrics = evaluation.File(path)
		return s, nil
	}
	dirEntries, err := os.ReadDir(path)
	if err != nil {
		return s, fmt.Errorf("input %q: %w", name, err)
	}
	var entries []string
	for _, e := range dirEntries {
		n := e.Name()
		if e.IsDir() {
			n += "/"
		}
		entries = append(entries, n)
	}
	m, e, err := evaluation.DirFiles(name, entries, "", "")
	if err != nil {
		return s, fmt.Errorf("input %q (%s): %w", name, path, err)
	}
	if m != "" {
		s.Metrics = evaluation.File(filepath.Join(path, m))
	}
	if e != "" && s.Examples == nil {
		s.Examples = evaluation.File(filepath.Join(path, e))
	}
	return s, nil
}
