//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/modelci/modelci/internal/publish/publishtest"
)

// publishedDigest finds the model's digest in publish's output.
var publishedDigest = regexp.MustCompile(`published (sha256:[0-9a-f]{64}) as `)

// TestPublishAndBaselineRefThroughTheEngine publishes a pipeline's model
// through `dagger call publish` to the real registry on the host's
// loopback (reached with with-host-service), checks it with the oras CLI,
// then runs a pipeline whose base side is that model's evaluation
// (with-baseline, the alias production): the base is not trained, the
// report names the baseline's digest, and the base values are the
// published evaluation's.
func TestPublishAndBaselineRefThroughTheEngine(t *testing.T) {
	srv := publishtest.LoadServers(t)
	n := nonce(t)
	repo := srv.Registry + "/it/digits-" + n
	hostService := []string{"--image", pythonImage(t), "with-host-service", "--service", "tcp://" + srv.Registry}

	base := baselinePipeline(t, n)

	// Without the host service the registry is out of reach, and the error says how to reach it.
	publishArgs := []string{"publish", "--model", filepath.Join(base, "model"), "--report", filepath.Join(base, "report.json"),
		"--report-markdown", filepath.Join(base, "report.md"), "--registry", repo + ":1.0.0", "--alias", "production",
		"--commit", "c0ffee", "--framework", "scikit-learn"}
	got := daggerCall(t, append([]string{"with-registry", "--plain-http"}, publishArgs...)...)
	if got.code == 0 || !strings.Contains(got.stderr, "with-host-service --service tcp://"+srv.Registry) {
		t.Fatalf("publish to the loopback without a host service: exit %d, want a failure naming with-host-service\n%s", got.code, tail(got.stderr, 3000))
	}

	args := append(append(append([]string{}, hostService...), "with-registry", "--plain-http"), publishArgs...)
	got = daggerCall(t, args...)
	mustSucceed(t, "dagger call publish", got)
	m := publishedDigest.FindStringSubmatch(got.stdout)
	if m == nil || !strings.Contains(got.stdout, "promoted production") {
		t.Fatalf("publish printed no digest or no promotion:\n%s", got.stdout)
	}
	digest := m[1]

	// An independent client sees the model under the alias, and its referrers.
	pulled := t.TempDir()
	mustSucceed(t, "oras pull", runIn(t, pulled, srv.Oras, "pull", "--plain-http", repo+":production"))
	if _, err := os.Stat(filepath.Join(pulled, "model.pkl")); err != nil {
		t.Errorf("oras pull of :production has no model.pkl: %v", err)
	}
	disc := runIn(t, pulled, srv.Oras, "discover", "--plain-http", "--format", "json", repo+"@"+digest)
	mustSucceed(t, "oras discover", disc)
	for _, kind := range []string{"evaluation", "report", "approval"} {
		if !strings.Contains(disc.stdout, "application/vnd.modelci."+kind) {
			t.Errorf("oras discover lists no %s referrer:\n%s", kind, disc.stdout)
		}
	}

	// A second publish of the same inputs publishes again: the call is
	// never cached. Moved away with oras, the alias comes back.
	report := regexp.MustCompile(`report (sha256:[0-9a-f]{64})`).FindStringSubmatch(got.stdout)
	if report == nil {
		t.Fatalf("publish printed no report digest:\n%s", got.stdout)
	}
	mustSucceed(t, "oras tag", runIn(t, pulled, srv.Oras, "tag", "--plain-http", repo+"@"+report[1], "production"))
	mustSucceed(t, "the second dagger call publish", daggerCall(t, args...))
	res := runIn(t, pulled, srv.Oras, "resolve", "--plain-http", repo+":production")
	if strings.TrimSpace(res.stdout) != digest {
		t.Errorf("after the second publish production is %q, want %s: the call did not run again", res.stdout, digest)
	}

	checkBaselineRef(t, hostService, repo, digest, base, n)
}

