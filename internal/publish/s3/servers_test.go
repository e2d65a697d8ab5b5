//go:build servers

package s3_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"

	"github.com/modelci/modelci/internal/forge"
	"github.com/modelci/modelci/internal/publish"
	"github.com/modelci/modelci/internal/publish/publishtest"
	"github.com/modelci/modelci/internal/publish/s3"
)

// partSize is MinIO's smallest part.
const partSize = 5 << 20

// bucket creates a fresh bucket and returns its name and a client.
func bucket(t *testing.T, srv publishtest.Servers) (string, *awss3.Client) {
	t.Helper()
	t.Setenv("AWS_ACCESS_KEY_ID", srv.S3AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.S3SecretKey)
	client := client(srv, srv.S3Endpoint)
	b := make([]byte, 4)
	rand.Read(b)
	name := "modelci-" + hex.EncodeToString(b)
	if _, err := client.CreateBucket(context.Background(), &awss3.CreateBucketInput{Bucket: &name}); err != nil {
		t.Fatal(err)
	}
	return name, client
}

func client(srv publishtest.Servers, endpoint string) *awss3.Client {
	return awss3.New(awss3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(srv.S3AccessKey, srv.S3SecretKey, ""),
	})
}

// model is a publishable model with weights of n bytes.
func model(t *testing.T, weights string) publish.Model {
	t.Helper()
	rep, _ := publish.ParseReport("report.json", []byte(publishtest.PassedReport))
	a, _ := publish.ParseApproval("approval.json", []byte(publishtest.Approval))
	v, err := publish.Decide(publish.Evidence{Report: rep, Rules: forge.Rules{Defined: true, Approvals: 1}, Approval: &a}, false)
	if err != nil {
		t.Fatal(err)
	}
	return publish.Model{Layout: publishtest.PackModel(t, weights, nil), Report: rep, ReportJSON: []byte(publishtest.PassedReport),
		Record: publish.Record{Verdict: v, Approval: &a}}
}

// bigWeights is 12 MiB of varied bytes: three parts.
func bigWeights(seed string) string {
	var b strings.Builder
	for b.Len() < 12<<20 {
		b.WriteString(seed)
		b.WriteString(digest.FromString(b.String()[max(0, b.Len()-64):]).Encoded())
	}
	return b.String()
}

