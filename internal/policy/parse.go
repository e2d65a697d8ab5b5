package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/modelci/modelci/internal/aggregate"
	"github.com/modelci/modelci/internal/compare"
	"github.com/modelci/modelci/internal/inputerr"
)

// Error is an input error in a policy file: which file, where in it, and
// what was expected. The CLI reports it with exit code 2. Its Key locates
// the problem as a path of keys, metric patterns quoted: `confidence`,
// `defaults.max_drop`, `metrics."accuracy".min`; for an unknown key, the
// path of the mapping that holds it (empty at the top level). It formats
// as `file: line N: key: message`, leaving out what is unknown.
type Error = inputerr.Error

// ErrUnknownKey is wrapped by the Err of an Error about a key the file
// format does not have.
var ErrUnknownKey = inputerr.ErrUnknownKey

// Keys of the file, in the order error messages list them.
var (
	topKeys  = []string{"version", "confidence", "resamples", "seed", "multiple_comparisons", "defaults", "metrics", "aggregates", "approval"}
	ruleKeys = []string{"direction", "min", "max", "max_drop", "max_increase", "require_significance"}
)

// Load reads and parses the policy file at path. A file that does not
// exist gives an error that matches fs.ErrNotExist.
func Load(name string) (*Policy, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &Error{File: name, Err: err}
	}
	return Parse(name, data)
}

// Parse parses a policy file; source names it in messages and in
// Policy.Source. An empty file, or one holding only comments or null, is the
// default policy. Every error is an *Error.
func Parse(source string, data []byte) (*Policy, error) {
	p := &Policy{Source: source, Confidence: DefaultConfidence, Resamples: DefaultResamples, MultipleComparisons: compare.DefaultCorrection}
	ps := parser{source: source}
	root, err := ps.document(data)
	if err != nil {
		return nil, err
	}
	if root == nil {
		return p, nil
	}
	fields, err := inputerr.Mapping(ps.source, root, "", topKeys)
	if err != nil {
		return nil, err
	}
	var defaultsLine int
	for _, f := range fields {
		if f.Key == "defaults" {
			defaultsLine = f.Line
		}
		if err := ps.top(p, f); err != nil {
			return nil, err
		}
	}
	for _, m := range p.Metrics {
		r := p.Defaults.overlay(m.Rule)
		if r.Min != nil && r.Max != nil && *r.Min > *r.Max {
			return nil, ps.errorAt(m.Line, metricKey(m.Pattern), "min %s is greater than max %s once the defaults (line %d) apply", fmtFloat(*r.Min), fmtFloat(*r.Max), defaultsLine)
		}
	}
	return p, nil
}

// document decodes the one YAML document of a policy file and returns its
// top value; nil when the file is empty or null.
func (ps parser) document(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc, extra yaml.Node
	if err := inputerr.DecodeYAML(ps.source, dec, &doc); err != nil {
		if err == io.EOF {
			return nil, nil
		}
		return nil, err
	}
	switch err := inputerr.DecodeYAML(ps.source, dec, &extra); {
	case err == nil:
		return nil, ps.errorAt(extra.Line, "", "a policy file holds one YAML document; found another")
	case err != io.EOF:
		return nil, err
	}
	return inputerr.YAMLRoot(&doc), nil
}

// top sets the policy value of the top-level key f.
func (ps parser) top(p *Policy, f inputerr.Field) error {
	var err error
	switch f.Key {
	case "version":
		var v int64
		if v, err = ps.integer(f.Value, f.Key); err == nil && v != 1 {
			err = ps.errorf(f.Value, f.Key, "unsupported version %d (expected 1)", v)
		}
	case "confidence":
		if p.Confidence, err = ps.number(f.Value, f.Key); err == nil && !(p.Confidence > 0 && p.Confidence < 1) {
			err = ps.errorf(f.Value, f.Key, "%s is out of range (expected a level between 0 and 1, exclusive, like 0.95)", f.Value.Value)
		}
	case "resamples":
		var v int64
		if v, err = ps.integer(f.Value, f.Key); err == nil && (v < compare.MinResamples || v > compare.MaxResamples) {
			err = ps.errorf(f.Value, f.Key, "%d is out of range (expected %d to %d, like %d)", v, compare.MinResamples, compare.MaxResamples, compare.DefaultResamples)
		}
		p.Resamples = int(v)
	case "seed":
		err = ps.scalar(f.Value, f.Key, "a non-negative integer", &p.Seed, "!!int")
	case "multiple_comparisons":
		p.MultipleComparisons, err = ps.correction(f.Value, f.Key)
	case "defaults":
		p.Defaults, err = ps.rule(f.Value, f.Key)
	case "metrics":
		p.Metrics, err = ps.metrics(f.Value)
	case "aggregates":
		p.Aggregates, err = aggregate.Parse(ps.source, f.Value)
	case "approval":
		// The approval rules are read from the same file by forge.ParseRules.
	}
	return err
}

// parser turns YAML nodes into policy values, with errors naming the file.
type parser struct{ source string }

// errorAt returns an *Error at line and the key path at.
func (ps parser) errorAt(line int, at, format string, args ...any) error {
	return &Error{File: ps.source, Line: line, Key: at, Path: true, Err: fmt.Errorf(format, args...)}
}

// errorf returns an *Error at node n and the key path at.
func (ps parser) errorf(n *yaml.Node, at, format string, args ...any) error {
	return ps.errorAt(n.Line, at, format, args...)
}

