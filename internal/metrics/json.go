package metrics

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// JSON is read token by token with jsontext (encoding/json/v2's syntactic
// layer, in the standard library from Go 1.27), which gives keys in file
// order and the offset of each token. It accepts what encoding/json
// accepts, plus the NaN, Infinity and -Infinity tokens Python's json module
// writes for non-finite floats, so that such a value is reported as "key k
// is NaN" rather than as a syntax error. Syntax errors are worded as
// encoding/json words them.

// maxDepth is the deepest nesting of objects and arrays accepted, as in
// encoding/json and jsontext.
const maxDepth = 10000

// syntaxError is a JSON syntax error at a byte offset.
type syntaxError struct {
	off int
	msg string
}

// Error returns the message.
func (e *syntaxError) Error() string { return e.msg }

// jsonOptions make jsontext accept what encoding/json accepts.
var jsonOptions = []jsontext.Options{jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)}

// jreader reads one JSON text.
type jreader struct {
	dec  *jsontext.Decoder
	src  bytes.Buffer // which jsontext reads without copying
	text []byte       // the text, non-finite tokens replaced by stand-ins
	// specials maps the end offset of each stand-in to its value.
	specials map[int64]float64
}

// reset starts reading text.
func (r *jreader) reset(text []byte) {
	r.text, r.specials = standIns(text)
	r.src = *bytes.NewBuffer(r.text)
	if r.dec == nil {
		r.dec = jsontext.NewDecoder(&r.src, jsonOptions...)
	} else {
		r.dec.Reset(&r.src, jsonOptions...)
	}
}

// read returns the next token; an error is a *syntaxError.
func (r *jreader) read() (jsontext.Token, error) {
	tok, err := r.dec.ReadToken()
	if err != nil {
		return tok, r.fail(err)
	}
	return tok, nil
}

// skipRest skips the rest of the array or object whose '[' or '{' was
// just read.
func (r *jreader) skipRest() error {
	for depth := r.dec.StackDepth(); r.dec.StackDepth() >= depth; {
		if _, err := r.read(); err != nil {
			return err
		}
	}
	return nil
}

// end checks that nothing but white space follows the top-level value.
func (r *jreader) end() error {
	if _, err := r.dec.ReadToken(); err != io.EOF {
		return r.fail(err)
	}
	return nil
}

// off returns the offset of the last byte of the token just read.
func (r *jreader) off() int { return int(r.dec.InputOffset()) - 1 }

// special returns the value of the string just read when it stands in for
// a NaN or Infinity token.
func (r *jreader) special() (float64, bool) {
	if r.specials == nil {
		return 0, false
	}
	v, ok := r.specials[r.dec.InputOffset()]
	return v, ok
}

// fail explains why the text is not JSON, in encoding/json's words, at the
// offending byte. cause is jsontext's account, used should encoding/json
// find nothing wrong.
func (r *jreader) fail(cause error) error {
	var se *json.SyntaxError
	if err := json.Unmarshal(r.text, new(json.RawMessage)); errors.As(err, &se) {
		n, msg := len(r.text), se.Error()
		// At the end of the input encoding/json steps on a space, so that
		// a literal cut short is an invalid ' '.
		if msg == "unexpected end of JSON input" || se.Offset == int64(n) && r.text[n-1] != ' ' && strings.HasPrefix(msg, "invalid character ' '") {
			return &syntaxError{off: n, msg: "unexpected end of JSON input"}
		}
		return reword(r.text, int(se.Offset)-1, msg)
	}
	off := r.dec.InputOffset()
	var te *jsontext.SyntacticError
	if errors.As(cause, &te) {
		off = te.ByteOffset
	}
	if cause == nil {
		cause = errors.New("invalid JSON")
	}
	return &syntaxError{off: int(off), msg: cause.Error()}
}

// reword words the error encoding/json reports at off as this package
// always has: the depth limit with its number, a NaN or Infinity token cut
// short as a literal ("invalid character '}' in literal NaN (expecting
// 'N')"), and the offending byte as quoteByte quotes it.
func reword(text []byte, off int, msg string) *syntaxError {
	if off < 0 || off >= len(text) {
		return &syntaxError{off: max(off, 0), msg: msg}
	}
	c := text[off]
	switch {
	case strings.HasSuffix(msg, "exceeded max depth"):
		msg = fmt.Sprintf("exceeded max depth (%d nested objects and arrays)", maxDepth)
	case c == 'N' && strings.HasSuffix(msg, "looking for beginning of value"):
		return literalError(text, off, "NaN", msg)
	case c == 'I' && (strings.HasSuffix(msg, "looking for beginning of value") || off > 0 && text[off-1] == '-' && strings.HasSuffix(msg, "' in numeric literal")):
		return literalError(text, off, "Infinity", msg)
	default:
		if rest, ok := strings.CutPrefix(msg, "invalid character '"); ok {
			if _, context, ok := strings.Cut(rest, "' "); ok {
				msg = "invalid character " + quoteByte(c) + " " + context
			}
		}
	}
	return &syntaxError{off: off, msg: msg}
}

