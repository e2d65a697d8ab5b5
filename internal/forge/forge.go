package forge

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// Commenter writes comments on one repository's pull requests. It is the
// part of a forge that Post needs.
type Commenter interface {
	// Author returns the login the credentials write comments as, or ""
	// when the forge cannot tell (Post then refuses to guess).
	Author(ctx context.Context) (string, error)
	// Comments returns every comment on pull request number, all pages,
	// in the order the forge created them.
	Comments(ctx context.Context, number int) ([]Comment, error)
	// CreateComment adds a comment to pull request number.
	CreateComment(ctx context.Context, number int, body string) (Comment, error)
	// EditComment replaces the body of comment id.
	EditComment(ctx context.Context, id int64, body string) (Comment, error)
	// DeleteComment removes comment id.
	DeleteComment(ctx context.Context, id int64) error
}

// ReviewSource reads the evidence of a pull request's approval. It is
// the part of a forge that Approve needs.
type ReviewSource interface {
	// Change returns pull request number's head commit and labels.
	Change(ctx context.Context, number int) (Change, error)
	// Reviews returns every submitted review of pull request number, all
	// pages, oldest first.
	Reviews(ctx context.Context, number int) ([]Review, error)
}

// Forge is everything modelci asks of a code forge. GitHub implements it
// (package forge/github); a GitLab (merge-request notes and approvals) or
// Gitea/Forgejo implementation is one more type with these seven methods.
type Forge interface {
	Commenter
	ReviewSource
}

// Comment is a comment on a pull request.
type Comment struct {
	// ID identifies the comment within its repository.
	ID int64 `json:"id"`
	// Author is the login of the user or bot that wrote it.
	Author string `json:"author"`
	// Body is its Markdown text.
	Body string `json:"-"`
	// URL is its address in the forge's web interface.
	URL string `json:"url"`
	// Created is when it was written.
	Created time.Time `json:"created"`
}

// Change is what the approval rules look at on a pull request besides
// its reviews.
type Change struct {
	// Number is the pull request's number.
	Number int `json:"number"`
	// HeadSHA is the commit the pull request's branch points at.
	HeadSHA string `json:"head_sha"`
	// Labels are the labels set on it.
	Labels []string `json:"labels"`
}

// ReviewState is the outcome of a review, in GitHub's spelling.
type ReviewState string

// Review states.
const (
	Approved         ReviewState = "APPROVED"
	ChangesRequested ReviewState = "CHANGES_REQUESTED"
	Commented        ReviewState = "COMMENTED"
	Dismissed        ReviewState = "DISMISSED"
	Pending          ReviewState = "PENDING"
)

// Review is one submitted review of a pull request.
type Review struct {
	// ID identifies the review.
	ID int64
	// Author is the reviewer's login.
	Author string
	// State is the review's outcome.
	State ReviewState
	// CommitID is the commit the review was given on.
	CommitID string
	// Submitted is when it was submitted.
	Submitted time.Time
}

// Errors an implementation's methods wrap (in an *Error) so that callers
// can tell the cases apart with errors.Is.
var (
	// ErrReadOnly: the credentials may read but not write here, as with
	// the token of a workflow run for a pull request from a fork.
	ErrReadOnly = errors.New("the token may not write here")
	// ErrNotFound: the comment, pull request or repository does not exist
	// (or is hidden from the credentials).
	ErrNotFound = errors.New("not found")
	// ErrUnauthorized: the forge refused the credentials.
	ErrUnauthorized = errors.New("the token was refused")
	// ErrRateLimited: the forge's rate limit held past the retry budget.
	ErrRateLimited = errors.New("rate limited")
	// ErrTooLong: the body is over the forge's size limit.
	ErrTooLong = errors.New("the comment is too long")
)

// Error is a failed request to a forge. It is safe to print and log: it
// holds no URL, header or credential, and its chain holds only the errors
// above, a context's error or the implementation's own plain errors.
type Error struct {
	// Op says what was being done: "listing the comments of #12".
	Op string
	// Status is the HTTP status of the forge's answer; 0 when none came.
	Status int
	// Message is the forge's explanation, if it gave one.
	Message string
	// Err is the kind of failure: one of the Err* values above, a
	// context's error, or another cause.
	Err error
}

// Error formats as "Op: HTTP Status (Message): Err".
func (e *Error) Error() string {
	s := e.Op + ": "
	if e.Status != 0 {
		s += "HTTP " + strconv.Itoa(e.Status)
		if e.Message != "" {
			s += " (" + e.Message + ")"
		}
		s += ": "
	}
	return s + e.Err.Error()
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }
