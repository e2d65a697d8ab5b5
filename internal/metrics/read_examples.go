package metrics

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ExamplesFormat names a per-example results file format.
type ExamplesFormat string

// The per-example formats.
const (
	// ExamplesAuto picks the format by extension (".jsonl", ".ndjson" and
	// ".json" are JSON Lines, ".csv" is CSV), else by content (a first
	// non-blank byte '{' means JSON Lines, anything else CSV).
	ExamplesAuto ExamplesFormat = ""
	// ExamplesJSONL is one JSON object per line.
	ExamplesJSONL ExamplesFormat = "jsonl"
	// ExamplesCSV is a header row over one row per example.
	ExamplesCSV ExamplesFormat = "csv"
)

// ParseExamplesFormat parses a per-example format name, ignoring case:
// "" or "auto", "jsonl" (or "ndjson", "json"), "csv".
func ParseExamplesFormat(s string) (ExamplesFormat, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return ExamplesAuto, nil
	case "jsonl", "ndjson", "json", "jsonlines":
		return ExamplesJSONL, nil
	case "csv":
		return ExamplesCSV, nil
	}
	return "", fmt.Errorf("unknown examples format %q (known: auto, jsonl, csv)", s)
}

// ReadExamples reads the per-example results file at path; see
// ParseExamples. Every error is an *Error naming path.
func ReadExamples(path string, format ExamplesFormat) (*Examples, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Err: unwrapPathError(err)}
	}
	defer f.Close()
	return ParseExamples(path, f, format)
}

// ParseExamples reads per-example results from r; source names the file in
// the Examples and in errors, and picks the format when format is
// ExamplesAuto. Every error is an *Error.
//
// Each example has an id: in JSON Lines a top-level "id" that is a string
// or an integer (kept as written, "17"); in CSV the column named "id". A
// missing, empty or duplicate id is an error naming the line. Every other
// numeric field is a per-example value of the metric of that name: nested
// objects are flattened with "." and booleans count as 1 and 0 (in CSV,
// cells true and false in any case). Strings, nulls and arrays in JSON
// Lines, and empty CSV cells, are missing values. A CSV column of text
// (labels, prompts) is ignored, but a column that holds numbers in some
// rows and text in others is an error naming the line of the text. A
// column without a name (pandas' index) is ignored too. NaN and infinite values (Python's
// NaN token, "nan" cells) are errors naming the line and key. Blank lines
// are skipped. A file without examples, or without any metric, is an error.
func ParseExamples(source string, r io.Reader, format ExamplesFormat) (*Examples, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	if format == ExamplesAuto {
		format = detectExamples(source, br)
	}
	b := newExBuilder(source)
	var err error
	switch format {
	case ExamplesJSONL:
		err = b.readJSONL(br)
	case ExamplesCSV:
		err = b.readCSV(br)
	default:
		return nil, &Error{File: source, Err: fmt.Errorf("unknown examples format %q (known: jsonl, csv)", format)}
	}
	if err != nil {
		return nil, err
	}
	return b.finish()
}

func detectExamples(source string, br *bufio.Reader) ExamplesFormat {
	switch strings.ToLower(filepath.Ext(source)) {
	case ".jsonl", ".ndjson", ".json":
		return ExamplesJSONL
	case ".csv":
		return ExamplesCSV
	}
	for n := 512; ; n *= 2 {
		head, err := br.Peek(n)
		head = bytes.TrimPrefix(head, utf8BOM)
		if t := bytes.TrimLeft(head, " \t\r\n"); len(t) > 0 {
			if t[0] == '{' {
				return ExamplesJSONL
			}
			return ExamplesCSV
		}
		if err != nil || n >= br.Size() {
			return ExamplesJSONL // empty or blank: reported as no examples
		}
	}
}

// column accumulates one metric's values, aligned with the rows read.
type column struct {
	name string
	vals []float64
}

// exBuilder accumulates examples.
type exBuilder struct {
	source string
	ids    []string
	idLine map[string]int // id -> line it was first seen on
	cols   map[string]*column
	line   int    // current line, for messages
	name   []byte // the flattened key being read (JSON Lines)
}

func newExBuilder(source string) *exBuilder {
	return &exBuilder{source: source, idLine: map[string]int{}, cols: map[string]*column{}}
}

func (b *exBuilder) errorf(key, format string, args ...any) error {
	return &Error{File: b.source, Line: b.line, Key: key, Err: fmt.Errorf(format, args...)}
}

// col returns the column called name, creating it.
func (b *exBuilder) col(name []byte) *column {
	c := b.cols[string(name)]
	if c == nil {
		c = &column{name: string(name)}
		b.cols[c.name] = c
	}
	return c
}

// put sets column c's value for the current row (len(b.ids)).
func (b *exBuilder) put(c *column, v float64) error {
	row := len(b.ids)
	if len(c.vals) > row {
		return b.errorf(c.name, "given twice in one example")
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return b.errorf(c.name, "value is %v; metrics must be finite numbers", v)
	}
	for len(c.vals) < row {
		c.vals = append(c.vals, math.NaN())
	}
	c.vals = append(c.vals, v)
	return nil
}

// putJSON sets the value of the JSON key being read, b.name.
func (b *exBuilder) putJSON(v float64, emptyKey bool) error {
	if emptyKey {
		return b.errorf(string(b.name), "empty key: a metric needs a name")
	}
	return b.put(b.col(b.name), v)
}

// addID ends the current row with its id.
func (b *exBuilder) addID(id string) error {
	if id == "" {
		return b.errorf("id", "empty id")
	}
	if first, dup := b.idLine[id]; dup {
		return b.errorf("id", "duplicate id %q (first on line %d)", id, first)
	}
	b.idLine[id] = b.line
	b.ids = append(b.ids, id)
	return nil
}

func (b *exBuilder) finish() (*Examples, error) {
	if len(b.ids) == 0 {
		return nil, &Error{File: b.source, Err: errors.New("no examples found")}
	}
	ex := &Examples{Source: b.source, IDs: b.ids, Values: make(map[string][]float64, len(b.cols))}
	n := len(b.ids)
	for name, c := range b.cols {
		if len(c.vals) == 0 {
			continue
		}
		for len(c.vals) < n {
			c.vals = append(c.vals, math.NaN())
		}
		ex.Columns = append(ex.Columns, name)
		ex.Values[name] = c.vals[:n:n]
	}
	if len(ex.Columns) == 0 {
		return nil, &Error{File: b.source, Err: errors.New("no per-example metrics found (no numeric field besides id)")}
	}
	sort.Strings(ex.Columns)
	b.idLine = nil
	return ex, nil
}

