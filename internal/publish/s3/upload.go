package s3

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"
)

// ErrDigestMismatch: the content read does not match its descriptor.
var ErrDigestMismatch = errors.New("content does not match its digest or size")

// buffer takes a part buffer from the pool, waiting for one.
func (s *Store) buffer(ctx context.Context, size int64) ([]byte, error) {
	select {
	case b := <-s.pool:
		if int64(cap(b)) < size {
			b = make([]byte, s.partSize)
		}
		return b[:size], nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// release returns b to the pool.
func (s *Store) release(b []byte) { s.pool <- b }

// partSizeFor is the part size for a blob of size bytes: the store's, or
// more when the blob needs over maxParts parts.
func (s *Store) partSizeFor(size int64) int64 {
	return max(s.partSize, (size+maxParts-1)/maxParts)
}

// upload stores the blob desc from r: in one request up to a part, in
// parts beyond.
func (s *Store) upload(ctx context.Context, desc ocispec.Descriptor, r io.Reader) error {
	if desc.Size > s.partSize {
		return s.multipart(ctx, desc, r)
	}
	buf, err := s.buffer(ctx, desc.Size)
	if err != nil {
		return err
	}
	defer s.release(buf)
	if _, err := io.ReadFull(r, buf); err != nil {
		return fmt.Errorf("reading %s: %w", desc.Digest, err)
	}
	sum := sha256.Sum256(buf) // the digest's check and the upload's checksum
	if n, _ := r.Read(make([]byte, 1)); n > 0 || digest.NewDigestFromBytes(digest.SHA256, sum[:]) != desc.Digest {
		return fmt.Errorf("%s: %w", desc.Digest, ErrDigestMismatch)
	}
	_, err = s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &s.bucket, Key: aws.String(s.blobKey(desc.Digest)), Body: bytes.NewReader(buf),
		ContentLength: aws.Int64(desc.Size), ContentType: aws.String(desc.MediaType), Metadata: metadata(desc),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256, ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(sum[:])),
	}, unsignedPayload)
	return s.wrap(err, "uploading "+desc.Digest.String())
}

// unsignedPayload leaves the body out of the request's signature
// (UNSIGNED-PAYLOAD) and lets the body's SHA-256, already computed, travel
// as its checksum (x-amz-checksum-sha256, a signed header): the server
// checks the body against that one hash, instead of hashing it twice
// (once for the signature, once for the checksum), and the SDK does not
// read the body again to hash it.
func unsignedPayload(o *s3.Options) {
	o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
		return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("modelci-unsigned-payload",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				return next.HandleFinalize(v4.SetPayloadHash(ctx, "UNSIGNED-PAYLOAD"), in)
			}), "ComputePayloadHash", middleware.Before)
	})
}

func metadata(desc ocispec.Descriptor) map[string]string {
	return map[string]string{metaDigest: desc.Digest.String(), metaMediaType: desc.MediaType}
}

// castagnoli is CRC-32C's table (hardware-accelerated by hash/crc32).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// multipart uploads desc from r in parts, several at once. Each part
// carries its CRC-32C, which the server checks on receipt; the whole
// content's SHA-256 must match desc's digest before the upload completes;
// the completion carries the whole object's CRC-32C (a full-object
// checksum, of the same bytes the SHA-256 was computed on), which the
// server checks; the stored object's size and checksum are compared
// after. Any failure aborts the upload.
//
// CRC-32C rather than SHA-256 for the parts: the SHA-256 is needed once,
// for the digest; a part's SHA-256 would be computed again by the client
// and by the server, which doubled the hashing (see scripts/bench-publish).
func (s *Store) multipart(ctx context.Context, desc ocispec.Descriptor, r io.Reader) (err error) {
	key := s.blobKey(desc.Digest)
	created, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: &s.bucket, Key: &key, ContentType: aws.String(desc.MediaType), Metadata: metadata(desc),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c, ChecksumType: types.ChecksumTypeFullObject,
	})
	if err != nil {
		return s.wrap(err, "starting the upload of "+desc.Digest.String())
	}
	defer func() {
		if err != nil {
			// Abort even when ctx is cancelled: nothing half-done stays.
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
			defer cancel()
			s.client.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{Bucket: &s.bucket, Key: &key, UploadId: created.UploadId})
		}
	}()
	parts, whole, err := s.uploadParts(ctx, desc, key, created.UploadId, r)
	if err != nil {
		return err
	}
	done, err := s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: &s.bucket, Key: &key, UploadId: created.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
		ChecksumCRC32C:  aws.String(whole), ChecksumType: types.ChecksumTypeFullObject,
	})
	if err != nil {
		return s.wrap(err, "completing the upload of "+desc.Digest.String())
	}
	return s.verifyStored(ctx, desc, key, aws.ToString(done.ChecksumCRC32C), whole)
}

