package ghaction

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/sethvargo/go-githubactions"

	"github.com/modelci/modelci/internal/evaluation"
	"github.com/modelci/modelci/internal/forge"
	"github.com/modelci/modelci/internal/report"
)

// Files the compare step writes into its output directory, which the
// comment workflow reads back from the artifact.
const (
	ReportJSON   = "report.json"
	CommentFile  = "report.md"
	SummaryFile  = "summary.md"
	PullFile     = "pull-request.json"
	ApprovalFile = "approval.json"
)

// compareInputs are the inputs of actions/compare, checked.
type compareInputs struct {
	req        evaluation.Request
	policy     string // the gate's policy file, or ""
	policyPath string // the policy's path in the repository, for annotations
	outputDir  string
	comment    bool
	approval   bool
	failOnGate bool
	pr         pullRequest
	post       postInputs
}

// Compare is actions/compare: it compares, writes report.json, report.md
// and summary.md to the output directory and the summary to the job
// summary, annotates the policy file at each violated rule, posts or
// updates the pull request's comment, records the approval evidence
// (approval.json), sets the outputs, and returns ErrGateFailed when the
// gate failed and fail-on-gate is true.
func Compare(ctx context.Context, a *githubactions.Action) error {
	r, err := newRunner(a)
	if err != nil {
		return err
	}
	in, err := readCompareInputs(r)
	if err != nil {
		return err
	}
	rep, err := evaluation.Run(ctx, in.req)
	if err == nil {
		// A run cancelled while comparing writes nothing.
		err = ctx.Err()
	}
	if err != nil {
		return err
	}
	if err := writeReport(r, in.outputDir, rep); err != nil {
		return err
	}
	annotate(r, rep, in.policyPath)
	verdict := "none"
	if rep.Verdict != nil {
		verdict = map[bool]string{true: "passed", false: "failed"}[rep.Verdict.Passed]
	}
	r.output("verdict", verdict)
	if in.pr.Number > 0 {
		if _, err := writeJSON(in.outputDir, PullFile, in.pr); err != nil {
			return err
		}
	}
	if err := commentAndApprove(ctx, r, in, rep); err != nil {
		return err
	}
	if !evaluation.Passed(rep) {
		msg := evaluation.GateMessage(rep)
		if !in.failOnGate {
			r.a.Warningf("%s (fail-on-gate is false: the step passes)", msg)
			return nil
		}
		r.a.Errorf("%s", msg)
		return ErrGateFailed
	}
	return nil
}

// commentAndApprove posts the comment and records the approval, when
// asked and a pull request is known.
func commentAndApprove(ctx context.Context, r runner, in compareInputs, rep report.Report) error {
	if !in.comment && !in.approval {
		return nil
	}
	if in.pr.Number == 0 {
		r.a.Noticef("not a pull request (event %q) and no pull-request input: no comment, no approval record", r.a.Getenv("GITHUB_EVENT_NAME"))
		return nil
	}
	f, err := in.post.forge(r)
	if err != nil {
		return err
	}
	if in.comment {
		if err := postComment(ctx, r, f, in.pr.Number, report.Markdown(rep), in.post.id); err != nil {
			return err
		}
	}
	if in.approval {
		return recordApproval(ctx, r, f, in)
	}
	return nil
}

