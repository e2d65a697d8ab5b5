package main

import (
	"github.com/modelci/modelci/dagger/internal/dagger"
	"github.com/modelci/modelci/internal/stagetime"
)

// withTimings adds the stages' times to a pipeline's output directory:
// timings.md (a table) and timings.json.
func withTimings(out *dagger.Directory, rec *stagetime.Recorder) (*dagger.Directory, error) {
	stages := rec.Stages()
	data, err := stagetime.JSON(stages)
	if err != nil {
		return nil, err
	}
	return out.WithNewFile("timings.md", stagetime.Markdown(stages)).WithNewFile("timings.json", string(data)), nil
}
