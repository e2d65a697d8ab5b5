package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/modelci/modelci/internal/evaluation"
	"github.com/modelci/modelci/internal/metrics"
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
		Args: cobra.NoArgs,
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
	fl.StringVarP(&f.output, "output", "o", "", "write the report to `file` instead of standard output")
	fl.StringVar(&f.jsonOutput, "json", "", "also write the JSON report to `file`")
	fl.StringVar(&f.summaryOutput, "summary", "", "also write the job summary to `file`")
	fl.StringVar(&f.title, "title", "", "title shown in the report, e.g. the model's name")
	fl.Float64Var(&f.confidence, "confidence", 0, fmt.Sprintf("confidence level of the intervals (default: the policy's, else %v)", evaluation.DefaultConfidence))
	fl.IntVar(&f.resamples, "resamples", 0, fmt.Sprintf("bootstrap resamples, %d to %d (default: the policy's, else %d)", evaluation.MinResamples, evaluation.MaxResamples, evaluation.DefaultResamples))
	fl.Uint64Var(&f.seed, "seed", 0, fmt.Sprintf("bootstrap seed (default: the policy's, else %d)", evaluation.DefaultSeed))
	return cmd
}

func runCompare(cmd *cobra.Command, f compareFlags) error {
	req, format, err := compareRequest(cmd, f)
	if err != nil {
		return err
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
		if err := writeOutput(extra.path, data, nil); err != nil {
			return err
		}
	}
	if !evaluation.Passed(r) {
		return errGateFailed
	}
	return nil
}

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
	return req, format, nil
}

// fileInput is the input reading path, or nil when path is empty.
func fileInput(path string) *evaluation.Input {
	if path == "" {
		return nil
	}
	return evaluation.File(path)
}

// writeOutput writes data to path, or to stdout when path is empty. A file
// is written whole or not at all: to a temporary file renamed into place.
func writeOutput(path string, data []byte, stdout io.Writer) error {
	if path == "" {
		_, err := stdout.Write(data)
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
