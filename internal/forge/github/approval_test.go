package github_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/modelci/modelci/internal/forge"
	"github.com/modelci/modelci/internal/forge/githubfake"
)

func TestApproveFromReviewsAndLabels(t *testing.T) {
	e := newEnv(t)
	const old = "1111111111111111111111111111111111111111"
	// 130 reviews: two pages of 100.
	for i := range 126 {
		e.fake.AddReview(repo, pr, githubfake.Review{Login: fmt.Sprintf("commenter%d", i%3), State: "COMMENTED", CommitID: old})
	}
	e.fake.AddReview(repo, pr, githubfake.Review{Login: "alice", State: "APPROVED", CommitID: old})
	e.fake.AddReview(repo, pr, githubfake.Review{Login: "bob", State: "CHANGES_REQUESTED", CommitID: old})
	e.fake.AddReview(repo, pr, githubfake.Review{Login: "bob", State: "APPROVED", CommitID: head})
	e.fake.AddReview(repo, pr, githubfake.Review{Login: "alice", State: "COMMENTED", CommitID: head})
	e.fake.SetLabels(repo, pr, "bug", "Model-Approved")

	c := e.client(userToken)
	rules := forge.Rules{Defined: true, Approvals: 2, Label: "model-approved"}
	a, err := forge.Approve(context.Background(), c, pr, rules)
	if err != nil {
		t.Fatal(err)
	}
	if a.Approved || !slices.Equal(a.Approvers, []string{"bob"}) || !a.LabelPresent || a.HeadSHA != head {
		t.Errorf("alice's approval is stale: %+v", a)
	}
	pages := 0
	for _, r := range e.fake.Requests() {
		if r.Path == "/repos/octo/models/pulls/7/reviews" {
			pages++
		}
	}
	if pages != 2 {
		t.Errorf("read %d pages of reviews, want 2", pages)
	}

	rules.StaleApprovals = true
	if a, err = forge.Approve(context.Background(), c, pr, rules); err != nil || !a.Approved || !slices.Equal(a.Approvers, []string{"alice", "bob"}) {
		t.Errorf("stale approvals counted: %+v, %v", a, err)
	}
	e.fake.SetLabels(repo, pr)
	if a, err = forge.Approve(context.Background(), c, pr, rules); err != nil || a.Approved || a.LabelPresent {
		t.Errorf("label removed: %+v, %v", a, err)
	}
}
