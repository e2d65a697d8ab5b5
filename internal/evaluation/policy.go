package evaluation

import (
	"github.com/modelci/modelci/internal/policy"
	"github.com/modelci/modelci/internal/report"
)

// readPolicy reads and parses a policy file; nil for none.
func readPolicy(in *Input) (*policy.Policy, error) {
	return parseInput(in, policy.Parse)
}

// policyChange reads the proposed policy and returns how it differs from
// the gate's, or nil when it is absent or the same. A proposed policy that
// does not parse is an error, as the gate's would be: the pull request
// must fix it.
func policyChange(gate *policy.Policy, gateIn, proposedIn *Input) (*report.PolicyChange, error) {
	proposed, err := readPolicy(proposedIn)
	if err != nil || proposed == nil {
		return nil, err
	}
	changes := policy.Diff(gate, proposed)
	if len(changes) == 0 {
		return nil, nil
	}
	gateName := "(no policy)"
	if gateIn != nil {
		gateName = gateIn.Name
	}
	return &report.PolicyChange{Gate: gateName, Proposed: proposedIn.Name, Changes: changes}, nil
}