// fmtFloat formats v as the policy file may write it: the shortest
// decimal that reads back as v.
func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// metrics parses the metrics mapping: pattern → rule.
func (ps parser) metrics(n *yaml.Node) ([]NamedRule, error) {
	fields, err := inputerr.Mapping(ps.source, n, "metrics", nil)
	if err != nil {
		return nil, err
	}
	var out []NamedRule
	for _, f := range fields {
		key := metricKey(f.Key)
		if f.Key == "" {
			return nil, ps.errorAt(f.Line, "metrics", "empty metric name")
		}
		if _, err := path.Match(f.Key, ""); err != nil {
			return nil, ps.errorAt(f.Line, key, "bad glob pattern: %w (see path.Match: *, ?, [a-z], \\ escapes)", err)
		}
		r, err := ps.rule(f.Value, key)
		if err != nil {
			return nil, err
		}
		out = append(out, NamedRule{Pattern: f.Key, Line: f.Line, Rule: r})
	}
	return out, nil
}

// metricKey is the Error.Key of a metric's rule.
func metricKey(pattern string) string { return "metrics." + strconv.Quote(pattern) }

// rule parses a rule mapping at key path at.
func (ps parser) rule(n *yaml.Node, at string) (Rule, error) {
	var r Rule
	fields, err := inputerr.Mapping(ps.source, n, at, ruleKeys)
	if err != nil {
		return r, err
	}
	var minLine int
	for _, f := range fields {
		key := at + "." + f.Key
		switch f.Key {
		case "direction":
			v := inputerr.Resolve(f.Value)
			if v.Kind != yaml.ScalarNode || (v.Value != "higher" && v.Value != "lower") || v.ShortTag() != "!!str" {
				return r, ps.errorf(v, key, "%s is not a direction (expected higher or lower)", inputerr.Describe(v))
			}
			r.Direction = compare.Direction(v.Value)
		case "min", "max":
			v, err := ps.number(f.Value, key)
			if err != nil {
				return r, err
			}
			if f.Key == "min" {
				r.Min, minLine = &v, f.Line
			} else {
				r.Max = &v
			}
		case "max_drop", "max_increase":
			c, err := ps.change(f.Value, key)
			if err != nil {
				return r, err
			}
			if f.Key == "max_drop" {
				r.MaxDrop = &c
			} else {
				r.MaxIncrease = &c
			}
		case "require_significance":
			var b bool
			if err := ps.scalar(f.Value, key, "true or false", &b, "!!bool"); err != nil {
				return r, err
			}
			r.RequireSignificance = &b
		}
	}
	if r.Min != nil && r.Max != nil && *r.Min > *r.Max {
		return r, ps.errorAt(minLine, at, "min %s is greater than max %s", fmtFloat(*r.Min), fmtFloat(*r.Max))
	}
	return r, nil
}

// scalar decodes a scalar node whose tag is one of tags into out.
func (ps parser) scalar(n *yaml.Node, key, expected string, out any, tags ...string) error {
	n = inputerr.Resolve(n)
	if n.Kind != yaml.ScalarNode || !slices.Contains(tags, n.ShortTag()) {
		return ps.errorf(n, key, "expected %s, found %s", expected, inputerr.Describe(n))
	}
	if err := n.Decode(out); err != nil {
		return ps.errorf(n, key, "expected %s, found %s", expected, inputerr.Describe(n))
	}
	return nil
}

// correction parses a multiple-comparisons correction: holm or none.
func (ps parser) correction(n *yaml.Node, key string) (compare.Correction, error) {
	n = inputerr.Resolve(n)
	c := compare.Correction(n.Value)
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" || !c.Valid() {
		return "", ps.errorf(n, key, "%s is not a correction (expected %s, the default, or %s)", inputerr.Describe(n), compare.Holm, compare.NoCorrection)
	}
	return c, nil
}

// number parses a finite number.
func (ps parser) number(n *yaml.Node, key string) (float64, error) {
	var v float64
	if err := ps.scalar(n, key, "a number", &v, "!!int", "!!float"); err != nil {
		return 0, err
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, ps.errorf(inputerr.Resolve(n), key, "expected a finite number, found %s", inputerr.Describe(inputerr.Resolve(n)))
	}
	return v, nil
}

// integer parses an integer.
func (ps parser) integer(n *yaml.Node, key string) (int64, error) {
	var v int64
	err := ps.scalar(n, key, "an integer", &v, "!!int")
	return v, err
}

// change parses an allowed change: a non-negative number, or a percentage.
func (ps parser) change(n *yaml.Node, key string) (Change, error) {
	n = inputerr.Resolve(n)
	const expected = "a non-negative number like 0.005, or a percentage of |base| like 0.5%"
	bad := func() (Change, error) {
		return Change{}, ps.errorf(n, key, "%s is not an allowed change (expected %s)", inputerr.Describe(n), expected)
	}
	if n.Kind != yaml.ScalarNode {
		return bad()
	}
	var c Change
	switch n.ShortTag() {
	case "!!int", "!!float":
		if err := n.Decode(&c.Value); err != nil {
			return bad()
		}
	case "!!str":
		s := strings.TrimSpace(n.Value)
		num, ok := strings.CutSuffix(s, "%")
		if !ok {
			return bad()
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil {
			return bad()
		}
		c = Change{Value: v, Percent: true}
	default:
		return bad()
	}
	if math.IsNaN(c.Value) || math.IsInf(c.Value, 0) || c.Value < 0 {
		return bad()
	}
	return c, nil
}
