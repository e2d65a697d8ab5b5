package report

import (
	"math"
	"strconv"
	"strings"
)

// formatNum formats v with sig significant digits, %g style but without an
// exponent for magnitudes from 1e-4 to 1e15: 0.9381, 123457, 1.5e-07.
func formatNum(v float64, sig int) string {
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

// formatPair formats a and b with at least sig significant digits, and
// more when needed to tell different values apart.
func formatPair(a, b float64, sig int) (string, string) {
	fa, fb := formatNum(a, sig), formatNum(b, sig)
	for s := sig + 1; s <= 17 && fa == fb && a != b; s++ {
		fa, fb = formatNum(a, s), formatNum(b, s)
	}
	return fa, fb
}

// formatSigned formats v like formatNum with a leading + when positive.
func formatSigned(v float64, sig int) string {
	s := formatNum(v, sig)
	if v > 0 && s != "0" {
		s = "+" + s
	}
	return s
}

// formatCount formats a count with thousands separators: 1,797.
func formatCount(n int) string {
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

// plural returns "1 thing" or "n things".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return formatCount(n) + " " + many
}
