package numfmt

import (
	"math"
	"strconv"
	"strings"
)

// MaxDecimals is the most decimals a Format uses; numbers that need more
// are shown with an exponent.
const MaxDecimals = 10

// Format shows numbers that are read together (a table row's base and
// head, a delta and its interval) with one number of decimals, so that
// they line up and compare at a glance: 0.9500 and 0.9380, not 0.95 and
// 0.938. Magnitudes that fixed decimals cannot show (1e15 and more, or
// needing more than MaxDecimals) fall back to Num's exponent form.
type Format struct {
	// Decimals is the number of decimals.
	Decimals int
	// sig is the significant digits of the exponent form.
	sig int
	// exp selects the exponent form.
	exp bool
}

// Common returns the format that shows the largest magnitude of vs with
// sig significant digits, with more decimals, up to MaxDecimals, while two
// different values of vs would look alike. Zero, NaN and ±Inf are ignored.
func Common(sig int, vs ...float64) Format {
	largest := 0.0
	for _, v := range vs {
		if !math.IsInf(v, 0) && !math.IsNaN(v) {
			largest = math.Max(largest, math.Abs(v))
		}
	}
	if largest == 0 {
		return Format{sig: sig}
	}
	// The exponent of largest once rounded to sig digits: 9.9999e-05 is
	// 1.0e-04 with two.
	e := strconv.FormatFloat(largest, 'e', max(sig-1, 0), 64)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	d := max(0, sig-1-exp)
	if exp >= 15 || d > MaxDecimals {
		return Format{sig: sig, exp: true}
	}
	f := Format{Decimals: d, sig: sig}
	for f.Decimals < MaxDecimals && f.blurs(vs) {
		f.Decimals++
	}
	return f
}

// Wider returns the format with the more decimals of f and g; the exponent
// form when either has it.
func (f Format) Wider(g Format) Format {
	if g.exp || (!f.exp && g.Decimals > f.Decimals) {
		return g
	}
	return f
}

// blurs reports whether two different values of vs look alike.
func (f Format) blurs(vs []float64) bool {
	seen := map[string]float64{}
	for _, v := range vs {
		s := f.Num(v)
		if w, ok := seen[s]; ok && w != v {
			return true
		}
		seen[s] = v
	}
	return false
}

// Num formats v: 0.9380, 12, -0.0062; "-0.000" is "0.000".
func (f Format) Num(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return Num(v, f.sig)
	}
	if f.exp {
		return Num(v, f.sig)
	}
	s := strconv.FormatFloat(v, 'f', f.Decimals, 64)
	if strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-")
	}
	return s
}

// Signed formats v like Num with a leading + when it shows a positive
// number.
func (f Format) Signed(v float64) string {
	s := f.Num(v)
	if v > 0 && strings.Trim(s, "0.") != "" {
		s = "+" + s
	}
	return s
}
