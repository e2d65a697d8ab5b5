package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	modelspec "github.com/modelpack/model-spec/specs-go/v1"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/content/memory"
	"oras.land/oras-go/v2/errdef"

	"github.com/modelci/modelci/internal/modelpack"
)

// Model is a packaged model and what is attached to it when published.
type Model struct {
	// Layout is the OCI image layout modelpack.Pack wrote.
	Layout string
	// Tag is the model's tag in the layout; modelpack.DefaultTag when "".
	Tag string
	// Framework is the framework the model was trained with (scikit-learn,
	// pytorch, …), recorded in the config; optional.
	Framework string
	// Report is the report's summary: its metrics go into the config.
	Report ReportSummary
	// ReportJSON and ReportMarkdown are the report files attached;
	// ReportMarkdown is optional.
	ReportJSON, ReportMarkdown []byte
	// Record is the approval record; Publish sets Digests.Model and,
	// when zero, Time.
	Record Record
}

// Result is what Publish pushed.
type Result struct {
	// Model is the model's manifest.
	Model ocispec.Descriptor
	// Evaluation, Report and Approval are the attached artifacts'
	// manifests; Evaluation is zero when the model has no evaluation
	// files.
	Evaluation, Report, Approval ocispec.Descriptor
	// Record is the approval record as attached.
	Record Record
}

// configExtension is what publish adds to the ModelPack config, under the
// key "modelci".
type configExtension struct {
	Framework  string          `json:"framework,omitempty"`
	GatePassed bool            `json:"gate_passed"`
	Metrics    []MetricSummary `json:"metrics"`
}

// Publish pushes m to dst and tags it version, last: the model's blobs and
// manifest, then its evaluation, report and approval record as referrers.
// Steps that fail for a transient reason are tried again; a step that
// still fails leaves the version tag unwritten.
func Publish(ctx context.Context, dst Target, version string, m Model, o Options) (Result, error) {
	o = o.withDefaults()
	layout, err := modelpack.OpenLayout(ctx, m.Layout)
	if err != nil {
		return Result{}, err
	}
	tag := m.Tag
	if tag == "" {
		tag = modelpack.DefaultTag
	}
	packed, err := modelpack.Read(ctx, layout, tag)
	if err != nil {
		return Result{}, fmt.Errorf("layout %q: %w", m.Layout, err)
	}
	src := overlay{memory.New(), layout}
	model, err := withExtension(ctx, src, packed, m)
	if err != nil {
		return Result{}, err
	}
	res := Result{Model: model}
	o.Logf("pushing model %s (%d files)", model.Digest, len(packed.Files))
	copyOpts := oras.CopyGraphOptions{Concurrency: o.Concurrency}
	if err := o.retry(ctx, "pushing the model", func() error { return oras.CopyGraph(ctx, src, dst, model, copyOpts) }); err != nil {
		return Result{}, err
	}
	if err := attach(ctx, dst, packed, &res, m, o); err != nil {
		return Result{}, err
	}
	o.Logf("tagging %s as %q", model.Digest, version)
	if err := o.retry(ctx, "tagging "+version, func() error { return dst.Tag(ctx, model, version) }); err != nil {
		return Result{}, err
	}
	return res, nil
}

// withExtension writes into src's memory store a config that adds the
// framework and the metrics summary to the packed model's, and a manifest
// that uses it; it returns the manifest's descriptor.
func withExtension(ctx context.Context, src overlay, packed *modelpack.Manifest, m Model) (ocispec.Descriptor, error) {
	cfgBytes, err := fetchSmall(ctx, src.base, packed.Manifest.Config)
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("reading the model config: %w", err)
	}
	var cfg map[string]json.RawMessage
	if err := json.Unmarshal(cfgBytes, &cfg); err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("reading the model config: %w", err)
	}
	metrics := m.Report.Metrics
	if metrics == nil {
		metrics = []MetricSummary{}
	}
	ext, err := json.Marshal(configExtension{Framework: m.Framework, GatePassed: m.Report.GatePassed, Metrics: metrics})
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	cfg["modelci"] = ext
	if cfgBytes, err = json.Marshal(cfg); err != nil {
		return ocispec.Descriptor{}, err
	}
	cfgDesc := content.NewDescriptorFromBytes(modelspec.MediaTypeModelConfig, cfgBytes)
	if err := pushBytes(ctx, src.mem, cfgDesc, cfgBytes); err != nil {
		return ocispec.Descriptor{}, err
	}
	return oras.PackManifest(ctx, src.mem, oras.PackManifestVersion1_1, modelspec.ArtifactTypeModelManifest, oras.PackManifestOptions{
		Layers:              packed.Manifest.Layers,
		ConfigDescriptor:    &cfgDesc,
		ManifestAnnotations: packed.Manifest.Annotations,
	})
}

