package publish_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/modelci/modelci/internal/publish/publishtest"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/errdef"

	"github.com/modelci/modelci/internal/modelpack"
	"github.com/modelci/modelci/internal/publish"
)

func TestPublishAttachesAndTagsLast(t *testing.T) {
	ctx := context.Background()
	dst := newMemTarget()
	m := testModel(t, "weights v1")
	res, err := publish.Publish(ctx, dst, "1.0.0", m, publish.Options{Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	got, err := dst.Resolve(ctx, "1.0.0")
	if err != nil || got.Digest != res.Model.Digest {
		t.Fatalf("tag 1.0.0 = %v, %v; want %s", got.Digest, err, res.Model.Digest)
	}
	// The config carries the framework and the metrics summary.
	var man ocispec.Manifest
	readJSON(t, dst, res.Model, &man)
	var cfg struct {
		Config  struct{ Format string } `json:"config"`
		Modelci struct {
			Framework  string
			GatePassed bool `json:"gate_passed"`
			Metrics    []publish.MetricSummary
		} `json:"modelci"`
	}
	readJSON(t, dst, man.Config, &cfg)
	if cfg.Modelci.Framework != "scikit-learn" || !cfg.Modelci.GatePassed || len(cfg.Modelci.Metrics) != 1 ||
		cfg.Modelci.Metrics[0].Name != "accuracy" || *cfg.Modelci.Metrics[0].Value != 0.93 || cfg.Config.Format != "pickle" {
		t.Errorf("config = %+v", cfg)
	}
	for _, at := range []string{publish.ArtifactTypeEvaluation, publish.ArtifactTypeReport, publish.ArtifactTypeApproval} {
		var n int
		dst.Referrers(ctx, res.Model, at, func(rs []ocispec.Descriptor) error { n += len(rs); return nil })
		if n != 1 {
			t.Errorf("%s: %d referrers, want 1", at, n)
		}
	}
	rec, err := publish.ApprovalOf(ctx, dst, res.Model)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Digests.Model != res.Model.Digest || rec.PullRequest != 7 || rec.Commit != "abc123" || !rec.Verdict.Allowed() {
		t.Errorf("record = %+v", rec)
	}
	var eval ocispec.Manifest
	readJSON(t, dst, res.Evaluation, &eval)
	var names []string
	for _, l := range eval.Layers {
		names = append(names, l.Annotations[ocispec.AnnotationTitle])
	}
	if len(names) != 2 || names[0] != "examples.jsonl" || names[1] != "metrics.json" {
		t.Errorf("evaluation files = %v, want examples.jsonl, metrics.json (no report)", names)
	}
}

func TestPublishTwiceSameModelDigest(t *testing.T) {
	ctx := context.Background()
	dst := newMemTarget()
	m := testModel(t, "weights v1")
	a, err := publish.Publish(ctx, dst, "1", m, publish.Options{Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	b, err := publish.Publish(ctx, dst, "1", m, publish.Options{Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	if a.Model.Digest != b.Model.Digest || a.Report.Digest != b.Report.Digest || a.Evaluation.Digest != b.Evaluation.Digest {
		t.Errorf("re-push changed digests: %v vs %v", a, b)
	}
	if a.Approval.Digest != b.Approval.Digest || !a.Record.Time.Equal(b.Record.Time) {
		t.Errorf("the same evidence got a new approval record: %s then %s", a.Approval.Digest, b.Approval.Digest)
	}
	m.Record.PullRequest = 8
	c, err := publish.Publish(ctx, dst, "1", m, publish.Options{Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	if c.Approval.Digest == a.Approval.Digest || c.Record.PullRequest != 8 {
		t.Errorf("other evidence kept the old approval record %s", c.Approval.Digest)
	}
}

func TestPromoteRollback(t *testing.T) {
	ctx := context.Background()
	dst := newMemTarget()
	o := publish.Options{Now: clock()}
	var d [3]digest.Digest
	for i, w := range []string{"w1", "w2", "w3"} {
		res, err := publish.Publish(ctx, dst, "v"+w, testModel(t, w), o)
		if err != nil {
			t.Fatal(err)
		}
		d[i] = res.Model.Digest
		if _, err := publish.Promote(ctx, dst, "production", "v"+w, o); err != nil {
			t.Fatal(err)
		}
	}
	alias := func() digest.Digest {
		desc, err := dst.Resolve(ctx, "production")
		if err != nil {
			t.Fatal(err)
		}
		return desc.Digest
	}
	if alias() != d[2] {
		t.Fatalf("production = %s, want %s", alias(), d[2])
	}
	for _, want := range []digest.Digest{d[1], d[0]} {
		mv, err := publish.Rollback(ctx, dst, "production", o)
		if err != nil {
			t.Fatal(err)
		}
		if mv.To.Digest != want || alias() != want {
			t.Fatalf("rollback went to %s (alias %s), want %s", mv.To.Digest, alias(), want)
		}
	}
	if _, err := publish.Rollback(ctx, dst, "production", o); !errors.Is(err, publish.ErrNoHistory) {
		t.Errorf("rollback past the first: %v, want ErrNoHistory", err)
	}
	h, err := publish.ReadHistory(ctx, dst, "production")
	if err != nil || len(h.Entries) != 5 {
		t.Fatalf("history: %d entries, %v; want 5", len(h.Entries), err)
	}
	// Promoting again after rollbacks pushes on top of where the alias is.
	if _, err := publish.Promote(ctx, dst, "production", d[2].String(), o); err != nil {
		t.Fatal(err)
	}
	if mv, err := publish.Rollback(ctx, dst, "production", o); err != nil || mv.To.Digest != d[0] {
		t.Errorf("rollback after re-promotion: %v, %v; want %s", mv.To.Digest, err, d[0])
	}
}

func TestPromoteRefusesUnapproved(t *testing.T) {
	ctx := context.Background()
	dst := newMemTarget()
	layout := packModel(t, "unapproved")
	// Copy the model without any approval record.
	m := testModel(t, "x")
	m.Layout = layout
	res, err := publish.Publish(ctx, dst, "1", m, publish.Options{Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	// A record that does not allow it: gate failed, not forced.
	m.Record.Verdict = publish.Verdict{GatePassed: false, Approved: true}
	m.Layout = packModel(t, "refused")
	bad, err := publish.Publish(ctx, dst, "2", m, publish.Options{Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := publish.Promote(ctx, dst, "production", "2", publish.Options{}); !errors.Is(err, publish.ErrNotApproved) {
		t.Errorf("promote of %s: %v, want ErrNotApproved", bad.Model.Digest, err)
	}
	if _, err := dst.Resolve(ctx, "production"); !errors.Is(err, errdef.ErrNotFound) {
		t.Errorf("alias moved after a refused promotion: %v", err)
	}
	if _, err := publish.Promote(ctx, dst, "production", "1", publish.Options{}); err != nil {
		t.Errorf("promote of %s: %v", res.Model.Digest, err)
	}
	if _, err := publish.Promote(ctx, dst, "production", "nope", publish.Options{}); !errors.Is(err, errdef.ErrNotFound) {
		t.Errorf("promote of an unknown version: %v", err)
	}
	if _, err := publish.Promote(ctx, dst, "bad alias", "1", publish.Options{}); !errors.Is(err, errdef.ErrInvalidReference) {
		t.Errorf("promote to an invalid alias: %v", err)
	}
}

func TestRollbackWithoutAlias(t *testing.T) {
	_, err := publish.Rollback(context.Background(), newMemTarget(), "production", publish.Options{})
	if !errors.Is(err, publish.ErrNoAlias) {
		t.Errorf("err = %v, want ErrNoAlias", err)
	}
}

func TestPullAndPullEvaluation(t *testing.T) {
	ctx := context.Background()
	dst := newMemTarget()
	res, err := publish.Publish(ctx, dst, "1", testModel(t, "weights"), publish.Options{Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "model")
	if _, err := publish.Pull(ctx, dst, res.Model.Digest.String(), out); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{"model.pkl": "weights", "config.json": testModelFiles["config.json"], "evaluation/metrics.json": testEvalFiles["metrics.json"]} {
		if b, err := os.ReadFile(filepath.Join(out, p)); err != nil || string(b) != want {
			t.Errorf("%s = %q, %v; want %q", p, b, err, want)
		}
	}
	evalDir := filepath.Join(t.TempDir(), "eval")
	model, err := publish.PullEvaluation(ctx, dst, "1", evalDir)
	if err != nil || model.Digest != res.Model.Digest {
		t.Fatalf("PullEvaluation = %v, %v", model.Digest, err)
	}
	entries, _ := os.ReadDir(evalDir)
	if len(entries) != 2 {
		t.Errorf("evaluation dir has %d entries, want 2 (metrics.json, examples.jsonl)", len(entries))
	}
}

func readJSON(t *testing.T, src content.Fetcher, desc ocispec.Descriptor, v any) {
	t.Helper()
	b, err := content.FetchAll(context.Background(), src, desc)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func TestBaseline(t *testing.T) {
	ctx := context.Background()
	dst := newMemTarget()
	res, err := publish.Publish(ctx, dst, "1", testModel(t, "weights"), publish.Options{Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := publish.Promote(ctx, dst, "production", "1", publish.Options{Now: clock()}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	side, name, err := publish.Baseline(ctx, dst, "reg/iris", "production", dir)
	if err != nil {
		t.Fatal(err)
	}
	if name != "reg/iris@"+res.Model.Digest.String() || side.Metrics == nil || side.Examples == nil {
		t.Errorf("Baseline = %+v, %q", side, name)
	}
	// A model without an evaluation has no baseline to give.
	m := testModel(t, "no eval")
	m.Layout = packModelWithout(t)
	bare, err := publish.Publish(ctx, dst, "2", m, publish.Options{Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := publish.Baseline(ctx, dst, "reg/iris", bare.Model.Digest.String(), t.TempDir()); !errors.Is(err, publish.ErrNoEvaluation) {
		t.Errorf("baseline of a model without evaluation: %v", err)
	}
}

// packModelWithout packs a model without evaluation files.
func packModelWithout(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	publishtest.WriteFiles(t, filepath.Join(dir, "model"), testModelFiles)
	layout := filepath.Join(dir, "layout")
	if _, err := modelpack.Pack(context.Background(), filepath.Join(dir, "model"), "", layout, modelpack.Options{}); err != nil {
		t.Fatal(err)
	}
	return layout
}
