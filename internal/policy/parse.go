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
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/modelci/modelci/internal/compare"
)

// Error is an input error in a policy file: which file, where in it, and
// what was expected. The CLI reports it with exit code 2.
type Error struct {
	// File names the file.
	File string
	// Line is the 1-based line, or 0 when unknown or not meaningful.
	Line int
	// Key locates the problem in the file as a path of keys, metric
	// patterns quoted: `confidence`, `defaults.max_drop`,
	// `metrics."accuracy".min`. For an unknown key it is the path of the
	// mapping that holds it (empty at the top level). Empty when the
	// problem is not at a key.
	Key string
	// Err says what is wrong.
	Err error
}

// Error formats the error as `file: line N: key: message`, leaving out
// what is unknown.
func (e *Error) Error() string {
	s := e.File
	if e.Line > 0 {
		s += fmt.Sprintf(": line %d", e.Line)
	}
	if e.Key != "" {
		s += ": " + e.Key
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// ErrUnknownKey is wrapped by the Err of an Error about a key the file
// format does not have.
var ErrUnknownKey = errors.New("unknown key")

// Keys of the file, in the order error messages list them.
var (
	topKeys  = []string{"version", "confidence", "resamples", "seed", "defaults", "metrics"}
	ruleKeys = []string{"direction", "min", "max", "max_drop", "max_increase", "require_significance"}
)

// Limits on the values of top-level keys.
const (
	minResamples = 100
	maxResamples = 1_000_000
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
	p := &Policy{Source: source, Confidence: DefaultConfidence, Resamples: DefaultResamples}
	ps := parser{source: source}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := decode(dec, &doc); err != nil {
		if err == io.EOF {
			return p, nil
		}
		return nil, ps.yamlError(err)
	}
	var extra yaml.Node
	switch err := decode(dec, &extra); {
	case err == nil:
		return nil, &Error{File: source, Line: extra.Line, Err: errors.New("a policy file holds one YAML document; found another")}
	case err != io.EOF:
		return nil, ps.yamlError(err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return p, nil
		}
		root = root.Content[0]
	}
	root = resolve(root)
	if isNull(root) {
		return p, nil
	}
	fields, err := ps.mapping(root, "", topKeys)
	if err != nil {
		return nil, err
	}
	var defaultsLine int
	for _, f := range fields {
		switch f.key {
		case "version":
			v, err := ps.integer(f.val, f.key)
			if err != nil {
				return nil, err
			}
			if v != 1 {
				return nil, ps.errorf(f.val, f.key, "unsupported version %d (expected 1)", v)
			}
		case "confidence":
			v, err := ps.number(f.val, f.key)
			if err != nil {
				return nil, err
			}
			if !(v > 0 && v < 1) {
				return nil, ps.errorf(f.val, f.key, "%s is out of range (expected a level between 0 and 1, exclusive, like 0.95)", f.val.Value)
			}
			p.Confidence = v
		case "resamples":
			v, err := ps.integer(f.val, f.key)
			if err != nil {
				return nil, err
			}
			if v < minResamples || v > maxResamples {
				return nil, ps.errorf(f.val, f.key, "%d is out of range (expected %d to %d, like 2000)", v, minResamples, maxResamples)
			}
			p.Resamples = int(v)
		case "seed":
			var v uint64
			if err := ps.scalar(f.val, f.key, "a non-negative integer", &v, "!!int"); err != nil {
				return nil, err
			}
			p.Seed = v
		case "defaults":
			r, err := ps.rule(f.val, f.key)
			if err != nil {
				return nil, err
			}
			p.Defaults = r
			defaultsLine = f.line
		case "metrics":
			rules, err := ps.metrics(f.val)
			if err != nil {
				return nil, err
			}
			p.Metrics = rules
		}
	}
	for _, m := range p.Metrics {
		r := p.Defaults.overlay(m.Rule)
		if r.Min != nil && r.Max != nil && *r.Min > *r.Max {
			return nil, &Error{File: source, Line: m.Line, Key: metricKey(m.Pattern),
				Err: fmt.Errorf("min %s is greater than max %s once the defaults (line %d) apply", strconv.FormatFloat(*r.Min, 'g', -1, 64), strconv.FormatFloat(*r.Max, 'g', -1, 64), defaultsLine)}
		}
	}
	return p, nil
}

// decode decodes the next document, turning a panic of the YAML parser
// into an error.
func decode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	return dec.Decode(n)
}

// parser turns YAML nodes into policy values, with errors naming the file.
type parser struct{ source string }

// field is one key of a mapping.
type field struct {
	key  string
	line int
	val  *yaml.Node
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError turns a YAML syntax error into an *Error.
func (ps parser) yamlError(err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: ps.source, Line: line, Err: fmt.Errorf("invalid YAML: %s", m[2])}
	}
	return &Error{File: ps.source, Err: fmt.Errorf("invalid YAML: %s", strings.TrimPrefix(msg, "yaml: "))}
}

// errorf returns an *Error at node n and key.
func (ps parser) errorf(n *yaml.Node, key, format string, args ...any) error {
	return &Error{File: ps.source, Line: n.Line, Key: key, Err: fmt.Errorf(format, args...)}
}

// resolve follows aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// isNull reports whether n is an empty value (`key:` or `~` or null).
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names what a node holds, for messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		return strconv.Quote(n.Value)
	}
	return "something else"
}

