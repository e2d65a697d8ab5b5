package forge

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/modelci/modelci/internal/report"
)

// Action is what Post did.
type Action string

// Actions of Post.
const (
	// Created: there was no comment; Post wrote one.
	Created Action = "created"
	// Updated: Post replaced the body of the existing comment.
	Updated Action = "updated"
	// Unchanged: the existing comment already held the body; nothing was
	// written.
	Unchanged Action = "unchanged"
	// Skipped: the credentials may not write (see Result.Reason); the
	// caller shows the report elsewhere, e.g. in the job summary.
	Skipped Action = "skipped"
)

// Result is the outcome of Post.
type Result struct {
	// Action is what Post did.
	Action Action `json:"action"`
	// Comment is the comment that now holds the body (Body left out);
	// zero when Skipped.
	Comment Comment `json:"comment"`
	// Deleted counts the duplicates Post removed: comments with the same
	// marker by the same author, left by runs that raced.
	Deleted int `json:"deleted,omitempty"`
	// Reason says why Post skipped, for a warning; empty otherwise.
	Reason string `json:"reason,omitempty"`
}

// Posted reports whether the pull request now shows the body.
func (r Result) Posted() bool { return r.Action != Skipped && r.Action != "" }

// Options tune Post.
type Options struct {
	// ID tells apart the comments of several workflows on one pull
	// request: each ID has its own comment. Empty uses report.Marker
	// itself. Letters, digits, '.', '_' and '-', at most 64.
	ID string
}

var idRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// MarkerFor returns the hidden first line that marks the comment of id:
// report.Marker for "", else report.Marker with ":id" before its end.
func MarkerFor(id string) (string, error) {
	if id == "" {
		return report.Marker, nil
	}
	if !idRE.MatchString(id) || strings.Contains(id, "--") {
		return "", fmt.Errorf("comment id %q: expected 1 to 64 letters, digits, '.', '_' or '-' (no \"--\")", id)
	}
	return strings.TrimSuffix(report.Marker, " -->") + ":" + id + " -->", nil
}

// WithMarker returns body starting with the line marker: a first line
// that is report.Marker is replaced, else marker is put before body.
func WithMarker(body, marker string) string {
	if rest, ok := strings.CutPrefix(body, report.Marker+"\n"); ok {
		body = rest
	} else if body == report.Marker {
		body = ""
	}
	return marker + "\n" + body
}

// Post makes body the one comment with its marker on pull request
// number: it finds the comment by its marker among the author's comments
// (all pages), updates it, or creates it when there is none. A body
// already there is not written again. When runs race, every run that
// created a comment lists again and deletes the newer duplicates, keeping
// the oldest, so one comment remains.
//
// body is normally report.Markdown's output; its marker line is replaced
// by MarkerFor(o.ID). A body over report.CommentLimit characters is
// refused with an error wrapping ErrTooLong: it is never cut. Credentials
// that may not write (ErrReadOnly) are not a failure: the Result is
// Skipped with a Reason, and err is nil.
func Post(ctx context.Context, c Commenter, number int, body string, o Options) (Result, error) {
	marker, err := MarkerFor(o.ID)
	if err != nil {
		return Result{}, err
	}
	body = WithMarker(body, marker)
	if n := utf8.RuneCountInString(body); n > report.CommentLimit {
		return Result{}, fmt.Errorf("comment on #%d: %w: %d characters, over the limit of %d", number, ErrTooLong, n, report.CommentLimit)
	}
	author, err := c.Author(ctx)
	if err != nil {
		return Result{}, err
	}
	if author == "" {
		return Result{}, fmt.Errorf("comment on #%d: cannot tell whose comments to update: the author of the token's comments is unknown", number)
	}
	p := poster{c: c, number: number, author: author, marker: marker, body: body}
	r, err := p.post(ctx)
	if errors.Is(err, ErrNotFound) && r.Action == Updated {
		// The comment vanished between listing and editing: start over.
		r, err = p.post(ctx)
	}
	if errors.Is(err, ErrReadOnly) {
		return Result{Action: Skipped, Reason: err.Error()}, nil
	}
	return r, err
}

// poster carries one Post.
type poster struct {
	c      Commenter
	number int
	author string
	marker string
	body   string
}

// post lists, then updates or creates and deduplicates. On an error the
// Result's Action says what was being tried.
func (p poster) post(ctx context.Context) (Result, error) {
	mine, err := p.mine(ctx)
	if err != nil {
		return Result{}, err
	}
	if len(mine) == 0 {
		created, err := p.c.CreateComment(ctx, p.number, p.body)
		if err != nil {
			return Result{Action: Created}, err
		}
		if mine, err = p.mine(ctx); err != nil {
			return Result{Action: Created}, err
		}
		if !slices.ContainsFunc(mine, func(c Comment) bool { return c.ID == created.ID }) {
			mine = append(mine, created) // a list that lags behind the write
			sortComments(mine)
		}
		r := Result{Action: Created, Comment: mine[0]}
		if mine[0].ID != created.ID {
			r.Action = Unchanged // an older run's comment stays
		}
		return p.settle(ctx, r, mine)
	}
	return p.settle(ctx, Result{Action: Unchanged, Comment: mine[0]}, mine)
}

// settle makes mine[0] hold the body and deletes mine[1:].
func (p poster) settle(ctx context.Context, r Result, mine []Comment) (Result, error) {
	if mine[0].Body != p.body {
		edited, err := p.c.EditComment(ctx, mine[0].ID, p.body)
		if err != nil {
			return Result{Action: Updated}, err
		}
		r.Action, r.Comment = Updated, edited
	}
	for _, dup := range mine[1:] {
		switch err := p.c.DeleteComment(ctx, dup.ID); {
		case err == nil:
			r.Deleted++
		case !errors.Is(err, ErrNotFound): // another run deleted it first
			return r, err
		}
	}
	r.Comment.Body = ""
	return r, nil
}

// mine lists the author's comments that start with the marker, oldest
// first.
func (p poster) mine(ctx context.Context) ([]Comment, error) {
	all, err := p.c.Comments(ctx, p.number)
	if err != nil {
		return nil, err
	}
	var out []Comment
	for _, c := range all {
		first, _, _ := strings.Cut(c.Body, "\n")
		if strings.EqualFold(c.Author, p.author) && strings.TrimSuffix(first, "\r") == p.marker {
			out = append(out, c)
		}
	}
	sortComments(out)
	return out, nil
}

// sortComments orders comments oldest first, by creation then ID.
func sortComments(cs []Comment) {
	slices.SortStableFunc(cs, func(a, b Comment) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}
