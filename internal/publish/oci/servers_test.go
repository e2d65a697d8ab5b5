//go:build servers

package oci_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry/remote"

	"github.com/modelci/modelci/internal/forge"
	"github.com/modelci/modelci/internal/publish"
	"github.com/modelci/modelci/internal/publish/oci"
	"github.com/modelci/modelci/internal/publish/publishtest"
)

// repoName is a fresh repository name for one test.
func repoName(t *testing.T) string {
	b := make([]byte, 4)
	rand.Read(b)
	return "models/" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")) + "-" + hex.EncodeToString(b)
}

// model is a publishable model, gate passed and approved.
func model(t *testing.T, weights string) publish.Model {
	t.Helper()
	rep, err := publish.ParseReport("report.json", []byte(publishtest.PassedReport))
	if err != nil {
		t.Fatal(err)
	}
	a, err := publish.ParseApproval("approval.json", []byte(publishtest.Approval))
	if err != nil {
		t.Fatal(err)
	}
	v, err := publish.Decide(publish.Evidence{Report: rep, Rules: forge.Rules{Defined: true, Approvals: 1}, Approval: &a}, false)
	if err != nil {
		t.Fatal(err)
	}
	return publish.Model{Layout: publishtest.PackModel(t, weights, nil), Report: rep, ReportJSON: []byte(publishtest.PassedReport),
		ReportMarkdown: []byte("# Report\n"), Record: publish.Record{Verdict: v, Approval: &a, Commit: "abc123"}}
}

