package report

import (
	"strings"
	"testing"

	"github.com/modelci/modelci/internal/policy"
)

// The golden case "policy-changed": a pull request loosens the gate.
const (
	gatePolicy     = "defaults: {max_drop: 1%}\nmetrics: {accuracy: {min: 0.9}}"
	proposedPolicy = "confidence: 0.9\ndefaults: {max_drop: 5%}\nmetrics: {eval_loss: {max_increase: 0.1}}"
)

func policyChange(t testing.TB, gate, proposed string) *PolicyChange {
	t.Helper()
	g, err := policy.Parse("base/.modelci.yaml", []byte(gate))
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Parse("head/.modelci.yaml", []byte(proposed))
	if err != nil {
		t.Fatal(err)
	}
	return &PolicyChange{Gate: g.Source, Proposed: p.Source, Changes: policy.Diff(g, p)}
}

// The change is never cut before the violations, and an unchanged policy
// shows nothing.
func TestPolicyChangeSection(t *testing.T) {
	r := Report{PolicyChange: policyChange(t, gatePolicy, proposedPolicy)}
	if md := Markdown(r); !strings.Contains(md, "| metrics.\"accuracy\" | { min: 0.9 } | — |") {
		t.Errorf("the removed rule is not shown as removed:\n%s", md)
	}
	r.PolicyChange = policyChange(t, gatePolicy, gatePolicy)
	if md := Markdown(r); strings.Contains(md, "Gate policy") {
		t.Errorf("an unchanged policy is shown as changed:\n%s", md)
	}
}
