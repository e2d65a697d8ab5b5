package forge

import (
	"context"
	"errors"
	"testing"

	"github.com/modelci/modelci/internal/report"
)

func TestMarkerFor(t *testing.T) {
	for id, want := range map[string]string{
		"":              report.Marker,
		"train":         "<!-- modelci:report:train -->",
		"ci.eval_2-gpu": "<!-- modelci:report:ci.eval_2-gpu -->",
	} {
		if got, err := MarkerFor(id); err != nil || got != want {
			t.Errorf("MarkerFor(%q) = %q, %v; want %q", id, got, err, want)
		}
	}
	for _, id := range []string{"a b", "x-->", "a--b", "é", "<!--", string(make([]byte, 65))} {
		if m, err := MarkerFor(id); err == nil {
			t.Errorf("MarkerFor(%q) = %q, want an error", id, m)
		}
	}
}

func TestWithMarker(t *testing.T) {
	const m = "<!-- modelci:report:x -->"
	for body, want := range map[string]string{
		report.Marker + "\nverdict\n": m + "\nverdict\n",
		report.Marker:                 m + "\n",
		"verdict\n":                   m + "\nverdict\n",
		"":                            m + "\n",
	} {
		if got := WithMarker(body, m); got != want {
			t.Errorf("WithMarker(%q) = %q, want %q", body, got, want)
		}
	}
}

// unknownAuthor is a Commenter whose Author cannot be told.
type unknownAuthor struct{ Commenter }

func (unknownAuthor) Author(context.Context) (string, error) { return "", nil }

func TestPostWithoutAuthor(t *testing.T) {
	_, err := Post(context.Background(), unknownAuthor{}, 1, "x", Options{})
	if err == nil || err.Error() != "comment on #1: cannot tell whose comments to update: the author of the token's comments is unknown" {
		t.Errorf("Post = %v", err)
	}
}

func TestErrorFormat(t *testing.T) {
	e := &Error{Op: "commenting on #7", Status: 403, Message: "Resource not accessible by integration", Err: ErrReadOnly}
	if got := e.Error(); got != "commenting on #7: HTTP 403 (Resource not accessible by integration): the token may not write here" {
		t.Errorf("Error() = %q", got)
	}
	if !errors.Is(e, ErrReadOnly) {
		t.Error("does not unwrap")
	}
	e = &Error{Op: "listing the comments of #7", Err: context.Canceled}
	if got := e.Error(); got != "listing the comments of #7: context canceled" {
		t.Errorf("Error() = %q", got)
	}
}
