package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry"
)

// Errors of alias moves; test with errors.Is.
var (
	// ErrNotApproved: the digest has no approval record that allows it.
	ErrNotApproved = errors.New("no approval record allows it")
	// ErrNoAlias: the alias does not exist.
	ErrNoAlias = errors.New("alias does not exist")
)

// HistoryTag is the tag of alias's history artifact.
func HistoryTag(alias string) string { return alias + ".history" }

// Move is an alias's move.
type Move struct {
	// Alias is the alias moved.
	Alias string
	// From is where it pointed before ("" when it did not exist).
	From digest.Digest
	// To is the model it points to now.
	To ocispec.Descriptor
	// Record is the approval record that allowed it.
	Record Record
}

// String says where the alias moved: "production: sha256:… -> sha256:…
// (approved 2025-01-02T03:04:05Z)".
func (mv Move) String() string {
	from := "nothing"
	if mv.From != "" {
		from = mv.From.String()
	}
	return fmt.Sprintf("%s: %s -> %s (approved %s)", mv.Alias, from, mv.To.Digest, mv.Record.Time.Format(time.RFC3339))
}

// Promote moves alias to the model ref (a tag or a digest) names, which
// must have an approval record that allows it, and records the move in the
// alias's history. The history is written first, the alias moved last.
func Promote(ctx context.Context, t Target, alias, ref string, o Options) (Move, error) {
	o = o.withDefaults()
	if err := checkAlias(alias); err != nil {
		return Move{}, err
	}
	to, err := t.Resolve(ctx, ref)
	if err != nil {
		return Move{}, fmt.Errorf("resolving %q: %w", ref, err)
	}
	return move(ctx, t, alias, o, func(h *History, cur digest.Digest) (ocispec.Descriptor, error) {
		h.Promote(cur, to.Digest, o.Now())
		return to, nil
	})
}

// Rollback moves alias back to the model it pointed to before its current
// one was promoted, as its history records, and records that move.
func Rollback(ctx context.Context, t Target, alias string, o Options) (Move, error) {
	o = o.withDefaults()
	if err := checkAlias(alias); err != nil {
		return Move{}, err
	}
	return move(ctx, t, alias, o, func(h *History, cur digest.Digest) (ocispec.Descriptor, error) {
		if cur == "" {
			return ocispec.Descriptor{}, fmt.Errorf("alias %q: %w: nothing to roll back", alias, ErrNoAlias)
		}
		d, err := h.Rollback(cur, o.Now())
		if err != nil {
			return ocispec.Descriptor{}, err
		}
		return t.Resolve(ctx, d.String())
	})
}

// move reads alias and its history, lets step choose the target and
// update the history, checks the target's approval, then writes the
// history and moves the alias, in that order.
func move(ctx context.Context, t Target, alias string, o Options, step func(*History, digest.Digest) (ocispec.Descriptor, error)) (Move, error) {
	var cur digest.Digest
	switch d, err := t.Resolve(ctx, alias); {
	case err == nil:
		cur = d.Digest
	case !errors.Is(err, errdef.ErrNotFound):
		return Move{}, fmt.Errorf("resolving alias %q: %w", alias, err)
	}
	h, err := ReadHistory(ctx, t, alias)
	if err != nil {
		return Move{}, err
	}
	to, err := step(&h, cur)
	if err != nil {
		return Move{}, err
	}
	rec, err := ApprovalOf(ctx, t, to)
	if err != nil {
		return Move{}, err
	}
	if err := o.retry(ctx, "writing the history of "+alias, func() error { return writeHistory(ctx, t, h, o) }); err != nil {
		return Move{}, err
	}
	o.Logf("moving %q from %s to %s", alias, orNone(cur), to.Digest)
	if err := o.retry(ctx, "moving "+alias, func() error { return t.Tag(ctx, to, alias) }); err != nil {
		return Move{}, err
	}
	return Move{Alias: alias, From: cur, To: to, Record: rec}, nil
}

func orNone(d digest.Digest) string {
	if d == "" {
		return "(none)"
	}
	return d.String()
}

// checkAlias checks that alias and its history tag are valid tags.
func checkAlias(alias string) error {
	for _, tag := range []string{alias, HistoryTag(alias)} {
		if err := (registry.Reference{Reference: tag}).ValidateReferenceAsTag(); err != nil {
			return fmt.Errorf("alias %q: not a valid tag (letters, digits, '_', '.', '-'; at most 120 characters): %w", alias, errdef.ErrInvalidReference)
		}
	}
	return nil
}

