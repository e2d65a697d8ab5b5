package inputerr

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestErrorFormat(t *testing.T) {
	base := errors.New("expected a number")
	for _, tt := range []struct {
		e    Error
		want string
	}{
		{Error{File: "m.json", Err: base}, "m.json: expected a number"},
		{Error{File: "m.json", Line: 3, Key: "eval.acc", Err: base}, `m.json: line 3: key "eval.acc": expected a number`},
		{Error{File: "p.yaml", Line: 2, Key: `metrics."acc".min`, Path: true, Err: base}, `p.yaml: line 2: metrics."acc".min: expected a number`},
		{Error{File: "p.yaml", Key: "a", Err: base}, `p.yaml: key "a": expected a number`},
	} {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
		if !errors.Is(&tt.e, base) {
			t.Errorf("%v does not unwrap to its Err", &tt.e)
		}
	}
}

func decode(t *testing.T, src string) (*yaml.Node, error) {
	t.Helper()
	var doc yaml.Node
	err := DecodeYAML("f.yaml", yaml.NewDecoder(bytes.NewReader([]byte(src))), &doc)
	return &doc, err
}

func TestDecodeYAML(t *testing.T) {
	if _, err := decode(t, ""); err != io.EOF {
		t.Errorf("empty input: %v, want io.EOF", err)
	}
	_, err := decode(t, "a: 1\nb: c: d\n")
	var e *Error
	if !errors.As(err, &e) || e.File != "f.yaml" || e.Line != 2 || e.Err.Error() != "invalid YAML: mapping values are not allowed in this context" {
		t.Errorf("syntax error = %#v", err)
	}
	for src, want := range map[string]yaml.Kind{"---\n": 0, "~\n": 0, "a: &x {b: 1}\nc: *x\n": yaml.MappingNode, "[1]": yaml.SequenceNode} {
		doc, err := decode(t, src)
		if err != nil {
			t.Fatal(err)
		}
		root := YAMLRoot(doc)
		if (root == nil) != (want == 0) || root != nil && root.Kind != want {
			t.Errorf("YAMLRoot(%q) = %v, want kind %v", src, root, want)
		}
		if want == yaml.MappingNode {
			if n := Resolve(root.Content[3]); n.Kind != yaml.MappingNode || n.Line != 1 {
				t.Errorf("Resolve(alias) = %v", n)
			}
		}
	}
}
