package github

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	gh "github.com/google/go-github/v62/github"

	"github.com/modelci/modelci/internal/forge"
)

// kind is the kind of request that failed: what a 403 or 404 means
// depends on it.
type kind int

const (
	// read: a 403 is a plain refusal, a 404 is forge.ErrNotFound.
	read kind = iota
	// create: a 403 or 404 is forge.ErrReadOnly (GitHub hides what a
	// token may not write to behind 404).
	create
	// change (edit, delete): a 403 is forge.ErrReadOnly, a 404 is
	// forge.ErrNotFound (another run deleted the comment).
	change
)

// errForbidden is a refused read.
var errForbidden = errors.New("forbidden")

// fail turns an error of go-github into a *forge.Error that holds no URL,
// header or token.
func (c *Client) fail(op string, k kind, err error) error {
	e := &forge.Error{Op: op}
	var (
		rle  *gh.RateLimitError
		arle *gh.AbuseRateLimitError
		er   *gh.ErrorResponse
		ue   *url.Error
	)
	switch {
	case errors.Is(err, context.Canceled):
		e.Err = context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		e.Err = context.DeadlineExceeded
	case errors.As(err, &rle):
		e.Status, e.Message, e.Err = status(rle.Response), rle.Message, forge.ErrRateLimited
		if !rle.Rate.Reset.IsZero() {
			e.Message += "; the limit resets at " + rle.Rate.Reset.UTC().Format("2006-01-02 15:04:05 UTC")
		}
	case errors.As(err, &arle):
		e.Status, e.Message, e.Err = status(arle.Response), arle.Message, forge.ErrRateLimited
	case errors.As(err, &er):
		e.Status, e.Message = status(er.Response), message(er)
		e.Err = classify(e.Status, k, er)
	case errors.As(err, &ue):
		e.Err = errors.New("cannot reach the GitHub API: " + ue.Err.Error())
	default:
		e.Err = errors.New(err.Error())
	}
	e.Message = c.redact(e.Message)
	if !isSentinel(e.Err) {
		e.Err = errors.New(c.redact(e.Err.Error()))
	}
	return e
}

// classify names the failure of an HTTP answer.
func classify(code int, k kind, er *gh.ErrorResponse) error {
	h := http.Header{}
	if er.Response != nil {
		h = er.Response.Header
	}
	switch {
	case code == http.StatusUnauthorized:
		return forge.ErrUnauthorized
	case (code == http.StatusForbidden || code == http.StatusTooManyRequests) &&
		(h.Get("X-RateLimit-Remaining") == "0" || h.Get("Retry-After") != ""):
		return forge.ErrRateLimited
	case code == http.StatusForbidden && k != read, code == http.StatusNotFound && k == create:
		return forge.ErrReadOnly
	case code == http.StatusForbidden:
		return errForbidden
	case code == http.StatusNotFound:
		return forge.ErrNotFound
	case code == http.StatusUnprocessableEntity && strings.Contains(message(er), "too long"):
		return forge.ErrTooLong
	}
	if t := http.StatusText(code); t != "" {
		return errors.New(strings.ToLower(t))
	}
	return errors.New("unexpected answer")
}

// isSentinel reports whether err is one of the errors callers test for.
func isSentinel(err error) bool {
	for _, s := range []error{forge.ErrReadOnly, forge.ErrNotFound, forge.ErrUnauthorized,
		forge.ErrRateLimited, forge.ErrTooLong, errForbidden, context.Canceled, context.DeadlineExceeded} {
		if err == s {
			return true
		}
	}
	return false
}

// status is the HTTP status of a response, or 0.
func status(r *http.Response) int {
	if r == nil {
		return 0
	}
	return r.StatusCode
}

// message is GitHub's message with the details of its errors list.
func message(er *gh.ErrorResponse) string {
	parts := []string{er.Message}
	for _, d := range er.Errors {
		switch {
		case d.Message != "":
			parts = append(parts, d.Message)
		case d.Field != "":
			parts = append(parts, d.Field+" "+d.Code)
		}
	}
	return strings.Join(parts, ": ")
}
