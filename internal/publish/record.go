package publish

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/modelci/modelci/internal/forge"
	"github.com/modelci/modelci/internal/inputerr"
)

// RecordSchema identifies the approval record's JSON shape.
const RecordSchema = "modelci.approval-record.v1"

// Record is the approval record attached to a published model. It
// marshals to JSON:
//
//	{
//	  "schema": "modelci.approval-record.v1",
//	  "verdict": {"gate_passed": true, "approved": true, "forced": false, "reasons": []},
//	  "approval": {…forge.Approval…},   // null when the policy requires none and none was given
//	  "pull_request": 42,
//	  "commit": "3f2c…",
//	  "time": "2025-01-02T03:04:05Z",
//	  "digests": {"model": "sha256:…", "data": "sha256:…", "source": "sha256:…"}
//	}
type Record struct {
	// Schema is RecordSchema.
	Schema string `json:"schema"`
	// Verdict is the publishing decision.
	Verdict Verdict `json:"verdict"`
	// Approval is the approval evidence, if any was given.
	Approval *forge.Approval `json:"approval"`
	// PullRequest is the pull request's number, 0 when unknown.
	PullRequest int `json:"pull_request,omitempty"`
	// Commit is the commit the model was built from.
	Commit string `json:"commit,omitempty"`
	// Time is when the model was published.
	Time time.Time `json:"time"`
	// Digests identify what the model is made of.
	Digests Digests `json:"digests"`
}

// Verdict is the publishing decision: the gate, the approval, and whether
// a refusal was overridden.
type Verdict struct {
	// GatePassed is the report's gate.passed.
	GatePassed bool `json:"gate_passed"`
	// Approved says the approval evidence meets the policy's rules.
	Approved bool `json:"approved"`
	// Forced says the model was published although it was refused.
	Forced bool `json:"forced"`
	// Reasons are why it was refused (empty when it was not), one
	// sentence each.
	Reasons []string `json:"reasons"`
}

// Allowed reports whether the verdict lets the model be published and
// promoted: gate passed and approved, or forced.
func (v Verdict) Allowed() bool {
	return v.Forced || (v.GatePassed && v.Approved)
}

// Digests identify the model, its training data and its source tree.
type Digests struct {
	// Model is the published manifest's digest.
	Model digest.Digest `json:"model"`
	// Data is the training data's tree digest (see TreeDigest), if known.
	Data digest.Digest `json:"data,omitempty"`
	// Source is the source tree's digest, if known.
	Source digest.Digest `json:"source,omitempty"`
}

// ParseRecord reads an approval record; source names it in errors.
func ParseRecord(source string, data []byte) (Record, error) {
	var r Record
	if err := decodeSchema(source, data, &r, &r.Schema, RecordSchema); err != nil {
		return Record{}, err
	}
	if err := r.Digests.Model.Validate(); err != nil {
		return Record{}, &inputerr.Error{File: source, Key: "digests.model", Path: true, Err: err}
	}
	if r.Verdict.Reasons == nil {
		r.Verdict.Reasons = []string{}
	}
	return r, nil
}

// ParseApproval reads a forge.Approval JSON file (the output of the
// approval step); source names it in errors.
func ParseApproval(source string, data []byte) (forge.Approval, error) {
	var a forge.Approval
	if err := decodeStrict(data, &a); err != nil {
		return forge.Approval{}, &inputerr.Error{File: source, Err: err}
	}
	return a, nil
}

// decodeSchema decodes data (source names it in errors) into v strictly
// (see decodeStrict); schema, v's schema field, must then be want.
func decodeSchema(source string, data []byte, v any, schema *string, want string) error {
	if err := decodeStrict(data, v); err != nil {
		return &inputerr.Error{File: source, Err: err}
	}
	if *schema != want {
		return &inputerr.Error{File: source, Key: "schema", Err: fmt.Errorf("expected %q, found %q", want, *schema)}
	}
	return nil
}

// decodeStrict decodes one JSON value with no unknown field and nothing
// after it.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("empty file, expected a JSON object")
		}
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("unexpected data after the JSON object")
	}
	return nil
}
