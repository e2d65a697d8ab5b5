package metrics

import (
	"bytes"
	"errors"
	"io"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/modelci/modelci/internal/inputerr"
)

// yamlBudget bounds the nodes visited, aliases followed: a file of a few
// aliases can otherwise expand to billions of values.
const yamlBudget = 200_000

// yamlMaxDepth bounds nesting (and alias cycles).
const yamlMaxDepth = 1000

// parseYAMLMetrics parses a YAML metrics file: a mapping of names to
// numbers, nested mappings flattened with ".".
func parseYAMLMetrics(source string, data []byte) (*Set, error) {
	var doc yaml.Node
	err := inputerr.DecodeYAML(source, yaml.NewDecoder(bytes.NewReader(data)), &doc)
	if err != nil && err != io.EOF {
		return nil, err
	}
	c := newCollector(source, FormatYAML)
	root := inputerr.YAMLRoot(&doc)
	switch {
	case root == nil:
		return c.set(), nil // empty: Parse reports no metrics
	case root.Kind != yaml.MappingNode:
		return nil, c.errorf(root.Line, "", "expected a mapping of metric names to values at the top level, found %s", yamlKind(root))
	}
	w := &yamlWalker{c: c, budget: yamlBudget}
	if err := w.mapping(root, "", "", false, 0); err != nil {
		return nil, err
	}
	return c.set(), nil
}

// yamlKind names what a node holds, for messages: as inputerr.Describe,
// but "a sequence" and "a scalar" with its quoted value.
func yamlKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a sequence"
	case yaml.ScalarNode:
		return "a scalar " + strconv.Quote(n.Value)
	}
	return inputerr.Describe(n)
}

// yamlWalker flattens a YAML metrics file into its collector, within a
// budget of nodes visited.
type yamlWalker struct {
	c      *collector
	budget int
}

// mapping walks the keys of the mapping n, whose metrics are named under
// prefix; path is its key path, for messages.
func (w *yamlWalker) mapping(n *yaml.Node, prefix, path string, emptyKey bool, depth int) error {
	if depth > yamlMaxDepth {
		return w.c.errorf(n.Line, prefix, "nesting deeper than %d levels (an alias cycle?)", yamlMaxDepth)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := inputerr.Resolve(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return w.c.errorf(k.Line, prefix, "mapping key is %s, not a name", yamlKind(k))
		}
		if inputerr.IsMerge(k) {
			return w.c.errorf(k.Line, prefix, "merge keys (<<) are not supported in metrics files")
		}
		if err := w.value(v, joinName(prefix, k.Value, path == ""), pathKey(path, k.Value), emptyKey || k.Value == "", k.Line, depth); err != nil {
			return err
		}
	}
	return nil
}

// value adds the metric v holds, when it is a number, or walks it when it
// is a mapping; other values are ignored.
func (w *yamlWalker) value(v *yaml.Node, name, path string, emptyKey bool, line, depth int) error {
	w.budget--
	if w.budget < 0 {
		return w.c.errorf(0, "", "the document expands to more than %d values (alias expansion?)", yamlBudget)
	}
	if v.Kind == yaml.AliasNode {
		if v.Alias == nil {
			return nil
		}
		return w.value(v.Alias, name, path, emptyKey, line, depth+1)
	}
	switch v.Kind {
	case yaml.MappingNode:
		return w.mapping(v, name, path, emptyKey, depth+1)
	case yaml.ScalarNode:
	default:
		return nil // sequences are ignored
	}
	var f float64
	switch v.ShortTag() {
	case "!!int", "!!float":
		if err := v.Decode(&f); err != nil {
			return w.c.errorf(v.Line, name, "not a number: %q", v.Value)
		}
	case "!!str":
		// The YAML library reads a number too large for a float64 (1e999)
		// as a string; report it rather than ignoring a metric.
		if v.Style == 0 {
			if _, err := strconv.ParseFloat(v.Value, 64); errors.Is(err, strconv.ErrRange) {
				return w.c.errorf(v.Line, name, "number %s is out of range for a 64-bit float", v.Value)
			}
		}
		return nil
	default:
		return nil // booleans, nulls, timestamps, custom tags
	}
	if emptyKey {
		return w.c.errorf(line, name, "empty key in %s: a metric needs a name", path)
	}
	return w.c.add(name, f, lineOrigin(path, line))
}
