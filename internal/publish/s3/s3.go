// Package s3 keeps published models in an S3 bucket as a content-addressed
// graph, a publish.Target made with aws-sdk-go-v2:
//
//	<prefix>/blobs/sha256/<hex>                          every blob and manifest, by digest
//	<prefix>/tags/<tag>                                  a tag or alias: the manifest's descriptor (JSON)
//	<prefix>/referrers/sha256/<subject>/sha256/<hex>     a referrer's descriptor (JSON), by its subject
//
// Blobs larger than a part are uploaded in parts, several at once, from a
// pool of part buffers shared by the whole store, so memory stays at
// Concurrency parts whatever the model's size. Each part carries its
// CRC-32C, which S3 checks; the whole object's SHA-256 is checked against
// its digest before the upload completes, and the completion carries the
// whole object's CRC-32C (a full-object checksum), which S3 checks too;
// the stored object's size and checksum are compared after. Smaller
// blobs go in one request with their SHA-256 as the checksum. Request
// bodies are not signed (UNSIGNED-PAYLOAD): the signed checksum header
// covers them. A failed upload is aborted. A blob
// already there with its size is not uploaded again. Objects carry their
// digest and media type as metadata.
package s3

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"oras.land/oras-go/v2/errdef"
)

// bucketRE is what S3 accepts as a bucket name.
var bucketRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// Defaults of Options.
const (
	DefaultPartSize    = 16 << 20
	DefaultConcurrency = 4
	// maxParts is S3's limit on the parts of one upload.
	maxParts = 10000
	// abortTimeout bounds the abort of a failed upload.
	abortTimeout = 30 * time.Second
)

// Options say how to reach the bucket and how to upload.
type Options struct {
	// Endpoint is the S3 endpoint URL; default AWS's (or
	// $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL).
	Endpoint string
	// Region is the region; default the AWS configuration's, else
	// us-east-1.
	Region string
	// PathStyle addresses buckets by path (MinIO).
	PathStyle bool
	// PartSize is the size of an upload part; DefaultPartSize when 0.
	// Blobs up to one part are put in one request.
	PartSize int64
	// Concurrency is the number of part buffers, and so of parts in
	// flight; DefaultConcurrency when 0.
	Concurrency int
	// HTTPClient, when set, sends the requests.
	HTTPClient *http.Client
	// Credentials, when set, replace the AWS configuration's.
	Credentials aws.CredentialsProvider
}

// Store is a bucket prefix holding published models.
type Store struct {
	client         *s3.Client
	bucket, prefix string
	partSize       int64
	pool           chan []byte
}

// Open opens the bucket and prefix of ref, "s3://bucket/prefix[:tag|@digest]",
// and returns it with the tag or digest ("" without one).
func Open(ctx context.Context, ref string, o Options) (*Store, string, error) {
	bucket, prefix, tag, err := ParseRef(ref)
	if err != nil {
		return nil, "", err
	}
	var opts []func(*config.LoadOptions) error
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	if o.HTTPClient != nil {
		opts = append(opts, config.WithHTTPClient(o.HTTPClient))
	}
	if o.Credentials != nil {
		opts = append(opts, config.WithCredentialsProvider(o.Credentials))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, "", fmt.Errorf("S3: loading the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	client := s3.NewFromConfig(cfg, func(so *s3.Options) {
		if o.Endpoint != "" {
			so.BaseEndpoint = aws.String(o.Endpoint)
		}
		so.UsePathStyle = o.PathStyle
		// Checksums are given explicitly (SHA-256, CRC-32C) where they matter.
		so.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		// Objects without a stored checksum (tags, referrers, small blobs
		// from other clients) are read unvalidated by the SDK, and checked
		// by digest here: no DEBUG line on stderr for each.
		so.DisableLogOutputChecksumValidationSkipped = true
	})
	return NewStore(client, bucket, prefix, o), tag, nil
}

// NewStore is the Store of bucket and prefix through client.
func NewStore(client *s3.Client, bucket, prefix string, o Options) *Store {
	if o.PartSize <= 0 {
		o.PartSize = DefaultPartSize
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	pool := make(chan []byte, o.Concurrency)
	for range o.Concurrency {
		pool <- nil // allocated on first use
	}
	return &Store{client: client, bucket: bucket, prefix: strings.Trim(prefix, "/"), partSize: o.PartSize, pool: pool}
}

// ParseRef splits "s3://bucket/prefix[:tag|@digest]".
func ParseRef(ref string) (bucket, prefix, tag string, err error) {
	rest, ok := strings.CutPrefix(ref, "s3://")
	if !ok {
		return "", "", "", fmt.Errorf("%q: expected s3://BUCKET/PREFIX", ref)
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest, tag = rest[:i], rest[i+1:]
	} else if i := strings.LastIndexByte(rest, ':'); i > strings.LastIndexByte(rest, '/') {
		rest, tag = rest[:i], rest[i+1:]
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if !bucketRE.MatchString(bucket) || strings.Contains(bucket, "..") {
		return "", "", "", fmt.Errorf("%q: bucket %q: expected 3 to 63 lowercase letters, digits, '.' or '-', starting and ending with a letter or digit", ref, bucket)
	}
	prefix = strings.Trim(prefix, "/")
	for _, seg := range strings.Split(prefix, "/") {
		if (seg == "" && prefix != "") || seg == "." || seg == ".." {
			return "", "", "", fmt.Errorf("%q: the prefix has an empty, . or .. segment", ref)
		}
	}
	return bucket, prefix, tag, nil
}

// key is the object key of name under the prefix.
func (s *Store) key(parts ...string) string {
	return path.Join(append([]string{s.prefix}, parts...)...)
}

// notFound reports whether err is S3's answer for a missing object.
func notFound(err error) bool {
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	var api smithy.APIError
	if errors.As(err, &nsk) || errors.As(err, &nf) {
		return true
	}
	return errors.As(err, &api) && (api.ErrorCode() == "NoSuchKey" || api.ErrorCode() == "NotFound")
}

// wrap makes S3's errors say what was asked; a missing object is
// errdef.ErrNotFound, a missing bucket says so.
func (s *Store) wrap(err error, what string) error {
	var api smithy.APIError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &api) && api.ErrorCode() == "NoSuchBucket":
		return fmt.Errorf("s3://%s: the bucket does not exist: %w", s.bucket, errdef.ErrNotFound)
	case notFound(err):
		return fmt.Errorf("s3://%s/%s: %s: %w", s.bucket, s.prefix, what, errdef.ErrNotFound)
	}
	return fmt.Errorf("s3://%s/%s: %s: %w", s.bucket, s.prefix, what, err)
}
