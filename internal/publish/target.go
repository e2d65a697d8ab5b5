package publish

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"syscall"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/registry"
	"oras.land/oras-go/v2/registry/remote/errcode"
)

// Target is where models are published: an oras-go target (blobs,
// manifests, tags) that lists an artifact's referrers. Its Resolve
// resolves a manifest's digest as well as a tag.
type Target interface {
	oras.Target
	registry.ReferrerLister
}

// Artifact types of what publish attaches to a model, and of an alias's
// history.
const (
	ArtifactTypeEvaluation = "application/vnd.modelci.evaluation.v1+json"
	ArtifactTypeReport     = "application/vnd.modelci.report.v1+json"
	ArtifactTypeApproval   = "application/vnd.modelci.approval.v1+json"
	ArtifactTypeHistory    = "application/vnd.modelci.alias-history.v1+json"
)

// Media types of the attached files.
const (
	MediaTypeReportJSON     = "application/vnd.modelci.report.v1+json"
	MediaTypeReportMarkdown = "text/markdown"
	MediaTypeRecord         = "application/vnd.modelci.approval-record.v1+json"
	MediaTypeHistory        = "application/vnd.modelci.alias-history.v1+json"
)

// maxMetadataSize bounds the manifests, records and histories read into
// memory.
const maxMetadataSize = 4 << 20

// Options tune the network side of publishing.
type Options struct {
	// Attempts is how many times a failing step is tried; default 4.
	Attempts int
	// Backoff is the wait before the second attempt, doubled after each;
	// default 250ms.
	Backoff time.Duration
	// Concurrency is how many blobs are copied at once; default 4.
	Concurrency int
	// Logf, when set, receives progress lines.
	Logf func(format string, args ...any)
	// Now is the clock; default time.Now.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.Attempts <= 0 {
		o.Attempts = 4
	}
	if o.Backoff <= 0 {
		o.Backoff = 250 * time.Millisecond
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// retry runs step until it succeeds, fails with an error that retrying
// cannot fix, or has been tried o.Attempts times.
func (o Options) retry(ctx context.Context, what string, step func() error) error {
	wait := o.Backoff
	for attempt := 1; ; attempt++ {
		err := step()
		if err == nil || attempt >= o.Attempts || !Transient(err) || ctx.Err() != nil {
			if err != nil && attempt > 1 {
				err = fmt.Errorf("%s (after %d attempts)%s: %w", what, attempt, authHint(err), err)
			} else if err != nil {
				err = fmt.Errorf("%s%s: %w", what, authHint(err), err)
			}
			return err
		}
		o.Logf("%s: attempt %d failed, retrying in %v: %v", what, attempt, wait, err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// Transient reports whether err may go away when tried again: a 5xx, 429
// or 408 answer, a dropped connection or a timeout. Authentication,
// certificate and not-found errors are not transient.
func Transient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var resp *errcode.ErrorResponse
	if errors.As(err, &resp) {
		return transientStatus(resp.StatusCode)
	}
	var status interface{ HTTPStatusCode() int }
	if errors.As(err, &status) && status.HTTPStatusCode() != 0 {
		return transientStatus(status.HTTPStatusCode())
	}
	var certErr *tls.CertificateVerificationError
	var authErr x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	if errors.As(err, &certErr) || errors.As(err, &authErr) || errors.As(err, &hostErr) {
		return false
	}
	var netErr net.Error
	var urlErr *url.Error
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) ||
		errors.As(err, &netErr) || errors.As(err, &urlErr)
}

// authHint says what a 401 or 403 answer means, or "".
func authHint(err error) string {
	code := 0
	var resp *errcode.ErrorResponse
	var status interface{ HTTPStatusCode() int }
	switch {
	case errors.As(err, &resp):
		code = resp.StatusCode
	case errors.As(err, &status):
		code = status.HTTPStatusCode()
	}
	switch code {
	case 401:
		return " (the registry refused the credentials, or none were given)"
	case 403:
		return " (the credentials are not allowed to do this)"
	}
	return ""
}

func transientStatus(code int) bool {
	return code >= 500 || code == 429 || code == 408
}

// fetchSmall fetches a blob of at most maxMetadataSize bytes and verifies
// its digest.
func fetchSmall(ctx context.Context, src content.Fetcher, desc ocispec.Descriptor) ([]byte, error) {
	if desc.Size > maxMetadataSize {
		return nil, fmt.Errorf("%s: size %d exceeds %d bytes", desc.Digest, desc.Size, maxMetadataSize)
	}
	return content.FetchAll(ctx, src, desc)
}
