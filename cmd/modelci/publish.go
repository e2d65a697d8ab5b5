package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/modelci/modelci/internal/publish"
	"github.com/modelci/modelci/internal/publish/location"
)

// publishFlags are the flags of `modelci publish`.
type publishFlags struct {
	registryFlags
	model, modelTag         string
	registry, s3, version   string
	alias                   string
	report, reportMarkdown  string
	approval, policy        string
	pullRequest             int
	commit                  string
	data, source, framework string
	force                   bool
}

func newPublishCommand() *cobra.Command {
	var f publishFlags
	cmd := &cobra.Command{
		Use:   "publish --model DIR --registry REPOSITORY:VERSION | --s3 s3://BUCKET/PREFIX --version VERSION",
		Short: "Publish an approved model with its evaluation, report and approval record",
		Long: `Publish pushes the packaged model (the OCI layout of modelci package, or
the pipeline's model/ directory) to an OCI registry, an S3 bucket or both,
tagged VERSION, and attaches its evaluation, its report and an approval record
(the verdict, the approvals, the pull request, the commit, the time and the
digests of the model, the data and the source) as referrers. The version
tag is written last; --alias then moves an alias to the model as promote
does.

Publish refuses, with exit code 1 and the reason, unless the report's gate
passed and the approval record (modelci's approval step, --approval) meets
the approval rules of the policy (--policy). --force publishes anyway and
says so in the approval record.

Registry credentials: a Docker config file, a user name (--username or
$MODELCI_REGISTRY_USERNAME) with --password-stdin or
$MODELCI_REGISTRY_PASSWORD, a bearer token in $MODELCI_REGISTRY_TOKEN, or
Amazon ECR. S3: the AWS credentials ($AWS_ACCESS_KEY_ID, …, profiles).

Exit codes: 0 published, 1 refused, 2 usage, input or registry error.`,
		Example: `  modelci publish --model out/model --report out/report.json --report-markdown out/report.md \
      --approval approval.json --policy .modelci.yaml --commit "$GITHUB_SHA" \
      --registry registry.example.com/models/iris:1.4.0
  modelci publish --model out/model --report out/report.json --approval approval.json \
      --s3 s3://models/iris --version 1.4.0 --alias production`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runPublishCommand(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "", "the packaged model: an OCI image layout `directory` (required)")
	fl.StringVar(&f.modelTag, "model-tag", "latest", "the model's tag in the layout")
	fl.StringVar(&f.registry, "registry", "", "the registry `reference` to push to, host[:port]/name:VERSION")
	fl.StringVar(&f.s3, "s3", "", "the S3 `URL` to push to, s3://bucket/prefix")
	fl.StringVar(&f.version, "version", "", "the version tag (default: the --registry reference's tag)")
	fl.StringVar(&f.alias, "alias", "", "an alias (e.g. production) to move to the model once it is published")
	fl.StringVar(&f.report, "report", "", "the JSON report `file` of modelci compare (required unless --force: its gate decides)")
	fl.StringVar(&f.reportMarkdown, "report-markdown", "", "the Markdown report `file`, attached too")
	fl.StringVar(&f.approval, "approval", "", "the approval record `file` (JSON) of the approval step")
	fl.StringVar(&f.policy, "policy", "", "the policy `file` (.modelci.yaml) whose approval rules apply")
	fl.IntVar(&f.pullRequest, "pull-request", 0, "the pull request's number, recorded")
	fl.StringVar(&f.commit, "commit", "", "the commit the model was built from; the approval must be about it")
	fl.StringVar(&f.data, "data", "", "the training data `directory`, whose digest is recorded")
	fl.StringVar(&f.source, "source", "", "the source tree `directory`, whose digest is recorded")
	fl.StringVar(&f.framework, "framework", "", "the model's framework (scikit-learn, pytorch, …), recorded in its config")
	fl.BoolVar(&f.force, "force", false, "publish even when refused; the approval record says so")
	f.registryFlags.add(cmd)
	return cmd
}

func runPublishCommand(cmd *cobra.Command, f publishFlags) error {
	refs, err := location.PublishRefs(f.registry, f.s3, f.version, [3]string{"--registry", "--s3", "--version"})
	if err != nil {
		return err
	}
	m, err := publish.Prepare(publish.Inputs{
		Layout: f.model, LayoutTag: f.modelTag, Report: f.report, ReportMarkdown: f.reportMarkdown,
		Approval: f.approval, Policy: f.policy, Data: f.data, Source: f.source,
		Framework: f.framework, Commit: f.commit, PullRequest: f.pullRequest, Force: f.force,
		Names: map[string]string{"Layout": "--model", "Report": "--report", "ReportMarkdown": "--report-markdown",
			"Approval": "--approval", "Policy": "--policy", "Data": "--data", "Source": "--source"},
	})
	var refused *publish.RefusedError
	if errors.As(err, &refused) {
		fmt.Fprintln(cmd.ErrOrStderr(), "modelci:", refused.Error(), "(--force overrides)")
		return errGateFailed
	}
	if err != nil {
		return err
	}
	if v := m.Record.Verdict; v.Forced {
		fmt.Fprintln(cmd.ErrOrStderr(), "modelci: warning: publishing with --force although:", strings.Join(v.Reasons, "; "))
	}
	f.s3PathStyleSet = cmd.Flags().Changed("s3-path-style")
	o, err := f.options(cmd.InOrStdin())
	if err != nil {
		return err
	}
	done, err := location.Publish(cmd.Context(), refs, o, m, f.alias, f.publishOptions(cmd))
	for _, p := range done {
		fmt.Fprint(cmd.OutOrStdout(), p)
	}
	return err
}