// checkBaselineRef runs the candidate's pipeline against the published
// baseline and checks the report; then publishes the candidate as the
// new production and runs the same call again: the alias is read again,
// not taken from the cache.
func checkBaselineRef(t *testing.T, hostService []string, repo, digest, base, n string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	source := digitsSource(t, true, n)
	args := append(append([]string{}, hostService...), "with-registry", "--plain-http", "with-baseline", "--ref", repo+":production",
		"pipeline", "--source", source, "--name", "digits", "export", "--path", out)
	mustSucceed(t, "pipeline with-baseline", daggerCall(t, args...))
	if got := reportBaseline(t, out); got != repo+"@"+digest {
		t.Errorf("report's baseline %q, want %s@%s", got, repo, digest)
	}
	rep := parseReport(t, readFile(t, filepath.Join(out, "report.json")))
	checkDigitsReport(t, rep)
	published := parseReport(t, readFile(t, filepath.Join(base, "report.json")))
	for _, name := range []string{"accuracy", "macro_f1", "log_loss"} {
		b, h := rep.Metrics[rep.metric(t, name)].Base, published.Metrics[published.metric(t, name)].Head
		if b == nil || h == nil || *b != *h {
			t.Errorf("%s: base %v, want the published evaluation's %v", name, b, h)
		}
	}
	if !strings.Contains(string(readFile(t, filepath.Join(out, "timings.md"))), "baseline") {
		t.Error("timings.md does not time the baseline's pull")
	}

	// The candidate becomes production; the same call compares with it.
	got := daggerCall(t, append(append([]string{}, hostService...), "with-registry", "--plain-http", "publish",
		"--model", filepath.Join(out, "model"), "--report", filepath.Join(out, "report.json"),
		"--registry", repo+":2.0.0", "--alias", "production")...)
	mustSucceed(t, "publish of the candidate", got)
	m := publishedDigest.FindStringSubmatch(got.stdout)
	if m == nil || m[1] == digest {
		t.Fatalf("the candidate's publish printed no new digest:\n%s", got.stdout)
	}
	mustSucceed(t, "the same pipeline call again", daggerCall(t, args...))
	if got := reportBaseline(t, out); got != repo+"@"+m[1] {
		t.Errorf("after production moved, the report's baseline is %q, want %s@%s: a cached result", got, repo, m[1])
	}
}

// baselinePipeline runs the digits baseline's pipeline (no base of its
// own) and returns the directory it exported: the model to publish.
func baselinePipeline(t *testing.T, n string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "base")
	mustSucceed(t, "pipeline of the baseline", daggerCall(t, "--image", pythonImage(t), "pipeline",
		"--source", digitsSource(t, false, n), "--name", "digits", "export", "--path", out))
	return out
}

// reportBaseline is the baseline report.json in dir names.
func reportBaseline(t *testing.T, dir string) string {
	t.Helper()
	var named struct {
		Baseline string `json:"baseline"`
	}
	if err := json.Unmarshal(readFile(t, filepath.Join(dir, "report.json")), &named); err != nil {
		t.Fatal(err)
	}
	return named.Baseline
}

