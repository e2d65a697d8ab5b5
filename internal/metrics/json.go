package metrics

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"unicode/utf8"
)

// This file holds a small JSON scanner used for both aggregate metric files
// and JSON Lines example files. It accepts exactly the JSON that
// encoding/json accepts (tested differentially), plus the NaN, Infinity and
// -Infinity tokens Python's json module writes for non-finite floats, so
// that such a value is reported as "key k is NaN" rather than as a syntax
// error. It reports byte offsets, from which messages compute lines.

// maxDepth is the deepest nesting of objects and arrays accepted, as in
// encoding/json.
const maxDepth = 10000

// syntaxError is a JSON syntax error at a byte offset.
type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

// jparser scans one JSON text.
type jparser struct {
	data []byte
	pos  int
	// specials counts the NaN and Infinity tokens accepted, which
	// encoding/json would refuse.
	specials int
}

func (p *jparser) ws() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jparser) eof() error {
	return &syntaxError{off: len(p.data), msg: "unexpected end of JSON input"}
}

// errAt reports an unexpected byte at off (or the end of input).
func (p *jparser) errAt(off int, context string) error {
	if off >= len(p.data) {
		return p.eof()
	}
	return &syntaxError{off: off, msg: "invalid character " + quoteByte(p.data[off]) + " " + context}
}

func quoteByte(c byte) string {
	switch {
	case c == '\'':
		return `'\''`
	case c >= 0x20 && c < 0x7f:
		return "'" + string(rune(c)) + "'"
	default:
		return fmt.Sprintf("byte 0x%02x", c)
	}
}

// scanString scans the string literal at p.pos (a '"') and returns the
// bounds of its contents. plain reports that the contents are ASCII
// without escapes, so that they are the string itself.
func (p *jparser) scanString() (start, end int, plain bool, err error) {
	start = p.pos + 1
	plain = true
	data := p.data
	i := start
	for i < len(data) {
		c := data[i]
		switch {
		case c == '"':
			p.pos = i + 1
			return start, i, plain, nil
		case c == '\\':
			plain = false
			if i+1 >= len(data) {
				return 0, 0, false, p.eof()
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				for j := i + 2; j < i+6; j++ {
					if j >= len(data) {
						return 0, 0, false, p.eof()
					}
					if !isHex(data[j]) {
						return 0, 0, false, p.errAt(j, "in \\u hexadecimal character escape")
					}
				}
				i += 6
			default:
				return 0, 0, false, p.errAt(i+1, "in string escape code")
			}
		case c < 0x20:
			return 0, 0, false, p.errAt(i, "in string literal")
		case c >= utf8.RuneSelf:
			plain = false
			i++
		default:
			i++
		}
	}
	return 0, 0, false, p.eof()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// decodeString returns the string whose literal (with its quotes) spans
// data[start-1:end+1], decoded as encoding/json does.
func decodeString(data []byte, start, end int, plain bool) string {
	inner := data[start:end]
	if plain || bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner)
	}
	var s string
	if err := json.Unmarshal(data[start-1:end+1], &s); err != nil {
		// The scanner validated the literal; this cannot happen.
		return string(inner)
	}
	return s
}

// numKind tells what kind of number token scanNumber found.
type numKind uint8

const (
	numInt       numKind = iota // an integer literal
	numFloat                    // a literal with a fraction or exponent
	numNonFinite                // NaN, Infinity or -Infinity (Python's extension)
)

