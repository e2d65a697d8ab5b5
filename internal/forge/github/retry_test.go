package github_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/modelci/modelci/internal/forge"
	"github.com/modelci/modelci/internal/forge/github"
)

const s = time.Second

func TestRetryServerErrors(t *testing.T) {
	e := newEnv(t)
	e.fake.FailNext(3, http.StatusBadGateway)
	res := post(t, e.client(userToken), "report", forge.Options{})
	if res.Action != forge.Created || len(e.comments()) != 1 {
		t.Fatalf("post = %+v", res)
	}
	// Backoff 1s, 2s, 4s, each with jitter down to half.
	waitsWithin(t, e.fake.Clock.Waits(), [2]time.Duration{s / 2, s}, [2]time.Duration{s, 2 * s}, [2]time.Duration{2 * s, 4 * s})
	if l := e.lines(); len(l) != 3 || !strings.Contains(l[0], "GET /user: HTTP 502; retrying in") {
		t.Errorf("log = %q", l)
	}
}

func TestRetryPrimaryRateLimit(t *testing.T) {
	for _, status := range []int{http.StatusForbidden, http.StatusTooManyRequests} {
		e := newEnv(t)
		e.fake.PrimaryRateLimitNext(status, e.fake.Clock.Now().Add(42*s))
		res := post(t, e.client(userToken), "report", forge.Options{})
		if res.Action != forge.Created {
			t.Fatalf("%d: post = %+v", status, res)
		}
		// Until X-RateLimit-Reset, and a second more for clock skew.
		waitsWithin(t, e.fake.Clock.Waits(), [2]time.Duration{43 * s, 43 * s})
		if l := e.lines(); len(l) != 1 || !strings.Contains(l[0], "rate limit exhausted") {
			t.Errorf("log = %q", l)
		}
	}
}

func TestRetrySecondaryRateLimit(t *testing.T) {
	for _, tt := range []struct {
		status     int
		retryAfter time.Duration
		want       time.Duration
	}{
		{http.StatusForbidden, 17 * s, 17 * s},
		{http.StatusTooManyRequests, 3 * s, 3 * s},
		{http.StatusForbidden, 0, time.Minute}, // no Retry-After: GitHub says wait a minute
	} {
		e := newEnv(t)
		e.fake.SecondaryRateLimitNext(tt.status, tt.retryAfter)
		e.fake.SecondaryRateLimitNext(tt.status, tt.retryAfter)
		res := post(t, e.client(userToken), "report", forge.Options{})
		if res.Action != forge.Created {
			t.Fatalf("%+v: post = %+v", tt, res)
		}
		waitsWithin(t, e.fake.Clock.Waits(), [2]time.Duration{tt.want, tt.want}, [2]time.Duration{tt.want, tt.want})
	}
}

func TestRetryBudget(t *testing.T) {
	e := newEnv(t)
	e.fake.PrimaryRateLimitNext(http.StatusForbidden, e.fake.Clock.Now().Add(time.Hour))
	_, err := forge.Post(context.Background(), e.client(userToken), pr, body("x"), forge.Options{})
	if !errors.Is(err, forge.ErrRateLimited) || !strings.Contains(err.Error(), "the limit resets at 2025-06-01 13:00:00 UTC") {
		t.Errorf("rate limited for an hour: %v", err)
	}
	if w := e.fake.Clock.Waits(); len(w) != 0 {
		t.Errorf("waited %v past the budget", w)
	}
	if l := e.lines(); len(l) != 1 || !strings.Contains(l[0], "would exceed the retry budget of 2m0s") {
		t.Errorf("log = %q", l)
	}

	e = newEnv(t)
	e.fake.FailNext(1000, http.StatusServiceUnavailable)
	c := e.client(userToken, func(c *github.Config) { c.RetryBudget = 20 * s })
	_, err = forge.Post(context.Background(), c, pr, body("x"), forge.Options{})
	if err == nil || !strings.Contains(err.Error(), "HTTP 503 (Service Unavailable): service unavailable") {
		t.Errorf("503 for ever: %v", err)
	}
	var total time.Duration
	for _, w := range e.fake.Clock.Waits() {
		total += w
	}
	if total > 20*s || len(e.fake.Clock.Waits()) < 3 {
		t.Errorf("waits %v add up to %s, want at least 3 within 20s", e.fake.Clock.Waits(), total)
	}
}

// cancelClock cancels the run's context as soon as a wait starts.
type cancelClock struct {
	github.Clock
	cancel context.CancelFunc
}

func (c cancelClock) Sleep(ctx context.Context, d time.Duration) error {
	c.cancel()
	return c.Clock.Sleep(ctx, d)
}

func TestRetryCancelled(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.fake.SecondaryRateLimitNext(http.StatusForbidden, time.Minute)
	c := e.client(userToken, func(c *github.Config) { c.Clock = cancelClock{e.fake.Clock, cancel} })
	_, err := forge.Post(ctx, c, pr, body("x"), forge.Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled during a wait: %v", err)
	}
	if n := len(e.fake.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestRetryNetworkError(t *testing.T) {
	e := newEnv(t)
	c := e.client(userToken, func(c *github.Config) {
		c.BaseURL = "http://127.0.0.1:1/"
		c.RetryBudget = 5 * s
	})
	_, err := forge.Post(context.Background(), c, pr, body("x"), forge.Options{})
	if err == nil || !strings.Contains(err.Error(), "reading the token's user: cannot reach the GitHub API") {
		t.Errorf("no server: %v", err)
	}
	if len(e.fake.Clock.Waits()) == 0 {
		t.Error("a network error was not retried")
	}
}
