package inputerr

import (
	"errors"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestMapping(t *testing.T) {
	doc, err := decode(t, "a: 1\nb: &x {c: 2}\nd: *x\n")
	if err != nil {
		t.Fatal(err)
	}
	fields, err := Mapping("f.yaml", YAMLRoot(doc), "top", []string{"a", "b", "d"})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, f := range fields {
		keys = append(keys, f.Key)
	}
	if strings.Join(keys, ",") != "a,b,d" || fields[1].Line != 2 || Resolve(fields[2].Value).Kind != YAMLRoot(doc).Content[3].Kind {
		t.Errorf("fields %+v", fields)
	}
	for src, want := range map[string]string{
		"a: 1\nbb: 2":          `f.yaml: line 2: top: unknown key "bb"; did you mean "b"? (expected one of: a, b)`,
		"a: 1\na: 2":           `f.yaml: line 2: top: duplicate key "a" (first at line 1)`,
		"[1]":                  `f.yaml: line 1: top: expected a mapping of keys (a, b), found a list`,
		"x: &m {a: 1}\n<<: *m": `f.yaml: line 2: top: merge keys (<<) are not supported; write the keys out`,
		"? [k]\n: v":           `f.yaml: line 1: top: expected a key, found a list`,
	} {
		doc, _ := decode(t, src)
		allowed := []string{"a", "b"}
		if strings.HasPrefix(src, "x:") {
			allowed = nil
		}
		if _, err := Mapping("f.yaml", YAMLRoot(doc), "top", allowed); err == nil || err.Error() != want {
			t.Errorf("%q: error %v, want %q", src, err, want)
		}
	}
	doc, _ = decode(t, "c: 1")
	if _, err := Mapping("f.yaml", YAMLRoot(doc), "top", []string{"a"}); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("unknown key: error %v does not wrap ErrUnknownKey", err)
	}
	if f, err := Mapping("f.yaml", nil0(), "top", nil); f != nil || err != nil {
		t.Errorf("null: %v, %v", f, err)
	}
}

func nil0() *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"} }

func TestDidYouMean(t *testing.T) {
	if got := DidYouMean("Colum", []string{"column", "label"}); got != `; did you mean "column"?` {
		t.Errorf("got %q", got)
	}
	if got := DidYouMean("zzz", []string{"column"}); got != "" {
		t.Errorf("got %q", got)
	}
}
