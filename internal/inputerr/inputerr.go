// Package inputerr is the error a reader of user files returns when the
// input is wrong: which file, where in it, and what was expected. It also
// holds the YAML helpers those readers share: decoding a document without
// letting a panic of the YAML library escape, turning the library's syntax
// errors into an *Error with the line, and following aliases.
//
// The metrics and policy packages alias Error as their own, so callers
// test for either with errors.As.
package inputerr

import (
	"fmt"
	"strconv"
)

// Error is an input error: which file, where in it, and what was expected.
// It formats as `file: line N: key "k": message`, leaving out what is
// unknown.
type Error struct {
	// File names the file.
	File string
	// Line is the 1-based line, or 0 when unknown or not meaningful.
	Line int
	// Key is the key, field or metric concerned, if any.
	Key string
	// Path says Key is a path of keys as written in the file
	// (`metrics."accuracy".min`), shown as it is rather than quoted.
	Path bool
	// Err says what is wrong.
	Err error
}

// Error formats the error as `file: line N: key "k": message`, or with a
// Path as `file: line N: a.b: message`.
func (e *Error) Error() string {
	s := e.File
	if e.Line > 0 {
		s += ": line " + strconv.Itoa(e.Line)
	}
	switch {
	case e.Key == "":
	case e.Path:
		s += ": " + e.Key
	default:
		s += fmt.Sprintf(": key %q", e.Key)
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }
