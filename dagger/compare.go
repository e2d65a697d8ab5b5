package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/modelci/modelci/dagger/internal/dagger"
	"github.com/modelci/modelci/internal/compare"
	"github.com/modelci/modelci/internal/metrics"
	"github.com/modelci/modelci/internal/policy"
	"github.com/modelci/modelci/internal/report"
)

// Files of an evaluation directory.
const (
	metricsFile  = "metrics.json"
	examplesFile = "examples.jsonl"
)

// evaluation is what an evaluation directory holds, read with the same
// readers as the CLI.
type evaluation struct {
	metrics  *metrics.Set
	examples *metrics.Examples
}

// readEvaluation reads metrics.json and examples.jsonl, whichever are
// present, from dir; side ("base" or "head") names it in messages. An empty
// base directory (no baseline) reads as an empty evaluation.
func readEvaluation(ctx context.Context, side string, dir *dagger.Directory) (*evaluation, error) {
	entries, err := dir.Entries(ctx)
	if err != nil {
		return nil, err
	}
	has := map[string]bool{}
	for _, e := range entries {
		has[strings.TrimSuffix(e, "/")] = true
	}
	ev := &evaluation{}
	if !has[metricsFile] && !has[examplesFile] {
		if len(entries) == 0 && side == "base" {
			return ev, nil
		}
		return nil, fmt.Errorf("%s evaluation has neither %s nor %s (found: %s)", side, metricsFile, examplesFile, strings.Join(entries, ", "))
	}
	if has[metricsFile] {
		data, err := dir.File(metricsFile).Contents(ctx)
		if err != nil {
			return nil, err
		}
		if ev.metrics, err = metrics.Parse(side+"/"+metricsFile, []byte(data), metrics.FormatAuto); err != nil {
			return nil, err
		}
	}
	if has[examplesFile] {
		data, err := dir.File(examplesFile).Contents(ctx)
		if err != nil {
			return nil, err
		}
		if ev.examples, err = metrics.ParseExamples(side+"/"+examplesFile, strings.NewReader(data), metrics.ExamplesJSONL); err != nil {
			return nil, err
		}
	}
	return ev, nil
}

// comparison is a finished comparison with its verdict.
type comparison struct {
	report report.Report
}

// compareEvaluations compares two evaluation directories under an optional
// policy, exactly as "modelci compare" does.
func compareEvaluations(ctx context.Context, baseDir, headDir *dagger.Directory, policyFile *dagger.File, title string) (*comparison, error) {
	var pol *policy.Policy
	if policyFile != nil {
		name, err := policyFile.Name(ctx)
		if err != nil {
			return nil, err
		}
		data, err := policyFile.Contents(ctx)
		if err != nil {
			return nil, err
		}
		if pol, err = policy.Parse(name, []byte(data)); err != nil {
			return nil, err
		}
	}
	base, err := readEvaluation(ctx, "base", baseDir)
	if err != nil {
		return nil, err
	}
	head, err := readEvaluation(ctx, "head", headDir)
	if err != nil {
		return nil, err
	}
	var paired *metrics.Paired
	if base.examples != nil || head.examples != nil {
		paired = metrics.Pair(base.examples, head.examples)
	}
	cmp, err := compare.Compare(ctx, base.metrics, head.metrics, paired, pol.CompareOptions())
	if err != nil {
		return nil, err
	}
	r := report.Report{Comparison: cmp, Title: title}
	if pol != nil {
		v := pol.Evaluate(cmp)
		r.Verdict = &v
	}
	return &comparison{report: r}, nil
}

// render returns the report's file name and content in format.
func (c *comparison) render(format string) (name, content string, err error) {
	switch format {
	case "markdown", "md", "":
		return "report.md", report.Markdown(c.report), nil
	case "summary":
		return "summary.md", report.Summary(c.report), nil
	case "json":
		js, err := report.JSON(c.report)
		return "report.json", string(js), err
	}
	return "", "", fmt.Errorf("format %q: expected markdown, summary or json", format)
}

// gateError returns the verdict, or an error listing the broken rules when
// the gate failed.
func (c *comparison) gateError() (string, error) {
	v := c.report.Verdict
	if v == nil {
		return "gate passed: no policy", nil
	}
	if v.Passed {
		return "gate passed", nil
	}
	msgs := make([]string, len(v.Violations))
	for i, viol := range v.Violations {
		msgs[i] = "  - " + viol.Message
	}
	return "", fmt.Errorf("gate failed: %d rule(s) broken:\n%s", len(v.Violations), strings.Join(msgs, "\n"))
}

// outputs assembles the pipeline's result directory.
func (c *comparison) outputs(m *Modelci, model, headEval, baseEval *dagger.Directory, name string) (*dagger.Directory, error) {
	js, err := report.JSON(c.report)
	if err != nil {
		return nil, err
	}
	md := report.Markdown(c.report)
	evalWithReport := headEval.
		WithNewFile("report.md", md).
		WithNewFile("report.json", string(js))
	out := dag.Directory().
		WithNewFile("report.md", md).
		WithNewFile("summary.md", report.Summary(c.report)).
		WithNewFile("report.json", string(js)).
		WithDirectory("evaluation/head", headEval).
		WithDirectory("model", m.Package(model, evalWithReport, name, ""))
	if baseEval != nil {
		out = out.WithDirectory("evaluation/base", baseEval)
	}
	return out, nil
}