// mapping returns the keys of a mapping node in order. allowed lists the
// keys it may have; nil allows any. A null node is an empty mapping.
func (ps parser) mapping(n *yaml.Node, at string, allowed []string) ([]field, error) {
	n = resolve(n)
	if isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		what := "a mapping of keys"
		if allowed != nil {
			what = "a mapping of keys (" + strings.Join(allowed, ", ") + ")"
		}
		return nil, ps.errorf(n, at, "expected %s, found %s", what, describe(n))
	}
	var out []field
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return nil, ps.errorf(k, at, "expected a key, found %s", describe(k))
		}
		if k.ShortTag() == "!!merge" {
			return nil, ps.errorf(k, at, "merge keys (<<) are not supported; write the keys out")
		}
		if first, dup := seen[k.Value]; dup {
			return nil, ps.errorf(k, at, "duplicate key %q (first at line %d)", k.Value, first)
		}
		seen[k.Value] = k.Line
		if allowed != nil && !contains(allowed, k.Value) {
			hint := ""
			if s := suggest(k.Value, allowed); s != "" {
				hint = fmt.Sprintf("; did you mean %q?", s)
			}
			return nil, ps.errorf(k, at, "%w %q%s (expected one of: %s)", ErrUnknownKey, k.Value, hint, strings.Join(allowed, ", "))
		}
		out = append(out, field{key: k.Value, line: k.Line, val: v})
	}
	return out, nil
}

// metrics parses the metrics mapping: pattern → rule.
func (ps parser) metrics(n *yaml.Node) ([]NamedRule, error) {
	fields, err := ps.mapping(n, "metrics", nil)
	if err != nil {
		return nil, err
	}
	var out []NamedRule
	for _, f := range fields {
		key := metricKey(f.key)
		if f.key == "" {
			return nil, &Error{File: ps.source, Line: f.line, Key: "metrics", Err: errors.New("empty metric name")}
		}
		if _, err := path.Match(f.key, ""); err != nil {
			return nil, &Error{File: ps.source, Line: f.line, Key: key, Err: fmt.Errorf("bad glob pattern: %w (see path.Match: *, ?, [a-z], \\ escapes)", err)}
		}
		r, err := ps.rule(f.val, key)
		if err != nil {
			return nil, err
		}
		out = append(out, NamedRule{Pattern: f.key, Line: f.line, Rule: r})
	}
	return out, nil
}

// metricKey is the Error.Key of a metric's rule.
func metricKey(pattern string) string { return "metrics." + strconv.Quote(pattern) }

// rule parses a rule mapping at key path at.
func (ps parser) rule(n *yaml.Node, at string) (Rule, error) {
	var r Rule
	fields, err := ps.mapping(n, at, ruleKeys)
	if err != nil {
		return r, err
	}
	var minLine int
	for _, f := range fields {
		key := at + "." + f.key
		switch f.key {
		case "direction":
			v := resolve(f.val)
			if v.Kind != yaml.ScalarNode || (v.Value != "higher" && v.Value != "lower") || v.ShortTag() != "!!str" {
				return r, ps.errorf(v, key, "%s is not a direction (expected higher or lower)", describe(v))
			}
			r.Direction = compare.Direction(v.Value)
		case "min", "max":
			v, err := ps.number(f.val, key)
			if err != nil {
				return r, err
			}
			if f.key == "min" {
				r.Min, minLine = &v, f.line
			} else {
				r.Max = &v
			}
		case "max_drop", "max_increase":
			c, err := ps.change(f.val, key)
			if err != nil {
				return r, err
			}
			if f.key == "max_drop" {
				r.MaxDrop = &c
			} else {
				r.MaxIncrease = &c
			}
		case "require_significance":
			var b bool
			if err := ps.scalar(f.val, key, "true or false", &b, "!!bool"); err != nil {
				return r, err
			}
			r.RequireSignificance = &b
		}
	}
	if r.Min != nil && r.Max != nil && *r.Min > *r.Max {
		return r, &Error{File: ps.source, Line: minLine, Key: at,
			Err: fmt.Errorf("min %s is greater than max %s", strconv.FormatFloat(*r.Min, 'g', -1, 64), strconv.FormatFloat(*r.Max, 'g', -1, 64))}
	}
	return r, nil
}

// scalar decodes a scalar node whose tag is one of tags into out.
func (ps parser) scalar(n *yaml.Node, key, expected string, out any, tags ...string) error {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || !contains(tags, n.ShortTag()) {
		return ps.errorf(n, key, "expected %s, found %s", expected, describe(n))
	}
	if err := n.Decode(out); err != nil {
		return ps.errorf(n, key, "expected %s, found %s", expected, describe(n))
	}
	return nil
}

// number parses a finite number.
func (ps parser) number(n *yaml.Node, key string) (float64, error) {
	var v float64
	if err := ps.scalar(n, key, "a number", &v, "!!int", "!!float"); err != nil {
		return 0, err
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, ps.errorf(resolve(n), key, "expected a finite number, found %s", describe(resolve(n)))
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
	n = resolve(n)
	const expected = "a non-negative number like 0.005, or a percentage of |base| like 0.5%"
	bad := func() (Change, error) {
		return Change{}, ps.errorf(n, key, "%s is not an allowed change (expected %s)", describe(n), expected)
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

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// suggest returns the candidate closest to s when it is a likely typo.
func suggest(s string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(s), c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Damerau–Levenshtein distance (with adjacent
// transpositions) between short strings.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30
	}
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
