package main

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/modelci/modelci/dagger/internal/dagger"
	"github.com/modelci/modelci/internal/evaluation"
	"github.com/modelci/modelci/internal/report"
	"github.com/modelci/modelci/internal/stagetime"
	"github.com/modelci/modelci/internal/steps"
)

// job is one pipeline run's inputs, shared by pipeline and check.
type job struct {
	source, baseSource, data  *dagger.Directory
	policy                    *dagger.File
	policyFrom                string
	trainCommand, evalCommand []string
	latencyCommand            []string
	trainExclude              []string
	name                      string
	// baseEval is the base side's evaluation when the base is not trained
	// (a registry baseline, see with-baseline): baseSource then only
	// supplies its policy.
	baseEval *dagger.Directory
}

// jobResult is what a run produced.
type jobResult struct {
	report              report.Report
	headModel, headEval *dagger.Directory
	baseModel, baseEval *dagger.Directory // nil without a baseline
	latency             *dagger.Directory // nil without a latency stage
	// serveBase and serveHead are the load tests of the served models;
	// nil without a serve stage.
	serveBase, serveHead *dagger.Directory
	// timings records each stage's wall time.
	timings *stagetime.Recorder
}

// Pipeline runs the whole job: trains and evaluates the head and, when a
// baseline source is given, the baseline, in parallel; compares them; gates
// the change; and packages the head model with its evaluation and report.
//
// It returns a directory with report.md (the pull-request comment),
// summary.md (the job summary), report.json, evaluation/head,
// evaluation/base and evaluation/latency, and model/ (the OCI image
// layout). A failed gate does
// not fail the pipeline: report.json says so; use check for that.
// with-baseline takes the base side from a registry instead.
func (m *Modelci) Pipeline(
	ctx context.Context,
	// The head's source (the pull request's).
	source *dagger.Directory,
	// The baseline's source (the base branch's).
	// +optional
	baseSource *dagger.Directory,
	// The gate policy; default: the .modelci.yaml of the side policy-from
	// names, if it has one.
	// +optional
	policy *dagger.File,
	// Which side's .modelci.yaml gates: "base" (a pull request cannot
	// loosen its own gate; its changes to the policy are shown in the
	// report) or "head". Without a baseline, the head's.
	// +optional
	// +default="base"
	policyFrom string,
	// Data, mounted at /data for both runs.
	// +optional
	data *dagger.Directory,
	// The training command.
	// +optional
	// +default=["python3", "train.py", "--out", "/model"]
	trainCommand []string,
	// The evaluation command.
	// +optional
	// +default=["python3", "evaluate.py", "--model", "/model", "--out", "/eval"]
	evalCommand []string,
	// The latency command (see latency): times both models interleaved in
	// one container; its metrics replace the evaluations' same-named ones.
	// Default: no latency stage. Needs a baseline.
	// +optional
	latencyCommand []string,
	// Source paths training does not read (globs).
	// +optional
	// +default=["evaluate.py", "latency.py", ".modelci.yaml", "*.md"]
	trainExclude []string,
	// The model's name, for the report and the package.
	// +optional
	// +default="model"
	name string,
) (*dagger.Directory, error) {
	res, err := m.runJob(ctx, job{source: source, baseSource: baseSource, data: data, policy: policy, policyFrom: policyFrom,
		trainCommand: trainCommand, evalCommand: evalCommand, latencyCommand: latencyCommand, trainExclude: trainExclude, name: name})
	if err != nil {
		return nil, err
	}
	return m.outputs(ctx, res, name)
}

// Check runs the whole job like pipeline and fails when the gate fails,
// listing the broken rules.
func (m *Modelci) Check(
	ctx context.Context,
	// The head's source (the pull request's).
	source *dagger.Directory,
	// The baseline's source (the base branch's).
	// +optional
	baseSource *dagger.Directory,
	// The gate policy; default: the .modelci.yaml of the side policy-from
	// names, if it has one.
	// +optional
	policy *dagger.File,
	// Which side's .modelci.yaml gates: "base" (a pull request cannot
	// loosen its own gate; its changes to the policy are shown in the
	// report) or "head". Without a baseline, the head's.
	// +optional
	// +default="base"
	policyFrom string,
	// Data, mounted at /data for both runs.
	// +optional
	data *dagger.Directory,
	// The training command.
	// +optional
	// +default=["python3", "train.py", "--out", "/model"]
	trainCommand []string,
	// The evaluation command.
	// +optional
	// +default=["python3", "evaluate.py", "--model", "/model", "--out", "/eval"]
	evalCommand []string,
	// The latency command (see latency): times both models interleaved in
	// one container; its metrics replace the evaluations' same-named ones.
	// Default: no latency stage. Needs a baseline.
	// +optional
	latencyCommand []string,
	// Source paths training does not read (globs).
	// +optional
	// +default=["evaluate.py", "latency.py", ".modelci.yaml", "*.md"]
	trainExclude []string,
	// The model's name, for the report.
	// +optional
	// +default="model"
	name string,
) (string, error) {
	res, err := m.runJob(ctx, job{source: source, baseSource: baseSource, data: data, policy: policy, policyFrom: policyFrom,
		trainCommand: trainCommand, evalCommand: evalCommand, latencyCommand: latencyCommand, trainExclude: trainExclude, name: name})
	if err != nil {
		return "", err
	}
	return gateResult(res.report)
}

// runJob runs j: against the registry's baseline when with-baseline
// named one, else training both sides.
func (m *Modelci) runJob(ctx context.Context, j job) (*jobResult, error) {
	if m.BaselineRef != "" {
		return m.runFromRegistry(ctx, j, m.BaselineRef)
	}
	return m.run(ctx, j, nil)
}

