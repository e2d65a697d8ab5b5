package forge

import (
	"errors"
	"strings"
	"testing"

	"github.com/modelci/modelci/internal/inputerr"
	"github.com/modelci/modelci/internal/policy"
)

func TestParseRules(t *testing.T) {
	for _, tt := range []struct {
		src  string
		want Rules
	}{
		{"", Rules{}},
		{"# only a comment\n", Rules{}},
		{"metrics:\n  accuracy: {min: 0.9}\n", Rules{}},
		{"approval:\n", Rules{Defined: true, Approvals: 1}},
		{"approval: {}\n", Rules{Defined: true, Approvals: 1}},
		{"version: 1\napproval:\n  approvals: 2\n  label: ' model-approved '\n  stale_approvals: true\n",
			Rules{Defined: true, Approvals: 2, Label: "model-approved", StaleApprovals: true}},
		{"approval:\n  approvals: 0\n  label: ok\n", Rules{Defined: true, Label: "ok"}},
		{"base: &a {approvals: 3}\napproval: *a\n", Rules{Defined: true, Approvals: 3}},
	} {
		got, err := ParseRules(".modelci.yaml", []byte(tt.src))
		if err != nil || got != tt.want {
			t.Errorf("ParseRules(%q) = %+v, %v; want %+v", tt.src, got, err, tt.want)
		}
	}
}

func TestParseRulesErrors(t *testing.T) {
	for src, want := range map[string]string{
		"approval: 2\n":                             `.modelci.yaml: line 1: approval: expected a mapping of keys (approvals, label, stale_approvals), found "2"`,
		"approval:\n  aprovals: 2\n":                `.modelci.yaml: line 2: approval: unknown key "aprovals"; did you mean "approvals"? (expected one of: approvals, label, stale_approvals)`,
		"approval:\n  approvals: -1\n":              `.modelci.yaml: line 2: approval.approvals: expected a number of approving reviews from 0 to 100, found "-1"`,
		"approval:\n  approvals: 1.5\n":             `.modelci.yaml: line 2: approval.approvals: expected a number of approving reviews from 0 to 100, found "1.5"`,
		"approval:\n  approvals: 101\n":             `.modelci.yaml: line 2: approval.approvals: expected a number of approving reviews from 0 to 100, found "101"`,
		"approval:\n  approvals: \"2\"\n":           `.modelci.yaml: line 2: approval.approvals: expected a number of approving reviews from 0 to 100, found "2"`,
		"approval:\n  label: [a]\n":                 `.modelci.yaml: line 2: approval.label: expected a label's name, found a list`,
		"approval:\n  label: 3\n":                   `.modelci.yaml: line 2: approval.label: expected a label's name, found "3"`,
		"approval:\n  label:\n":                     `.modelci.yaml: line 2: approval.label: expected a label's name, found nothing`,
		"approval:\n  stale_approvals: maybe\n":     `.modelci.yaml: line 2: approval.stale_approvals: expected true or false, found "maybe"`,
		"approval:\n  approvals: 1\n  approvals: 2": `.modelci.yaml: line 3: approval: duplicate key "approvals" (first at line 2)`,
		"- a\n":           `.modelci.yaml: line 1: expected a mapping of keys, found a list`,
		"a: 1\nb: c: d\n": `.modelci.yaml: line 2: invalid YAML: mapping values are not allowed in this context`,
	} {
		_, err := ParseRules(".modelci.yaml", []byte(src))
		var ie *inputerr.Error
		if !errors.As(err, &ie) || err.Error() != want {
			t.Errorf("ParseRules(%q) = %v\nwant %s", src, err, want)
		}
	}
}

func FuzzParseRules(f *testing.F) {
	for _, s := range []string{
		"", "approval:\n", "approval:\n  approvals: 2\n  label: x\n  stale_approvals: true\n",
		"approval: &a\n  approvals: *a\n", "approval: [1]\n", "a: &x [*x]\napproval: *x\n", "approval:\n  label: \"\\u00e9\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRules("f.yaml", data)
		if err != nil {
			var ie *inputerr.Error
			if !errors.As(err, &ie) || ie.File != "f.yaml" {
				t.Fatalf("error %v is not an input error naming the file", err)
			}
			return
		}
		if r.Approvals < 0 || r.Approvals > MaxApprovals || (!r.Defined && r != Rules{}) || r.Label != strings.TrimSpace(r.Label) {
			t.Fatalf("rules %+v out of range", r)
		}
	})
}

// TestRulesBesidePolicy reads one file with both parsers: the policy
// package accepts the approval section and leaves it to ParseRules.
func TestRulesBesidePolicy(t *testing.T) {
	src := []byte("version: 1\nmetrics:\n  accuracy: {min: 0.9}\napproval:\n  approvals: 2\n  label: ship-it\n")
	p, err := policy.Parse(".modelci.yaml", src)
	if err != nil || len(p.Metrics) != 1 {
		t.Fatalf("policy.Parse = %+v, %v", p, err)
	}
	r, err := ParseRules(".modelci.yaml", src)
	if err != nil || r != (Rules{Defined: true, Approvals: 2, Label: "ship-it"}) {
		t.Errorf("ParseRules = %+v, %v", r, err)
	}
}
