package forge

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	headSHA = "3f2c9a1d0b7e4c5a6f8e9d0c1b2a3f4e5d6c7b8a"
	oldSHA  = "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
)

func rv(who string, state ReviewState, commit string) Review {
	return Review{Author: who, State: state, CommitID: commit}
}

func TestEvaluate(t *testing.T) {
	one := Rules{Defined: true, Approvals: 1}
	for _, tt := range []struct {
		name      string
		rules     Rules
		labels    []string
		reviews   []Review
		approved  bool
		approvers []string
		reason    string // one of the reasons contains it
	}{
		{"no section", Rules{}, nil, nil, true, nil, "no approval is required"},
		{"one approval", one, nil, []Review{rv("alice", Approved, headSHA)}, true, []string{"alice"}, "1 approval of 1 required (alice)"},
		{"none", one, nil, nil, false, nil, "0 approvals of 1 required"},
		{"zero required", Rules{Defined: true}, nil, nil, true, nil, "0 approvals of 0 required"},
		{"stale not counted", one, nil, []Review{rv("alice", Approved, oldSHA)}, false, nil,
			"not counted, given on an older commit than the head 3f2c9a1 (stale_approvals is false): alice (on 1111111)"},
		{"stale counted", Rules{Defined: true, Approvals: 1, StaleApprovals: true}, nil, []Review{rv("alice", Approved, oldSHA)}, true, []string{"alice"}, ""},
		{"latest review per user: approval withdrawn", one, nil,
			[]Review{rv("alice", Approved, headSHA), rv("alice", ChangesRequested, headSHA)}, false, nil, "changes requested by alice"},
		{"latest review per user: changes then approval", one, nil,
			[]Review{rv("bob", ChangesRequested, oldSHA), rv("bob", Approved, headSHA)}, true, []string{"bob"}, ""},
		{"a comment leaves an approval standing", one, nil,
			[]Review{rv("alice", Approved, headSHA), rv("alice", Commented, headSHA), rv("alice", Pending, headSHA)}, true, []string{"alice"}, ""},
		{"dismissed", one, nil, []Review{rv("alice", Approved, headSHA), rv("alice", Dismissed, headSHA)}, false, nil, "0 approvals"},
		{"logins compared without case", Rules{Defined: true, Approvals: 2}, nil,
			[]Review{rv("Alice", Approved, headSHA), rv("alice", Approved, headSHA)}, false, []string{"alice"}, "1 approval of 2"},
		{"changes requested block", Rules{Defined: true, Approvals: 1}, nil,
			[]Review{rv("alice", Approved, headSHA), rv("carol", ChangesRequested, oldSHA)}, false, []string{"alice"}, "changes requested by carol"},
		{"label required and set", Rules{Defined: true, Label: "model-approved"}, []string{"bug", "Model-Approved"}, nil, true, nil, `label "model-approved" is set`},
		{"label required, missing", Rules{Defined: true, Approvals: 1, Label: "model-approved"}, []string{"bug"},
			[]Review{rv("alice", Approved, headSHA)}, false, []string{"alice"}, `label "model-approved" is not set`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := Evaluate(tt.rules, Change{Number: 7, HeadSHA: headSHA, Labels: tt.labels}, tt.reviews)
			if a.Approved != tt.approved || !slices.Equal(a.Approvers, append([]string{}, tt.approvers...)) {
				t.Errorf("Evaluate = %+v, want approved %v by %v", a, tt.approved, tt.approvers)
			}
			if tt.reason != "" && !slices.ContainsFunc(a.Reasons, func(r string) bool { return strings.Contains(r, tt.reason) }) {
				t.Errorf("reasons %q lack %q", a.Reasons, tt.reason)
			}
			if a.HeadSHA != headSHA || a.Rules != tt.rules {
				t.Errorf("record %+v", a)
			}
		})
	}
}

func TestEvaluateOrdersBySubmission(t *testing.T) {
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	late := rv("alice", ChangesRequested, headSHA)
	late.Submitted = t0.Add(time.Minute)
	early := rv("alice", Approved, headSHA)
	early.Submitted = t0
	if a := Evaluate(Rules{Defined: true, Approvals: 1}, Change{HeadSHA: headSHA}, []Review{late, early}); a.Approved {
		t.Errorf("the later review requests changes: %+v", a)
	}
}

func TestApprovalJSON(t *testing.T) {
	a := Evaluate(Rules{Defined: true, Approvals: 1, Label: "ok"}, Change{HeadSHA: headSHA, Labels: []string{"ok"}},
		[]Review{rv("alice", Approved, headSHA)})
	got, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "approved": true,
  "rules": {
    "defined": true,
    "approvals": 1,
    "label": "ok",
    "stale_approvals": false
  },
  "approvers": [
    "alice"
  ],
  "changes_requested": [],
  "label_present": true,
  "head_sha": "3f2c9a1d0b7e4c5a6f8e9d0c1b2a3f4e5d6c7b8a",
  "reasons": [
    "1 approval of 1 required (alice)",
    "label \"ok\" is set"
  ]
}`
	if string(got) != want {
		t.Errorf("JSON:\n%s\nwant:\n%s", got, want)
	}
}
