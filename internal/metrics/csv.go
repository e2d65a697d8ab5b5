package metrics

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// csvRecord is one CSV record and the line it starts on.
type csvRecord struct {
	fields []string
	line   int
}

// csvError turns a csv.Reader error into an *Error with the line.
func csvError(source string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &Error{File: source, Line: pe.Line, Err: fmt.Errorf("invalid CSV: %w (column %d)", pe.Err, pe.Column)}
	}
	return &Error{File: source, Err: err}
}

// cellNumber reads a CSV cell. ok is false for text; err is set for a
// number that is NaN, infinite or out of range.
func cellNumber(s string) (v float64, ok bool, err error) {
	v, perr := strconv.ParseFloat(s, 64)
	switch {
	case perr == nil && !math.IsNaN(v) && !math.IsInf(v, 0):
		return v, true, nil
	case perr == nil:
		return 0, true, fmt.Errorf("value %q is not finite; metrics must be finite numbers", s)
	case errors.Is(perr, strconv.ErrRange):
		return 0, true, fmt.Errorf("number %s is out of range for a 64-bit float", s)
	}
	return 0, false, nil
}

// parseCSVMetrics reads `name,value` rows (optionally under a "name,value"
// or "metric,value" header), or a header of names over one row of values.
// In both shapes an empty or text value is ignored, like a string in JSON.
// A row is `name,value` when the file's first row has two fields and is
// that header or has a number second. Header columns without a name (the
// index column pandas writes) are ignored.
func parseCSVMetrics(source string, data []byte) (*Set, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	var recs []csvRecord
	for {
		fields, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(source, err)
		}
		line, _ := r.FieldPos(0)
		recs = append(recs, csvRecord{fields, line})
	}
	c := newCollector(source, FormatCSV)
	if len(recs) == 0 {
		return c.set(), nil
	}
	first := recs[0].fields
	if len(first) == 2 {
		h0, h1 := strings.ToLower(strings.TrimSpace(first[0])), strings.ToLower(strings.TrimSpace(first[1]))
		if (h0 == "name" || h0 == "metric") && h1 == "value" {
			return c.csvRows(recs[1:])
		}
		if _, ok, _ := cellNumber(strings.TrimSpace(first[1])); ok {
			return c.csvRows(recs)
		}
	}
	return c.csvHeader(recs)
}

func (c *collector) csvRows(recs []csvRecord) (*Set, error) {
	for _, rec := range recs {
		if len(rec.fields) != 2 {
			return nil, c.errorf(rec.line, "", "expected two fields, name,value; found %d", len(rec.fields))
		}
		name, value := strings.TrimSpace(rec.fields[0]), strings.TrimSpace(rec.fields[1])
		if name == "" {
			return nil, c.errorf(rec.line, "", "empty metric name")
		}
		v, ok, err := cellNumber(value)
		if err != nil {
			return nil, c.errorf(rec.line, name, "%v", err)
		}
		if !ok {
			continue
		}
		if err := c.add(name, v, lineOrigin(strconv.Quote(name), rec.line)); err != nil {
			return nil, err
		}
	}
	return c.set(), nil
}

func (c *collector) csvHeader(recs []csvRecord) (*Set, error) {
	header := recs[0]
	switch {
	case len(recs) == 1:
		return nil, c.errorf(header.line, "", "a header without a row of values (expected a header of metric names over one row of values, or name,value rows)")
	case len(recs) > 2:
		return nil, c.errorf(recs[2].line, "", "more than one row of values under the header (expected a header of metric names over one row of values, or name,value rows; per-example results go in an examples file)")
	}
	values := recs[1]
	if len(values.fields) != len(header.fields) {
		return nil, c.errorf(values.line, "", "%d values under a header of %d names", len(values.fields), len(header.fields))
	}
	for i, name := range header.fields {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		v, ok, err := cellNumber(strings.TrimSpace(values.fields[i]))
		if err != nil {
			return nil, c.errorf(values.line, name, "%v", err)
		}
		if !ok {
			continue
		}
		if err := c.add(name, v, lineOrigin(fmt.Sprintf("column %d %q", i+1, name), header.line)); err != nil {
			return nil, err
		}
	}
	return c.set(), nil
}
