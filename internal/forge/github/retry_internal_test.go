package github

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	for attempt, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 6: backoffMax, 7: backoffMax, 1000: backoffMax} {
		for range 50 {
			if d := backoff(attempt); d < want/2 || d > want {
				t.Fatalf("backoff(%d) = %s, want within [%s, %s]", attempt, d, want/2, want)
			}
		}
	}
}

// FuzzClassify feeds any status and rate-limit headers: the wait is
// never negative and never past maxWait.
func FuzzClassify(f *testing.F) {
	f.Add(403, "", "0", "1748779260", "")
	f.Add(429, "30", "", "", "")
	f.Add(503, "Wed, 21 Oct 2015 07:28:00 GMT", "", "", "")
	f.Add(403, "", "0", "9223372036854775807", "")
	f.Add(403, "", "", "", `{"message":"You have exceeded a secondary rate limit"}`)
	f.Fuzz(func(t *testing.T, status int, retryAfter, remaining, reset, body string) {
		now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
		rt := &retrier{clock: fixedClock(now)}
		h := http.Header{}
		h.Set("Retry-After", retryAfter)
		h.Set("X-RateLimit-Remaining", remaining)
		h.Set("X-RateLimit-Reset", reset)
		resp := &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body))}
		wait, why := rt.classify(resp, nil, 1)
		if why != "" && (wait < 0 || wait > maxWait) {
			t.Fatalf("classify = %s (%s)", wait, why)
		}
		if why == "" && status >= 500 {
			t.Fatalf("HTTP %d not retried", status)
		}
	})
}

// fixedClock reads one time.
type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

func (fixedClock) Sleep(ctx context.Context, d time.Duration) error { return nil }
