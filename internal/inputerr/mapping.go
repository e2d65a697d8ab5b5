package inputerr

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Field is one key of a YAML mapping, in file order.
type Field struct {
	// Key is the key as written.
	Key string
	// Line is the key's line.
	Line int
	// Value is the key's value, aliases not yet followed.
	Value *yaml.Node
}

// ErrUnknownKey is wrapped by the Err of an Error about a key the file
// format does not have.
var ErrUnknownKey = errors.New("unknown key")

// Mapping returns the keys of the mapping node n in file order; a null
// node is an empty mapping. at is the key path of n, for messages (see
// Error.Path); allowed lists the keys n may have, nil allowing any. A
// node that is not a mapping, a key that is not a scalar, a merge key
// (<<), a repeated key and a key not allowed are each an *Error naming
// file, the line and at; an unknown key's message suggests the allowed
// key it is likely a typo of and wraps ErrUnknownKey.
func Mapping(file string, n *yaml.Node, at string, allowed []string) ([]Field, error) {
	n = Resolve(n)
	if IsNull(n) {
		return nil, nil
	}
	errorf := func(n *yaml.Node, format string, args ...any) error {
		return &Error{File: file, Line: n.Line, Key: at, Path: true, Err: fmt.Errorf(format, args...)}
	}
	if n.Kind != yaml.MappingNode {
		what := "a mapping of keys"
		if allowed != nil {
			what += " (" + strings.Join(allowed, ", ") + ")"
		}
		return nil, errorf(n, "expected %s, found %s", what, Describe(n))
	}
	var out []Field
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := Resolve(n.Content[i])
		switch first, dup := seen[k.Value]; {
		case k.Kind != yaml.ScalarNode:
			return nil, errorf(k, "expected a key, found %s", Describe(k))
		case IsMerge(k):
			return nil, errorf(k, "merge keys (<<) are not supported; write the keys out")
		case dup:
			return nil, errorf(k, "duplicate key %q (first at line %d)", k.Value, first)
		case allowed != nil && !slices.Contains(allowed, k.Value):
			return nil, errorf(k, "%w %q%s (expected one of: %s)", ErrUnknownKey, k.Value, DidYouMean(k.Value, allowed), strings.Join(allowed, ", "))
		}
		seen[k.Value] = k.Line
		out = append(out, Field{Key: k.Value, Line: k.Line, Value: n.Content[i+1]})
	}
	return out, nil
}

// Describe names what a node holds, for messages: "a mapping", "a list",
// "nothing" or the quoted scalar.
func Describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if IsNull(n) {
			return "nothing"
		}
		return strconv.Quote(n.Value)
	}
	return "something else"
}

// DidYouMean returns `; did you mean "c"?` for the candidate c closest to
// s when s is likely a typo of it (at most two edits, ignoring case), else
// "".
func DidYouMean(s string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(s), strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

// editDistance is the Damerau–Levenshtein distance (with adjacent
// transpositions) between short strings; long ones are far apart.
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
