package metrics

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// fuzzFormats are the formats FuzzParse tries, indexed by a fuzzed byte,
// with the source name each is parsed under.
var fuzzFormats = []struct {
	format Format
	source string
}{
	{FormatAuto, "metrics"}, // sniffed
	{FormatAuto, "metrics.json"},
	{FormatJSON, "metrics.json"},
	{FormatYAML, "metrics.yaml"},
	{FormatCSV, "metrics.csv"},
	{FormatLMEval, "results.json"},
	{FormatHFTrainer, "all_results.json"},
	{FormatSklearn, "report.json"},
}

func seedFiles(f *testing.F, pattern string) [][]byte {
	f.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil {
		f.Fatal(err)
	}
	var out [][]byte
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}

// FuzzParse checks that Parse never panics, that every error is an *Error
// naming the file, and that every accepted Set holds finite values under
// sorted unique names. For JSON it also checks the values against
// encoding/json's.
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"*.json", "*.yaml", "*.csv"} {
		for _, data := range seedFiles(f, pattern) {
			for i := range fuzzFormats {
				f.Add(data, uint8(i))
			}
		}
	}
	for _, s := range []string{`{"a": NaN}`, `{"a": 1e999}`, "a: .nan\n", "a,b\n1,2\n", `{"a": {"": 1}}`, "{\"a\":1,\n\"a\":2}"} {
		f.Add([]byte(s), uint8(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		ff := fuzzFormats[int(which)%len(fuzzFormats)]
		set, err := Parse(ff.source, data, ff.format)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.File != ff.source || e.Line < 0 {
				t.Fatalf("error %v (%T) is not an *Error naming %s", err, err, ff.source)
			}
			return
		}
		checkSet(t, set)
		if set.Source != ff.source {
			t.Errorf("Source = %q", set.Source)
		}
		if ff.format == FormatJSON {
			checkAgainstEncodingJSON(t, data, set)
		}
	})
}

// checkAgainstEncodingJSON compares an accepted FormatJSON set with the
// numbers encoding/json finds in the same text.
func checkAgainstEncodingJSON(t *testing.T, data []byte, set *Set) {
	t.Helper()
	data = bytes.TrimPrefix(data, utf8BOM)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if _, _, specials, _ := parseJSON(data); specials == 0 {
			t.Fatalf("accepted JSON that encoding/json refuses: %v", err)
		}
		return
	}
	if hasDuplicateKeys(data) {
		return // encoding/json keeps the last; Parse refuses numeric repeats
	}
	want := map[string]float64{}
	flattenAny(v, "", true, want)
	if len(want) != len(set.Metrics) {
		t.Fatalf("%d metrics, encoding/json finds %d: %v", len(set.Metrics), len(want), want)
	}
	for _, m := range set.Metrics {
		if w, ok := want[m.Name]; !ok || w != m.Value {
			t.Errorf("metric %q = %v, encoding/json reads %v (%v)", m.Name, m.Value, w, ok)
		}
	}
}

func flattenAny(v any, prefix string, top bool, out map[string]float64) {
	obj, ok := v.(map[string]any)
	if !ok {
		return
	}
	for k, val := range obj {
		name := joinName(prefix, k, top)
		switch val := val.(type) {
		case map[string]any:
			flattenAny(val, name, false, out)
		case json.Number:
			f, _ := strconv.ParseFloat(string(val), 64)
			out[name] = f
		}
	}
}

// FuzzJSONScanner checks that parseJSON accepts exactly what encoding/json
// accepts, plus NaN and Infinity tokens.
func FuzzJSONScanner(f *testing.F) {
	for _, data := range seedFiles(f, "*.json") {
		f.Add(data)
	}
	for _, data := range seedFiles(f, "*.jsonl") {
		f.Add(data)
	}
	for _, s := range []string{`"\ud800"`, `"\u00e9\n"`, `-0.5e+10`, `[1,[2,{"a":null}]]`, `NaN`, `-Infinity`, `01`, `1.`, `"a` + "\x01" + `"`, "\"\xff\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if bytes.Count(data, []byte{'['})+bytes.Count(data, []byte{'{'}) > maxDepth-10 {
			return // depth limits are counted alike, but not worth the time
		}
		_, _, specials, err := parseJSON(data)
		valid := json.Valid(data)
		switch {
		case valid && err != nil:
			t.Fatalf("refused valid JSON: %v", err)
		case !valid && err == nil && specials == 0:
			t.Fatalf("accepted invalid JSON")
		}
		if err != nil {
			var se *syntaxError
			if !errors.As(err, &se) || se.off < 0 || se.off > len(data) {
				t.Fatalf("error %v without a valid offset", err)
			}
		}
	})
}

