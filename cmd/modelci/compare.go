package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/modelci/modelci/internal/evaluation"
	"github.com/modelci/modelci/internal/metrics"
	"github.com/modelci/modelci/internal/outfile"
)

// compareFlags are the flags of `modelci compare`.
type compareFlags struct {
	base, head                 string
	baseExamples, headExamples string
	metricsFormat              string
	examplesFormat             string
	policy                     string
	format                     string
	output                     string
	jsonOutput                 string
	summaryOutput              string
	title                      string
	confidence                 float64
	resamples                  int
	seed                       uint64
	baseline                   baselineFlags
}

func newCompareCommand() *cobra.Command {
	var f compareFlags
	cmd := &cobra.Command{
		Use:   "compare",
		Short: "Compare a head evaluation with its baseline and gate it",
		Long: `Compare reads the baseline's and the head's evaluation results, compares
every metric (delta, relative change, direction, confidence interval,
status), checks the gate in the policy file, and writes the report.

Give aggregate metric files (--base/--head), per-example result files
(--base-examples/--head-examples), or both. Per-example files are paired by
their "id" field and give each metric a paired-bootstrap confidence
interval; without them, standard errors in the metric files are used
(lm-evaluation-harness "_stderr" entries). Without any baseline file (a
first pull request) every head metric is new; the policy's bounds still
apply.

Exit codes: 0 gate passed (or no policy), 1 gate failed, 2 usage or input
error, 130 interrupted (SIGINT or SIGTERM).`,
		Example: `  modelci compare --base base/metrics.json --head head/metrics.json
  modelci compare --base-examples base/examples.jsonl --head-examples head/examples.jsonl \
      --policy .modelci.yaml --format markdown --output comment.md --json report.json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCompare(cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.base, "base", "", "baseline's aggregate metrics `file` (JSON, YAML, CSV, lm-eval, HF Trainer, scikit-learn report)")
	fl.StringVar(&f.head, "head", "", "head's aggregate metrics `file`")
	fl.StringVar(&f.baseExamples, "base-examples", "", "baseline's per-example results `file` (JSON Lines or CSV, with an id field)")
	fl.StringVar(&f.headExamples, "head-examples", "", "head's per-example results `file`")
	fl.StringVar(&f.metricsFormat, "metrics-format", "", "format of the aggregate files: "+strings.Join(metrics.Formats()[1:], ", ")+" (default: detected)")
	fl.StringVar(&f.examplesFormat, "examples-format", "", "format of the per-example files: jsonl or csv (default: detected)")
	fl.StringVar(&f.policy, "policy", "", "gate policy `file` (.modelci.yaml); without one the gate passes")
	fl.StringVar(&f.format, "format", string(evaluation.DefaultFormat), "report format: markdown (the pull-request comment), summary (the job summary) or json")
	fl.StringVarP(&f.output, "output", "o", "", "write the report to `file` instead of standard output (- for standard output)")
	fl.StringVar(&f.jsonOutput, "json", "", "also write the JSON report to `file` (- for standard output)")
	fl.StringVar(&f.summaryOutput, "summary", "", "also write the job summary to `file` (- for standard output)")
	fl.StringVar(&f.title, "title", "", "title shown in the report, e.g. the model's name")
	fl.Float64Var(&f.confidence, "confidence", 0, fmt.Sprintf("confidence level of the intervals (default: the policy's, else %v)", evaluation.DefaultConfidence))
	fl.Var(resamplesFlag{&f.resamples}, "resamples", fmt.Sprintf("bootstrap resamples, %d to %d (default: the policy's, else %d)", evaluation.MinResamples, evaluation.MaxResamples, evaluation.DefaultResamples))
	fl.Uint64Var(&f.seed, "seed", 0, fmt.Sprintf("bootstrap seed (default: the policy's, else %d)", evaluation.DefaultSeed))
	f.baseline.add(cmd)
	return cmd
}

func runCompare(cmd *cobra.Command, f compareFlags) error {
	req, format, err := compareRequest(cmd, f)
	if err != nil {
		return err
	}
	if f.baseline.ref != "" {
		cleanup, err := registryBaseline(cmd, f.baseline, &req)
		if err != nil {
			return err
		}
		defer cleanup()
	}
	r, err := evaluation.Run(cmd.Context(), req)
	if err != nil {
		return err
	}
	out, err := evaluation.Render(r, format)
	if err != nil {
		return err
	}
	if err := writeOutput(f.output, out, cmd.OutOrStdout()); err != nil {
		return err
	}
	for _, extra := range []struct {
		path   string
		format evaluation.Format
	}{{f.jsonOutput, evaluation.JSON}, {f.summaryOutput, evaluation.Summary}} {
		if extra.path == "" {
			continue
		}
		data, err := evaluation.Render(r, extra.format)
		if err != nil {
			return err
		}
		if err := writeOutput(extra.path, data, cmd.OutOrStdout()); err != nil {
			return err
		}
	}
	if !evaluation.Passed(r) {
		// The report may be in a file: a CI log still says why.
		fmt.Fprintln(cmd.ErrOrStderr(), "modelci:", evaluation.GateMessage(r))
		return errGateFailed
	}
	return nil
}

// checkOutputs checks, before the comparison runs, that every output can
// be written and overwrites no input and no other output.
func checkOutputs(f compareFlags) error {
	report := outfile.Named{Flag: "--output", Path: f.output}
	if f.output == "" {
		report = outfile.Named{Flag: "the report (without --output)", Path: outfile.Stdout}
	}
	outputs := []outfile.Named{report, {Flag: "--json", Path: f.jsonOutput}, {Flag: "--summary", Path: f.summaryOutput}}
	for _, o := range outputs {
		if o.Path != "" {
			if err := outfile.Check(o.Path); err != nil {
				return fmt.Errorf("%s: %w", o.Flag, err)
			}
		}
	}
	return outfile.Distinct(outputs, []outfile.Named{
		{Flag: "--base", Path: f.base}, {Flag: "--head", Path: f.head},
		{Flag: "--base-examples", Path: f.baseExamples}, {Flag: "--head-examples", Path: f.headExamples},
		{Flag: "--policy", Path: f.policy},
	})
}

// resamplesFlag is the --resamples flag: an int, whose parse error (a
// number too large for an int, say) states the bounds.
type resamplesFlag struct{ n *int }

func (r resamplesFlag) String() string {
	if r.n == nil {
		return "0"
	}
	return strconv.Itoa(*r.n)
}

func (r resamplesFlag) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("expected a whole number from %d to %d", evaluation.MinResamples, evaluation.MaxResamples)
	}
	*r.n = n
	return nil
}

func (resamplesFlag) Type() string { return "int" }

// compareRequest checks the flags and translates them into a request.
func compareRequest(cmd *cobra.Command, f compareFlags) (evaluation.Request, evaluation.Format, error) {
	var req evaluation.Request
	if f.base != "" && f.head == "" {
		return req, "", fmt.Errorf("--base needs --head: the head's metrics are what is compared")
	}
	if f.baseExamples != "" && f.headExamples == "" {
		return req, "", fmt.Errorf("--base-examples needs --head-examples: the head's examples are what is compared")
	}
	if f.head == "" && f.headExamples == "" {
		return req, "", fmt.Errorf("nothing to compare: give --head (and --base), --head-examples (and --base-examples), or both")
	}
	format, err := evaluation.ParseFormat(f.format)
	if err != nil {
		return req, "", fmt.Errorf("--%w", err)
	}
	if req.MetricsFormat, err = metrics.ParseFormat(f.metricsFormat); err != nil {
		return req, "", fmt.Errorf("--metrics-format: %w", err)
	}
	if req.ExamplesFormat, err = metrics.ParseExamplesFormat(f.examplesFormat); err != nil {
		return req, "", fmt.Errorf("--examples-format: %w", err)
	}
	req.Base = evaluation.Side{Metrics: fileInput(f.base), Examples: fileInput(f.baseExamples)}
	req.Head = evaluation.Side{Metrics: fileInput(f.head), Examples: fileInput(f.headExamples)}
	req.Policy = fileInput(f.policy)
	req.Title = f.title
	changed := cmd.Flags().Changed
	if changed("confidence") {
		req.Overrides.Confidence = &f.confidence
	}
	if changed("resamples") {
		req.Overrides.Resamples = &f.resamples
	}
	if changed("seed") {
		req.Overrides.Seed = &f.seed
	}
	if err := req.Overrides.Check(); err != nil {
		return req, "", fmt.Errorf("--%w", err)
	}
	if err := checkOutputs(f); err != nil {
		return req, "", err
	}
	return req, format, nil
}

// fileInput is the input reading path, or nil when path is empty.
func fileInput(path string) *evaluation.Input {
	if path == "" {
		return nil
	}
	return evaluation.File(path)
}

// writeOutput writes data to path, or to stdout when path is empty or
// outfile.Stdout.
func writeOutput(path string, data []byte, stdout io.Writer) error {
	if path == "" || path == outfile.Stdout {
		_, err := stdout.Write(data)
		return err
	}
	return outfile.Write(path, data)
}
