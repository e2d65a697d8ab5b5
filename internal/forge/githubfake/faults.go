package githubfake

import (
	"net/http"
	"strconv"
	"time"
)

// fault is an answer queued for an upcoming request.
type fault struct {
	status     int
	reset      time.Time     // primary rate limit: X-RateLimit-Reset
	retryAfter time.Duration // secondary rate limit: Retry-After (0: none)
	secondary  bool
}

// Documentation URLs of GitHub's rate-limit answers; go-github tells a
// secondary limit by the suffix of the latter.
const (
	primaryDocs   = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
	secondaryDocs = "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
)

// FailNext answers the next n authenticated requests with status (a 5xx).
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, fault{status: status})
	}
}

// PrimaryRateLimitNext answers the next authenticated request with status
// (403 or 429), X-RateLimit-Remaining: 0 and X-RateLimit-Reset: reset.
func (s *Server) PrimaryRateLimitNext(status int, reset time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault{status: status, reset: reset})
}

// SecondaryRateLimitNext answers the next authenticated request with
// status (403 or 429) and GitHub's secondary-limit message, with
// Retry-After when retryAfter is not 0.
func (s *Server) SecondaryRateLimitNext(status int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault{status: status, retryAfter: retryAfter, secondary: true})
}

// popFault returns the next queued fault, if any; s.mu is held.
func (s *Server) popFault() (fault, bool) {
	if len(s.faults) == 0 {
		return fault{}, false
	}
	f := s.faults[0]
	s.faults = s.faults[1:]
	return f, true
}

// answer is the reply to a fault.
func (f fault) answer(h http.Header) reply {
	switch {
	case f.secondary:
		if f.retryAfter > 0 {
			h.Set("Retry-After", strconv.Itoa(int(f.retryAfter/time.Second)))
		}
		return reply{status: f.status, body: errorBody{
			Message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. " +
				"If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000.",
			DocumentationURL: secondaryDocs,
		}}
	case !f.reset.IsZero():
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset", strconv.FormatInt(f.reset.Unix(), 10))
		return reply{status: f.status, body: errorBody{
			Message:          "API rate limit exceeded for user ID 1.",
			DocumentationURL: primaryDocs,
		}}
	}
	return reply{status: f.status, body: errorBody{Message: serverMessage(f.status)}}
}

// serverMessage is GitHub's message for a server error.
func serverMessage(status int) string {
	if status == http.StatusInternalServerError {
		return "Server Error"
	}
	return http.StatusText(status)
}
