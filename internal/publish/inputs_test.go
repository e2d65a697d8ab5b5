package publish_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelci/modelci/internal/publish/publishtest"

	"github.com/modelci/modelci/internal/inputerr"
	"github.com/modelci/modelci/internal/publish"
)

func TestPrepare(t *testing.T) {
	dir := t.TempDir()
	publishtest.WriteFiles(t, dir, map[string]string{
		"report.json": passedReport, "failed.json": `{"gate":{"passed":false,"violations":[{"message":"too slow"}]}}`,
		"approval.json": `{"approved":true,"rules":{"defined":true,"approvals":1,"stale_approvals":false},"approvers":["a"],"changes_requested":[],"label_present":false,"head_sha":"c1","reasons":[]}`,
		"policy.yaml":   "approval:\n  approvals: 1\n", "bad.json": `{"approved": "yes"}`, "data/a.csv": "x\n",
	})
	p := func(name string) string { return filepath.Join(dir, name) }
	in := publish.Inputs{Layout: "layout", Report: p("report.json"), Approval: p("approval.json"), Policy: p("policy.yaml"), Commit: "c1", Data: p("data"),
		Names: map[string]string{"Report": "--report"}}
	m, err := publish.Prepare(in)
	if err != nil || !m.Record.Verdict.Allowed() || m.Record.Digests.Data == "" || m.Record.Approval == nil || len(m.Report.Metrics) != 1 {
		t.Fatalf("Prepare = %+v, %v", m, err)
	}
	failed := in
	failed.Report = p("failed.json")
	var refused *publish.RefusedError
	if _, err := publish.Prepare(failed); !errors.As(err, &refused) || !strings.Contains(err.Error(), "the gate failed: too slow") {
		t.Errorf("failed gate: %v", err)
	}
	failed.Force = true
	if m, err := publish.Prepare(failed); err != nil || !m.Record.Verdict.Forced {
		t.Errorf("forced: %+v, %v", m.Record.Verdict, err)
	}
	noReport := in
	noReport.Report = ""
	if _, err := publish.Prepare(noReport); err == nil || !strings.HasPrefix(err.Error(), "--report is required") {
		t.Errorf("no report: %v", err)
	}
	missing := in
	missing.Report = p("none.json")
	if _, err := publish.Prepare(missing); err == nil || !strings.HasPrefix(err.Error(), "--report: stat") {
		t.Errorf("missing report: %v", err)
	}
	bad := in
	bad.Approval = p("bad.json")
	var ie *inputerr.Error
	if _, err := publish.Prepare(bad); !errors.As(err, &ie) || ie.File != p("bad.json") {
		t.Errorf("bad approval: %v", err)
	}
}