// scanNumber scans the number at p.pos; a NaN or Infinity token is returned
// as numNonFinite with its value.
func (p *jparser) scanNumber() (start, end int, kind numKind, special float64, err error) {
	data := p.data
	i := p.pos
	start = i
	kind = numInt
	if i < len(data) && data[i] == '-' {
		i++
		if i < len(data) && data[i] == 'I' {
			p.pos = i
			if err := p.literal("Infinity"); err != nil {
				return 0, 0, 0, 0, err
			}
			p.specials++
			return start, p.pos, numNonFinite, math.Inf(-1), nil
		}
	}
	if i >= len(data) {
		return 0, 0, 0, 0, p.eof()
	}
	switch c := data[i]; {
	case c == '0':
		i++
	case '1' <= c && c <= '9':
		i++
		for i < len(data) && isDigit(data[i]) {
			i++
		}
	default:
		return 0, 0, 0, 0, p.errAt(i, "in numeric literal")
	}
	if i < len(data) && data[i] == '.' {
		kind = numFloat
		i++
		if i >= len(data) {
			return 0, 0, 0, 0, p.eof()
		}
		if !isDigit(data[i]) {
			return 0, 0, 0, 0, p.errAt(i, "after decimal point in numeric literal")
		}
		for i < len(data) && isDigit(data[i]) {
			i++
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		kind = numFloat
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) {
			return 0, 0, 0, 0, p.eof()
		}
		if !isDigit(data[i]) {
			return 0, 0, 0, 0, p.errAt(i, "in exponent of numeric literal")
		}
		for i < len(data) && isDigit(data[i]) {
			i++
		}
	}
	p.pos = i
	return start, i, kind, 0, nil
}

// literal consumes the literal word at p.pos.
func (p *jparser) literal(word string) error {
	for k := 0; k < len(word); k++ {
		i := p.pos + k
		if i >= len(p.data) {
			return p.eof()
		}
		if p.data[i] != word[k] {
			return p.errAt(i, "in literal "+word+" (expecting "+quoteByte(word[k])+")")
		}
	}
	p.pos += len(word)
	return nil
}

// special consumes a NaN or Infinity token at p.pos.
func (p *jparser) special() (float64, error) {
	p.specials++
	if p.data[p.pos] == 'N' {
		return math.NaN(), p.literal("NaN")
	}
	return math.Inf(1), p.literal("Infinity")
}

// skipValue validates and skips the value at p.pos (after white space).
func (p *jparser) skipValue(depth int) error {
	p.ws()
	if p.pos >= len(p.data) {
		return p.eof()
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.skipObject(depth + 1)
	case c == '[':
		return p.skipArray(depth + 1)
	case c == '"':
		_, _, _, err := p.scanString()
		return err
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	case c == '-' || isDigit(c):
		_, _, _, _, err := p.scanNumber()
		return err
	case c == 'N' || c == 'I':
		_, err := p.special()
		return err
	default:
		return p.errAt(p.pos, "looking for beginning of value")
	}
}

func (p *jparser) tooDeep() error {
	return &syntaxError{off: p.pos, msg: fmt.Sprintf("exceeded max depth (%d nested objects and arrays)", maxDepth)}
}

func (p *jparser) skipArray(depth int) error {
	if depth > maxDepth {
		return p.tooDeep()
	}
	p.pos++ // '['
	p.ws()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return nil
	}
	for {
		if err := p.skipValue(depth); err != nil {
			return err
		}
		p.ws()
		if p.pos >= len(p.data) {
			return p.eof()
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return nil
		default:
			return p.errAt(p.pos, "after array element")
		}
	}
}

func (p *jparser) skipObject(depth int) error {
	if depth > maxDepth {
		return p.tooDeep()
	}
	p.pos++ // '{'
	p.ws()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return nil
	}
	for {
		if err := p.objectKey(); err != nil {
			return err
		}
		if err := p.skipValue(depth); err != nil {
			return err
		}
		if done, err := p.afterMember(); done || err != nil {
			return err
		}
	}
}

// objectKey scans `"key" :` at p.pos (white space first).
func (p *jparser) objectKey() error {
	_, _, _, err := p.key()
	return err
}

// key scans `"key" :` and returns the key's bounds.
func (p *jparser) key() (start, end int, plain bool, err error) {
	p.ws()
	if p.pos >= len(p.data) {
		return 0, 0, false, p.eof()
	}
	if p.data[p.pos] != '"' {
		return 0, 0, false, p.errAt(p.pos, "looking for beginning of object key string")
	}
	start, end, plain, err = p.scanString()
	if err != nil {
		return 0, 0, false, err
	}
	p.ws()
	if p.pos >= len(p.data) {
		return 0, 0, false, p.eof()
	}
	if p.data[p.pos] != ':' {
		return 0, 0, false, p.errAt(p.pos, "after object key")
	}
	p.pos++
	return start, end, plain, nil
}

