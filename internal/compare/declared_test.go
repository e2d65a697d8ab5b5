package compare

import "testing"

func TestDisagrees(t *testing.T) {
	for _, tt := range []struct {
		declared *float64
		computed float64
		want     bool
	}{
		{nil, 0.9, false},
		{f(0.95), 0.9, true},
		{f(0.9004), 0.9, false}, // rounds to four significant digits
		{f(0.9), 0.9, false},
		{f(-0.95), -0.9, true},
		{f(0), 0, false},
	} {
		if got := Disagrees(tt.declared, tt.computed); got != tt.want {
			t.Errorf("Disagrees(%v, %v) = %v, want %v", show(tt.declared), tt.computed, got, tt.want)
		}
	}
	if got := ShowValue(nil) + " " + ShowValue(f(0.123456)); got != "none 0.1235" {
		t.Errorf("ShowValue: %q", got)
	}
}
