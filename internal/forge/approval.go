package forge

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Approval is the evidence that a pull request is approved under Rules,
// recorded for the publish step. It marshals to JSON:
//
//	{
//	  "approved": true,
//	  "rules": {"defined": true, "approvals": 1, "label": "model-approved", "stale_approvals": false},
//	  "approvers": ["alice"],             // approvals that count, never null
//	  "changes_requested": [],            // reviewers whose latest review requests changes, never null
//	  "label_present": true,              // the required label is set (false when none is required)
//	  "head_sha": "3f2c…",
//	  "reasons": ["1 approval of 1 required (alice)", "label \"model-approved\" is set"]
//	}
type Approval struct {
	// Approved is the decision: enough approvals that count, the label
	// when one is required, and no outstanding request for changes.
	Approved bool `json:"approved"`
	// Rules are the rules applied.
	Rules Rules `json:"rules"`
	// Approvers are the reviewers whose approval counts, sorted.
	Approvers []string `json:"approvers"`
	// ChangesRequested are the reviewers whose latest review asks for
	// changes, sorted.
	ChangesRequested []string `json:"changes_requested"`
	// LabelPresent says the required label is set.
	LabelPresent bool `json:"label_present"`
	// HeadSHA is the commit the decision is about.
	HeadSHA string `json:"head_sha"`
	// Reasons explain the decision, one sentence each.
	Reasons []string `json:"reasons"`
}

// Approve reads pull request number's head, labels and reviews from src
// and decides under r.
func Approve(ctx context.Context, src ReviewSource, number int, r Rules) (Approval, error) {
	ch, err := src.Change(ctx, number)
	if err != nil {
		return Approval{}, err
	}
	reviews, err := src.Reviews(ctx, number)
	if err != nil {
		return Approval{}, err
	}
	return Evaluate(r, ch, reviews), nil
}

// Evaluate decides whether ch is approved under r, given its reviews in
// submission order. A reviewer's latest review that approves, requests
// changes or was dismissed is the one that counts (a later comment-only
// review leaves it standing, as on GitHub). An approval counts when it was
// given on the head commit, or on any commit when r.StaleApprovals; a
// dismissed one never does. Any reviewer whose latest such review
// requests changes blocks the approval.
func Evaluate(r Rules, ch Change, reviews []Review) Approval {
	a := Approval{Rules: r, HeadSHA: ch.HeadSHA, Approvers: []string{}, ChangesRequested: []string{}}
	if !r.Defined {
		a.Approved = true
		a.Reasons = []string{"no approval is required: the policy has no approval section"}
		return a
	}
	var stale []string
	for _, rv := range latestByReviewer(reviews) {
		switch {
		case rv.State == ChangesRequested:
			a.ChangesRequested = append(a.ChangesRequested, rv.Author)
		case rv.State != Approved:
		case rv.CommitID == ch.HeadSHA || r.StaleApprovals:
			a.Approvers = append(a.Approvers, rv.Author)
		default:
			stale = append(stale, fmt.Sprintf("%s (on %s)", rv.Author, short(rv.CommitID)))
		}
	}
	slices.Sort(a.Approvers)
	slices.Sort(a.ChangesRequested)
	slices.Sort(stale)
	a.Reasons = append(a.Reasons, fmt.Sprintf("%d %s of %d required%s", len(a.Approvers),
		plural(len(a.Approvers), "approval", "approvals"), r.Approvals, names(a.Approvers)))
	if len(stale) > 0 {
		a.Reasons = append(a.Reasons, fmt.Sprintf("not counted, given on an older commit than the head %s (stale_approvals is false): %s",
			short(ch.HeadSHA), strings.Join(stale, ", ")))
	}
	if len(a.ChangesRequested) > 0 {
		a.Reasons = append(a.Reasons, "changes requested by "+strings.Join(a.ChangesRequested, ", "))
	}
	if r.Label != "" {
		a.LabelPresent = slices.ContainsFunc(ch.Labels, func(l string) bool { return strings.EqualFold(l, r.Label) })
		if a.LabelPresent {
			a.Reasons = append(a.Reasons, fmt.Sprintf("label %q is set", r.Label))
		} else {
			a.Reasons = append(a.Reasons, fmt.Sprintf("label %q is not set", r.Label))
		}
	}
	a.Approved = len(a.Approvers) >= r.Approvals && len(a.ChangesRequested) == 0 && (r.Label == "" || a.LabelPresent)
	return a
}

// latestByReviewer returns each reviewer's latest review that approves,
// requests changes or was dismissed, in order of first appearance. Reviews
// are taken in order of submission; those submitted at the same time in
// the order given.
func latestByReviewer(reviews []Review) []Review {
	reviews = slices.Clone(reviews)
	slices.SortStableFunc(reviews, func(a, b Review) int { return a.Submitted.Compare(b.Submitted) })
	var out []Review
	at := map[string]int{}
	for _, rv := range reviews {
		if rv.State != Approved && rv.State != ChangesRequested && rv.State != Dismissed {
			continue
		}
		who := strings.ToLower(rv.Author)
		if i, ok := at[who]; ok {
			out[i] = rv
			continue
		}
		at[who] = len(out)
		out = append(out, rv)
	}
	return out
}

// short abbreviates a commit ID as Git does.
func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// names lists logins in parentheses, or nothing.
func names(logins []string) string {
	if len(logins) == 0 {
		return ""
	}
	return " (" + strings.Join(logins, ", ") + ")"
}