// readCompareInputs reads and checks the inputs of actions/compare.
func readCompareInputs(r runner) (compareInputs, error) {
	var in compareInputs
	head, err := r.required("head")
	if err != nil && r.input("head-examples") == "" {
		return in, fmt.Errorf("%w: the head's evaluation directory or metrics file (or head-examples)", err)
	}
	if in.req.Head, err = side("head", r.workspacePath(head), r.workspacePath(r.input("head-examples"))); err != nil {
		return in, err
	}
	if in.req.Base, err = side("base", r.workspacePath(r.input("base")), r.workspacePath(r.input("base-examples"))); err != nil {
		return in, err
	}
	for _, o := range []struct {
		input string
		side  *evaluation.Side
	}{{"head-overlay", &in.req.Head}, {"base-overlay", &in.req.Base}} {
		if p := r.input(o.input); p != "" {
			ov, err := side(o.input, r.workspacePath(p), "")
			if err != nil {
				return in, err
			}
			o.side.Overlay = &ov
		}
	}
	in.req.Title = r.input("title")
	in.req.Baseline = r.input("baseline-name")
	if in.policy = r.input("policy"); in.policy != "" {
		in.req.Policy = evaluation.File(r.workspacePath(in.policy))
	}
	if p := r.input("proposed-policy"); p != "" {
		in.req.ProposedPolicy = evaluation.File(r.workspacePath(p))
	}
	in.policyPath = r.input("policy-path")
	if in.policyPath == "" {
		in.policyPath = in.policy
	}
	for name, dst := range map[string]*bool{"comment": &in.comment, "approval": &in.approval, "fail-on-gate": &in.failOnGate} {
		if *dst, err = r.boolean(name, true); err != nil {
			return in, err
		}
	}
	if in.outputDir, err = outputDir(r); err != nil {
		return in, err
	}
	if in.pr, err = readPullRequest(r); err != nil {
		return in, err
	}
	in.post, err = readPostInputs(r, (in.comment || in.approval) && in.pr.Number > 0)
	return in, err
}

// outputDir is the output-dir input (default $RUNNER_TEMP/modelci),
// created.
func outputDir(r runner) (string, error) {
	dir := r.input("output-dir")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "modelci")
		if t := r.a.Getenv("RUNNER_TEMP"); t != "" {
			dir = filepath.Join(t, "modelci")
		}
	}
	dir = r.workspacePath(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("input \"output-dir\": %w", err)
	}
	return dir, nil
}

// writeReport writes the three renderings, the job summary and the
// outputs naming the files.
func writeReport(r runner, dir string, rep report.Report) error {
	for _, f := range []struct {
		format evaluation.Format
		name   string
		output string
	}{{evaluation.JSON, ReportJSON, "report"}, {evaluation.Markdown, CommentFile, "comment"}, {evaluation.Summary, SummaryFile, "summary"}} {
		data, err := evaluation.Render(rep, f.format)
		if err != nil {
			return err
		}
		p, err := writeFile(dir, f.name, data)
		if err != nil {
			return err
		}
		r.output(f.output, p)
		if f.format == evaluation.Summary {
			r.summary(string(data))
		}
	}
	return nil
}

// annotate prints an error annotation for each violation, on the policy
// file at the line of the rule that broke when the policy knows it, and a
// warning for each of the report's warnings.
func annotate(r runner, rep report.Report, policyPath string) {
	if v := rep.Verdict; v != nil {
		for _, viol := range v.Violations {
			fields := map[string]string{"title": "modelci gate: " + viol.Metric + " " + viol.Rule}
			if policyPath != "" {
				fields["file"] = policyPath
				if e, ok := rep.Policy.Entry(viol.Metric); ok && e.Line > 0 {
					fields["line"] = strconv.Itoa(e.Line)
				}
			}
			r.a.WithFieldsMap(fields).Errorf("%s", viol.Message)
		}
	}
	for _, w := range report.Warnings(rep) {
		r.a.Warningf("%s", w.Message)
	}
}

// recordApproval decides the approval under the gate policy's rules and
// writes approval.json.
func recordApproval(ctx context.Context, r runner, f forge.Forge, in compareInputs) error {
	var rules forge.Rules
	if in.policy != "" {
		p := r.workspacePath(in.policy)
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("input \"policy\": %w", err)
		}
		if rules, err = forge.ParseRules(in.policy, data); err != nil {
			return err
		}
	}
	ap, err := forge.Approve(ctx, f, in.pr.Number, rules)
	if err != nil {
		return err
	}
	p, err := writeJSON(in.outputDir, ApprovalFile, ap)
	if err != nil {
		return err
	}
	r.output("approval", p)
	r.output("approved", strconv.FormatBool(ap.Approved))
	return nil
}
