// Package publishtest helps the tests of publishing: the real servers
// scripts/test-servers starts, a fault-injecting proxy, and small packaged
// models.
package publishtest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/modelci/modelci/internal/modelpack"
)

// Servers are the addresses and credentials scripts/test-servers prints.
type Servers struct {
	// Registry is the plain registry's host:port.
	Registry string
	// RegistryTLS is the TLS + htpasswd registry's host:port.
	RegistryTLS string
	// CA is the TLS registry's CA certificate file.
	CA string
	// User and Password are the TLS registry's credentials.
	User, Password string
	// S3Endpoint is MinIO's URL; S3AccessKey and S3SecretKey its
	// credentials.
	S3Endpoint, S3AccessKey, S3SecretKey string
	// Oras is the oras CLI.
	Oras string
}

// LoadServers reads the servers' environment; the test fails when it is
// missing (run `eval "$(scripts/test-servers start)"`).
func LoadServers(t testing.TB) Servers {
	t.Helper()
	s := Servers{
		Registry: os.Getenv("MODELCI_TEST_REGISTRY"), RegistryTLS: os.Getenv("MODELCI_TEST_REGISTRY_TLS"),
		CA: os.Getenv("MODELCI_TEST_REGISTRY_CA"), User: os.Getenv("MODELCI_TEST_REGISTRY_USER"),
		Password: os.Getenv("MODELCI_TEST_REGISTRY_PASSWORD"), S3Endpoint: os.Getenv("MODELCI_TEST_S3_ENDPOINT"),
		S3AccessKey: os.Getenv("MODELCI_TEST_S3_ACCESS_KEY"), S3SecretKey: os.Getenv("MODELCI_TEST_S3_SECRET_KEY"),
		Oras: os.Getenv("MODELCI_TEST_ORAS"),
	}
	if s.Registry == "" || s.RegistryTLS == "" || s.S3Endpoint == "" || s.Oras == "" {
		t.Fatal(`the test servers' environment is missing: eval "$(scripts/test-servers start)"`)
	}
	return s
}

// WriteFiles writes files (slash path → content) under dir.
func WriteFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// PassedReport is a report.json whose gate passed.
const PassedReport = `{"metrics":[{"name":"accuracy","base":0.9,"head":0.93,"status":"better"}],"gate":{"passed":true,"violations":[],"policy":true}}`

// FailedReport is a report.json whose gate failed.
const FailedReport = `{"metrics":[{"name":"accuracy","base":0.9,"head":0.8,"status":"worse"}],"gate":{"passed":false,"violations":[{"metric":"accuracy","rule":"min","message":"accuracy 0.8 is below the minimum 0.85"}],"policy":true}}`

// Approval is an approval record (forge.Approval JSON) of commit abc123
// under a one-approval rule.
const Approval = `{"approved":true,"rules":{"defined":true,"approvals":1,"stale_approvals":false},"approvers":["alice"],"changes_requested":[],"label_present":false,"head_sha":"abc123","reasons":["1 approval of 1 required (alice)"]}`

// Policy is a policy file requiring one approval.
const Policy = "approval:\n  approvals: 1\n"

// PackModel packs a model whose weights file holds weights (plus extra
// files) with an evaluation, and returns the layout's directory.
func PackModel(t testing.TB, weights string, extra map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{"model.pkl": weights, "config.json": `{"n": 3}`}
	for k, v := range extra {
		files[k] = v
	}
	WriteFiles(t, filepath.Join(dir, "model"), files)
	WriteFiles(t, filepath.Join(dir, "eval"), map[string]string{
		"metrics.json": `{"accuracy": 0.93}`, "examples.jsonl": "{\"id\": \"a\", \"accuracy\": 1}\n{\"id\": \"b\", \"accuracy\": 0}\n",
	})
	layout := filepath.Join(dir, "layout")
	_, err := modelpack.Pack(context.Background(), filepath.Join(dir, "model"), filepath.Join(dir, "eval"), layout, modelpack.Options{Name: "iris"})
	if err != nil {
		t.Fatal(err)
	}
	return layout
}
