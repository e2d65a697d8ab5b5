//go:build servers

package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/modelci/modelci/internal/publish/publishtest"
)

// publishFixture writes the files a publish needs and returns the flags
// naming them.
func publishFixture(t *testing.T, weights, report string) []string {
	t.Helper()
	dir := t.TempDir()
	publishtest.WriteFiles(t, dir, map[string]string{
		"report.json": report, "report.md": "# Report\n", "approval.json": publishtest.Approval, ".modelci.yaml": publishtest.Policy,
		"data/train.csv": "x,y\n1,2\n", "src/train.py": "print('train')\n",
	})
	return []string{"--model", publishtest.PackModel(t, weights, nil), "--report", filepath.Join(dir, "report.json"),
		"--report-markdown", filepath.Join(dir, "report.md"), "--approval", filepath.Join(dir, "approval.json"),
		"--policy", filepath.Join(dir, ".modelci.yaml"), "--commit", "abc123", "--pull-request", "7",
		"--data", filepath.Join(dir, "data"), "--source", filepath.Join(dir, "src"), "--framework", "scikit-learn"}
}

// createBucket creates bucket on the test S3 server.
func createBucket(t *testing.T, srv publishtest.Servers, bucket string) {
	t.Helper()
	c := awss3.New(awss3.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.S3Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(srv.S3AccessKey, srv.S3SecretKey, "")})
	if _, err := c.CreateBucket(context.Background(), &awss3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
}

func freshRepo(host string) string {
	b := make([]byte, 4)
	rand.Read(b)
	return host + "/models/cli-" + hex.EncodeToString(b)
}

// TestCLIPublishPromoteRollbackPull: the commands end to end on the
// registry, with their exit codes.
func TestCLIPublishPromoteRollbackPull(t *testing.T) {
	srv := publishtest.LoadServers(t)
	repo := freshRepo(srv.Registry)
	for _, v := range []string{"1.0.0", "1.1.0"} {
		args := append([]string{"publish", "--plain-http", "--registry", repo + ":" + v, "--alias", "production"}, publishFixture(t, "w"+v, publishtest.PassedReport)...)
		if code, out, errOut := runCLI(t, args...); code != 0 || !strings.Contains(out, "promoted production") {
			t.Fatalf("publish %s: exit %d\n%s%s", v, code, out, errOut)
		}
	}
	code, out, errOut := runCLI(t, "rollback", "--plain-http", repo)
	if code != 0 || !strings.Contains(out, "rolled back production") {
		t.Fatalf("rollback: exit %d\n%s%s", code, out, errOut)
	}
	dir := filepath.Join(t.TempDir(), "pulled")
	if code, out, errOut := runCLI(t, "pull", "--plain-http", "--output", dir, repo+":production"); code != 0 {
		t.Fatalf("pull: exit %d\n%s%s", code, out, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "model.pkl")); string(b) != "w1.0.0" {
		t.Errorf("production after rollback has model.pkl %q, want w1.0.0", b)
	}
	if code, _, errOut := runCLI(t, "rollback", "--plain-http", repo); code != 2 || !strings.Contains(errOut, "nothing to roll back to") {
		t.Errorf("rollback past the first: exit %d, %s", code, errOut)
	}
	if code, out, errOut := runCLI(t, "promote", "--plain-http", repo+":1.1.0"); code != 0 {
		t.Errorf("promote 1.1.0: exit %d\n%s%s", code, out, errOut)
	}
}

// TestCLIPublishRefusedAndForced: a failed gate refuses with exit 1 and
// the reason; --force publishes and records it.
func TestCLIPublishRefusedAndForced(t *testing.T) {
	srv := publishtest.LoadServers(t)
	repo := freshRepo(srv.Registry)
	args := append([]string{"publish", "--plain-http", "--registry", repo + ":1"}, publishFixture(t, "w", publishtest.FailedReport)...)
	code, _, errOut := runCLI(t, args...)
	if code != 1 || !strings.Contains(errOut, "publishing refused: the gate failed: accuracy 0.8 is below the minimum 0.85") {
		t.Fatalf("refused publish: exit %d, %s", code, errOut)
	}
	code, _, errOut = runCLI(t, "promote", "--plain-http", repo+":1")
	if code != 2 || !strings.Contains(errOut, "not found") {
		t.Errorf("promote of a version never published: exit %d, %s", code, errOut)
	}
	code, out, errOut := runCLI(t, append(args, "--force")...)
	if code != 0 || !strings.Contains(errOut, "publishing with --force although: the gate failed") {
		t.Fatalf("forced publish: exit %d\n%s%s", code, out, errOut)
	}
	// A forced model may be promoted: its record says forced.
	if code, out, errOut := runCLI(t, "promote", "--plain-http", repo+":1"); code != 0 {
		t.Errorf("promote of a forced model: exit %d\n%s%s", code, out, errOut)
	}
}

