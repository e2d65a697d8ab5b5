package inputerr

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// DecodeYAML decodes the next document of dec into n. It returns io.EOF
// when there is none; a syntax error, or a panic of the YAML library on a
// malformed file, is an *Error naming file, with the line when the library
// gives one.
func DecodeYAML(file string, dec *yaml.Decoder, n *yaml.Node) error {
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("yaml: malformed document (%v)", r)
			}
		}()
		return dec.Decode(n)
	}()
	if err == nil || err == io.EOF {
		return err
	}
	return yamlError(file, err)
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError turns an error of the YAML library into an *Error.
func yamlError(file string, err error) *Error {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: line, Err: errors.New("invalid YAML: " + m[2])}
	}
	return &Error{File: file, Err: errors.New("invalid YAML: " + strings.TrimPrefix(msg, "yaml: "))}
}

// YAMLRoot returns the top value of a decoded document, aliases followed,
// or nil when the document is empty or null.
func YAMLRoot(doc *yaml.Node) *yaml.Node {
	n := doc
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		n = n.Content[0]
	}
	n = Resolve(n)
	if n.Kind == 0 || IsNull(n) {
		return nil
	}
	return n
}

// Resolve follows aliases to the node they name.
func Resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// IsNull reports whether n is an empty value (`key:`, `~` or null).
func IsNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// IsMerge reports whether the mapping key k is a merge key (<<).
func IsMerge(k *yaml.Node) bool { return k.ShortTag() == "!!merge" }
