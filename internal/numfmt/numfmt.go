// Package numfmt formats numbers for people: significant digits without
// needless exponents, signs, thousands separators.
package numfmt

import (
	"math"
	"strconv"
	"strings"
)

// Num formats v with sig significant digits, %g style but without an
// exponent for magnitudes from 1e-4 to 1e15: 0.9381, 123457, 1.5e-07.
func Num(v float64, sig int) string {
	if v == 0 {
		return "0"
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	exp := int(math.Floor(math.Log10(math.Abs(v))))
	if exp < -4 || exp >= 15 {
		return strconv.FormatFloat(v, 'g', sig, 64)
	}
	s := strconv.FormatFloat(v, 'f', max(0, sig-1-exp), 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// Pair formats a and b with at least sig significant digits, and
// more when needed to tell different values apart.
func Pair(a, b float64, sig int) (string, string) {
	fa, fb := Num(a, sig), Num(b, sig)
	for s := sig + 1; s <= 17 && fa == fb && a != b; s++ {
		fa, fb = Num(a, s), Num(b, s)
	}
	return fa, fb
}

// Signed formats v like Num with a leading + when positive.
func Signed(v float64, sig int) string {
	s := Num(v, sig)
	if v > 0 && s != "0" {
		s = "+" + s
	}
	return s
}

// Count formats a count with thousands separators: 1,797.
func Count(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Plural returns "1 thing" or "n things".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return Count(n) + " " + many
}
