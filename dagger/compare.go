package main

import (
	"context"
	"fmt"

	"github.com/modelci/modelci/dagger/internal/dagger"
	"github.com/modelci/modelci/internal/evaluation"
	"github.com/modelci/modelci/internal/metrics"
	"github.com/modelci/modelci/internal/report"
)

// evalFiles names the files to read from an evaluation directory and their
// formats; empty values mean the conventions of evaluation.DirFiles and
// detection.
type evalFiles struct {
	metricsFile, examplesFile     string
	metricsFormat, examplesFormat string
}

// readSide reads the files of an evaluation directory into a side of the
// comparison, named "<side>/<file>" in messages.
func readSide(ctx context.Context, side string, dir *dagger.Directory, files evalFiles) (evaluation.Side, error) {
	entries, err := dir.Entries(ctx)
	if err != nil {
		return evaluation.Side{}, err
	}
	mname, ename, err := evaluation.DirFiles(side, entries, files.metricsFile, files.examplesFile)
	if err != nil {
		return evaluation.Side{}, err
	}
	var s evaluation.Side
	if s.Metrics, err = fileInput(ctx, side, dir, mname); err != nil {
		return s, err
	}
	s.Examples, err = fileInput(ctx, side, dir, ename)
	return s, err
}

// checkEvaluation reads an evaluation directory's files with the CLI's
// readers, so a broken file fails the step that wrote it.
func checkEvaluation(ctx context.Context, name string, dir *dagger.Directory) error {
	side, err := readSide(ctx, name, dir, evalFiles{})
	if err != nil {
		return err
	}
	return evaluation.CheckSide(side)
}

// fileInput reads a file of dir; nil for no name.
func fileInput(ctx context.Context, side string, dir *dagger.Directory, name string) (*evaluation.Input, error) {
	if name == "" {
		return nil, nil
	}
	data, err := dir.File(name).Contents(ctx)
	if err != nil {
		return nil, err
	}
	return evaluation.Bytes(side+"/"+name, []byte(data)), nil
}

// request is what compare, gate, pipeline and check share: the two
// evaluation directories and the settings of the comparison.
type request struct {
	base, head *dagger.Directory
	// latency holds base/ and head/, the latency stage's measurements.
	latency *dagger.Directory
	// serveBase and serveHead are the serve stage's load tests.
	serveBase, serveHead *dagger.Directory
	policy, proposed     *dagger.File
	// policySide is the side whose .modelci.yaml policy is, named in the
	// report as "<side>/.modelci.yaml"; empty for a file given as is. The
	// proposed policy is always the head's.
	policySide string
	files      evalFiles
	title      string
	confidence *float64
	resamples  *int
	seed       *int
}

// run reads both evaluations and the policy and compares them: the same
// orchestration as modelci compare.
func (q request) run(ctx context.Context) (report.Report, error) {
	req := evaluation.Request{Title: q.title}
	var err error
	if req.MetricsFormat, err = metrics.ParseFormat(q.files.metricsFormat); err != nil {
		return report.Report{}, fmt.Errorf("--metrics-format: %w", err)
	}
	if req.ExamplesFormat, err = metrics.ParseExamplesFormat(q.files.examplesFormat); err != nil {
		return report.Report{}, fmt.Errorf("--examples-format: %w", err)
	}
	if req.Overrides, err = overrides(q.confidence, q.resamples, q.seed); err != nil {
		return report.Report{}, err
	}
	base := q.base
	if base == nil {
		base = dag.Directory()
	}
	if req.Base, err = readSide(ctx, "base", base, q.files); err != nil {
		return report.Report{}, err
	}
	if req.Head, err = readSide(ctx, "head", q.head, q.files); err != nil {
		return report.Report{}, err
	}
	if q.latency != nil {
		if err = addOverlays(ctx, &req, "latency", q.latency.Directory("base"), q.latency.Directory("head")); err != nil {
			return report.Report{}, err
		}
	}
	if err = addOverlays(ctx, &req, "serve", q.serveBase, q.serveHead); err != nil {
		return report.Report{}, err
	}
	if req.Policy, err = policyInput(ctx, q.policySide, q.policy); err != nil {
		return report.Report{}, err
	}
	if req.ProposedPolicy, err = policyInput(ctx, "head", q.proposed); err != nil {
		return report.Report{}, err
	}
	return evaluation.Run(ctx, req)
}

// addOverlays reads a stage's measurements of each side (evaluation
// directories; nil for a side it did not measure), named "<stage>/base"
// and "<stage>/head", and adds them as that side's last overlay.
func addOverlays(ctx context.Context, req *evaluation.Request, stage string, base, head *dagger.Directory) error {
	for _, s := range []struct {
		name string
		dir  *dagger.Directory
		side *evaluation.Side
	}{{stage + "/base", base, &req.Base}, {stage + "/head", head, &req.Head}} {
		if s.dir == nil {
			continue
		}
		over, err := readSide(ctx, s.name, s.dir, evalFiles{})
		if err != nil {
			return err
		}
		*s.side = s.side.WithOverlay(over)
	}
	return nil
}

