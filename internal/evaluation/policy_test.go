package evaluation

import (
	"context"
	"strings"
	"testing"
)

// A pull request that loosens its gate is judged by the base's policy, and
// the report shows what it would change.
func TestProposedPolicyIsShownNotApplied(t *testing.T) {
	side := func(acc string) Side {
		return Side{Metrics: Bytes("metrics.json", []byte(`{"accuracy": `+acc+`}`))}
	}
	gate := Bytes("base/.modelci.yaml", []byte("metrics: {accuracy: {min: 0.9}}\n"))
	loosened := Bytes("head/.modelci.yaml", []byte("metrics: {accuracy: {min: 0.5}}\n"))
	r, err := Run(context.Background(), Request{Base: side("0.95"), Head: side("0.8"), Policy: gate, ProposedPolicy: loosened})
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict == nil || r.Verdict.Passed {
		t.Fatalf("verdict %+v: the base's min 0.9 should fail 0.8", r.Verdict)
	}
	pc := r.PolicyChange
	if pc == nil || pc.Gate != "base/.modelci.yaml" || pc.Proposed != "head/.modelci.yaml" || len(pc.Changes) != 1 {
		t.Fatalf("policy change %+v, want the one loosened rule", pc)
	}
	if c := pc.Changes[0]; c.Old != "{ min: 0.9 }" || c.New != "{ min: 0.5 }" {
		t.Errorf("change %+v", c)
	}

	// The same policy proposed again is no change.
	r, err = Run(context.Background(), Request{Base: side("0.95"), Head: side("0.8"), Policy: gate, ProposedPolicy: gate})
	if err != nil || r.PolicyChange != nil {
		t.Errorf("unchanged policy: change %+v, err %v", r.PolicyChange, err)
	}

	// A broken proposal fails, naming its file.
	_, err = Run(context.Background(), Request{Head: side("0.8"), Policy: gate, ProposedPolicy: Bytes("head/.modelci.yaml", []byte("metrics: [\n"))})
	if err == nil || !strings.Contains(err.Error(), "head/.modelci.yaml") {
		t.Errorf("broken proposal: err %v, want one naming head/.modelci.yaml", err)
	}

	// No base policy: the proposal is shown in full, and nothing gates.
	r, err = Run(context.Background(), Request{Head: side("0.8"), ProposedPolicy: loosened})
	if err != nil || r.Verdict != nil || r.PolicyChange == nil || r.PolicyChange.Gate != "(no policy)" {
		t.Errorf("no gate policy: verdict %+v, change %+v, err %v", r.Verdict, r.PolicyChange, err)
	}
}
