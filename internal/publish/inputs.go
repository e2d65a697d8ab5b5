package publish

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/opencontainers/go-digest"

	"github.com/modelci/modelci/internal/forge"
)

// Inputs name the files a publication rests on, as an edge (the CLI, the
// Dagger function) receives them. Each is a path; "" for none.
type Inputs struct {
	// Layout is the packaged model's OCI image layout; required.
	Layout string
	// LayoutTag is the model's tag in the layout; modelpack.DefaultTag
	// when "".
	LayoutTag string
	// Report is the JSON report of modelci compare: its gate decides.
	// Required unless Force.
	Report string
	// ReportMarkdown is the Markdown report, attached too.
	ReportMarkdown string
	// Approval is the approval evidence (forge.Approval JSON).
	Approval string
	// Policy is the policy file whose approval rules apply.
	Policy string
	// Data and Source are directories whose tree digests are recorded.
	Data, Source string
	// Framework, Commit and PullRequest are recorded as they are.
	Framework   string
	Commit      string
	PullRequest int
	// Force publishes although refused, recording it.
	Force bool
	// Names says how each input is named in messages (flag or argument
	// names), by field: "Report" → "--report". Missing names are the
	// field names.
	Names map[string]string
}

func (in Inputs) name(field string) string {
	if n, ok := in.Names[field]; ok {
		return n
	}
	return field
}

// Prepare reads the inputs and decides: it returns the model to publish,
// its record's verdict set, or a *RefusedError (unless in.Force), or an
// input error naming the file.
func Prepare(in Inputs) (Model, error) {
	if in.Layout == "" {
		return Model{}, fmt.Errorf("%s is required: the packaged model's directory (an OCI image layout)", in.name("Layout"))
	}
	m := Model{Layout: in.Layout, Tag: in.LayoutTag, Framework: in.Framework}
	ev := Evidence{Commit: in.Commit}
	var err error
	switch {
	case in.Report == "" && !in.Force:
		return Model{}, fmt.Errorf("%s is required (the JSON report of modelci compare): its gate decides", in.name("Report"))
	case in.Report == "":
		ev.Report.Violations = []string{"no report was given"}
	default:
		if m.ReportJSON, err = readInput(in.name("Report"), in.Report); err != nil {
			return Model{}, err
		}
		if ev.Report, err = ParseReport(in.Report, m.ReportJSON); err != nil {
			return Model{}, err
		}
	}
	m.Report = ev.Report
	if in.ReportMarkdown != "" {
		if m.ReportMarkdown, err = readInput(in.name("ReportMarkdown"), in.ReportMarkdown); err != nil {
			return Model{}, err
		}
	}
	if ev.Rules, ev.Approval, err = readApproval(in); err != nil {
		return Model{}, err
	}
	m.Record = Record{Approval: ev.Approval, PullRequest: in.PullRequest, Commit: in.Commit}
	if m.Record.Digests.Data, err = treeInput(in.name("Data"), in.Data); err != nil {
		return Model{}, err
	}
	if m.Record.Digests.Source, err = treeInput(in.name("Source"), in.Source); err != nil {
		return Model{}, err
	}
	m.Record.Verdict, err = Decide(ev, in.Force)
	return m, err
}

// readApproval reads the policy's approval rules and the approval
// evidence.
func readApproval(in Inputs) (forge.Rules, *forge.Approval, error) {
	var rules forge.Rules
	if in.Policy != "" {
		data, err := readInput(in.name("Policy"), in.Policy)
		if err != nil {
			return rules, nil, err
		}
		if rules, err = forge.ParseRules(in.Policy, data); err != nil {
			return rules, nil, err
		}
	}
	if in.Approval == "" {
		return rules, nil, nil
	}
	data, err := readInput(in.name("Approval"), in.Approval)
	if err != nil {
		return rules, nil, err
	}
	a, err := ParseApproval(in.Approval, data)
	if err != nil {
		return rules, nil, err
	}
	return rules, &a, nil
}

// maxInputSize bounds the report, approval and policy files read.
const maxInputSize = 64 << 20

func readInput(name, path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if info.Size() > maxInputSize {
		return nil, fmt.Errorf("%s %q: %d bytes, over the %d-byte bound", name, path, info.Size(), maxInputSize)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return data, nil
}

func treeInput(name, dir string) (digest.Digest, error) {
	if dir == "" {
		return "", nil
	}
	d, err := TreeDigest(filepath.Clean(dir))
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}
