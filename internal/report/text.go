package report

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text from the input (metric names from the head run, which the pull
// request controls; messages and titles that quote them) is made inert
// before it is shown: nothing in it may mention a user, link, reorder or
// hide text, or break the Markdown around it.

// maxNameRunes caps a metric name in the tables and messages: longer names
// keep their start and end around "…", so that a long name cannot push the
// other columns off the screen. The JSON report has the full name.
const maxNameRunes = 48

// sanitize makes text displayable and visible: invalid UTF-8 becomes
// U+FFFD, line and paragraph breaks and tabs become spaces, other control
// characters are dropped, and invisible format characters (bidirectional
// overrides and isolates, zero-width spaces and joiners, the byte-order
// mark, soft hyphens, Hangul fillers) are written out as <U+202E>, so they
// can neither reorder nor hide what follows.
func sanitize(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t' || r == '\u2028' || r == '\u2029':
			b.WriteByte(' ')
		case unicode.IsControl(r):
		case unicode.In(r, unicode.Cf, unicode.Bidi_Control, unicode.Other_Default_Ignorable_Code_Point):
			fmt.Fprintf(&b, "<U+%04X>", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// shorten cuts s to n runes, keeping its start and its end around "…":
// names that differ only at the end (a long prefix, then .accuracy or .f1)
// stay apart.
func shorten(s string, n int) string {
	runes := []rune(s)
	if len(runes) <= n {
		return s
	}
	tail := (n - 1) / 3
	return string(runes[:n-1-tail]) + "…" + string(runes[len(runes)-tail:])
}

// truncate cuts s to n runes, marking the cut with "…", and makes it
// valid UTF-8.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for j := range s {
		if count == n-1 {
			i = j
			break
		}
		count++
	}
	return s[:i] + "…"
}

// name renders a metric's name as a code span, which GitHub shows
// verbatim: no mention, link, issue reference, emoji or markup. In a table
// a pipe is escaped, as GFM requires even inside a code span.
func name(s string, inTable bool) string {
	s = shorten(sanitize(s), maxNameRunes)
	if strings.TrimSpace(s) == "" {
		return "_(blank)_"
	}
	if inTable {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	return codeSpan(s)
}

// codeSpan wraps s in enough backticks that none inside ends it, padded
// with spaces when s starts or ends with a backtick or a space.
func codeSpan(s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// escape renders free text (a title, a message) as Markdown that reads as
// the text, in a paragraph or a table cell: HTML is neutralized, Markdown
// punctuation and pipes are backslash-escaped, and every word GitHub would
// turn into a mention, a link or a reference (containing @ or ://,
// starting with www. or #) becomes a code span.
func escape(s string) string {
	s = sanitize(s)
	var b strings.Builder
	b.Grow(len(s))
	for i, word := range strings.Split(s, " ") {
		if i > 0 {
			b.WriteByte(' ')
		}
		if linkish(word) {
			// A pipe ends a code span in a table but not in a paragraph:
			// it stays outside, escaped, so the span reads alike in both.
			for j, part := range strings.Split(word, "|") {
				if j > 0 {
					b.WriteString(`\|`)
				}
				if part != "" {
					b.WriteString(codeSpan(part))
				}
			}
			continue
		}
		escapeWord(&b, word)
	}
	return b.String()
}

// linkish reports whether GitHub might link a word of text: a mention, a
// URL, an issue reference or a commit hash.
func linkish(w string) bool {
	l := strings.ToLower(w)
	return strings.ContainsAny(w, "@#") || strings.Contains(l, "://") || strings.Contains(l, "www.") || hashRE.MatchString(l) && strings.ContainsAny(l, "abcdef")
}

// hashRE matches a word that may be taken for a commit hash.
var hashRE = regexp.MustCompile(`^\W*[0-9a-f]{7,40}\W*$`)

// escapeWord writes a word with HTML neutralized and Markdown punctuation
// escaped.
func escapeWord(b *strings.Builder, w string) {
	for _, r := range w {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\\', '`', '*', '_', '[', ']', '|', '~', '$', '!':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
}

// message renders a message that quotes a metric's name, such as a gate
// violation: the name's first appearance as a whole word as a code span,
// the rest as free text.
func message(msg, metric string, maxRunes int) string {
	msg = truncate(msg, maxRunes)
	i := wordIndex(msg, metric)
	if i < 0 {
		return escape(msg)
	}
	return escape(msg[:i]) + name(metric, false) + escape(msg[i+len(metric):])
}

// wordIndex returns the index of the first appearance of w in s that is
// not part of a longer word, or -1.
func wordIndex(s, w string) int {
	if w == "" {
		return -1
	}
	for off := 0; ; {
		i := strings.Index(s[off:], w)
		if i < 0 {
			return -1
		}
		i += off
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[i+len(w):])
		if !wordRune(before) && !wordRune(after) {
			return i
		}
		off = i + 1
	}
}

// wordRune reports whether r continues a name; utf8.RuneError stands for
// the start or the end of the text.
func wordRune(r rune) bool {
	return r != utf8.RuneError && (r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r))
}