// readJSONL reads one JSON object per line.
func (b *exBuilder) readJSONL(br *bufio.Reader) error {
	var long []byte
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			long = append(long[:0], line...)
			for err == bufio.ErrBufferFull {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if err != nil && err != io.EOF {
			return &Error{File: b.source, Line: b.line + 1, Err: err}
		}
		if len(line) > 0 {
			b.line++
			if b.line == 1 {
				line = bytes.TrimPrefix(line, utf8BOM)
			}
			line = bytes.TrimSuffix(line, []byte{'\n'})
			line = bytes.TrimSuffix(line, []byte{'\r'})
			if perr := b.jsonLine(line); perr != nil {
				return perr
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// jsonLine reads one line of JSON Lines; blank lines are skipped.
func (b *exBuilder) jsonLine(line []byte) error {
	p := jparser{data: line}
	p.ws()
	if p.pos == len(line) {
		return nil
	}
	if start := p.pos; line[start] != '{' {
		if err := p.skipValue(0); err != nil {
			return b.syntaxError(line, err)
		}
		return b.errorf("", "expected a JSON object (one example per line), found %s", jsonKindAt(line[start]))
	}
	id, hasID, err := b.jsonObject(&p, 0, 1, false)
	if err != nil {
		return b.syntaxError(line, err)
	}
	if err := p.end(); err != nil {
		return b.syntaxError(line, err)
	}
	if !hasID {
		return b.errorf("id", `missing "id" (each example needs a string or integer id)`)
	}
	return b.addID(id)
}

func jsonKindAt(c byte) string {
	switch c {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

// syntaxError adds the line to a scanner error; *Error passes through.
func (b *exBuilder) syntaxError(line []byte, err error) error {
	var se *syntaxError
	if errors.As(err, &se) {
		_, col := lineCol(line, se.off)
		hint := ""
		if se.off >= len(line) {
			hint = "; JSON Lines needs each example on one line"
		}
		return b.errorf("", "invalid JSON: %s (column %d)%s", se.msg, col, hint)
	}
	return err
}

// jsonObject reads the object at p.pos, its members named b.name[:prefix]
// + "." + key. At the top (depth 1) it returns the id. emptyKey records
// that an enclosing key was "".
func (b *exBuilder) jsonObject(p *jparser, prefix, depth int, emptyKey bool) (id string, hasID bool, err error) {
	if depth > maxDepth {
		return "", false, p.tooDeep()
	}
	top := depth == 1
	p.pos++ // '{'
	p.ws()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return "", false, nil
	}
	for {
		ks, ke, plain, err := p.key()
		if err != nil {
			return "", false, err
		}
		b.name = b.name[:prefix]
		if !top {
			b.name = append(b.name, '.')
		}
		empty := emptyKey || ks == ke
		if plain {
			b.name = append(b.name, p.data[ks:ke]...)
		} else {
			b.name = append(b.name, decodeString(p.data, ks, ke, plain)...)
		}
		isID := top && string(b.name) == "id"
		p.ws()
		if p.pos >= len(p.data) {
			return "", false, p.eof()
		}
		switch c := p.data[p.pos]; {
		case c == '{':
			if isID {
				return "", false, b.errorf("id", "id is an object; it must be a string or an integer")
			}
			if _, _, err := b.jsonObject(p, len(b.name), depth+1, empty); err != nil {
				return "", false, err
			}
		case c == '"':
			s, e, splain, err := p.scanString()
			if err != nil {
				return "", false, err
			}
			if isID {
				if hasID {
					return "", false, b.errorf("id", "given twice in one example")
				}
				id, hasID = decodeString(p.data, s, e, splain), true
			}
		case c == 't' || c == 'f':
			word, v := "true", 1.0
			if c == 'f' {
				word, v = "false", 0
			}
			if err := p.literal(word); err != nil {
				return "", false, err
			}
			if isID {
				return "", false, b.errorf("id", "id is a boolean; it must be a string or an integer")
			}
			if err := b.putJSON(v, empty); err != nil {
				return "", false, err
			}
		case c == 'n':
			if err := p.literal("null"); err != nil {
				return "", false, err
			}
		case c == '[':
			if isID {
				return "", false, b.errorf("id", "id is an array; it must be a string or an integer")
			}
			if err := p.skipArray(depth + 1); err != nil {
				return "", false, err
			}
		case c == '-' || isDigit(c):
			s, e, kind, special, err := p.scanNumber()
			if err != nil {
				return "", false, err
			}
			if isID {
				if kind != numInt {
					return "", false, b.errorf("id", "id %s is not an integer; it must be a string or an integer", p.data[s:e])
				}
				if hasID {
					return "", false, b.errorf("id", "given twice in one example")
				}
				id, hasID = string(p.data[s:e]), true
				break
			}
			v := special
			if kind != numNonFinite {
				v, err = strconv.ParseFloat(string(p.data[s:e]), 64)
				if err != nil {
					return "", false, b.errorf(string(b.name), "number %s is out of range for a 64-bit float", p.data[s:e])
				}
			}
			if err := b.putJSON(v, empty); err != nil {
				return "", false, err
			}
		case c == 'N' || c == 'I':
			v, err := p.special()
			if err != nil {
				return "", false, err
			}
			if isID {
				return "", false, b.errorf("id", "id is %v; it must be a string or an integer", v)
			}
			if err := b.putJSON(v, empty); err != nil {
				return "", false, err
			}
		default:
			return "", false, p.errAt(p.pos, "looking for beginning of value")
		}
		if done, err := p.afterMember(); err != nil {
			return "", false, err
		} else if done {
			return id, hasID, nil
		}
	}
}

// csvColumn is the state of one CSV column.
type csvColumn struct {
	col      *column // nil for the id column and unnamed columns
	numLine  int     // first line with a number, 0 if none yet
	textLine int     // first line with text, 0 if none yet
	text     string  // that text
}

// readCSV reads a header row over one row per example.
func (b *exBuilder) readCSV(br *bufio.Reader) error {
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, utf8BOM) {
		br.Discard(3)
	}
	r := csv.NewReader(br)
	r.ReuseRecord = true
	header, err := r.Read()
	if err == io.EOF {
		return nil // reported as no examples
	}
	if err != nil {
		return csvError(b.source, err)
	}
	b.line, _ = r.FieldPos(0)
	idCol := -1
	cols := make([]csvColumn, len(header))
	seen := map[string]int{}
	for i, h := range header {
		name := strings.TrimSpace(h)
		if name == "" {
			continue
		}
		if j, dup := seen[name]; dup {
			return b.errorf(name, "duplicate column name (columns %d and %d)", j+1, i+1)
		}
		seen[name] = i
		if name == "id" {
			idCol = i
			continue
		}
		cols[i].col = b.col([]byte(name))
	}
	if idCol < 0 {
		return b.errorf("id", `no "id" column in the header`)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return csvError(b.source, err)
		}
		b.line, _ = r.FieldPos(0)
		for i, cell := range rec {
			cs := &cols[i]
			if cs.col == nil {
				continue
			}
			cell = strings.TrimSpace(cell)
			if cell == "" {
				continue
			}
			v, ok, err := cellNumber(cell)
			if !ok {
				v, ok = csvBool(cell)
			}
			switch {
			case err != nil:
				return b.errorf(cs.col.name, "%v", err)
			case !ok:
				if cs.numLine > 0 {
					return b.errorf(cs.col.name, "%q is not a number, but the column holds numbers (line %d)", cell, cs.numLine)
				}
				if cs.textLine == 0 {
					cs.textLine, cs.text = b.line, cell
				}
				continue
			case cs.textLine > 0:
				line := b.line
				b.line = cs.textLine
				return b.errorf(cs.col.name, "%q is not a number, but the column holds numbers (line %d)", cs.text, line)
			}
			if cs.numLine == 0 {
				cs.numLine = b.line
			}
			if err := b.put(cs.col, v); err != nil {
				return err
			}
		}
		id := strings.TrimSpace(rec[idCol])
		if id == "" {
			return b.errorf("id", "missing id")
		}
		if err := b.addID(id); err != nil {
			return err
		}
	}
}

// csvBool reads a true or false cell (pandas writes True and False).
func csvBool(s string) (float64, bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return 1, true
	case strings.EqualFold(s, "false"):
		return 0, true
	}
	return 0, false
}
