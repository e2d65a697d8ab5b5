package publish_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/modelci/modelci/internal/forge"
	"github.com/modelci/modelci/internal/inputerr"
	"github.com/modelci/modelci/internal/publish"
)

func TestDecide(t *testing.T) {
	rules := forge.Rules{Defined: true, Approvals: 2, Label: "ship"}
	ok := &forge.Approval{Approved: true, Rules: rules, HeadSHA: "c1", Approvers: []string{"a", "b"}}
	passed := publish.ReportSummary{GatePassed: true}
	failed := publish.ReportSummary{Violations: []string{"accuracy fell below 0.9"}}
	cases := []struct {
		name    string
		ev      publish.Evidence
		reasons []string // substrings, in order; none: allowed
	}{
		{name: "passed and approved", ev: publish.Evidence{Report: passed, Rules: rules, Approval: ok, Commit: "c1"}},
		{name: "no rules, no approval", ev: publish.Evidence{Report: passed}},
		{name: "gate failed", ev: publish.Evidence{Report: failed, Rules: rules, Approval: ok},
			reasons: []string{"the gate failed: accuracy fell below 0.9"}},
		{name: "approval missing", ev: publish.Evidence{Report: passed, Rules: rules},
			reasons: []string{"the policy requires 2 approving reviews and no approval record was given"}},
		{name: "not approved", ev: publish.Evidence{Report: passed, Rules: rules,
			Approval: &forge.Approval{Rules: rules, Reasons: []string{"1 approval of 2 required (a)"}}},
			reasons: []string{"not approved: 1 approval of 2 required (a)"}},
		{name: "weaker rules", ev: publish.Evidence{Report: passed, Rules: rules,
			Approval: &forge.Approval{Approved: true, Rules: forge.Rules{Defined: true, Approvals: 1, StaleApprovals: true}}},
			reasons: []string{`weaker rules than the policy's: 1 approvals required, the policy requires 2, label "" required, the policy requires "ship", stale approvals counted`}},
		{name: "other commit", ev: publish.Evidence{Report: passed, Rules: rules, Approval: ok, Commit: "c2"},
			reasons: []string{`the approval is for commit "c1", not the published commit "c2"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := publish.Decide(c.ev, false)
			if len(c.reasons) == 0 {
				if err != nil || !v.Allowed() || v.Forced {
					t.Fatalf("Decide = %+v, %v; want allowed", v, err)
				}
				return
			}
			var refused *publish.RefusedError
			if !errors.As(err, &refused) {
				t.Fatalf("Decide err = %v, want *RefusedError", err)
			}
			checkReasons(t, refused.Reasons, c.reasons)
			forced, err := publish.Decide(c.ev, true)
			if err != nil || !forced.Forced || !forced.Allowed() {
				t.Fatalf("forced Decide = %+v, %v", forced, err)
			}
			checkReasons(t, forced.Reasons, c.reasons)
		})
	}
}

func checkReasons(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("reasons = %q, want %d", got, len(want))
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("reason %d = %q, want it to contain %q", i, got[i], want[i])
		}
	}
}

func TestParseReport(t *testing.T) {
	s, err := publish.ParseReport("r.json", []byte(`{"metrics":[{"name":"f1","head":0.5,"base":null,"status":"new"}],"gate":{"passed":false,"violations":[{"message":"m"}]}}`))
	if err != nil || s.GatePassed || !slices.Equal(s.Violations, []string{"m"}) || len(s.Metrics) != 1 || *s.Metrics[0].Value != 0.5 {
		t.Fatalf("ParseReport = %+v, %v", s, err)
	}
	for in, want := range map[string]string{
		`{"gate":{}}`: "r.json: gate.passed: missing",
		`[]`:          "r.json: json: cannot unmarshal array",
		``:            "r.json: unexpected end of JSON input",
	} {
		if _, err := publish.ParseReport("r.json", []byte(in)); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("ParseReport(%q) = %v, want %q", in, err, want)
		}
	}
}

func FuzzParseReport(f *testing.F) {
	f.Add([]byte(passedReport))
	f.Add([]byte(`{"gate":{"passed":true}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := publish.ParseReport("r.json", data)
		var ie *inputerr.Error
		if err != nil && (!errors.As(err, &ie) || ie.File != "r.json") {
			t.Fatalf("error %v is not an input error naming the file", err)
		}
	})
}
