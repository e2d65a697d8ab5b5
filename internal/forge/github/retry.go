package github

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Clock tells the time and waits. Tests pass a fake one so that retries
// take no time.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep waits for d, or until ctx is done and then returns its error.
	Sleep(ctx context.Context, d time.Duration) error
}

// systemClock is the real clock.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Backoff after a server error or a network error: 1s, 2s, 4s … up to
// 32s, each with jitter (between half and all of it).
const (
	backoffFirst = time.Second
	backoffMax   = 32 * time.Second
	// secondaryDefault is GitHub's advice for a secondary rate limit that
	// names no time: wait at least a minute.
	secondaryDefault = time.Minute
	// resetMargin is waited past X-RateLimit-Reset, whose clock may differ
	// from ours by a little.
	resetMargin = time.Second
	// maxWait bounds what a header can ask for, before the budget does.
	maxWait = 24 * time.Hour
)

// retrier is an http.RoundTripper that retries server errors (5xx),
// network errors and rate limits, waiting what GitHub asks for and at most
// budget in all, over every request it carries.
type retrier struct {
	next   http.RoundTripper
	clock  Clock
	budget time.Duration
	logf   func(format string, args ...any)

	mu    sync.Mutex
	spent time.Duration
}

// RoundTrip sends req, again while the answer calls for it and the budget
// allows. A request whose body cannot be read again is sent once.
func (t *retrier) RoundTrip(req *http.Request) (*http.Response, error) {
	for attempt := 1; ; attempt++ {
		r := req
		if attempt > 1 {
			var err error
			if r, err = rewind(req); err != nil {
				return nil, err
			}
		}
		resp, err := t.next.RoundTrip(r)
		wait, why := t.classify(resp, err, attempt)
		if why == "" || (req.Body != nil && req.GetBody == nil) {
			return resp, err
		}
		if !t.take(wait) {
			t.logf("%s %s: %s; not retrying: waiting %s more would exceed the retry budget of %s", req.Method, req.URL.Path, why, wait, t.budget)
			return resp, err
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
		}
		t.logf("%s %s: %s; retrying in %s (attempt %d)", req.Method, req.URL.Path, why, wait.Round(time.Millisecond), attempt+1)
		if err := t.clock.Sleep(req.Context(), wait); err != nil {
			return nil, err
		}
	}
}

// take spends wait from the budget, or reports that it cannot.
func (t *retrier) take(wait time.Duration) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.spent+wait > t.budget {
		return false
	}
	t.spent += wait
	return true
}

// rewind returns a copy of req with its body to send again.
func rewind(req *http.Request) (*http.Request, error) {
	r := req.Clone(req.Context())
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		r.Body = body
	}
	return r, nil
}

// classify says how long to wait before trying again, at most maxWait,
// and why; why is empty when the answer is final.
func (t *retrier) classify(resp *http.Response, err error, attempt int) (time.Duration, string) {
	wait, why := t.reason(resp, err, attempt)
	return min(max(wait, 0), maxWait), why
}

// reason is classify before its bound.
func (t *retrier) reason(resp *http.Response, err error, attempt int) (time.Duration, string) {
	switch {
	case err != nil:
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return 0, ""
		}
		return backoff(attempt), "network error"
	case resp.StatusCode >= 500:
		if d, ok := retryAfter(resp.Header, t.clock.Now()); ok {
			return d, fmt.Sprintf("HTTP %d, Retry-After %s", resp.StatusCode, d)
		}
		return backoff(attempt), fmt.Sprintf("HTTP %d", resp.StatusCode)
	case resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests:
		return 0, ""
	}
	if d, ok := retryAfter(resp.Header, t.clock.Now()); ok {
		return d, fmt.Sprintf("secondary rate limit (HTTP %d, Retry-After %s)", resp.StatusCode, d)
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			at := time.Unix(reset, 0)
			return min(max(at.Sub(t.clock.Now()), 0), maxWait) + resetMargin,
				fmt.Sprintf("rate limit exhausted (HTTP %d) until %s", resp.StatusCode, at.UTC().Format(time.RFC3339))
		}
	}
	if mentionsSecondaryLimit(resp) {
		return secondaryDefault, fmt.Sprintf("secondary rate limit (HTTP %d)", resp.StatusCode)
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		return backoff(attempt), "HTTP 429"
	}
	return 0, ""
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil && s >= 0 {
		return time.Duration(min(s, 1<<32)) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

// mentionsSecondaryLimit reports whether a 403's body is GitHub's message
// for a secondary rate limit that came without Retry-After. The body stays
// readable.
func mentionsSecondaryLimit(resp *http.Response) bool {
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(data))
	return err == nil && strings.Contains(strings.ToLower(string(data)), "secondary rate limit")
}

// backoff is the wait before attempt+1 after a server or network error.
func backoff(attempt int) time.Duration {
	d := backoffMax
	if attempt <= 6 {
		d = min(backoffFirst<<(attempt-1), backoffMax)
	}
	return d/2 + rand.N(d/2+1)
}
