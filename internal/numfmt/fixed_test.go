package numfmt

import (
	"math"
	"testing"
)

func TestCommon(t *testing.T) {
	tests := []struct {
		vs   []float64
		want []string
	}{
		{[]float64{0.95, 0.938}, []string{"0.9500", "0.9380"}},
		{[]float64{0.5011 - 0.5010}, []string{"0.0001000"}}, // 9.99…e-05 rounds to 1.000e-04
		{[]float64{9.99996}, []string{"10.00"}},
		{[]float64{88.1, 97.3}, []string{"88.10", "97.30"}},
		{[]float64{41.2, 38.75}, []string{"41.20", "38.75"}},
		{[]float64{123456.7, 99}, []string{"123457", "99"}},
		{[]float64{0.91, 0.91000004}, []string{"0.91000000", "0.91000004"}},
		{[]float64{1.655e-05, 1.7e-05}, []string{"0.00001655", "0.00001700"}},
		{[]float64{0, 0}, []string{"0", "0"}},
		{[]float64{-0.00001, 0.5}, []string{"0.0000", "0.5000"}},
		{[]float64{2e16, 1}, []string{"2e+16", "1"}},
		{[]float64{1.5e-12, 0}, []string{"1.5e-12", "0"}},
		{[]float64{math.NaN(), 0.5}, []string{"NaN", "0.5000"}},
		{[]float64{1, 1 + 1e-14}, []string{"1.0000000000", "1.0000000000"}}, // MaxDecimals
	}
	for _, tt := range tests {
		f := Common(4, tt.vs...)
		for i, v := range tt.vs {
			if got := f.Num(v); got != tt.want[i] {
				t.Errorf("Common(4, %v).Num(%v) = %q, want %q", tt.vs, v, got, tt.want[i])
			}
		}
	}
}

func TestFormatSignedWider(t *testing.T) {
	f := Common(4, 0.95, 0.938)
	g := Common(2, 0.0000004)
	tests := []struct{ got, want string }{
		{f.Signed(-0.012), "-0.0120"},
		{f.Signed(0.0062), "+0.0062"},
		{f.Signed(0.00001), "0.0000"},
		{f.Signed(0), "0.0000"},
		{f.Wider(g).Signed(0.0000004), "+0.00000040"},
		{g.Wider(f).Signed(0.0000004), "+0.00000040"},
		{f.Wider(Common(4, 1e20)).Signed(1e20), "+1e+20"},
		{Common(4, 1e20).Wider(f).Signed(-1e20), "-1e+20"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}