// literalError reports where the literal word at off (NaN or Infinity)
// goes wrong; msg, should it not.
func literalError(text []byte, off int, word, msg string) *syntaxError {
	for k := 1; k < len(word); k++ {
		switch i := off + k; {
		case i >= len(text):
			return &syntaxError{off: len(text), msg: "unexpected end of JSON input"}
		case text[i] != word[k]:
			return &syntaxError{off: i, msg: "invalid character " + quoteByte(text[i]) + " in literal " + word + " (expecting " + quoteByte(word[k]) + ")"}
		}
	}
	return &syntaxError{off: off, msg: msg}
}

// quoteByte quotes a byte for a message: 'x', or byte 0x01 when it is not
// printable ASCII.
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

// The stand-ins for non-finite tokens: strings of the same length, which,
// unlike numbers, no following byte can extend.
var nonFinite = []struct {
	token, standIn string
	value          float64
}{
	{"NaN", `"N"`, math.NaN()},
	{"Infinity", `"Infini"`, math.Inf(1)},
	{"-Infinity", `"-Infini"`, math.Inf(-1)},
}

// standIns returns text with each NaN, Infinity and -Infinity token that
// stands where a value may replaced by a string of the same length, so
// that offsets stay, and the values by the end offset of their stand-ins.
// Text without such tokens comes back as it is.
func standIns(text []byte) ([]byte, map[int64]float64) {
	if !bytes.Contains(text, []byte("NaN")) && !bytes.Contains(text, []byte("Infinity")) {
		return text, nil
	}
	out := bytes.Clone(text)
	specials := map[int64]float64{}
	var stack []byte // the open '{' and '['
	valueNext := true
	for i := 0; i < len(out); i++ {
		switch c := out[i]; c {
		case ' ', '\t', '\n', '\r':
			continue
		case '"':
			for i++; i < len(out) && out[i] != '"'; i++ {
				if out[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			stack = append(stack, c)
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		default:
			for _, nf := range nonFinite {
				if valueNext && bytes.HasPrefix(out[i:], []byte(nf.token)) {
					i += copy(out[i:], nf.standIn) - 1
					specials[int64(i+1)] = nf.value
					break
				}
			}
		}
		if i >= len(out) {
			break
		}
		switch c := out[i]; {
		case c == ':' || c == '[':
			valueNext = true
		case c == ',':
			valueNext = len(stack) > 0 && stack[len(stack)-1] == '['
		default:
			valueNext = false
		}
	}
	return out, specials
}

// jvalue is a JSON value read into a tree. Arrays keep no elements and
// strings no contents: aggregate metric files ignore both.
type jvalue struct {
	kind jsontext.Kind // '{', '[', '"', '0', 't', 'f' or 'n'
	off  int           // offset of the value's last byte (its '{' or '[')
	// num is a number's value; lit its literal when it is not finite or
	// out of range, for messages, with special set for NaN and Infinity.
	num     float64
	lit     string
	special bool
	members []jmember // of an object, in file order
}

// jmember is one member of an object.
type jmember struct {
	key string
	off int // offset of the key's closing quote
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

// parseJSON parses a whole JSON text into a tree. It also returns the
// text it read, with stand-ins for non-finite tokens, and their number.
func parseJSON(data []byte) (*jvalue, []byte, int, error) {
	var r jreader
	r.reset(data)
	v, err := r.value()
	if err == nil {
		err = r.end()
	}
	if err != nil {
		return nil, r.text, len(r.specials), err
	}
	return v, r.text, len(r.specials), nil
}

// value reads the next value into a tree.
func (r *jreader) value() (*jvalue, error) {
	tok, err := r.read()
	if err != nil {
		return nil, err
	}
	v := &jvalue{kind: tok.Kind(), off: r.off()}
	switch v.kind {
	case '[':
		return v, r.skipRest()
	case '{':
		return v, r.members(v)
	case '"':
		if f, ok := r.special(); ok {
			v.kind, v.num, v.lit, v.special = '0', f, specialToken(f), true
		}
	case '0':
		var err error
		if v.num, err = tok.Float(); err != nil {
			v.lit = tok.String()
		}
	}
	return v, nil
}

// specialToken is the token Python writes for a non-finite value.
func specialToken(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case f > 0:
		return "Infinity"
	}
	return "-Infinity"
}

// members reads the members of object v, after its '{'.
func (r *jreader) members(v *jvalue) error {
	for {
		tok, err := r.read()
		if err != nil || tok.Kind() == '}' {
			return err
		}
		m := jmember{key: tok.String(), off: r.off()}
		if m.val, err = r.value(); err != nil {
			return err
		}
		v.members = append(v.members, m)
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