// policyInput reads a policy file, named by its base name after side/ when
// side is not empty; nil for none.
func policyInput(ctx context.Context, side string, f *dagger.File) (*evaluation.Input, error) {
	if f == nil {
		return nil, nil
	}
	name, err := f.Name(ctx)
	if err != nil {
		return nil, err
	}
	if side != "" {
		name = side + "/" + name
	}
	data, err := f.Contents(ctx)
	if err != nil {
		return nil, err
	}
	return evaluation.Bytes(name, []byte(data)), nil
}

// overrides translates the optional arguments, checked as the CLI checks
// its flags.
func overrides(confidence *float64, resamples, seed *int) (evaluation.Overrides, error) {
	o := evaluation.Overrides{Confidence: confidence, Resamples: resamples}
	if seed != nil {
		if *seed < 0 {
			return o, fmt.Errorf("--seed %d: expected a number from 0", *seed)
		}
		s := uint64(*seed)
		o.Seed = &s
	}
	if err := o.Check(); err != nil {
		return o, fmt.Errorf("--%w", err)
	}
	return o, nil
}

// gateResult is gate's answer: the verdict in words, or an error listing
// the broken rules.
func gateResult(r report.Report) (string, error) {
	msg := evaluation.GateMessage(r)
	if !evaluation.Passed(r) {
		return "", fmt.Errorf("%s", msg)
	}
	return msg, nil
}

// Compare compares a head evaluation with its baseline and renders the
// report: the pull-request comment (markdown), the job summary (summary)
// or JSON (json). The gate's verdict is in the report; use gate to fail on
// it. Each directory holds metrics.json (or metrics.yaml, metrics.yml,
// metrics.csv) and/or examples.jsonl (or examples.csv).
func (m *Modelci) Compare(
	ctx context.Context,
	// The baseline's evaluation directory; empty or absent for no baseline.
	// +optional
	base *dagger.Directory,
	// The head's evaluation directory.
	head *dagger.Directory,
	// The gate policy (.modelci.yaml).
	// +optional
	policy *dagger.File,
	// The report's format: markdown, summary or json.
	// +optional
	// +default="markdown"
	format string,
	// A title for the report, e.g. the model's name.
	// +optional
	title string,
	// The aggregate metrics file's name in both directories (default: the first of metrics.json, metrics.yaml, metrics.yml, metrics.csv).
	// +optional
	metricsFile string,
	// The per-example file's name in both directories (default: examples.jsonl or examples.csv).
	// +optional
	examplesFile string,
	// The aggregate files' format: json, yaml, csv, lm-eval, hf-trainer, sklearn-report (default: detected).
	// +optional
	metricsFormat string,
	// The per-example files' format: jsonl or csv (default: detected).
	// +optional
	examplesFormat string,
	// Confidence level of the intervals (default: the policy's, else 0.95).
	// +optional
	confidence *float64,
	// Bootstrap resamples, 100 to 1000000 (default: the policy's, else 2000).
	// +optional
	resamples *int,
	// Bootstrap seed (default: the policy's, else 0).
	// +optional
	seed *int,
) (*dagger.File, error) {
	f, err := evaluation.ParseFormat(format)
	if err != nil {
		return nil, fmt.Errorf("--%w", err)
	}
	q := request{base: base, head: head, policy: policy, title: title,
		files:      evalFiles{metricsFile, examplesFile, metricsFormat, examplesFormat},
		confidence: confidence, resamples: resamples, seed: seed}
	r, err := q.run(ctx)
	if err != nil {
		return nil, err
	}
	out, err := evaluation.Render(r, f)
	if err != nil {
		return nil, err
	}
	return dag.Directory().WithNewFile(f.FileName(), string(out)).File(f.FileName()), nil
}

// Gate compares a head evaluation with its baseline and fails when the
// policy's gate fails, listing the broken rules: the same verdict as
// "modelci compare --policy".
func (m *Modelci) Gate(
	ctx context.Context,
	// The baseline's evaluation directory; empty or absent for no baseline.
	// +optional
	base *dagger.Directory,
	// The head's evaluation directory.
	head *dagger.Directory,
	// The gate policy (.modelci.yaml).
	policy *dagger.File,
	// Confidence level of the intervals (default: the policy's, else 0.95).
	// +optional
	confidence *float64,
	// Bootstrap resamples, 100 to 1000000 (default: the policy's, else 2000).
	// +optional
	resamples *int,
	// Bootstrap seed (default: the policy's, else 0).
	// +optional
	seed *int,
) (string, error) {
	q := request{base: base, head: head, policy: policy, confidence: confidence, resamples: resamples, seed: seed}
	r, err := q.run(ctx)
	if err != nil {
		return "", err
	}
	return gateResult(r)
}
