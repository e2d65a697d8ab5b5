package publish_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/modelci/modelci/internal/publish/publishtest"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content/memory"

	"github.com/modelci/modelci/internal/forge"
	"github.com/modelci/modelci/internal/modelpack"
	"github.com/modelci/modelci/internal/publish"
)

// memTarget is an in-memory publish.Target: oras-go's memory store, with
// the referrers of every manifest pushed with a subject.
type memTarget struct {
	*memory.Store
	mu        sync.Mutex
	referrers map[string][]ocispec.Descriptor
	manifests map[string]ocispec.Descriptor
}

func newMemTarget() *memTarget {
	return &memTarget{Store: memory.New(), referrers: map[string][]ocispec.Descriptor{}, manifests: map[string]ocispec.Descriptor{}}
}

// Push pushes content, recording a manifest's subject.
func (m *memTarget) Push(ctx context.Context, desc ocispec.Descriptor, r io.Reader) error {
	if desc.MediaType != ocispec.MediaTypeImageManifest {
		return m.Store.Push(ctx, desc, r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if err := m.Store.Push(ctx, desc, bytes.NewReader(b)); err != nil {
		return err
	}
	m.mu.Lock()
	m.manifests[desc.Digest.String()] = desc
	m.mu.Unlock()
	var man ocispec.Manifest
	if err := json.Unmarshal(b, &man); err == nil && man.Subject != nil {
		d := desc
		d.ArtifactType, d.Annotations = man.ArtifactType, man.Annotations
		m.mu.Lock()
		m.referrers[man.Subject.Digest.String()] = append(m.referrers[man.Subject.Digest.String()], d)
		m.mu.Unlock()
	}
	return nil
}

// Resolve resolves a tag, or the digest of a manifest pushed.
func (m *memTarget) Resolve(ctx context.Context, ref string) (ocispec.Descriptor, error) {
	m.mu.Lock()
	d, ok := m.manifests[ref]
	m.mu.Unlock()
	if ok {
		return d, nil
	}
	return m.Store.Resolve(ctx, ref)
}

// Referrers lists desc's referrers of artifactType ("" for all).
func (m *memTarget) Referrers(_ context.Context, desc ocispec.Descriptor, artifactType string, fn func([]ocispec.Descriptor) error) error {
	m.mu.Lock()
	var out []ocispec.Descriptor
	for _, d := range m.referrers[desc.Digest.String()] {
		if artifactType == "" || d.ArtifactType == artifactType {
			out = append(out, d)
		}
	}
	m.mu.Unlock()
	return fn(out)
}

// testModelFiles and testEvalFiles are a small model and its evaluation.
var (
	testModelFiles = map[string]string{"model.pkl": "weights v1", "config.json": `{"n": 3}`}
	testEvalFiles  = map[string]string{"metrics.json": `{"accuracy": 0.93}`, "examples.jsonl": `{"id": "a", "accuracy": 1}` + "\n", "report.json": "{}"}
)

// packModel packs a model whose weights say weights, and returns the
// layout directory.
func packModel(t *testing.T, weights string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{}
	for k, v := range testModelFiles {
		files[k] = v
	}
	files["model.pkl"] = weights
	publishtest.WriteFiles(t, filepath.Join(dir, "model"), files)
	publishtest.WriteFiles(t, filepath.Join(dir, "eval"), testEvalFiles)
	layout := filepath.Join(dir, "layout")
	if _, err := modelpack.Pack(context.Background(), filepath.Join(dir, "model"), filepath.Join(dir, "eval"), layout, modelpack.Options{Name: "iris"}); err != nil {
		t.Fatal(err)
	}
	return layout
}

const passedReport = `{"metrics":[{"name":"accuracy","base":0.9,"head":0.93,"status":"better"}],"gate":{"passed":true,"violations":[],"policy":true}}`

// testModel is a Model ready to publish, gate passed and approved.
func testModel(t *testing.T, weights string) publish.Model {
	t.Helper()
	rep, err := publish.ParseReport("report.json", []byte(passedReport))
	if err != nil {
		t.Fatal(err)
	}
	a := &forge.Approval{Approved: true, Rules: forge.Rules{Defined: true, Approvals: 1}, Approvers: []string{"alice"}, HeadSHA: "abc123"}
	v, err := publish.Decide(publish.Evidence{Report: rep, Rules: a.Rules, Approval: a, Commit: "abc123"}, false)
	if err != nil {
		t.Fatal(err)
	}
	return publish.Model{
		Layout: packModel(t, weights), Framework: "scikit-learn", Report: rep,
		ReportJSON: []byte(passedReport), ReportMarkdown: []byte("# report\n"),
		Record: publish.Record{Verdict: v, Approval: a, PullRequest: 7, Commit: "abc123"},
	}
}

// clock returns a clock that advances a second per call.
func clock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}
