package forge

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/modelci/modelci/internal/inputerr"
)

// Rules are the approval rules of a policy file's `approval:` section.
// The zero value, a file without the section, requires nothing.
type Rules struct {
	// Defined says the file has an approval section.
	Defined bool `json:"defined"`
	// Approvals is the number of approving reviews required.
	Approvals int `json:"approvals"`
	// Label, when not empty, must be set on the pull request as well.
	Label string `json:"label,omitempty"`
	// StaleApprovals counts approvals given on a commit older than the
	// head; when false, only approvals of the head commit count.
	StaleApprovals bool `json:"stale_approvals"`
}

// MaxApprovals bounds `approval.approvals`.
const MaxApprovals = 100

// approvalKeys are the keys of the approval section, in the order error
// messages list them.
var approvalKeys = []string{"approvals", "label", "stale_approvals"}

// ParseRules reads the `approval:` section of a policy file (.modelci.yaml);
// the other top-level keys are left to the policy package. source names
// the file in messages. A section that is present but empty means
// approvals: 1, no label, stale_approvals: false. Every error is an
// *inputerr.Error naming the file, the line, the key and what was expected.
//
// Read the rules from the base branch's file, as the gate is: a pull
// request must not lower the bar for its own approval.
func ParseRules(source string, data []byte) (Rules, error) {
	var doc yaml.Node
	switch err := inputerr.DecodeYAML(source, yaml.NewDecoder(bytes.NewReader(data)), &doc); {
	case errors.Is(err, io.EOF):
		return Rules{}, nil
	case err != nil:
		return Rules{}, err
	}
	root := inputerr.YAMLRoot(&doc)
	if root == nil {
		return Rules{}, nil
	}
	top, err := inputerr.Mapping(source, root, "", nil)
	if err != nil {
		return Rules{}, err
	}
	for _, f := range top {
		if f.Key == "approval" {
			return parseApproval(source, f.Value)
		}
	}
	return Rules{}, nil
}

// parseApproval parses the approval mapping.
func parseApproval(source string, n *yaml.Node) (Rules, error) {
	r := Rules{Defined: true, Approvals: 1}
	fields, err := inputerr.Mapping(source, n, "approval", approvalKeys)
	if err != nil {
		return Rules{}, err
	}
	for _, f := range fields {
		key := "approval." + f.Key
		v := inputerr.Resolve(f.Value)
		fail := func(expected string) error {
			return &inputerr.Error{File: source, Line: v.Line, Key: key, Path: true,
				Err: fmt.Errorf("expected %s, found %s", expected, inputerr.Describe(v))}
		}
		switch f.Key {
		case "approvals":
			const want = "a number of approving reviews from 0 to 100"
			if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!int" || v.Decode(&r.Approvals) != nil ||
				r.Approvals < 0 || r.Approvals > MaxApprovals {
				return Rules{}, fail(want)
			}
		case "label":
			if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" || strings.TrimSpace(v.Value) == "" {
				return Rules{}, fail("a label's name")
			}
			r.Label = strings.TrimSpace(v.Value)
		case "stale_approvals":
			if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" || v.Decode(&r.StaleApprovals) != nil {
				return Rules{}, fail("true or false")
			}
		}
	}
	return r, nil
}
