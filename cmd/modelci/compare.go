package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/modelci/modelci/internal/compare"
	"github.com/modelci/modelci/internal/metrics"
	"github.com/modelci/modelci/internal/policy"
	"github.com/modelci/modelci/internal/report"
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
(lm-evaluation-harness "_stderr" entries).

Exit codes: 0 gate passed (or no policy), 1 gate failed, 2 usage or input error.`,
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
	fl.StringVar(&f.metricsFormat, "metrics-format", "", "format of the aggregate files: json, yaml, csv, lm-eval, hf-trainer, sklearn-report (default: detected)")
	fl.StringVar(&f.examplesFormat, "examples-format", "", "format of the per-example files: jsonl or csv (default: detected)")
	fl.StringVar(&f.policy, "policy", "", "gate policy `file` (.modelci.yaml); without one the gate passes")
	fl.StringVar(&f.format, "format", "markdown", "report format: markdown (the pull-request comment), summary (the job summary) or json")
	fl.StringVarP(&f.output, "output", "o", "", "write the report to `file` instead of standard output")
	fl.StringVar(&f.jsonOutput, "json", "", "also write the JSON report to `file`")
	fl.StringVar(&f.summaryOutput, "summary", "", "also write the job summary to `file`")
	fl.StringVar(&f.title, "title", "", "title shown in the report, e.g. the model's name")
	fl.Float64Var(&f.confidence, "confidence", 0, "confidence level of the intervals (default: the policy's, else 0.95)")
	fl.IntVar(&f.resamples, "resamples", 0, "bootstrap resamples (default: the policy's, else 2000)")
	fl.Uint64Var(&f.seed, "seed", 0, "bootstrap seed (default: the policy's, else 0)")
	return cmd
}

func runCompare(cmd *cobra.Command, f compareFlags) error {
	if (f.base == "") != (f.head == "") {
		return errors.New("--base and --head go together: give both or neither")
	}
	if (f.baseExamples == "") != (f.headExamples == "") {
		return errors.New("--base-examples and --head-examples go together: give both or neither")
	}
	if f.base == "" && f.baseExamples == "" {
		return errors.New("nothing to compare: give --base and --head, --base-examples and --head-examples, or both")
	}
	render, err := renderer(f.format)
	if err != nil {
		return err
	}
	mformat, err := metrics.ParseFormat(f.metricsFormat)
	if err != nil {
		return fmt.Errorf("--metrics-format: %w", err)
	}
	eformat, err := metrics.ParseExamplesFormat(f.examplesFormat)
	if err != nil {
		return fmt.Errorf("--examples-format: %w", err)
	}

	var pol *policy.Policy
	if f.policy != "" {
		if pol, err = policy.Load(f.policy); err != nil {
			return err
		}
	}
	var base, head *metrics.Set
	if f.base != "" {
		if base, err = metrics.ReadFile(f.base, mformat); err != nil {
			return err
		}
		if head, err = metrics.ReadFile(f.head, mformat); err != nil {
			return err
		}
	}
	var paired *metrics.Paired
	if f.baseExamples != "" {
		be, err := metrics.ReadExamples(f.baseExamples, eformat)
		if err != nil {
			return err
		}
		he, err := metrics.ReadExamples(f.headExamples, eformat)
		if err != nil {
			return err
		}
		paired = metrics.Pair(be, he)
	}

	opts := pol.CompareOptions()
	if cmd.Flags().Changed("confidence") {
		if !(f.confidence > 0 && f.confidence < 1) {
			return fmt.Errorf("--confidence %v: expected a level between 0 and 1, e.g. 0.95", f.confidence)
		}
		opts.Level = f.confidence
	}
	if cmd.Flags().Changed("resamples") {
		if f.resamples < 1 {
			return fmt.Errorf("--resamples %d: expected a positive number", f.resamples)
		}
		opts.Resamples = f.resamples
	}
	if cmd.Flags().Changed("seed") {
		opts.Seed = f.seed
	}
	cmp, err := compare.Compare(cmd.Context(), base, head, paired, opts)
	if err != nil {
		return err
	}
	var verdict *policy.Verdict
	if pol != nil {
		v := pol.Evaluate(cmp)
		verdict = &v
	}
	r := report.Report{Comparison: cmp, Verdict: verdict, Title: f.title}

	out, err := render(r)
	if err != nil {
		return err
	}
	if err := writeOutput(f.output, out, cmd.OutOrStdout()); err != nil {
		return err
	}
	if f.jsonOutput != "" {
		js, err := report.JSON(r)
		if err != nil {
			return err
		}
		if err := writeOutput(f.jsonOutput, js, nil); err != nil {
			return err
		}
	}
	if f.summaryOutput != "" {
		if err := writeOutput(f.summaryOutput, []byte(report.Summary(r)), nil); err != nil {
			return err
		}
	}
	if verdict != nil && !verdict.Passed {
		return errGateFailed
	}
	return nil
}

// renderer returns the function that renders a report in format.
func renderer(format string) (func(report.Report) ([]byte, error), error) {
	switch format {
	case "markdown", "md":
		return func(r report.Report) ([]byte, error) { return []byte(report.Markdown(r)), nil }, nil
	case "summary":
		return func(r report.Report) ([]byte, error) { return []byte(report.Summary(r)), nil }, nil
	case "json":
		return report.JSON, nil
	}
	return nil, fmt.Errorf("--format %q: expected markdown, summary or json", format)
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