// TestCLIInputErrors: bad credentials, an unknown repository, missing
// model files, an alias with no history: exit 2, a clear message, and no
// credential in it.
func TestCLIInputErrors(t *testing.T) {
	srv := publishtest.LoadServers(t)
	const secret = "not-the-password-5150"
	t.Setenv(envRegistryPassword, secret)
	repo := freshRepo(srv.RegistryTLS)
	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"bad credentials":    {append([]string{"publish", "-v", "--ca-file", srv.CA, "-u", srv.User, "--registry", repo + ":1"}, publishFixture(t, "w", publishtest.PassedReport)...), "401"},
		"unknown repository": {[]string{"pull", "--plain-http", "-o", t.TempDir() + "/x", srv.Registry + "/models/never-pushed:1"}, "not found"},
		"missing model files": {append(append([]string{"publish", "--plain-http", "--registry", freshRepo(srv.Registry) + ":1"},
			publishFixture(t, "w", publishtest.PassedReport)...), "--model", t.TempDir()), "layout"},
		"alias with no history":      {[]string{"rollback", "--plain-http", freshRepo(srv.Registry)}, "alias does not exist"},
		"plain HTTP beyond loopback": {[]string{"rollback", "--plain-http", "registry.example.com/models/x"}, "plain HTTP is allowed only to a loopback address"},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := runCLI(t, c.args...)
			if code != 2 || !strings.Contains(errOut, c.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, c.want)
			}
			if strings.Contains(out+errOut, secret) || strings.Contains(out+errOut, srv.Password) {
				t.Errorf("a credential appears in the output:\n%s%s", out, errOut)
			}
		})
	}
}

// TestCLICompareBaselineRef: compare takes its base side from the
// evaluation attached to model:production, paired by id, and the report
// names the baseline's digest.
func TestCLICompareBaselineRef(t *testing.T) {
	srv := publishtest.LoadServers(t)
	repo := freshRepo(srv.Registry)
	args := append([]string{"publish", "--plain-http", "--registry", repo + ":1", "--alias", "production"}, publishFixture(t, "w", publishtest.PassedReport)...)
	code, out, errOut := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("publish: exit %d\n%s%s", code, out, errOut)
	}
	digest := strings.Fields(out)[1]
	dir := t.TempDir()
	head := writeFile(t, dir, "head.jsonl", "{\"id\": \"a\", \"accuracy\": 1}\n{\"id\": \"b\", \"accuracy\": 1}\n")
	jsonOut := filepath.Join(dir, "report.json")
	code, out, errOut = runCLI(t, "compare", "--plain-http", "--baseline-ref", repo+":production", "--head-examples", head, "--json", jsonOut, "-o", filepath.Join(dir, "r.md"))
	if code != 0 {
		t.Fatalf("compare: exit %d\n%s%s", code, out, errOut)
	}
	rep, _ := os.ReadFile(jsonOut)
	if !strings.Contains(string(rep), `"baseline": "`+repo+"@"+digest+`"`) || !strings.Contains(string(rep), `"paired": 2`) {
		t.Errorf("report does not name the baseline %s or pair 2 examples:\n%s", digest, rep)
	}
	code, _, errOut = runCLI(t, "compare", "--plain-http", "--baseline-ref", repo+":production", "--base-examples", head, "--head-examples", head)
	if code != 2 || !strings.Contains(errOut, "without --base and --base-examples") {
		t.Errorf("--baseline-ref with --base-examples: exit %d, %s", code, errOut)
	}
}

// TestCLIPublishS3: publish to both a registry and S3 (credentials and
// endpoint from the environment, as actions/publish passes them), then
// promote, roll back and pull from S3.
func TestCLIPublishS3(t *testing.T) {
	srv := publishtest.LoadServers(t)
	b := make([]byte, 4)
	rand.Read(b)
	bucket := "modelci-cli-" + hex.EncodeToString(b)
	t.Setenv("AWS_ACCESS_KEY_ID", srv.S3AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.S3SecretKey)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ENDPOINT_URL_S3", srv.S3Endpoint)
	if code, out, errOut := runCLI(t, "pull", "-o", t.TempDir()+"/x", "s3://"+bucket+"/iris:1"); code != 2 || !strings.Contains(errOut, "the bucket does not exist") {
		t.Fatalf("pull from a missing bucket: exit %d\n%s%s", code, out, errOut)
	}
	createBucket(t, srv, bucket)
	s3 := "s3://" + bucket + "/team/iris"
	for _, v := range []string{"1", "2"} {
		args := append([]string{"publish", "--plain-http", "--registry", freshRepo(srv.Registry), "--s3", s3, "--version", v, "--alias", "production"},
			publishFixture(t, "s3 "+v, publishtest.PassedReport)...)
		if code, out, errOut := runCLI(t, args...); code != 0 || strings.Count(out, "promoted production") != 2 {
			t.Fatalf("publish %s: exit %d\n%s%s", v, code, out, errOut)
		}
	}
	if code, out, errOut := runCLI(t, "rollback", s3); code != 0 {
		t.Fatalf("rollback: exit %d\n%s%s", code, out, errOut)
	}
	dir := filepath.Join(t.TempDir(), "m")
	if code, out, errOut := runCLI(t, "pull", "-o", dir, s3+":production"); code != 0 {
		t.Fatalf("pull: exit %d\n%s%s", code, out, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "model.pkl")); string(b) != "s3 1" {
		t.Errorf("production after rollback: model.pkl = %q", b)
	}
}
