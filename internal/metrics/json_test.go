package metrics

import (
	"strings"
	"testing"
)

// TestJSONSyntaxMessages pins the wording of JSON syntax errors where it
// differs from encoding/json's own (found by fuzzing the jsontext reader
// against the hand-written scanner it replaced).
func TestJSONSyntaxMessages(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"{\"a\": \"\x01\"}", "invalid character byte 0x01 in string literal (column 8)"},
		{`{"a": \}`, `invalid character '\' looking for beginning of value (column 7)`},
		{`{"a": Na}`, "invalid character '}' in literal NaN (expecting 'N') (column 9)"},
		{`{"a": -Inf}`, "invalid character '}' in literal Infinity (expecting 'i') (column 11)"},
		{`{"a": 0.I}`, "invalid character 'I' after decimal point in numeric literal (column 9)"},
		{`{"a": t`, "unexpected end of JSON input (column 8)"},
		{`{"a": 1}"`, `invalid character '"' after top-level value (column 9)`},
		{`{n`, "invalid character 'n' looking for beginning of object key string (column 2)"},
		{`{"a": NaN "b"}`, `invalid character '"' after object key:value pair (column 11)`},
		{`{NaN: 1}`, "invalid character 'N' looking for beginning of object key string (column 2)"},
		{strings.Repeat("[", 10001), "exceeded max depth (10000 nested objects and arrays) (column 10001)"},
	} {
		_, err := Parse("m.json", []byte(tt.in), FormatJSON)
		if err == nil || !strings.HasSuffix(err.Error(), "invalid JSON: "+tt.want) {
			t.Errorf("Parse(%q) = %v, want ...%s", tt.in, err, tt.want)
		}
	}
}

// TestNonFiniteTokens checks that NaN and Infinity are read wherever a
// value may stand, and nowhere else.
func TestNonFiniteTokens(t *testing.T) {
	text, specials := standIns([]byte(`{"NaN": [NaN, -Infinity], "b": Infinity, "s": "NaN"}`))
	if got, want := string(text), `{"NaN": ["N", "-Infini"], "b": "Infini", "s": "NaN"}`; got != want || len(specials) != 3 {
		t.Errorf("standIns = %s (%d), want %s (3)", got, len(specials), want)
	}
	set, err := Parse("m.json", []byte(`{"a": 1, "b": [NaN], "c": {"d": 2}}`), FormatJSON)
	if err != nil || len(set.Metrics) != 2 {
		t.Errorf("Parse = %v, %v", set, err)
	}
}