// TestPublishToS3ThroughTheEngine publishes through `dagger call publish`
// to the real S3 server on the host's loopback, credentials as secrets,
// and lists the objects with the AWS SDK: the blobs under their digests,
// the tags. The credentials appear in no output.
func TestPublishToS3ThroughTheEngine(t *testing.T) {
	srv := publishtest.LoadServers(t)
	n := nonce(t)
	base := baselinePipeline(t, n)

	ctx := context.Background()
	client := awss3.New(awss3.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.S3Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(srv.S3AccessKey, srv.S3SecretKey, "")})
	bucket := "it-" + n
	if _, err := client.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("IT_S3_KEY", srv.S3AccessKey)
	t.Setenv("IT_S3_SECRET", srv.S3SecretKey)
	endpoint := strings.TrimPrefix(strings.TrimPrefix(srv.S3Endpoint, "http://"), "https://")
	got := daggerCall(t, "--image", pythonImage(t), "with-host-service", "--service", "tcp://"+endpoint, "publish",
		"--model", filepath.Join(base, "model"), "--report", filepath.Join(base, "report.json"),
		"--s3", "s3://"+bucket+"/models/digits", "--version", "1.0.0", "--alias", "production",
		"--s3-endpoint", srv.S3Endpoint, "--s3-path-style", "--aws-region", "us-east-1",
		"--aws-access-key-id", "env:IT_S3_KEY", "--aws-secret-access-key", "env:IT_S3_SECRET")
	mustSucceed(t, "dagger call publish --s3", got)
	m := publishedDigest.FindStringSubmatch(got.stdout)
	if m == nil {
		t.Fatalf("publish printed no digest:\n%s", got.stdout)
	}
	if strings.Contains(got.stdout+got.stderr, srv.S3SecretKey) {
		t.Error("the S3 secret key appears in dagger call's output")
	}
	keys := map[string]bool{}
	pages := awss3.NewListObjectsV2Paginator(client, &awss3.ListObjectsV2Input{Bucket: &bucket})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			keys[aws.ToString(o.Key)] = true
		}
	}
	for _, k := range []string{"models/digits/blobs/sha256/" + strings.TrimPrefix(m[1], "sha256:"), "models/digits/tags/1.0.0", "models/digits/tags/production"} {
		if !keys[k] {
			t.Errorf("the bucket lacks %s; it has %v", k, keys)
		}
	}
}

// TestPublishToTLSRegistryThroughTheEngine publishes through `dagger call
// publish` to the TLS + htpasswd registry on the host's loopback, with
// with-registry's user name, password (a secret) and CA; then reads the
// evaluation back as the base side of a check. A wrong password is
// refused, and the password appears in no output.
func TestPublishToTLSRegistryThroughTheEngine(t *testing.T) {
	srv := publishtest.LoadServers(t)
	n := nonce(t)
	repo := srv.RegistryTLS + "/it/tls-" + n
	base := baselinePipeline(t, n)
	t.Setenv("IT_REGISTRY_PASSWORD", srv.Password)
	t.Setenv("IT_WRONG_PASSWORD", "not-"+srv.Password)
	reach := func(passwordEnv string) []string {
		return []string{"--image", pythonImage(t), "with-host-service", "--service", "tcp://" + srv.RegistryTLS,
			"with-registry", "--username", srv.User, "--password", "env:" + passwordEnv, "--ca-cert", srv.CA}
	}
	publish := []string{"publish", "--model", filepath.Join(base, "model"), "--report", filepath.Join(base, "report.json"),
		"--registry", repo + ":1.0.0", "--alias", "production"}

	got := daggerCall(t, append(reach("IT_WRONG_PASSWORD"), publish...)...)
	if got.code == 0 || !strings.Contains(got.stderr, "401") {
		t.Errorf("a wrong password: exit %d, want a refusal naming 401:\n%s", got.code, tail(got.stderr, 3000))
	}
	got = daggerCall(t, append(reach("IT_REGISTRY_PASSWORD"), publish...)...)
	mustSucceed(t, "dagger call publish to the TLS registry", got)
	if !publishedDigest.MatchString(got.stdout) {
		t.Fatalf("publish printed no digest:\n%s", got.stdout)
	}
	check := daggerCall(t, append(reach("IT_REGISTRY_PASSWORD"), "with-baseline", "--ref", repo+":production",
		"check", "--source", digitsSource(t, true, n), "--name", "digits")...)
	mustSucceed(t, "check against the TLS registry's baseline", check)
	for _, r := range []result{got, check} {
		if strings.Contains(r.stdout+r.stderr, srv.Password) {
			t.Error("the registry password appears in dagger call's output")
		}
	}
}
