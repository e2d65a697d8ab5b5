package ghaction

import (
	"context"
	"fmt"
	"regexp"
	"strconv"

	"github.com/modelci/modelci/internal/forge"
	"github.com/modelci/modelci/internal/forge/github"
)

// pullRequest is the pull request a run is about, as pull-request.json
// records it for the comment workflow.
type pullRequest struct {
	// Number is the pull request's number; 0 when none.
	Number int `json:"number"`
	// HeadSHA is the commit the run evaluated.
	HeadSHA string `json:"head_sha"`
}

var shaRE = regexp.MustCompile(`^[0-9a-f]{40}([0-9a-f]{24})?$`)

// readPullRequest takes the pull request from the pull-request input, else
// from a pull_request or pull_request_target event.
func readPullRequest(r runner) (pullRequest, error) {
	n, err := r.number("pull-request")
	if err != nil {
		return pullRequest{}, err
	}
	event, err := r.event()
	if err != nil {
		return pullRequest{}, err
	}
	pr := pullRequest{Number: n, HeadSHA: str(event, "pull_request", "head", "sha")}
	if pr.Number == 0 {
		if f, ok := field(event, "pull_request", "number").(float64); ok && f > 0 && f == float64(int(f)) {
			pr.Number = int(f)
		}
	}
	if pr.HeadSHA == "" {
		pr.HeadSHA = r.a.Getenv("GITHUB_SHA")
	}
	return pr, nil
}

// postInputs say where and as whom a comment is written.
type postInputs struct {
	token, id, repo, apiURL string
}

// readPostInputs reads the token (masked at once), comment-id and the
// repository; need says a token is required.
func readPostInputs(r runner, need bool) (postInputs, error) {
	p := postInputs{token: r.token(), id: r.input("comment-id"),
		repo: r.a.Getenv("GITHUB_REPOSITORY"), apiURL: r.a.Getenv("GITHUB_API_URL")}
	if _, err := forge.MarkerFor(p.id); err != nil {
		return p, fmt.Errorf("input \"comment-id\": %w", err)
	}
	if need && p.token == "" {
		return p, fmt.Errorf("input \"token\" is empty: give the workflow's token (${{ github.token }}), or set comment and approval to false")
	}
	return p, nil
}

// forge returns the GitHub client of the inputs.
func (p postInputs) forge(r runner) (forge.Forge, error) {
	c, err := github.New(github.Config{Token: p.token, Repository: p.repo, BaseURL: p.apiURL,
		Logf: func(format string, args ...any) { r.a.Infof(format, args...) }})
	if err != nil {
		return nil, fmt.Errorf("GitHub client: %w", err)
	}
	return c, nil
}

// postComment makes body the pull request's comment and sets the
// outputs comment-id, comment-url and comment-action. A token that may not
// write (a pull request from a fork) is no failure: a warning says why and
// where the report is.
func postComment(ctx context.Context, r runner, c forge.Commenter, number int, body, id string) error {
	res, err := forge.Post(ctx, c, number, body, forge.Options{ID: id})
	if err != nil {
		return err
	}
	r.output("comment-action", string(res.Action))
	if !res.Posted() {
		r.a.Warningf("no pull-request comment: %s. The report is in the job summary. For pull requests from forks, "+
			"post it from a workflow_run workflow with a write token (see the model-ci-comment.yml workflow).", res.Reason)
		return nil
	}
	r.output("comment-id", strconv.FormatInt(res.Comment.ID, 10))
	r.output("comment-url", res.Comment.URL)
	r.a.Infof("comment %s: %s", res.Action, res.Comment.URL)
	return nil
}