// open opens host/repo over plain HTTP.
func open(t *testing.T, host, repo string) *remote.Repository {
	t.Helper()
	r, _, err := oci.Open(context.Background(), host+"/"+repo, oci.Options{PlainHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// fast retries quickly, for the fault tests.
var fast = publish.Options{Backoff: 10_000_000}

func runTool(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// TestInteropOrasSkopeo: what publish pushes, the oras CLI pulls and
// lists the referrers of, and skopeo reads the manifest of.
func TestInteropOrasSkopeo(t *testing.T) {
	srv := publishtest.LoadServers(t)
	ctx := context.Background()
	name := repoName(t)
	res, err := publish.Publish(ctx, open(t, srv.Registry, name), "1.0.0", model(t, "weights for oras"), publish.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ref := srv.Registry + "/" + name + ":1.0.0"

	dir := t.TempDir()
	runTool(t, srv.Oras, "pull", "--plain-http", "-o", dir, ref)
	for p, want := range map[string]string{"model.pkl": "weights for oras", "config.json": `{"n": 3}`, "evaluation/metrics.json": `{"accuracy": 0.93}`} {
		if got, err := os.ReadFile(filepath.Join(dir, p)); err != nil || string(got) != want {
			t.Errorf("oras pull: %s = %q, %v; want %q", p, got, err, want)
		}
	}
	out := runTool(t, srv.Oras, "discover", "--plain-http", "--format", "json", ref)
	for _, at := range []string{publish.ArtifactTypeEvaluation, publish.ArtifactTypeReport, publish.ArtifactTypeApproval} {
		if !bytes.Contains(out, []byte(at)) {
			t.Errorf("oras discover does not list a %s referrer:\n%s", at, out)
		}
	}
	raw := runTool(t, "skopeo", "inspect", "--raw", "--tls-verify=false", "docker://"+ref)
	if got := digest.FromBytes(raw); got != res.Model.Digest {
		t.Errorf("skopeo's manifest has digest %s, want %s", got, res.Model.Digest)
	}
	var m struct{ ArtifactType string }
	if err := json.Unmarshal(raw, &m); err != nil || m.ArtifactType != "application/vnd.cncf.model.manifest.v1+json" {
		t.Errorf("skopeo's manifest: artifactType %q, %v", m.ArtifactType, err)
	}
}

// TestPromoteRollbackPull: aliases move between approved digests on a
// registry without the referrers API; pull restores by alias and digest.
func TestPromoteRollbackPull(t *testing.T) {
	srv := publishtest.LoadServers(t)
	ctx := context.Background()
	repo := open(t, srv.Registry, repoName(t))
	var ds []digest.Digest
	for _, w := range []string{"one", "two"} {
		res, err := publish.Publish(ctx, repo, w, model(t, w), publish.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ds = append(ds, res.Model.Digest)
		if _, err := publish.Promote(ctx, repo, "production", w, publish.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	mv, err := publish.Rollback(ctx, repo, "production", publish.Options{})
	if err != nil || mv.To.Digest != ds[0] || mv.From != ds[1] {
		t.Fatalf("rollback = %+v, %v", mv, err)
	}
	dir := filepath.Join(t.TempDir(), "m")
	if _, err := publish.Pull(ctx, repo, "production", dir); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "model.pkl")); string(b) != "one" {
		t.Errorf("pulled production: model.pkl = %q, want one", b)
	}
	if _, err := publish.Rollback(ctx, repo, "production", publish.Options{}); !errors.Is(err, publish.ErrNoHistory) {
		t.Errorf("second rollback: %v, want ErrNoHistory", err)
	}
	if _, err := publish.Rollback(ctx, repo, "staging", publish.Options{}); !errors.Is(err, publish.ErrNoAlias) {
		t.Errorf("rollback of an alias never set: %v, want ErrNoAlias", err)
	}
	unknown := open(t, srv.Registry, "models/never-pushed")
	if _, err := publish.Pull(ctx, unknown, "1", t.TempDir()); !errors.Is(err, errdef.ErrNotFound) {
		t.Errorf("pull from an unknown repository: %v, want not found", err)
	}
}

// TestTLSAndCredentials: the TLS registry needs its CA and the right
// password; a wrong one fails without being retried or shown.
func TestTLSAndCredentials(t *testing.T) {
	srv := publishtest.LoadServers(t)
	ctx := context.Background()
	name := repoName(t)
	ref := srv.RegistryTLS + "/" + name
	repo, _, err := oci.Open(ctx, ref, oci.Options{CAFile: srv.CA, Username: srv.User, Password: srv.Password})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := publish.Publish(ctx, repo, "1", model(t, "tls"), publish.Options{}); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(t.TempDir(), "config.json")
	auth := base64.StdEncoding.EncodeToString([]byte(srv.User + ":" + srv.Password))
	os.WriteFile(config, []byte(`{"auths":{"`+srv.RegistryTLS+`":{"auth":"`+auth+`"}}}`), 0o600)
	fromConfig, _, err := oci.Open(ctx, ref, oci.Options{CAFile: srv.CA, DockerConfig: config})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fromConfig.Resolve(ctx, "1"); err != nil {
		t.Errorf("with the Docker config: %v", err)
	}
	const wrong = "wrong-password-1234"
	bad, _, _ := oci.Open(ctx, ref, oci.Options{CAFile: srv.CA, Username: srv.User, Password: wrong})
	_, err = publish.Publish(ctx, bad, "2", model(t, "tls2"), publish.Options{})
	if err == nil || publish.Transient(err) || strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), "after") {
		t.Errorf("wrong password: %v (want a non-transient error, tried once, without the password)", err)
	}
	noCA, _, _ := oci.Open(ctx, ref, oci.Options{Username: srv.User, Password: srv.Password})
	if _, err := noCA.Resolve(ctx, "1"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("without the CA: %v", err)
	}
}

func isBlobPut(r *http.Request) bool {
	return r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/blobs/uploads/")
}

func isManifestPut(r *http.Request) bool {
	return r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/")
}

// TestFaultsRetried: 5xx answers, dropped connections and slow answers on
// blob and manifest uploads are retried, and the push completes.
func TestFaultsRetried(t *testing.T) {
	srv := publishtest.LoadServers(t)
	ctx := context.Background()
	for name, rule := range map[string]func(*http.Request) publishtest.Fault{
		"5xx on blobs":        publishtest.Times(3, publishtest.Fail5xx, isBlobPut),
		"dropped blob":        publishtest.Times(2, publishtest.Drop, isBlobPut),
		"dropped manifest":    publishtest.Times(2, publishtest.Drop, isManifestPut),
		"5xx on manifests":    publishtest.Times(3, publishtest.Fail5xx, isManifestPut),
		"slow everything":     publishtest.Times(3, publishtest.Slow, func(*http.Request) bool { return true }),
		"5xx on first checks": publishtest.Times(4, publishtest.Fail5xx, func(r *http.Request) bool { return r.Method == http.MethodHead }),
	} {
		t.Run(name, func(t *testing.T) {
			p := publishtest.NewProxy(t, "http://"+srv.Registry)
			p.SetRule(rule)
			repo := open(t, p.Host, repoName(t))
			res, err := publish.Publish(ctx, repo, "1", model(t, "faults "+name), fast)
			if err != nil {
				t.Fatal(err)
			}
			if d, err := open(t, srv.Registry, repo.Reference.Repository).Resolve(ctx, "1"); err != nil || d.Digest != res.Model.Digest {
				t.Errorf("tag 1 = %v, %v", d.Digest, err)
			}
		})
	}
}

// TestFaultsFailCleanly: a registry that keeps failing fails the push
// with no tag written, and a promotion with the alias unmoved.
func TestFaultsFailCleanly(t *testing.T) {
	srv := publishtest.LoadServers(t)
	ctx := context.Background()
	p := publishtest.NewProxy(t, "http://"+srv.Registry)
	name := repoName(t)
	repo := open(t, p.Host, name)
	direct := open(t, srv.Registry, name)
	p.SetRule(publishtest.Times(1000, publishtest.Fail5xx, func(r *http.Request) bool {
		return isManifestPut(r) && strings.HasSuffix(r.URL.Path, "/manifests/1")
	}))
	if _, err := publish.Publish(ctx, repo, "1", model(t, "never tagged"), fast); err == nil {
		t.Fatal("publish succeeded through a registry refusing the tag")
	}
	if _, err := direct.Resolve(ctx, "1"); !errors.Is(err, errdef.ErrNotFound) {
		t.Errorf("tag 1 after a failed push: %v", err)
	}
	p.SetRule(nil)
	for _, v := range []string{"a", "b"} {
		if _, err := publish.Publish(ctx, repo, v, model(t, "w"+v), fast); err != nil {
			t.Fatal(err)
		}
	}
	first, err := publish.Promote(ctx, repo, "production", "a", fast)
	if err != nil {
		t.Fatal(err)
	}
	p.SetRule(publishtest.Times(1000, publishtest.Fail5xx, func(r *http.Request) bool {
		return isManifestPut(r) && strings.HasSuffix(r.URL.Path, "/manifests/production.history")
	}))
	if _, err := publish.Promote(ctx, repo, "production", "b", fast); err == nil {
		t.Fatal("promote succeeded though its history could not be written")
	}
	if d, err := direct.Resolve(ctx, "production"); err != nil || d.Digest != first.To.Digest {
		t.Errorf("production moved after a failed promotion: %v, %v", d.Digest, err)
	}
}

// TestKilledPushResumes: a push stopped after its first blobs leaves no
// tag; the next push completes it and does not upload those blobs again.
func TestKilledPushResumes(t *testing.T) {
	srv := publishtest.LoadServers(t)
	p := publishtest.NewProxy(t, "http://"+srv.Registry)
	name := repoName(t)
	repo := open(t, p.Host, name)
	m := model(t, strings.Repeat("big weights ", 100000))
	ctx, cancel := context.WithCancel(context.Background())
	uploads := 0
	p.SetRule(func(r *http.Request) publishtest.Fault {
		if isBlobPut(r) {
			if uploads++; uploads == 3 {
				cancel() // killed while the third blob is in flight
				return publishtest.Drop
			}
		}
		return publishtest.Pass
	})
	if _, err := publish.Publish(ctx, repo, "1", m, publish.Options{Concurrency: 1}); err == nil {
		t.Fatal("the killed push succeeded")
	}
	direct := open(t, srv.Registry, name)
	if _, err := direct.Resolve(context.Background(), "1"); !errors.Is(err, errdef.ErrNotFound) {
		t.Errorf("tag after a killed push: %v", err)
	}
	p.SetRule(nil)
	p.Seen()
	if _, err := publish.Publish(context.Background(), repo, "1", m, publish.Options{Concurrency: 1}); err != nil {
		t.Fatal(err)
	}
	again := 0
	for _, s := range p.Seen() {
		if strings.HasPrefix(s, "POST ") && strings.Contains(s, "/blobs/uploads/") {
			again++
		}
	}
	// 2 blobs landed; the model has 6 (4 files, config, and the layers'
	// referrer blobs are new): the resumed push uploads fewer than a
	// fresh one would.
	fresh := 0
	p.Seen()
	if _, err := publish.Publish(context.Background(), open(t, p.Host, repoName(t)), "1", m, publish.Options{Concurrency: 1}); err != nil {
		t.Fatal(err)
	}
	for _, s := range p.Seen() {
		if strings.HasPrefix(s, "POST ") && strings.Contains(s, "/blobs/uploads/") {
			fresh++
		}
	}
	if again != fresh-2 {
		t.Errorf("resumed push uploaded %d blobs; a fresh one uploads %d; want 2 fewer", again, fresh)
	}
}