// attach pushes the evaluation, the report and the approval record as
// referrers of res.Model.
func attach(ctx context.Context, dst Target, packed *modelpack.Manifest, res *Result, m Model, o Options) error {
	created := packed.Manifest.Annotations[ocispec.AnnotationCreated]
	var evalLayers []ocispec.Descriptor
	for _, f := range packed.Files {
		name, ok := strings.CutPrefix(f.Path, modelpack.EvaluationPrefix)
		if !ok || name == "report.json" || name == "report.md" {
			continue
		}
		l := f.Layer
		l.Annotations = map[string]string{ocispec.AnnotationTitle: name}
		evalLayers = append(evalLayers, l)
	}
	var err error
	if len(evalLayers) > 0 {
		if res.Evaluation, err = pushReferrer(ctx, dst, res.Model, ArtifactTypeEvaluation, evalLayers, nil, created, o); err != nil {
			return err
		}
	}
	files := []blobFile{{"report.json", MediaTypeReportJSON, m.ReportJSON}}
	if m.ReportMarkdown != nil {
		files = append(files, blobFile{"report.md", MediaTypeReportMarkdown, m.ReportMarkdown})
	}
	if res.Report, err = pushReferrer(ctx, dst, res.Model, ArtifactTypeReport, nil, files, created, o); err != nil {
		return err
	}
	rec := m.Record
	rec.Schema = RecordSchema
	rec.Digests.Model = res.Model.Digest
	if rec.Time.IsZero() {
		rec.Time = o.Now().UTC()
	}
	if rec.Verdict.Reasons == nil {
		rec.Verdict.Reasons = []string{}
	}
	// The same evidence published again keeps its record (and time).
	if same, ok := sameRecord(ctx, dst, res.Model, rec); ok {
		res.Approval, res.Record = same.desc, same.rec
		return nil
	}
	recJSON, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	res.Record = rec
	files = []blobFile{{"approval.json", MediaTypeRecord, append(recJSON, '\n')}}
	res.Approval, err = pushReferrer(ctx, dst, res.Model, ArtifactTypeApproval, nil, files, rec.Time.Format("2006-01-02T15:04:05.999999999Z07:00"), o)
	return err
}

// sameRecord finds a record attached to model that says what rec says,
// its time aside. A record that cannot be read is passed over: a new one
// is attached then.
func sameRecord(ctx context.Context, dst Target, model ocispec.Descriptor, rec Record) (attachedRecord, bool) {
	records, err := approvalRecords(ctx, dst, model)
	if err != nil {
		return attachedRecord{}, false
	}
	want, _ := json.Marshal(withoutTime(rec))
	for _, r := range records {
		if got, _ := json.Marshal(withoutTime(r.rec)); bytes.Equal(got, want) {
			return r, true
		}
	}
	return attachedRecord{}, false
}

func withoutTime(r Record) Record {
	r.Time = time.Time{}
	return r
}

// blobFile is a small file pushed as a layer.
type blobFile struct {
	name, mediaType string
	data            []byte
}

// pushReferrer pushes files as blobs and a manifest of artifactType whose
// layers are layers then files, with subject as its subject.
func pushReferrer(ctx context.Context, dst Target, subject ocispec.Descriptor, artifactType string,
	layers []ocispec.Descriptor, files []blobFile, created string, o Options) (ocispec.Descriptor, error) {
	var desc ocispec.Descriptor
	err := o.retry(ctx, "attaching "+artifactType, func() error {
		all := layers
		for _, f := range files {
			d := content.NewDescriptorFromBytes(f.mediaType, f.data)
			d.Annotations = map[string]string{ocispec.AnnotationTitle: f.name}
			if err := pushBytes(ctx, dst, d, f.data); err != nil {
				return err
			}
			all = append(all, d)
		}
		// Packed in memory first: a manifest already there (a re-push)
		// is not pushed again, nor its referrers index rewritten.
		mem := memory.New()
		var err error
		desc, err = oras.PackManifest(ctx, mem, oras.PackManifestVersion1_1, artifactType, oras.PackManifestOptions{
			Subject:             &subject,
			Layers:              all,
			ManifestAnnotations: map[string]string{ocispec.AnnotationCreated: created},
		})
		if err != nil {
			return err
		}
		if ok, err := dst.Exists(ctx, desc); err != nil || ok {
			return err
		}
		err = oras.CopyGraph(ctx, overlay{mem, dst}, dst, desc, oras.CopyGraphOptions{})
		if errors.Is(err, errdef.ErrAlreadyExists) {
			err = nil
		}
		return err
	})
	return desc, err
}

// pushBytes pushes data unless dst has it.
func pushBytes(ctx context.Context, dst content.Storage, desc ocispec.Descriptor, data []byte) error {
	if ok, err := dst.Exists(ctx, desc); err != nil || ok {
		return err
	}
	err := dst.Push(ctx, desc, bytes.NewReader(data))
	if errors.Is(err, errdef.ErrAlreadyExists) {
		return nil
	}
	return err
}

// overlay reads from mem first, then from base.
type overlay struct {
	mem  *memory.Store
	base content.ReadOnlyStorage
}

// Fetch fetches target from mem, or else from base.
func (s overlay) Fetch(ctx context.Context, target ocispec.Descriptor) (io.ReadCloser, error) {
	if ok, _ := s.mem.Exists(ctx, target); ok {
		return s.mem.Fetch(ctx, target)
	}
	return s.base.Fetch(ctx, target)
}

// Exists reports whether mem or base has target.
func (s overlay) Exists(ctx context.Context, target ocispec.Descriptor) (bool, error) {
	if ok, _ := s.mem.Exists(ctx, target); ok {
		return true, nil
	}
	return s.base.Exists(ctx, target)
}