func s3cmd(t *testing.T, srv publishtest.Servers, args ...string) []byte {
	t.Helper()
	host := strings.TrimPrefix(srv.S3Endpoint, "http://")
	base := []string{"--config=/dev/null", "--no-ssl", "--host=" + host, "--host-bucket=" + host,
		"--access_key=" + srv.S3AccessKey, "--secret_key=" + srv.S3SecretKey, "--region=us-east-1"}
	var stderr bytes.Buffer
	cmd := exec.Command("s3cmd", append(base, args...)...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("s3cmd %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// TestS3PublishInterop: multipart blobs land content-addressed with their
// metadata, s3cmd lists and fetches them, promote, rollback and pull work.
func TestS3PublishInterop(t *testing.T) {
	srv := publishtest.LoadServers(t)
	ctx := context.Background()
	name, c := bucket(t, srv)
	store := s3.NewStore(c, name, "team/iris", s3.Options{PartSize: partSize})
	weights := bigWeights("a")
	res, err := publish.Publish(ctx, store, "1", model(t, weights), publish.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wd := digest.FromString(weights)
	key := "team/iris/blobs/sha256/" + wd.Encoded()
	head, err := c.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: &name, Key: &key, ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	if head.Metadata["digest"] != wd.String() || aws.ToInt64(head.ContentLength) != int64(len(weights)) || !strings.Contains(aws.ToString(head.ETag), "-3") {
		t.Errorf("weights object: metadata %v, size %d, ETag %s (want 3 parts)", head.Metadata, aws.ToInt64(head.ContentLength), aws.ToString(head.ETag))
	}
	// The server kept the whole object's CRC-32C, which it checked at completion.
	var crc [4]byte
	binary.BigEndian.PutUint32(crc[:], crc32.Checksum([]byte(weights), crc32.MakeTable(crc32.Castagnoli)))
	if got, want := aws.ToString(head.ChecksumCRC32C), base64.StdEncoding.EncodeToString(crc[:]); got != want || head.ChecksumType != types.ChecksumTypeFullObject {
		t.Errorf("weights object: checksum %s (%s), want the full-object CRC-32C %s", got, head.ChecksumType, want)
	}
	list := s3cmd(t, srv, "ls", "--recursive", "s3://"+name+"/team/iris/")
	for _, want := range []string{key, "team/iris/tags/1", "team/iris/blobs/sha256/" + res.Model.Digest.Encoded(),
		"team/iris/referrers/sha256/" + res.Model.Digest.Encoded() + "/sha256/" + res.Approval.Digest.Encoded()} {
		if !bytes.Contains(list, []byte(want)) {
			t.Errorf("s3cmd ls lacks %s:\n%s", want, list)
		}
	}
	got := filepath.Join(t.TempDir(), "weights")
	s3cmd(t, srv, "get", "s3://"+name+"/"+key, got)
	if b, _ := os.ReadFile(got); digest.FromBytes(b) != wd {
		t.Errorf("s3cmd get: the weights' digest is %s, want %s", digest.FromBytes(b), wd)
	}

	if _, err := publish.Publish(ctx, store, "2", model(t, bigWeights("b")), publish.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"1", "2"} {
		if _, err := publish.Promote(ctx, store, "production", v, publish.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	if mv, err := publish.Rollback(ctx, store, "production", publish.Options{}); err != nil || mv.To.Digest != res.Model.Digest {
		t.Fatalf("rollback = %v, %v", mv.To.Digest, err)
	}
	dir := filepath.Join(t.TempDir(), "m")
	if _, err := publish.Pull(ctx, store, "production", dir); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "model.pkl")); digest.FromBytes(b) != wd {
		t.Error("pulled production: wrong weights")
	}
	if _, err := publish.Rollback(ctx, store, "staging", publish.Options{}); !errors.Is(err, publish.ErrNoAlias) {
		t.Errorf("rollback of an unknown alias: %v", err)
	}
}

func isPartUpload(r *http.Request) bool {
	return r.Method == http.MethodPut && r.URL.Query().Has("partNumber")
}

// TestS3RepushSkipsAndFaults: a re-push uploads no blob; failing part
// uploads are retried; a push that keeps failing aborts its uploads and
// writes no tag.
func TestS3RepushSkipsAndFaults(t *testing.T) {
	srv := publishtest.LoadServers(t)
	ctx := context.Background()
	name, direct := bucket(t, srv)
	p := publishtest.NewProxy(t, srv.S3Endpoint)
	store := s3.NewStore(client(srv, p.URL.String()), name, "m", s3.Options{PartSize: partSize})
	m := model(t, bigWeights("c"))

	p.SetRule(publishtest.Times(2, publishtest.Fail5xx, isPartUpload))
	if _, err := publish.Publish(ctx, store, "1", m, publish.Options{Backoff: 10_000_000}); err != nil {
		t.Fatal(err)
	}
	before := map[string]bool{}
	list, err := direct.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: &name, Prefix: aws.String("m/blobs/")})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range list.Contents {
		before["PUT /"+name+"/"+aws.ToString(o.Key)] = true
	}
	p.Seen()
	if _, err := publish.Publish(ctx, store, "1", m, publish.Options{}); err != nil {
		t.Fatal(err)
	}
	// Nothing already there is uploaded again.
	for _, s := range p.Seen() {
		if before[s] || strings.HasPrefix(s, "POST ") {
			t.Errorf("re-push uploaded a blob already there: %s", s)
		}
	}

	p.SetRule(func(r *http.Request) publishtest.Fault {
		if isPartUpload(r) {
			return publishtest.Fail5xx
		}
		return publishtest.Pass
	})
	if _, err := publish.Publish(ctx, store, "2", model(t, bigWeights("d")), publish.Options{Attempts: 2, Backoff: 10_000_000}); err == nil {
		t.Fatal("publish succeeded though every part upload failed")
	}
	if _, err := store.Resolve(ctx, "2"); !errors.Is(err, errdef.ErrNotFound) {
		t.Errorf("tag 2 after a failed push: %v", err)
	}
	ups, err := direct.ListMultipartUploads(ctx, &awss3.ListMultipartUploadsInput{Bucket: &name})
	if err != nil || len(ups.Uploads) != 0 {
		t.Errorf("incomplete uploads left: %d, %v", len(ups.Uploads), err)
	}
}

// TestS3DigestMismatch: content that does not match its descriptor is
// refused, before or after it is uploaded in parts, and nothing stays.
func TestS3DigestMismatch(t *testing.T) {
	srv := publishtest.LoadServers(t)
	ctx := context.Background()
	name, c := bucket(t, srv)
	store := s3.NewStore(c, name, "m", s3.Options{PartSize: partSize})
	for _, size := range []int{100, 11 << 20} {
		data := bytes.Repeat([]byte("x"), size)
		desc := ocispec.Descriptor{MediaType: "application/octet-stream", Digest: digest.FromString("other"), Size: int64(size)}
		if err := store.Push(ctx, desc, bytes.NewReader(data)); !errors.Is(err, s3.ErrDigestMismatch) {
			t.Errorf("%d bytes: %v, want ErrDigestMismatch", size, err)
		}
		if ok, _ := store.Exists(ctx, desc); ok {
			t.Errorf("%d bytes: the mismatching blob exists", size)
		}
	}
	ups, err := c.ListMultipartUploads(ctx, &awss3.ListMultipartUploadsInput{Bucket: &name})
	if err != nil || len(ups.Uploads) != 0 {
		t.Errorf("incomplete uploads left: %d, %v", len(ups.Uploads), err)
	}
	missing := s3.NewStore(c, "modelci-no-such-bucket", "m", s3.Options{})
	if _, err := missing.Resolve(ctx, "1"); err == nil || !strings.Contains(err.Error(), "the bucket does not exist") {
		t.Errorf("missing bucket: %v", err)
	}
}
