// Package github is the forge.Forge of GitHub and GitHub Enterprise
// Server, over the REST API (google/go-github).
//
// New takes everything from a Config, never from the environment: the
// caller (an action, the CLI) reads GITHUB_TOKEN, GITHUB_REPOSITORY and
// GITHUB_API_URL and passes them in.
//
//	c, err := github.New(github.Config{Token: token, Repository: "octo/models", BaseURL: apiURL, Logf: action.Infof})
//	res, err := forge.Post(ctx, c, prNumber, report.Markdown(r), forge.Options{})
//
// The client retries server errors (5xx), network errors and both of
// GitHub's rate limits: a primary limit (403 or 429 with
// X-RateLimit-Remaining: 0) is waited out until X-RateLimit-Reset, a
// secondary one (403 or 429 with Retry-After) for Retry-After, a server
// error with exponential backoff (1s, 2s, 4s … 32s, with jitter). All the
// waits of one Client add up to at most Config.RetryBudget (2 minutes by
// default); a wait that would go past it is not started and the request
// fails with forge.ErrRateLimited or the server's error. The context
// cancels a wait.
//
// Every error is a *forge.Error: it names the operation, the HTTP status
// and GitHub's message, wraps forge.ErrReadOnly (a write refused with 403,
// or 404 on creating a comment), forge.ErrNotFound, forge.ErrUnauthorized
// (401), forge.ErrRateLimited or forge.ErrTooLong (422 on a body), and
// never holds the token, a URL or a header. Log lines are passed through
// the same filter.
package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	gh "github.com/google/go-github/v62/github"

	"github.com/modelci/modelci/internal/forge"
)

// DefaultAuthor is whose comments count as the token's when GitHub will not
// say (GET /user is refused to the installation token a workflow gets as
// GITHUB_TOKEN): the GitHub Actions bot.
const DefaultAuthor = "github-actions[bot]"

// DefaultRetryBudget bounds the waits of a Client in all.
const DefaultRetryBudget = 2 * time.Minute

// DefaultBaseURL is the API root of github.com.
const DefaultBaseURL = "https://api.github.com/"

// Config configures a Client.
type Config struct {
	// Token authenticates every request (GITHUB_TOKEN, a personal access
	// token or an app's installation token).
	Token string
	// Repository is "owner/name" (GITHUB_REPOSITORY).
	Repository string
	// BaseURL is the API root (GITHUB_API_URL): empty for github.com, or
	// https://HOST/api/v3 for GitHub Enterprise Server. Used as it is.
	BaseURL string
	// Author is whose comments are the token's when GET /user is refused,
	// as it is to installation tokens: DefaultAuthor when empty. A GitHub
	// App's token writes as "APP-SLUG[bot]".
	Author string
	// RetryBudget bounds the time all retries of the Client wait, in all;
	// DefaultRetryBudget when zero.
	RetryBudget time.Duration
	// Clock waits between retries; the real clock when nil.
	Clock Clock
	// Logf receives a line for each retry, the token filtered out; none
	// when nil.
	Logf func(format string, args ...any)
	// Transport sends the requests; http.DefaultTransport when nil.
	Transport http.RoundTripper
}

// Client is a forge.Forge for one GitHub repository.
type Client struct {
	gh          *gh.Client
	owner, repo string
	author      string
	token       string
}

var _ forge.Forge = (*Client)(nil)

// New returns a Client for cfg. It makes no request.
func New(cfg Config) (*Client, error) {
	owner, repo, ok := strings.Cut(cfg.Repository, "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return nil, fmt.Errorf("repository %q: expected owner/name", cfg.Repository)
	}
	if cfg.Token == "" {
		return nil, errors.New("no GitHub token")
	}
	base, err := baseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{owner: owner, repo: repo, author: cfg.Author, token: cfg.Token}
	if c.author == "" {
		c.author = DefaultAuthor
	}
	next := cfg.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	rt := &retrier{next: next, clock: cfg.Clock, budget: cfg.RetryBudget, logf: c.redactLogf(cfg.Logf)}
	if rt.clock == nil {
		rt.clock = systemClock{}
	}
	if rt.budget <= 0 {
		rt.budget = DefaultRetryBudget
	}
	c.gh = gh.NewClient(&http.Client{Transport: rt}).WithAuthToken(cfg.Token)
	c.gh.BaseURL = base
	return c, nil
}

