package numfmt

import "testing"

func TestNum(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{0, "0"}, {0.9381234, "0.9381"}, {-0.012, "-0.012"}, {123456.7, "123457"}, {1234.6, "1235"}, {12.345, "12.35"},
		{0.00012346, "0.0001235"}, {0.000012345, "1.234e-05"}, {9.99996, "10"}, {2e16, "2e+16"}, {-0.00000001, "-1e-08"},
	}
	for _, tt := range tests {
		if got := Num(tt.v, 4); got != tt.want {
			t.Errorf("Num(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
	if a, b := Pair(0.95012, 0.95008, 4); a != "0.95012" || b != "0.95008" {
		t.Errorf("Pair = %q, %q", a, b)
	}
	if a, b := Pair(123456.4, 123456.3, 4); a != "123456.4" || b != "123456.3" {
		t.Errorf("Pair = %q, %q", a, b)
	}
}

func TestSignedCountPlural(t *testing.T) {
	tests := []struct{ got, want string }{
		{Signed(0.0123, 4), "+0.0123"},
		{Signed(-0.004, 4), "-0.004"},
		{Signed(0, 4), "0"},
		{Count(1797), "1,797"},
		{Count(1234567), "1,234,567"},
		{Count(-1234), "-1,234"},
		{Count(12), "12"},
		{Plural(1, "row", "rows"), "1 row"},
		{Plural(1000, "row", "rows"), "1,000 rows"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}
