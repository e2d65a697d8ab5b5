package metrics

import (
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var nan = math.NaN()

// sameFloats compares value slices, NaN equal to NaN.
func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}

func checkExamples(t *testing.T, ex *Examples, ids []string, values map[string][]float64) {
	t.Helper()
	if !reflect.DeepEqual(ex.IDs, ids) {
		t.Errorf("IDs = %q, want %q", ex.IDs, ids)
	}
	var cols []string
	for c := range values {
		cols = append(cols, c)
	}
	sortStrings(cols)
	if !reflect.DeepEqual(ex.Columns, cols) {
		t.Errorf("Columns = %q, want %q", ex.Columns, cols)
	}
	for c, want := range values {
		if got := ex.Values[c]; !sameFloats(got, want) {
			t.Errorf("Values[%q] = %v, want %v", c, got, want)
		}
	}
	checkExamplesInvariants(t, ex)
}

// checkExamplesInvariants asserts what every accepted Examples holds.
func checkExamplesInvariants(t testing.TB, ex *Examples) {
	t.Helper()
	if len(ex.IDs) == 0 || len(ex.Columns) == 0 {
		t.Fatalf("accepted examples without ids or columns: %d ids, %d columns", len(ex.IDs), len(ex.Columns))
	}
	seen := map[string]bool{}
	for _, id := range ex.IDs {
		if id == "" || seen[id] {
			t.Errorf("id %q empty or repeated", id)
		}
		seen[id] = true
	}
	if len(ex.Values) != len(ex.Columns) {
		t.Errorf("%d value columns for %d names", len(ex.Values), len(ex.Columns))
	}
	for i, c := range ex.Columns {
		if i > 0 && ex.Columns[i-1] >= c {
			t.Errorf("columns not sorted and unique: %q then %q", ex.Columns[i-1], c)
		}
		vals := ex.Values[c]
		if len(vals) != len(ex.IDs) {
			t.Errorf("column %q has %d values for %d ids", c, len(vals), len(ex.IDs))
		}
		some := false
		for _, v := range vals {
			if math.Abs(v) > MaxMagnitude {
				t.Errorf("column %q holds %v", c, v)
			}
			some = some || !math.IsNaN(v)
		}
		if !some {
			t.Errorf("column %q has no value", c)
		}
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func TestReadExamplesJSONL(t *testing.T) {
	ex, err := ReadExamples(filepath.Join("testdata", "examples_base.jsonl"), ExamplesAuto)
	if err != nil {
		t.Fatal(err)
	}
	if ex.Source != filepath.Join("testdata", "examples_base.jsonl") {
		t.Errorf("Source = %q", ex.Source)
	}
	checkExamples(t, ex,
		[]string{"digits-0001", "digits-0002", "digits-0003", "digits-0004", "digits-0005"},
		map[string][]float64{
			"correct":     {1, 0, 1, 1, 1},
			"loss":        {0.0123, 2.3101, 0.0457, 0.2001, 0.0988},
			"latency_ms":  {0.41, 0.39, 0.44, nan, 0.40},
			"scores.top1": {0.98, 0.41, 0.91, 0.77, 0.85},
			"scores.top5": {1, 1, 1, 0.99, 1},
			"old_metric":  {nan, nan, nan, nan, 1},
		})
	if m, n := ex.Mean("correct"); m != 0.8 || n != 5 {
		t.Errorf("Mean(correct) = %v, %d", m, n)
	}
	if m, n := ex.Mean("latency_ms"); math.Abs(m-0.41) > 1e-12 || n != 4 {
		t.Errorf("Mean(latency_ms) = %v, %d", m, n)
	}
	if m, n := ex.Mean("nope"); m != 0 || n != 0 {
		t.Errorf("Mean(nope) = %v, %d", m, n)
	}
}

func TestReadExamplesCSV(t *testing.T) {
	ex, err := ReadExamples(filepath.Join("testdata", "examples.csv"), ExamplesAuto)
	if err != nil {
		t.Fatal(err)
	}
	// label and pred hold digits, so they are numeric columns like any
	// other; notes is text and the unnamed pandas index is dropped.
	checkExamples(t, ex,
		[]string{"digits-0001", "digits-0002", "digits-0003", "digits-0004"},
		map[string][]float64{
			"label":      {7, 3, 1, 9},
			"pred":       {7, 8, 1, 9},
			"correct":    {1, 0, 1, 1},
			"loss":       {0.0123, 2.3101, 0.0457, 0.2001},
			"latency_ms": {0.41, 0.39, nan, 0.44},
		})
}

func TestParseExamples(t *testing.T) {
	tests := []struct {
		name   string
		source string
		format ExamplesFormat
		data   string
		ids    []string
		values map[string][]float64
	}{
		{"integer ids", "x.jsonl", ExamplesAuto, "{\"id\": 7, \"a\": 1}\n{\"id\": -3, \"a\": 2}\n{\"id\": \"7x\", \"a\": 3}",
			[]string{"7", "-3", "7x"}, map[string][]float64{"a": {1, 2, 3}}},
		{"blank lines and CRLF", "x.jsonl", ExamplesAuto, "\r\n{\"id\": \"a\", \"v\": 1}\r\n\r\n  \n{\"id\": \"b\", \"v\": 2}\r\n",
			[]string{"a", "b"}, map[string][]float64{"v": {1, 2}}},
		{"id anywhere, nested, bools, ignored kinds", "x.ndjson", ExamplesAuto,
			`{"m": {"x": true, "y": {"z": 2}}, "s": "t", "n": null, "l": [1, {"a": 2}], "id": "q1"}` + "\n" +
				`{"id": "q2", "m": {"x": false}}`,
			[]string{"q1", "q2"}, map[string][]float64{"m.x": {1, 0}, "m.y.z": {2, nan}}},
		{"column starting late", "x.jsonl", ExamplesAuto, "{\"id\": 1}\n{\"id\": 2}\n{\"id\": 3, \"late\": 0.5}\n",
			[]string{"1", "2", "3"}, map[string][]float64{"late": {nan, nan, 0.5}}},
		{"escaped keys and ids", "x.jsonl", ExamplesAuto, `{"id": "caf\u00e9", "a\u0062": 1, "é": 2}`,
			[]string{"café"}, map[string][]float64{"ab": {1}, "é": {2}}},
		{"BOM", "x.jsonl", ExamplesAuto, "\ufeff{\"id\": 1, \"a\": 1}\n", []string{"1"}, map[string][]float64{"a": {1}}},
		{"sniff jsonl", "stdin", ExamplesAuto, "\n  {\"id\": 1, \"a\": 1}\n", []string{"1"}, map[string][]float64{"a": {1}}},
		{"sniff csv", "stdin", ExamplesAuto, "id,a\n1,2\n", []string{"1"}, map[string][]float64{"a": {2}}},
		{"csv given", "x.txt", ExamplesCSV, "a,id\n1,x\n,y\n", []string{"x", "y"}, map[string][]float64{"a": {1, nan}}},
		{"csv bools and text column", "x.csv", ExamplesAuto, "id,ok,label\n1,TRUE,cat\n2,false,dog\n3,,\n",
			[]string{"1", "2", "3"}, map[string][]float64{"ok": {1, 0, nan}}},
		{"csv BOM and spaces", "x.csv", ExamplesAuto, "\ufeffid , score\n a , 1.5 \n", []string{"a"}, map[string][]float64{"score": {1.5}}},
		{"jsonl given for .txt", "x.txt", ExamplesJSONL, `{"id": 1, "a": 1}`, []string{"1"}, map[string][]float64{"a": {1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex, err := ParseExamples(tt.source, strings.NewReader(tt.data), tt.format)
			if err != nil {
				t.Fatal(err)
			}
			checkExamples(t, ex, tt.ids, tt.values)
		})
	}
}

func TestParseExamplesLongLine(t *testing.T) {
	long := strings.Repeat("x", 1<<20)
	data := `{"id": 1, "a": 1, "text": "` + long + `"}` + "\n" + `{"id": 2, "a": 2}`
	ex, err := ParseExamples("x.jsonl", strings.NewReader(data), ExamplesAuto)
	if err != nil {
		t.Fatal(err)
	}
	checkExamples(t, ex, []string{"1", "2"}, map[string][]float64{"a": {1, 2}})
}

func TestParseExamplesErrors(t *testing.T) {
	tests := []struct {
		name   string
		source string
		data   string
		line   int
		key    string
		msg    string
	}{
		{"empty", "x.jsonl", "", 0, "", "no examples found"},
		{"blank", "x.jsonl", "\n\n", 0, "", "no examples found"},
		{"csv header only", "x.csv", "id,a\n", 0, "", "no examples found"},
		{"no metrics", "x.jsonl", `{"id": 1, "label": "x"}`, 0, "", "no per-example metrics"},
		{"missing id", "x.jsonl", "{\"id\": 1, \"a\": 1}\n{\"a\": 2}\n", 2, "id", "missing \"id\""},
		{"null id", "x.jsonl", "{\"id\": null, \"a\": 1}\n", 1, "id", "missing \"id\""},
		{"nested id is not the id", "x.jsonl", "{\"x\": {\"id\": \"a\"}, \"a\": 1}\n", 1, "id", "missing \"id\""},
		{"float id", "x.jsonl", "{\"id\": 1.5, \"a\": 1}\n", 1, "id", "not an integer"},
		{"bool id", "x.jsonl", "{\"id\": true, \"a\": 1}\n", 1, "id", "boolean"},
		{"object id", "x.jsonl", "{\"id\": {}, \"a\": 1}\n", 1, "id", "object"},
		{"empty id", "x.jsonl", "{\"id\": \"\", \"a\": 1}\n", 1, "id", "empty id"},
		{"duplicate id", "x.jsonl", "{\"id\": \"a\", \"v\": 1}\n\n{\"id\": \"a\", \"v\": 2}\n", 3, "id", `duplicate id "a" (first on line 1)`},
		{"duplicate int and string id", "x.jsonl", "{\"id\": 1, \"v\": 1}\n{\"id\": \"1\", \"v\": 2}\n", 2, "id", "duplicate id"},
		{"id twice", "x.jsonl", "{\"id\": 1, \"id\": 2, \"v\": 1}\n", 1, "id", "twice"},
		{"key twice", "x.jsonl", "{\"id\": 1, \"v\": 1, \"v\": 2}\n", 1, "v", "twice"},
		{"flattened twice", "x.jsonl", "{\"id\": 1, \"a.b\": 1, \"a\": {\"b\": 2}}\n", 1, "a.b", "twice"},
		{"empty key", "x.jsonl", "{\"id\": 1, \"\": {\"a\": 1}}\n", 1, ".a", "empty key"},
		{"NaN", "x.jsonl", "{\"id\": 1, \"v\": 1}\n{\"id\": 2, \"s\": {\"v\": NaN}}\n", 2, "s.v", "NaN"},
		{"Infinity", "x.jsonl", "{\"id\": 1, \"v\": -Infinity}\n", 1, "v", "-Inf"},
		{"overflow", "x.jsonl", "{\"id\": 1, \"v\": 1e400}\n", 1, "v", "out of range"},
		{"beyond the largest magnitude", "x.jsonl", "{\"id\": 1, \"v\": 1}\n{\"id\": 2, \"s\": {\"v\": -1.7e308}}\n", 2, "s.v", "value -1.7e+308 is beyond ±1e+300"},
		{"csv beyond the largest magnitude", "x.csv", "id,score\na,1e300\nb,1.0000001e300\n", 3, "score", "beyond ±1e+300"},
		{"syntax", "x.jsonl", "{\"id\": 1, \"v\": 1}\n{\"id\": 2, \"v\": 1,}\n", 2, "", "invalid JSON: invalid character '}' looking for beginning of object key string (column 18)"},
		{"truncated", "x.jsonl", "{\"id\": 1, \"v\": 1}\n{\"id\": 2, \"v\"", 2, "", "unexpected end"},
		{"two objects on a line", "x.jsonl", "{\"id\": 1, \"v\": 1} {\"id\": 2}\n", 1, "", "after top-level value"},
		{"array line", "x.jsonl", "{\"id\": 1, \"v\": 1}\n[1, 2]\n", 2, "", "expected a JSON object"},
		{"pretty-printed json", "x.json", "{\n  \"id\": 1\n}\n", 1, "", "unexpected end of JSON input (column 2); JSON Lines needs each example on one line"},
		{"csv no id", "x.csv", "name,score\na,1\n", 1, "id", `no "id" column`},
		{"csv missing id", "x.csv", "id,score\na,1\n,2\n", 3, "id", "missing id"},
		{"csv duplicate id", "x.csv", "id,score\na,1\nb,2\na,3\n", 4, "id", "duplicate id \"a\" (first on line 2)"},
		{"csv NaN", "x.csv", "id,score\na,1\nb,nan\n", 3, "score", "not finite"},
		{"csv inf", "x.csv", "id,score\na,-Inf\n", 2, "score", "not finite"},
		{"csv garbage after numbers", "x.csv", "id,score\na,1\nb,oops\n", 3, "score", `"oops" is not a number, but the column holds numbers (line 2)`},
		{"csv numbers after garbage", "x.csv", "id,score\na,n/a\nb,2\n", 2, "score", `"n/a" is not a number, but the column holds numbers (line 3)`},
		{"csv ragged", "x.csv", "id,score\na,1\nb,2,3\n", 3, "", "wrong number of fields"},
		{"csv duplicate column", "x.csv", "id,a,a\n1,2,3\n", 1, "a", "duplicate column"},
		{"csv multi-line cell keeps lines", "x.csv", "id,note,score\na,\"two\nlines\",1\nb,x,bad\n", 4, "score", "not a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseExamples(tt.source, strings.NewReader(tt.data), ExamplesAuto)
			checkError(t, err, tt.source, tt.line, tt.key, tt.msg)
		})
	}
}

func TestReadExamplesMissing(t *testing.T) {
	_, err := ReadExamples(filepath.Join("testdata", "nope.jsonl"), ExamplesAuto)
	checkError(t, err, filepath.Join("testdata", "nope.jsonl"), 0, "", "no such file")
}

func TestParseExamplesFormat(t *testing.T) {
	for in, want := range map[string]ExamplesFormat{"": ExamplesAuto, "auto": ExamplesAuto, "JSONL": ExamplesJSONL, "ndjson": ExamplesJSONL, "csv": ExamplesCSV} {
		if got, err := ParseExamplesFormat(in); err != nil || got != want {
			t.Errorf("ParseExamplesFormat(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseExamplesFormat("parquet"); err == nil {
		t.Error("parquet accepted")
	}
	_, err := ParseExamples("x", strings.NewReader("id,a\n1,2\n"), ExamplesFormat("parquet"))
	checkError(t, err, "x", 0, "", "unknown examples format")
}

func TestPairFiles(t *testing.T) {
	base, err := ReadExamples(filepath.Join("testdata", "examples_base.jsonl"), ExamplesAuto)
	if err != nil {
		t.Fatal(err)
	}
	head, err := ReadExamples(filepath.Join("testdata", "examples_head.jsonl"), ExamplesAuto)
	if err != nil {
		t.Fatal(err)
	}
	p := Pair(base, head)
	// Head order: 0003, 0001, 0002, (0006 unpaired), 0004; 0005 is base only.
	want := &Paired{
		Columns: []string{"correct", "latency_ms", "loss", "scores.top1", "scores.top5"},
		Pairs: map[string]PairedValues{
			"correct": {Base: []float64{1, 1, 0, 1}, Head: []float64{1, 1, 1, 0}},
			// 0002 has no head latency, 0004 no base latency.
			"latency_ms":  {Base: []float64{0.44, 0.41}, Head: []float64{0.52, 0.50}},
			"loss":        {Base: []float64{0.0457, 0.0123, 2.3101, 0.2001}, Head: []float64{0.0401, 0.0099, 0.6002, 1.9002}},
			"scores.top1": {Base: []float64{0.91, 0.98, 0.41, 0.77}, Head: []float64{0.93, 0.99, 0.55, 0.31}},
			"scores.top5": {Base: []float64{1, 1, 1, 0.99}, Head: []float64{1, 1, 1, 0.97}},
		},
		N:            4,
		UnpairedBase: 1,
		UnpairedHead: 1,
		BaseOnly:     []string{"old_metric"},
		HeadOnly:     []string{"confidence"},
	}
	// Each side's means cover all its rows, paired or not.
	for side, pair := range map[*Examples]map[string]float64{base: p.BaseMeans, head: p.HeadMeans} {
		for _, c := range side.Columns {
			if m, n := side.Mean(c); n > 0 && pair[c] != m {
				t.Errorf("%s: mean of %s = %v, want %v", side.Source, c, pair[c], m)
			}
		}
		if len(pair) != len(side.Columns) {
			t.Errorf("%s: %d means for %d columns", side.Source, len(pair), len(side.Columns))
		}
	}
	if p.BaseMeans["old_metric"] == 0 || p.HeadMeans["confidence"] == 0 {
		t.Errorf("one-sided columns lack their means: %v %v", p.BaseMeans, p.HeadMeans)
	}
	p.BaseMeans, p.HeadMeans = nil, nil
	if !reflect.DeepEqual(p, want) {
		t.Errorf("Pair =\n%+v\nwant\n%+v", p, want)
	}
}

func TestPair(t *testing.T) {
	ex := func(ids []string, cols map[string][]float64) *Examples {
		e := &Examples{IDs: ids, Values: cols}
		for c := range cols {
			e.Columns = append(e.Columns, c)
		}
		sortStrings(e.Columns)
		return e
	}
	tests := []struct {
		name       string
		base, head *Examples
		want       *Paired
	}{
		{"same order",
			ex([]string{"a", "b", "c"}, map[string][]float64{"x": {1, 2, 3}, "y": {1, nan, 1}}),
			ex([]string{"a", "b", "c"}, map[string][]float64{"x": {4, 5, 6}, "y": {nan, 0, 0}}),
			&Paired{Columns: []string{"x", "y"}, N: 3, Pairs: map[string]PairedValues{
				"x": {Base: []float64{1, 2, 3}, Head: []float64{4, 5, 6}},
				"y": {Base: []float64{1}, Head: []float64{0}},
			}, BaseMeans: map[string]float64{"x": 2, "y": 1}, HeadMeans: map[string]float64{"x": 5, "y": 0}}},
		{"reversed",
			ex([]string{"a", "b", "c"}, map[string][]float64{"x": {1, 2, 3}}),
			ex([]string{"c", "b", "a"}, map[string][]float64{"x": {30, 20, 10}}),
			&Paired{Columns: []string{"x"}, N: 3, Pairs: map[string]PairedValues{
				"x": {Base: []float64{3, 2, 1}, Head: []float64{30, 20, 10}},
			}, BaseMeans: map[string]float64{"x": 2}, HeadMeans: map[string]float64{"x": 20}}},
		{"disjoint",
			ex([]string{"a"}, map[string][]float64{"x": {1}}),
			ex([]string{"b", "c"}, map[string][]float64{"x": {1, 2}}),
			&Paired{Columns: []string{"x"}, N: 0, UnpairedBase: 1, UnpairedHead: 2, Pairs: map[string]PairedValues{
				"x": {Base: []float64{}, Head: []float64{}},
			}, BaseMeans: map[string]float64{"x": 1}, HeadMeans: map[string]float64{"x": 1.5}}},
		{"nil base",
			nil,
			ex([]string{"a"}, map[string][]float64{"x": {1}}),
			&Paired{UnpairedHead: 1, HeadOnly: []string{"x"}, Pairs: map[string]PairedValues{},
				BaseMeans: map[string]float64{}, HeadMeans: map[string]float64{"x": 1}}},
		{"short value slices are missing values",
			&Examples{IDs: []string{"a", "b"}, Columns: []string{"x"}, Values: map[string][]float64{"x": {1}}},
			ex([]string{"b", "a"}, map[string][]float64{"x": {2, 1}}),
			&Paired{Columns: []string{"x"}, N: 2, Pairs: map[string]PairedValues{
				"x": {Base: []float64{1}, Head: []float64{1}},
			}, BaseMeans: map[string]float64{"x": 1}, HeadMeans: map[string]float64{"x": 1.5}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Pair(tt.base, tt.head); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Pair =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestMeanPrecision(t *testing.T) {
	vals := make([]float64, 0, 1_000_001)
	vals = append(vals, 1e8)
	for i := 0; i < 1_000_000; i++ {
		vals = append(vals, 0.1)
	}
	ex := &Examples{IDs: make([]string, len(vals)), Columns: []string{"x"}, Values: map[string][]float64{"x": vals}}
	m, n := ex.Mean("x")
	want := (1e8 + 1e5) / 1_000_001
	if n != 1_000_001 || math.Abs(m-want) > 1e-9 {
		t.Errorf("Mean = %v, %d; want %v", m, n, want)
	}
}
