package github_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/modelci/modelci/internal/forge"
	"github.com/modelci/modelci/internal/forge/github"
)

// echoTransport answers every request with status and a message that
// quotes the request's Authorization header and URL, as a hostile or
// broken server might.
type echoTransport struct{ status int }

func (t echoTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	msg, _ := json.Marshal(map[string]string{"message": "echo " + req.Header.Get("Authorization") + " " + req.URL.String()})
	return &http.Response{
		StatusCode: t.status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(string(msg))), Request: req,
	}, nil
}

func TestNoTokenInAnyOutput(t *testing.T) {
	e := newEnv(t)
	var texts []string
	record := func(res forge.Result, err error) {
		out, _ := json.Marshal(res)
		texts = append(texts, string(out), res.Reason)
		if err != nil {
			texts = append(texts, err.Error())
		}
	}
	ctx := context.Background()
	run := func(c *github.Client, text string) { record(forge.Post(ctx, c, pr, body(text), forge.Options{})) }

	e.fake.FailNext(2, http.StatusInternalServerError)
	e.fake.SecondaryRateLimitNext(http.StatusForbidden, 5*time.Second)
	e.fake.PrimaryRateLimitNext(http.StatusTooManyRequests, e.fake.Clock.Now().Add(10*time.Second))
	run(e.client(userToken), "created after retries")
	run(e.client(userToken), "updated")
	run(e.client(readOnlyToken), "read-only")
	run(e.client("ghp_unknownSECRET"), "unknown token")
	e.fake.PrimaryRateLimitNext(http.StatusForbidden, e.fake.Clock.Now().Add(time.Hour))
	run(e.client(botToken), "rate limited past the budget")
	run(e.client(userToken, func(c *github.Config) { c.BaseURL = "http://127.0.0.1:1/"; c.RetryBudget = time.Second }), "no server")
	run(e.client(userToken, func(c *github.Config) { c.Transport = echoTransport{http.StatusInternalServerError} }), "echo 500")
	run(e.client(userToken, func(c *github.Config) { c.Transport = echoTransport{http.StatusForbidden} }), "echo 403")
	_, err := e.client(userToken).CreateComment(ctx, pr, strings.Repeat("x", 70000))
	texts = append(texts, err.Error())
	_, err = e.client(readOnlyToken).Author(ctx)
	if err != nil {
		texts = append(texts, err.Error())
	}
	_, err = github.New(github.Config{Token: userToken, Repository: repo, BaseURL: "https://x:" + userToken + "@ghes.example/api/v3"})
	if err == nil {
		t.Error("a base URL with credentials was accepted")
	} else {
		texts = append(texts, err.Error())
	}

	texts = append(texts, e.lines()...)
	if len(e.lines()) < 5 {
		t.Errorf("expected retry log lines, got %q", e.lines())
	}
	joined := strings.Join(texts, "\n")
	for _, want := range []string{"echo Bearer ***", "Resource not accessible by integration", "Bad credentials", "the limit resets at", "cannot reach the GitHub API", "body is too long"} {
		if !strings.Contains(joined, want) {
			t.Errorf("outputs lack %q:\n%s", want, joined)
		}
	}
	noSecrets(t, texts...)
}

// notFoundOnWrite answers 404 to every write, as GitHub does to a token
// that may not see a private repository's writes.
type notFoundOnWrite struct{ next http.RoundTripper }

func (t notFoundOnWrite) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodGet {
		return t.next.RoundTrip(req)
	}
	return echoTransport{http.StatusNotFound}.RoundTrip(req)
}

func TestReadOnlyAs404(t *testing.T) {
	e := newEnv(t)
	c := e.client(userToken, func(c *github.Config) { c.Transport = notFoundOnWrite{http.DefaultTransport} })
	res, err := forge.Post(context.Background(), c, pr, body("x"), forge.Options{})
	if err != nil || res.Action != forge.Skipped || !strings.Contains(res.Reason, "HTTP 404") {
		t.Errorf("404 on create: %+v, %v", res, err)
	}
	err = c.DeleteComment(context.Background(), 1)
	if !errors.Is(err, forge.ErrNotFound) {
		t.Errorf("404 on delete: %v, want ErrNotFound", err)
	}
}
