package publish

import (
	"fmt"
	"strings"

	"github.com/modelci/modelci/internal/forge"
)

// Evidence is what the decision to publish rests on.
type Evidence struct {
	// Report is the comparison's report.
	Report ReportSummary
	// Rules are the policy's approval rules (forge.ParseRules); the zero
	// value requires no approval.
	Rules forge.Rules
	// Approval is the approval evidence (forge.Approve), or nil.
	Approval *forge.Approval
	// Commit, when set, is the commit being published: the approval
	// must be about it.
	Commit string
}

// RefusedError says why publishing was refused.
type RefusedError struct {
	// Reasons are the reasons, one sentence each.
	Reasons []string
}

// Error lists the reasons.
func (e *RefusedError) Error() string {
	return "publishing refused: " + strings.Join(e.Reasons, "; ")
}

// Decide returns the verdict on ev. Unless the gate passed and the
// approval meets the rules, it returns a *RefusedError naming the
// reasons, or, when force is true, a verdict with Forced set and the
// reasons recorded.
func Decide(ev Evidence, force bool) (Verdict, error) {
	v := Verdict{GatePassed: ev.Report.GatePassed, Reasons: []string{}}
	if !v.GatePassed {
		reason := "the gate failed"
		if len(ev.Report.Violations) > 0 {
			reason += ": " + strings.Join(ev.Report.Violations, "; ")
		}
		v.Reasons = append(v.Reasons, reason)
	}
	approvalReasons := checkApproval(ev)
	v.Approved = len(approvalReasons) == 0
	v.Reasons = append(v.Reasons, approvalReasons...)
	if len(v.Reasons) == 0 {
		return v, nil
	}
	if !force {
		return Verdict{}, &RefusedError{Reasons: v.Reasons}
	}
	v.Forced = true
	return v, nil
}

// checkApproval returns why the approval evidence does not meet the
// rules, or nothing.
func checkApproval(ev Evidence) []string {
	a, r := ev.Approval, ev.Rules
	if a == nil {
		if r.Defined {
			return []string{fmt.Sprintf("the policy requires %d approving %s and no approval record was given",
				r.Approvals, plural(r.Approvals, "review", "reviews"))}
		}
		return nil
	}
	var reasons []string
	if weaker := weakerRules(a.Rules, r); weaker != "" {
		reasons = append(reasons, "the approval record was decided under weaker rules than the policy's: "+weaker)
	}
	if !a.Approved {
		reasons = append(reasons, "not approved: "+strings.Join(a.Reasons, "; "))
	}
	if ev.Commit != "" && a.HeadSHA != ev.Commit {
		reasons = append(reasons, fmt.Sprintf("the approval is for commit %q, not the published commit %q", a.HeadSHA, ev.Commit))
	}
	return reasons
}

// weakerRules says how got is weaker than want, or "".
func weakerRules(got, want forge.Rules) string {
	if !want.Defined {
		return ""
	}
	var w []string
	if !got.Defined || got.Approvals < want.Approvals {
		w = append(w, fmt.Sprintf("%d approvals required, the policy requires %d", got.Approvals, want.Approvals))
	}
	if want.Label != "" && !strings.EqualFold(got.Label, want.Label) {
		w = append(w, fmt.Sprintf("label %q required, the policy requires %q", got.Label, want.Label))
	}
	if got.StaleApprovals && !want.StaleApprovals {
		w = append(w, "stale approvals counted, the policy does not count them")
	}
	return strings.Join(w, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