// afterMember scans the ',' or '}' after an object member; done reports '}'.
func (p *jparser) afterMember() (done bool, err error) {
	p.ws()
	if p.pos >= len(p.data) {
		return false, p.eof()
	}
	switch p.data[p.pos] {
	case ',':
		p.pos++
		return false, nil
	case '}':
		p.pos++
		return true, nil
	default:
		return false, p.errAt(p.pos, "after object key:value pair")
	}
}

// end checks that only white space follows the top-level value.
func (p *jparser) end() error {
	p.ws()
	if p.pos < len(p.data) {
		return p.errAt(p.pos, "after top-level value")
	}
	return nil
}

// jkind is the kind of a JSON value in a tree.
type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

// jvalue is a parsed JSON value. Arrays keep no elements and strings no
// contents: aggregate metric files ignore both.
type jvalue struct {
	kind jkind
	off  int // offset of the value's first byte
	// num is the literal of a number; nonFinite marks a NaN or Infinity
	// token, whose value is special.
	num       []byte
	nonFinite bool
	special   float64
	members   []jmember // of an object, in file order
}

// jmember is one member of an object.
type jmember struct {
	key string
	off int // offset of the key's opening quote
	val *jvalue
}

// member returns the first member called key, or nil.
func (v *jvalue) member(key string) *jvalue {
	for i := range v.members {
		if v.members[i].key == key {
			return v.members[i].val
		}
	}
	return nil
}

// parseJSON parses a whole JSON text into a tree.
func parseJSON(data []byte) (*jvalue, error) {
	v, _, err := parseJSONCount(data)
	return v, err
}

// parseJSONCount is parseJSON, also counting NaN and Infinity tokens.
func parseJSONCount(data []byte) (*jvalue, int, error) {
	p := &jparser{data: data}
	v, err := p.value(0)
	if err != nil {
		return nil, p.specials, err
	}
	if err := p.end(); err != nil {
		return nil, p.specials, err
	}
	return v, p.specials, nil
}

func (p *jparser) value(depth int) (*jvalue, error) {
	p.ws()
	if p.pos >= len(p.data) {
		return nil, p.eof()
	}
	off := p.pos
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return &jvalue{kind: jArray, off: off}, p.skipArray(depth + 1)
	case c == '"':
		_, _, _, err := p.scanString()
		return &jvalue{kind: jString, off: off}, err
	case c == 't':
		return &jvalue{kind: jBool, off: off}, p.literal("true")
	case c == 'f':
		return &jvalue{kind: jBool, off: off}, p.literal("false")
	case c == 'n':
		return &jvalue{kind: jNull, off: off}, p.literal("null")
	case c == '-' || isDigit(c):
		s, e, kind, special, err := p.scanNumber()
		if err != nil {
			return nil, err
		}
		return &jvalue{kind: jNumber, off: off, num: p.data[s:e], nonFinite: kind == numNonFinite, special: special}, nil
	case c == 'N' || c == 'I':
		special, err := p.special()
		if err != nil {
			return nil, err
		}
		return &jvalue{kind: jNumber, off: off, num: p.data[off:p.pos], nonFinite: true, special: special}, nil
	default:
		return nil, p.errAt(p.pos, "looking for beginning of value")
	}
}

func (p *jparser) object(depth int) (*jvalue, error) {
	if depth > maxDepth {
		return nil, p.tooDeep()
	}
	v := &jvalue{kind: jObject, off: p.pos}
	p.pos++ // '{'
	p.ws()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return v, nil
	}
	for {
		p.ws()
		koff := p.pos
		s, e, plain, err := p.key()
		if err != nil {
			return nil, err
		}
		val, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		v.members = append(v.members, jmember{key: decodeString(p.data, s, e, plain), off: koff, val: val})
		if done, err := p.afterMember(); err != nil {
			return nil, err
		} else if done {
			return v, nil
		}
	}
}

// lineCol returns the 1-based line and column (in bytes) of offset off.
func lineCol(data []byte, off int) (line, col int) {
	if off > len(data) {
		off = len(data)
	}
	before := data[:off]
	line = 1 + bytes.Count(before, []byte{'\n'})
	col = off - bytes.LastIndexByte(before, '\n')
	return line, col
}