// crc32c is data's CRC-32C as S3 writes it: base64 of the big-endian value.
func crc32c(sum uint32) string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], sum)
	return base64.StdEncoding.EncodeToString(b[:])
}

// uploadParts reads r part by part into pooled buffers and uploads them
// concurrently; it checks the whole content against desc and returns the
// parts and the whole content's CRC-32C (S3's encoding).
func (s *Store) uploadParts(ctx context.Context, desc ocispec.Descriptor, key string, uploadID *string, r io.Reader) ([]types.CompletedPart, string, error) {
	partSize := s.partSizeFor(desc.Size)
	n := int((desc.Size + partSize - 1) / partSize)
	parts := make([]types.CompletedPart, n)
	whole, wholeCRC := sha256.New(), uint32(0)
	g, gctx := errgroup.WithContext(ctx)
	for i := range n {
		size := min(partSize, desc.Size-int64(i)*partSize)
		buf, err := s.buffer(gctx, size)
		if err != nil {
			g.Wait()
			return nil, "", err
		}
		if _, err := io.ReadFull(r, buf); err != nil {
			s.release(buf)
			g.Wait()
			return nil, "", fmt.Errorf("reading %s: %w", desc.Digest, err)
		}
		whole.Write(buf)
		wholeCRC = crc32.Update(wholeCRC, castagnoli, buf)
		g.Go(func() error {
			defer s.release(buf)
			sum := crc32c(crc32.Checksum(buf, castagnoli))
			out, err := s.client.UploadPart(gctx, &s3.UploadPartInput{
				Bucket: &s.bucket, Key: &key, UploadId: uploadID, PartNumber: aws.Int32(int32(i + 1)),
				Body: bytes.NewReader(buf), ContentLength: aws.Int64(size),
				ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c, ChecksumCRC32C: aws.String(sum),
			}, unsignedPayload)
			if err != nil {
				return s.wrap(err, fmt.Sprintf("uploading part %d of %s", i+1, desc.Digest))
			}
			parts[i] = types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(int32(i + 1)), ChecksumCRC32C: aws.String(sum)}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, "", err
	}
	extra, _ := r.Read(make([]byte, 1))
	if extra > 0 || digest.NewDigestFromBytes(digest.SHA256, whole.Sum(nil)) != desc.Digest {
		return nil, "", fmt.Errorf("%s: %w", desc.Digest, ErrDigestMismatch)
	}
	return parts, crc32c(wholeCRC), nil
}

// verifyStored checks the completed object: its size, and its full-object
// CRC-32C (from the completion's answer or, without it, HeadObject)
// against want, the CRC-32C of the bytes whose SHA-256 is the digest.
func (s *Store) verifyStored(ctx context.Context, desc ocispec.Descriptor, key, got, want string) error {
	head, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: &key, ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		return s.wrap(err, "checking the upload of "+desc.Digest.String())
	}
	if size := aws.ToInt64(head.ContentLength); size != desc.Size {
		return fmt.Errorf("%s: uploaded %d bytes, want %d: %w", desc.Digest, size, desc.Size, ErrDigestMismatch)
	}
	if got == "" {
		got = aws.ToString(head.ChecksumCRC32C)
	}
	if got == "" {
		return nil // the server keeps no checksum: the parts' were checked on upload
	}
	if got != want {
		return fmt.Errorf("%s: the stored CRC-32C is %s, want %s: %w", desc.Digest, got, want, ErrDigestMismatch)
	}
	return nil
}