// run trains and evaluates head and base in parallel, times them when
// asked, and compares them under the chosen policy. Stages are recorded
// in rec, a new recorder when nil.
func (m *Modelci) run(ctx context.Context, j job, rec *stagetime.Recorder) (*jobResult, error) {
	gate, proposed, gateSide, err := choosePolicy(ctx, j)
	if err != nil {
		return nil, err
	}
	if j.baseEval != nil {
		j.baseSource = nil // the base side is given: its source was read for its policy only
	}
	if rec == nil {
		rec = &stagetime.Recorder{}
	}
	res := &jobResult{timings: rec, baseEval: j.baseEval}
	data, err := m.prepareSides(ctx, j, res.timings)
	if err != nil {
		return nil, err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		res.headModel, res.headEval, err = m.trainEvaluate(gctx, j, "head", j.source, data.head, res.timings)
		if err != nil {
			return fmt.Errorf("head: %w", err)
		}
		return nil
	})
	if j.baseSource != nil {
		g.Go(func() (err error) {
			res.baseModel, res.baseEval, err = m.trainEvaluate(gctx, j, "base", j.baseSource, data.base, res.timings)
			if err != nil {
				return fmt.Errorf("base: %w", err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if len(j.latencyCommand) > 0 {
		if j.baseSource == nil {
			return nil, errors.New("latency-command needs a baseline (base-source): it times both models side by side")
		}
		if err = res.timings.Time("latency", "both", func() (err error) {
			res.latency, err = m.Latency(ctx, res.baseModel, res.headModel, j.source, data.head, j.latencyCommand)
			return err
		}); err != nil {
			return nil, err
		}
	}
	if res.serveBase, res.serveHead, err = m.serveSides(ctx, res, j, data); err != nil {
		return nil, err
	}
	q := request{base: res.baseEval, head: res.headEval, latency: res.latency, serveBase: res.serveBase, serveHead: res.serveHead,
		policy: gate, proposed: proposed, policySide: gateSide, title: j.name}
	err = res.timings.Time("compare", "both", func() (err error) {
		res.report, err = q.run(ctx)
		return err
	})
	return res, err
}

// choosePolicy returns the policy that gates, the one the head proposes
// instead, if any, and the side the gate's comes from ("" for an explicit
// file): an explicit policy gates alone; else the base's .modelci.yaml
// gates and the head's is shown as a proposal, unless policy-from says head
// or there is no baseline.
func choosePolicy(ctx context.Context, j job) (gate, proposed *dagger.File, side string, err error) {
	if err := steps.CheckPolicyFrom(j.policyFrom); err != nil {
		return nil, nil, "", err
	}
	if j.policy != nil {
		return j.policy, nil, "", nil
	}
	head, err := sourcePolicy(ctx, j.source)
	if err != nil || j.baseSource == nil || j.policyFrom == steps.PolicyFromHead {
		return head, nil, "head", err
	}
	base, err := sourcePolicy(ctx, j.baseSource)
	return base, head, "base", err
}

// trainEvaluate trains and evaluates one side on data (the prepared data
// with a prepare stage).
func (m *Modelci) trainEvaluate(ctx context.Context, j job, side string, src, data *dagger.Directory, rec *stagetime.Recorder) (model, eval *dagger.Directory, err error) {
	if err = rec.Time("train", side, func() (err error) {
		model, err = m.Train(ctx, src, data, j.trainCommand, j.trainExclude)
		return err
	}); err != nil {
		return nil, nil, err
	}
	err = rec.Time("evaluate", side, func() (err error) {
		eval, err = m.Evaluate(ctx, model, src, data, j.evalCommand)
		return err
	})
	return model, eval, err
}

// outputs assembles the pipeline's result directory.
func (m *Modelci) outputs(ctx context.Context, res *jobResult, name string) (*dagger.Directory, error) {
	files := map[evaluation.Format]string{}
	for _, f := range []evaluation.Format{evaluation.Markdown, evaluation.Summary, evaluation.JSON} {
		data, err := evaluation.Render(res.report, f)
		if err != nil {
			return nil, err
		}
		files[f] = string(data)
	}
	withReport := res.headEval.
		WithNewFile(evaluation.Markdown.FileName(), files[evaluation.Markdown]).
		WithNewFile(evaluation.JSON.FileName(), files[evaluation.JSON])
	layout, err := m.Package(ctx, res.headModel, withReport, name, "", "latest", nil)
	if err != nil {
		return nil, fmt.Errorf("package: %w", err)
	}
	out := dag.Directory()
	for f, content := range files {
		out = out.WithNewFile(f.FileName(), content)
	}
	out = out.WithDirectory("evaluation/head", res.headEval).WithDirectory("model", layout)
	if res.baseEval != nil {
		out = out.WithDirectory("evaluation/base", res.baseEval)
	}
	if res.latency != nil {
		out = out.WithDirectory("evaluation/latency", res.latency)
	}
	if out, err = withTimings(out, res.timings); err != nil {
		return nil, err
	}
	if res.serveHead != nil {
		out = out.WithDirectory("evaluation/serve/head", res.serveHead)
	}
	if res.serveBase != nil {
		out = out.WithDirectory("evaluation/serve/base", res.serveBase)
	}
	return out, nil
}

// sourcePolicy returns the source's .modelci.yaml, or nil without one.
func sourcePolicy(ctx context.Context, source *dagger.Directory) (*dagger.File, error) {
	ok, err := source.Exists(ctx, ".modelci.yaml")
	if err != nil {
		return nil, fmt.Errorf("looking for .modelci.yaml in the source: %w", err)
	}
	if !ok {
		return nil, nil
	}
	return source.File(".modelci.yaml"), nil
}