// ReadHistory reads alias's history; an alias never moved has an empty
// one.
func ReadHistory(ctx context.Context, t Target, alias string) (History, error) {
	empty := History{Schema: HistorySchema, Alias: alias, Entries: []Entry{}}
	desc, err := t.Resolve(ctx, HistoryTag(alias))
	if errors.Is(err, errdef.ErrNotFound) {
		return empty, nil
	}
	if err != nil {
		return History{}, fmt.Errorf("resolving %q: %w", HistoryTag(alias), err)
	}
	data, err := firstLayer(ctx, t, desc, ArtifactTypeHistory)
	if err != nil {
		return History{}, fmt.Errorf("history %q: %w", HistoryTag(alias), err)
	}
	h, err := ParseHistory(HistoryTag(alias), data)
	if err != nil {
		return History{}, err
	}
	if h.Alias != alias {
		return History{}, fmt.Errorf("history %q records alias %q", HistoryTag(alias), h.Alias)
	}
	return h, nil
}

// writeHistory pushes h as an artifact and tags it HistoryTag(h.Alias).
func writeHistory(ctx context.Context, t Target, h History, o Options) error {
	data, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	layer := content.NewDescriptorFromBytes(MediaTypeHistory, data)
	layer.Annotations = map[string]string{ocispec.AnnotationTitle: "history.json"}
	if err := pushBytes(ctx, t, layer, data); err != nil {
		return err
	}
	desc, err := oras.PackManifest(ctx, t, oras.PackManifestVersion1_1, ArtifactTypeHistory, oras.PackManifestOptions{
		Layers:              []ocispec.Descriptor{layer},
		ManifestAnnotations: map[string]string{ocispec.AnnotationCreated: o.Now().UTC().Format(time.RFC3339Nano)},
	})
	if err != nil && !errors.Is(err, errdef.ErrAlreadyExists) {
		return err
	}
	return t.Tag(ctx, desc, HistoryTag(h.Alias))
}

// firstLayer fetches the manifest desc, checks its artifact type, and
// returns its first layer's content.
func firstLayer(ctx context.Context, src content.Fetcher, desc ocispec.Descriptor, artifactType string) ([]byte, error) {
	data, err := fetchSmall(ctx, src, desc)
	if err != nil {
		return nil, err
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", desc.Digest, err)
	}
	if m.ArtifactType != artifactType || len(m.Layers) == 0 {
		return nil, fmt.Errorf("manifest %s: artifact type %q with %d layers, want %q with one", desc.Digest, m.ArtifactType, len(m.Layers), artifactType)
	}
	return fetchSmall(ctx, src, m.Layers[0])
}

// attachedRecord is an approval record attached to a model.
type attachedRecord struct {
	desc ocispec.Descriptor
	rec  Record
}

// approvalRecords reads the approval records attached to model.
func approvalRecords(ctx context.Context, t Target, model ocispec.Descriptor) ([]attachedRecord, error) {
	var found []ocispec.Descriptor
	err := t.Referrers(ctx, model, ArtifactTypeApproval, func(rs []ocispec.Descriptor) error {
		found = append(found, rs...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing the referrers of %s: %w", model.Digest, err)
	}
	out := make([]attachedRecord, 0, len(found))
	for _, d := range found {
		data, err := firstLayer(ctx, t, d, ArtifactTypeApproval)
		if err != nil {
			return nil, fmt.Errorf("approval record of %s: %w", model.Digest, err)
		}
		rec, err := ParseRecord("approval record "+d.Digest.String(), data)
		if err != nil {
			return nil, err
		}
		if rec.Digests.Model == model.Digest {
			out = append(out, attachedRecord{d, rec})
		}
	}
	return out, nil
}

// ApprovalOf returns the latest approval record attached to model that
// allows it (gate passed and approved, or forced), or ErrNotApproved.
func ApprovalOf(ctx context.Context, t Target, model ocispec.Descriptor) (Record, error) {
	records, err := approvalRecords(ctx, t, model)
	if err != nil {
		return Record{}, err
	}
	var best Record
	for _, r := range records {
		if r.rec.Verdict.Allowed() && r.rec.Time.After(best.Time) {
			best = r.rec
		}
	}
	if best.Schema == "" {
		return Record{}, fmt.Errorf("%s: %w (publish it with modelci publish first)", model.Digest, ErrNotApproved)
	}
	return best, nil
}
