package s3

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry"
)

// maxManifestSize bounds the manifests and descriptors read into memory.
const maxManifestSize = 4 << 20

// Metadata keys of every blob object.
const (
	metaDigest    = "digest"
	metaMediaType = "media-type"
)

func (s *Store) blobKey(d digest.Digest) string {
	return s.key("blobs", d.Algorithm().String(), d.Encoded())
}

// Exists reports whether the blob target is there with its size.
func (s *Store) Exists(ctx context.Context, target ocispec.Descriptor) (bool, error) {
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: aws.String(s.blobKey(target.Digest))})
	switch {
	case notFound(err):
		return false, nil
	case err != nil:
		return false, s.wrap(err, "checking "+target.Digest.String())
	}
	return aws.ToInt64(out.ContentLength) == target.Size, nil
}

// Fetch reads the blob target.
func (s *Store) Fetch(ctx context.Context, target ocispec.Descriptor) (io.ReadCloser, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: aws.String(s.blobKey(target.Digest))})
	if err != nil {
		return nil, s.wrap(err, "fetching "+target.Digest.String())
	}
	return out.Body, nil
}

// Push uploads the blob expected, verifying its digest and size; a
// manifest with a subject is listed among the subject's referrers too. A
// blob already there is not uploaded again (errdef.ErrAlreadyExists).
func (s *Store) Push(ctx context.Context, expected ocispec.Descriptor, r io.Reader) error {
	if err := expected.Digest.Validate(); err != nil {
		return fmt.Errorf("%s: %w", expected.Digest, err)
	}
	exists, err := s.Exists(ctx, expected)
	if err != nil {
		return err
	}
	if !isManifest(expected.MediaType) {
		if exists {
			return fmt.Errorf("%s: %w", expected.Digest, errdef.ErrAlreadyExists)
		}
		return s.upload(ctx, expected, r)
	}
	if expected.Size > maxManifestSize {
		return fmt.Errorf("manifest %s: size %d exceeds %d bytes", expected.Digest, expected.Size, maxManifestSize)
	}
	data, err := io.ReadAll(io.LimitReader(r, expected.Size+1))
	if err != nil {
		return err
	}
	if !exists {
		if err := s.upload(ctx, expected, bytes.NewReader(data)); err != nil {
			return err
		}
	}
	var m struct {
		ArtifactType string              `json:"artifactType"`
		Config       ocispec.Descriptor  `json:"config"`
		Subject      *ocispec.Descriptor `json:"subject"`
		Annotations  map[string]string   `json:"annotations"`
	}
	if json.Unmarshal(data, &m) != nil || m.Subject == nil {
		return nil
	}
	ref := expected
	ref.ArtifactType, ref.Annotations = m.ArtifactType, m.Annotations
	if ref.ArtifactType == "" {
		ref.ArtifactType = m.Config.MediaType
	}
	// Written even when the manifest was there: a push stopped between
	// the two leaves no referrer unlisted.
	if err := s.putJSON(ctx, s.referrerKey(m.Subject.Digest, expected.Digest), ref); err != nil {
		return err
	}
	if exists {
		return fmt.Errorf("%s: %w", expected.Digest, errdef.ErrAlreadyExists)
	}
	return nil
}

func isManifest(mediaType string) bool {
	return mediaType == ocispec.MediaTypeImageManifest || mediaType == ocispec.MediaTypeImageIndex
}

func (s *Store) referrerKey(subject, referrer digest.Digest) string {
	return s.key("referrers", subject.Algorithm().String(), subject.Encoded(), referrer.Algorithm().String(), referrer.Encoded())
}

// Resolve resolves a tag, or a manifest's digest.
func (s *Store) Resolve(ctx context.Context, reference string) (ocispec.Descriptor, error) {
	if d, err := digest.Parse(reference); err == nil {
		out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: aws.String(s.blobKey(d))})
		if err != nil {
			return ocispec.Descriptor{}, s.wrap(err, "resolving "+reference)
		}
		return ocispec.Descriptor{MediaType: out.Metadata[metaMediaType], Digest: d, Size: aws.ToInt64(out.ContentLength)}, nil
	}
	if err := (registry.Reference{Reference: reference}).ValidateReferenceAsTag(); err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("%q: %w", reference, errdef.ErrInvalidReference)
	}
	var desc ocispec.Descriptor
	if err := s.getJSON(ctx, s.key("tags", reference), &desc); err != nil {
		return ocispec.Descriptor{}, s.wrap(err, "resolving tag "+reference)
	}
	return desc, nil
}

// Tag points reference at the manifest desc, which must be there.
func (s *Store) Tag(ctx context.Context, desc ocispec.Descriptor, reference string) error {
	if err := (registry.Reference{Reference: reference}).ValidateReferenceAsTag(); err != nil {
		return fmt.Errorf("%q: %w", reference, errdef.ErrInvalidReference)
	}
	if ok, err := s.Exists(ctx, desc); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("tagging %s as %q: %w", desc.Digest, reference, errdef.ErrNotFound)
	}
	d := ocispec.Descriptor{MediaType: desc.MediaType, Digest: desc.Digest, Size: desc.Size}
	return s.putJSON(ctx, s.key("tags", reference), d)
}

// Referrers lists the manifests whose subject is desc, of artifactType
// ("" for all).
func (s *Store) Referrers(ctx context.Context, desc ocispec.Descriptor, artifactType string, fn func([]ocispec.Descriptor) error) error {
	prefix := s.key("referrers", desc.Digest.Algorithm().String(), desc.Digest.Encoded()) + "/"
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: &prefix})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return s.wrap(err, "listing the referrers of "+desc.Digest.String())
		}
		var found []ocispec.Descriptor
		for _, o := range page.Contents {
			var d ocispec.Descriptor
			if err := s.getJSON(ctx, aws.ToString(o.Key), &d); err != nil {
				return s.wrap(err, "reading referrer "+strings.TrimPrefix(aws.ToString(o.Key), prefix))
			}
			if artifactType == "" || d.ArtifactType == artifactType {
				found = append(found, d)
			}
		}
		if len(found) > 0 {
			if err := fn(found); err != nil {
				return err
			}
		}
	}
	return nil
}

// putJSON writes v as a small JSON object.
func (s *Store) putJSON(ctx context.Context, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &s.bucket, Key: &key, Body: bytes.NewReader(data),
		ContentType: aws.String("application/json"), ContentLength: aws.Int64(int64(len(data))),
	})
	return s.wrap(err, "writing "+key)
}

// getJSON reads a small JSON object into v.
func (s *Store) getJSON(ctx context.Context, key string, v any) error {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &key})
	if err != nil {
		return err
	}
	defer out.Body.Close()
	data, err := io.ReadAll(io.LimitReader(out.Body, maxManifestSize))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	return nil
}
