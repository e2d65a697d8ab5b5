package publish_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/registry/remote/errcode"

	"github.com/modelci/modelci/internal/publish"
)

// statusErr is an error with an HTTP status, as smithy's are.
type statusErr int

func (s statusErr) Error() string       { return fmt.Sprintf("status %d", int(s)) }
func (s statusErr) HTTPStatusCode() int { return int(s) }

func TestTransient(t *testing.T) {
	for err, want := range map[error]bool{
		&errcode.ErrorResponse{StatusCode: 503}:                  true,
		&errcode.ErrorResponse{StatusCode: 429}:                  true,
		&errcode.ErrorResponse{StatusCode: 401}:                  false,
		&errcode.ErrorResponse{StatusCode: 404}:                  false,
		statusErr(500):                                           true,
		statusErr(403):                                           false,
		fmt.Errorf("put: %w", io.ErrUnexpectedEOF):               true,
		&url.Error{Op: "Put", URL: "u", Err: syscall.ECONNRESET}: true,
		context.Canceled:                                         false,
		errors.New("invalid reference"):                          false,
	} {
		if got := publish.Transient(err); got != want {
			t.Errorf("Transient(%v) = %v, want %v", err, got, want)
		}
	}
}

// tagFails is a Target whose tagging fails with err, after the rest works.
type tagFails struct {
	*memTarget
	err   error
	calls int
}

func (f *tagFails) Tag(context.Context, ocispec.Descriptor, string) error {
	f.calls++
	return f.err
}

func TestPublishRetriesThenExplains(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		err      error
		attempts int
		want     string
	}{
		{&errcode.ErrorResponse{StatusCode: 503, Method: "PUT", URL: &url.URL{Host: "r"}}, 3, "tagging 1 (after 3 attempts)"},
		{&errcode.ErrorResponse{StatusCode: 401, Method: "PUT", URL: &url.URL{Host: "r"}}, 1, "tagging 1 (the registry refused the credentials"},
	} {
		dst := &tagFails{memTarget: newMemTarget(), err: c.err}
		_, err := publish.Publish(ctx, dst, "1", testModel(t, "w"), publish.Options{Attempts: 3, Backoff: time.Millisecond})
		if err == nil || !strings.Contains(err.Error(), c.want) || dst.calls != c.attempts {
			t.Errorf("err = %v after %d tries; want %q after %d", err, dst.calls, c.want, c.attempts)
		}
	}
}