// baseURL parses the API root; it must not hold credentials.
func baseURL(s string) (*url.URL, error) {
	if s == "" {
		s = DefaultBaseURL
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("GitHub API URL: expected http(s)://HOST[/PATH]")
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("GitHub API URL: expected http(s)://HOST[/PATH] without credentials, query or fragment")
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}

// redactLogf returns a Logf that filters the token out of every line.
func (c *Client) redactLogf(logf func(string, ...any)) func(string, ...any) {
	return func(format string, args ...any) {
		if logf != nil {
			logf("%s", c.redact(fmt.Sprintf(format, args...)))
		}
	}
}

// redact replaces the token in s.
func (c *Client) redact(s string) string {
	return strings.ReplaceAll(s, c.token, "***")
}

// Author returns the login of the token's user, or Config.Author when
// GitHub refuses GET /user to the token (an installation token).
func (c *Client) Author(ctx context.Context) (string, error) {
	u, _, err := c.gh.Users.Get(ctx, "")
	if err != nil {
		err = c.fail("reading the token's user", read, err)
		if fe := (*forge.Error)(nil); errors.As(err, &fe) && (fe.Status == http.StatusForbidden || fe.Status == http.StatusNotFound) &&
			!errors.Is(err, forge.ErrRateLimited) {
			return c.author, nil
		}
		return "", err
	}
	return u.GetLogin(), nil
}

// perPage is the largest page GitHub serves.
const perPage = 100

// Comments returns every comment on pull request number, oldest first.
func (c *Client) Comments(ctx context.Context, number int) ([]forge.Comment, error) {
	opts := &gh.IssueListCommentsOptions{ListOptions: gh.ListOptions{PerPage: perPage}}
	var out []forge.Comment
	for {
		page, resp, err := c.gh.Issues.ListComments(ctx, c.owner, c.repo, number, opts)
		if err != nil {
			return nil, c.fail(fmt.Sprintf("listing the comments of #%d", number), read, err)
		}
		for _, ic := range page {
			out = append(out, comment(ic))
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// CreateComment adds a comment to pull request number.
func (c *Client) CreateComment(ctx context.Context, number int, body string) (forge.Comment, error) {
	ic, _, err := c.gh.Issues.CreateComment(ctx, c.owner, c.repo, number, &gh.IssueComment{Body: &body})
	if err != nil {
		return forge.Comment{}, c.fail(fmt.Sprintf("commenting on #%d", number), create, err)
	}
	return comment(ic), nil
}

// EditComment replaces the body of comment id.
func (c *Client) EditComment(ctx context.Context, id int64, body string) (forge.Comment, error) {
	ic, _, err := c.gh.Issues.EditComment(ctx, c.owner, c.repo, id, &gh.IssueComment{Body: &body})
	if err != nil {
		return forge.Comment{}, c.fail(fmt.Sprintf("updating comment %d", id), change, err)
	}
	return comment(ic), nil
}

// DeleteComment removes comment id.
func (c *Client) DeleteComment(ctx context.Context, id int64) error {
	if _, err := c.gh.Issues.DeleteComment(ctx, c.owner, c.repo, id); err != nil {
		return c.fail(fmt.Sprintf("deleting comment %d", id), change, err)
	}
	return nil
}

// Change returns pull request number's head commit and labels.
func (c *Client) Change(ctx context.Context, number int) (forge.Change, error) {
	pr, _, err := c.gh.PullRequests.Get(ctx, c.owner, c.repo, number)
	if err != nil {
		return forge.Change{}, c.fail(fmt.Sprintf("reading pull request #%d", number), read, err)
	}
	ch := forge.Change{Number: number, HeadSHA: pr.GetHead().GetSHA(), Labels: []string{}}
	opts := &gh.ListOptions{PerPage: perPage}
	for {
		labels, resp, err := c.gh.Issues.ListLabelsByIssue(ctx, c.owner, c.repo, number, opts)
		if err != nil {
			return forge.Change{}, c.fail(fmt.Sprintf("listing the labels of #%d", number), read, err)
		}
		for _, l := range labels {
			ch.Labels = append(ch.Labels, l.GetName())
		}
		if resp.NextPage == 0 {
			return ch, nil
		}
		opts.Page = resp.NextPage
	}
}

// Reviews returns every submitted review of pull request number, oldest
// first.
func (c *Client) Reviews(ctx context.Context, number int) ([]forge.Review, error) {
	opts := &gh.ListOptions{PerPage: perPage}
	var out []forge.Review
	for {
		page, resp, err := c.gh.PullRequests.ListReviews(ctx, c.owner, c.repo, number, opts)
		if err != nil {
			return nil, c.fail(fmt.Sprintf("listing the reviews of #%d", number), read, err)
		}
		for _, r := range page {
			out = append(out, forge.Review{
				ID: r.GetID(), Author: r.GetUser().GetLogin(), State: forge.ReviewState(r.GetState()),
				CommitID: r.GetCommitID(), Submitted: r.GetSubmittedAt().Time,
			})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// comment converts GitHub's comment.
func comment(ic *gh.IssueComment) forge.Comment {
	return forge.Comment{
		ID: ic.GetID(), Author: ic.GetUser().GetLogin(), Body: ic.GetBody(),
		URL: ic.GetHTMLURL(), Created: ic.GetCreatedAt().Time,
	}
}
