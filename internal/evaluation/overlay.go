package evaluation

import (
	"math"
	"slices"
	"strings"

	"github.com/modelci/modelci/internal/metrics"
)

// readSide reads one side's aggregate metrics and per-example results,
// with its overlay (recursively) in place of what it measures again.
func readSide(side Side, mf metrics.Format, ef metrics.ExamplesFormat) (*metrics.Set, *metrics.Examples, error) {
	set, err := readMetrics(side.Metrics, mf)
	if err != nil {
		return nil, nil, err
	}
	ex, err := readExamples(side.Examples, ef)
	if err != nil || side.Overlay == nil {
		return set, ex, err
	}
	oset, oex, err := readSide(*side.Overlay, mf, ef)
	if err != nil {
		return nil, nil, err
	}
	return overlaySet(set, oset), overlayExamples(ex, oex), nil
}

// overlaySet returns set with over's metrics in place of the same-named
// ones and over's other metrics added. Either may be nil.
func overlaySet(set, over *metrics.Set) *metrics.Set {
	if over == nil {
		return set
	}
	if set == nil {
		return over
	}
	byName := make(map[string]metrics.Metric, len(set.Metrics)+len(over.Metrics))
	for _, m := range set.Metrics {
		byName[m.Name] = m
	}
	for _, m := range over.Metrics {
		byName[m.Name] = m
	}
	out := &metrics.Set{Source: set.Source + " + " + over.Source, Format: set.Format}
	for _, m := range byName {
		out.Metrics = append(out.Metrics, m)
	}
	slices.SortFunc(out.Metrics, func(a, b metrics.Metric) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// overlayExamples returns ex with over's columns in place of the
// same-named ones and over's other columns added, matched by example id.
// ex's rows stay as they are: an id only over has is left out, and a row
// of ex that over lacks has no value in over's columns. Either may be nil.
func overlayExamples(ex, over *metrics.Examples) *metrics.Examples {
	if over == nil {
		return ex
	}
	if ex == nil {
		return over
	}
	row := make(map[string]int, len(over.IDs))
	for i, id := range over.IDs {
		row[id] = i
	}
	out := &metrics.Examples{
		Source: ex.Source + " + " + over.Source,
		IDs:    ex.IDs,
		Values: make(map[string][]float64, len(ex.Columns)+len(over.Columns)),
	}
	for _, c := range ex.Columns {
		out.Values[c] = ex.Values[c]
	}
	for _, c := range over.Columns {
		col := make([]float64, len(ex.IDs))
		found := false
		for i, id := range ex.IDs {
			col[i] = math.NaN()
			if j, ok := row[id]; ok {
				col[i] = over.Values[c][j]
				found = found || !math.IsNaN(col[i])
			}
		}
		if found {
			out.Values[c] = col
		}
	}
	for c := range out.Values {
		out.Columns = append(out.Columns, c)
	}
	slices.Sort(out.Columns)
	return out
}

// WithOverlay returns s with over as the last of its overlays: over's
// metrics and columns replace those of s and of its earlier overlays.
func (s Side) WithOverlay(over Side) Side {
	if s.Overlay == nil {
		s.Overlay = &over
		return s
	}
	inner := s.Overlay.WithOverlay(over)
	s.Overlay = &inner
	return s
}