// FuzzParseExamples checks that ParseExamples never panics, that errors
// are *Error naming the file, that accepted examples keep the Examples
// invariants, and, for JSON Lines, that values match encoding/json's.
func FuzzParseExamples(f *testing.F) {
	for _, data := range seedFiles(f, "examples*") {
		f.Add(data, false)
		f.Add(data, true)
	}
	for _, s := range []string{
		"{\"id\": 1, \"a\": true}\n{\"id\": \"2\", \"a\": {\"b\": 1}}\n",
		"{\"id\": 1, \"a\": NaN}\n",
		"id,a,b\n1,2,x\n2,,y\n",
		"id,a\n1,nan\n",
		"id,a\n1,2\n1,3\n",
	} {
		f.Add([]byte(s), strings.HasPrefix(s, "id,"))
	}
	f.Fuzz(func(t *testing.T, data []byte, csv bool) {
		source, format := "ex.jsonl", ExamplesJSONL
		if csv {
			source, format = "ex.csv", ExamplesCSV
		}
		ex, err := ParseExamples(source, bytes.NewReader(data), format)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.File != source || e.Line < 0 {
				t.Fatalf("error %v (%T) is not an *Error naming %s", err, err, source)
			}
			return
		}
		checkExamplesInvariants(t, ex)
		if !csv {
			checkExamplesAgainstEncodingJSON(t, data, ex)
		}
		// Pairing a file with itself pairs everything.
		p := Pair(ex, ex)
		if p.N != len(ex.IDs) || p.UnpairedBase != 0 || p.UnpairedHead != 0 || len(p.Columns) != len(ex.Columns) {
			t.Fatalf("self-pair: %+v", p)
		}
		for _, c := range p.Columns {
			if _, n := ex.Mean(c); n != len(p.Pairs[c].Base) {
				t.Errorf("column %q: %d values, %d self-pairs", c, n, len(p.Pairs[c].Base))
			}
		}
	})
}

func checkExamplesAgainstEncodingJSON(t *testing.T, data []byte, ex *Examples) {
	t.Helper()
	row := 0
	for i, line := range bytes.Split(bytes.TrimPrefix(data, utf8BOM), []byte{'\n'}) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			return // NaN tokens are refused later anyway; an accepted file has none
		}
		if hasDuplicateKeys(line) {
			return // encoding/json keeps the last; ParseExamples refuses numeric repeats
		}
		if row >= len(ex.IDs) {
			t.Fatalf("line %d: more lines than ids", i+1)
		}
		var id string
		switch v := obj["id"].(type) {
		case string:
			id = v
		case json.Number:
			id = string(v)
		}
		if ex.IDs[row] != id {
			t.Errorf("line %d: id %q, encoding/json reads %q", i+1, ex.IDs[row], id)
		}
		delete(obj, "id")
		want := map[string]float64{}
		flattenExample(obj, "", true, want)
		for _, c := range ex.Columns {
			got := ex.Values[c][row]
			w, ok := want[c]
			if ok != !math.IsNaN(got) || ok && w != got {
				t.Errorf("line %d: %q = %v, encoding/json reads %v (%v)", i+1, c, got, w, ok)
			}
			delete(want, c)
		}
		if len(want) > 0 {
			t.Errorf("line %d: values %v not read", i+1, want)
		}
		row++
	}
	if row != len(ex.IDs) {
		t.Errorf("%d lines, %d ids", row, len(ex.IDs))
	}
}

func flattenExample(obj map[string]any, prefix string, top bool, out map[string]float64) {
	for k, val := range obj {
		name := joinName(prefix, k, top)
		switch val := val.(type) {
		case map[string]any:
			flattenExample(val, name, false, out)
		case json.Number:
			f, _ := strconv.ParseFloat(string(val), 64)
			out[name] = f
		case bool:
			out[name] = 0
			if val {
				out[name] = 1
			}
		}
	}
}

// hasDuplicateKeys reports whether an object in the JSON text repeats a key.
func hasDuplicateKeys(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	var stack []map[string]bool // keys seen per open object; nil for arrays
	expectKey := func() bool { return len(stack) > 0 && stack[len(stack)-1] != nil }
	keyNext := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch tok := tok.(type) {
		case json.Delim:
			switch tok {
			case '{':
				stack = append(stack, map[string]bool{})
				keyNext = true
				continue
			case '[':
				stack = append(stack, nil)
			default:
				stack = stack[:len(stack)-1]
			}
		case string:
			if keyNext && expectKey() {
				if stack[len(stack)-1][tok] {
					return true
				}
				stack[len(stack)-1][tok] = true
				keyNext = false
				continue
			}
		}
		keyNext = expectKey()
	}
}

func TestHasDuplicateKeys(t *testing.T) {
	for s, want := range map[string]bool{
		`{"a": 1, "b": {"a": 2}}`:         false,
		`{"a": 1, "b": {"a": 2}, "a": 3}`: true,
		`{"a": [{"x": 1}, {"x": 2}]}`:     false,
		`{"a": {"x": 1, "x": [1]}}`:       true,
		`[{"a": "a"}, {"a": 1}]`:          false,
	} {
		if got := hasDuplicateKeys([]byte(s)); got != want {
			t.Errorf("hasDuplicateKeys(%s) = %v", s, got)
		}
	}
}
