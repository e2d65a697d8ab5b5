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
// column without a name (pandas' index) is ignored too. NaN and infinite
// values (Python's NaN token, "nan" cells), and values beyond MaxMagnitude,
// are errors naming the line and key. Blank lines
// are skipped. A file without examples, or without any metric, is an error.
func ParseExamples(source string, r io.Reader, format ExamplesFormat) (*Examples, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	if format == ExamplesAuto {
		format = detectExamples(source, br)
	}
	b := newExBuilder(source, inputSize(r))
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

// exBuilder accumulates examples. Its memory is the ids and the columns'
// values, little more: ids are indexed by row number (idIndex), the lines
// of rows kept only where they skip (rowLines), and slices grown to the
// file's estimated number of rows (sizer).
type exBuilder struct {
	source string
	ids    []string
	index  *idIndex // the rows by id, to refuse a repeated one
	lines  rowLines // the line each row is on
	size   sizer
	arena  idArena
	id     []byte // the id of the line being read (JSON Lines)
	cols   map[string]*column
	line   int     // current line, for messages
	name   []byte  // the flattened key being read (JSON Lines)
	jr     jreader // reads a line of JSON Lines
}

// newExBuilder starts reading source, size bytes long (0 when unknown).
func newExBuilder(source string, size int64) *exBuilder {
	return &exBuilder{source: source, index: newIDIndex(0), size: sizer{total: size}, cols: map[string]*column{}}
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
	if err := checkValue(v); err != nil {
		return b.errorf(c.name, "%v", err)
	}
	c.vals = growTo(c.vals, row+1, b.size)
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

// addID ends the current row with its id, which it copies.
func (b *exBuilder) addID(id []byte) error {
	if len(id) == 0 {
		return b.errorf("id", "empty id")
	}
	row := len(b.ids)
	b.ids = append(growTo(b.ids, row+1, b.size), b.arena.add(id))
	b.index.reserve(b.ids, cap(b.ids)) // once per growth of the ids
	if first, dup := b.index.add(b.ids, row); dup {
		b.ids = b.ids[:row]
		return b.errorf("id", "duplicate id %q (first on line %d)", id, b.lines.line(first))
	}
	b.lines.add(row, b.line)
	return nil
}

func (b *exBuilder) finish() (*Examples, error) {
	if len(b.ids) == 0 {
		return nil, &Error{File: b.source, Err: errors.New("no examples found")}
	}
	ex := &Examples{Source: b.source, IDs: fit(b.ids), Values: make(map[string][]float64, len(b.cols))}
	n := len(b.ids)
	for name, c := range b.cols {
		if len(c.vals) == 0 {
			continue
		}
		for len(c.vals) < n {
			c.vals = append(c.vals, math.NaN())
		}
		ex.Columns = append(ex.Columns, name)
		ex.Values[name] = fit(c.vals)
	}
	if len(ex.Columns) == 0 {
		return nil, &Error{File: b.source, Err: errors.New("no per-example metrics found (no numeric field besides id)")}
	}
	sort.Strings(ex.Columns)
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
			b.size.read += int64(len(line))
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
	if len(bytes.TrimLeft(line, " \t\r\n")) == 0 {
		return nil
	}
	r := &b.jr
	r.reset(line)
	tok, err := r.read()
	if err != nil {
		return b.syntaxError(r.text, err)
	}
	if kind := tok.Kind(); kind != '{' {
		if kind == '[' {
			err = r.skipRest()
		} else if _, special := r.special(); special {
			kind = '0'
		}
		if err != nil {
			return b.syntaxError(r.text, err)
		}
		return b.errorf("", "expected a JSON object (one example per line), found %s", kindName(kind))
	}
	hasID, err := b.jsonObject(r, 0, true, false)
	if err == nil {
		err = r.end()
	}
	if err != nil {
		return b.syntaxError(r.text, err)
	}
	if !hasID {
		return b.errorf("id", `missing "id" (each example needs a string or integer id)`)
	}
	return b.addID(b.id)
}

// syntaxError adds the line to a JSON syntax error; *Error passes through.
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

// jsonObject reads the members of the object whose '{' was just read,
// named b.name[:prefix] + "." + key. At the top it reads the id into b.id.
// emptyKey records that an enclosing key was "".
func (b *exBuilder) jsonObject(r *jreader, prefix int, top, emptyKey bool) (hasID bool, err error) {
	for {
		tok, err := r.read()
		if err != nil || tok.Kind() == '}' {
			return hasID, err
		}
		b.name = b.name[:prefix]
		if !top {
			b.name = append(b.name, '.')
		}
		key := tok.String()
		b.name = append(b.name, key...)
		if !top || key != "id" {
			err = b.jsonMember(r, emptyKey || key == "")
		} else if hasID {
			err = b.errorf("id", "given twice in one example")
		} else {
			hasID, err = b.idValue(r)
		}
		if err != nil {
			return false, err
		}
	}
}

// idValue reads the value of the top-level "id", which must be a string
// or an integer, into b.id; ok is false for null. (Token.String does not
// allocate when its string does not escape: b.id is reused.)
func (b *exBuilder) idValue(r *jreader) (ok bool, err error) {
	tok, err := r.read()
	if err != nil {
		return false, err
	}
	switch kind := tok.Kind(); kind {
	case '{', '[', 't', 'f':
		return false, b.errorf("id", "id is %s; it must be a string or an integer", kindName(kind))
	case 'n':
		return false, nil
	case '0':
		b.id = append(b.id[:0], tok.String()...)
		if bytes.ContainsAny(b.id, ".eE") {
			return false, b.errorf("id", "id %s is not an integer; it must be a string or an integer", b.id)
		}
		return true, nil
	}
	if v, special := r.special(); special {
		return false, b.errorf("id", "id is %v; it must be a string or an integer", v)
	}
	b.id = append(b.id[:0], tok.String()...)
	return true, nil
}

// jsonMember reads the value of the member named b.name. empty says a key
// on its path is "".
func (b *exBuilder) jsonMember(r *jreader, empty bool) error {
	tok, err := r.read()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case '{':
		_, err := b.jsonObject(r, len(b.name), false, empty)
		return err
	case '[':
		return r.skipRest()
	case 't':
		return b.putJSON(1, empty)
	case 'f':
		return b.putJSON(0, empty)
	case '0':
		v, err := tok.Float()
		if err != nil {
			return b.errorf(string(b.name), "number %s is out of range for a 64-bit float", tok.String())
		}
		return b.putJSON(v, empty)
	case '"':
		if v, special := r.special(); special {
			return b.putJSON(v, empty)
		}
	}
	return nil
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
	cols, idCol, err := b.csvHeader(header)
	if err != nil {
		return err
	}
	headerEnd := r.InputOffset()
	if b.size.total > 0 {
		b.size.total -= headerEnd
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
		b.size.read = r.InputOffset() - headerEnd
		for i, cell := range rec {
			if err := b.csvCell(&cols[i], strings.TrimSpace(cell)); err != nil {
				return err
			}
		}
		b.id = append(b.id[:0], strings.TrimSpace(rec[idCol])...)
		if len(b.id) == 0 {
			return b.errorf("id", "missing id")
		}
		if err := b.addID(b.id); err != nil {
			return err
		}
	}
}

// csvHeader reads the header: the columns, and which holds the ids.
func (b *exBuilder) csvHeader(header []string) (cols []csvColumn, idCol int, err error) {
	idCol = -1
	cols = make([]csvColumn, len(header))
	seen := map[string]int{}
	for i, h := range header {
		name := strings.TrimSpace(h)
		if name == "" {
			continue
		}
		if j, dup := seen[name]; dup {
			return nil, 0, b.errorf(name, "duplicate column name (columns %d and %d)", j+1, i+1)
		}
		seen[name] = i
		if name == "id" {
			idCol = i
			continue
		}
		cols[i].col = b.col([]byte(name))
	}
	if idCol < 0 {
		return nil, 0, b.errorf("id", `no "id" column in the header`)
	}
	return cols, idCol, nil
}

// csvCell reads the cell of column cs in the current row: a number, a
// boolean, or text, which a column of numbers may not hold.
func (b *exBuilder) csvCell(cs *csvColumn, cell string) error {
	if cs.col == nil || cell == "" {
		return nil
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
		return nil
	case cs.textLine > 0:
		line := b.line
		b.line = cs.textLine
		return b.errorf(cs.col.name, "%q is not a number, but the column holds numbers (line %d)", cs.text, line)
	}
	if cs.numLine == 0 {
		cs.numLine = b.line
	}
	return b.put(cs.col, v)
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
