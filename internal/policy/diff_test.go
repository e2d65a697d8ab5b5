package policy

import (
	"reflect"
	"testing"
)

func TestDiffListsChangedRemovedAndAddedSettings(t *testing.T) {
	old, err := Parse("base/.modelci.yaml", []byte(`
confidence: 0.95
defaults: { require_significance: true }
metrics:
  accuracy: { direction: higher, min: 0.9, max_drop: 0.5% }
  "latency_*": { max_increase: 10% }
  log_loss: { max_increase: 0.05 }
`))
	if err != nil {
		t.Fatal(err)
	}
	loosened, err := Parse("head/.modelci.yaml", []byte(`
confidence: 0.99
multiple_comparisons: none
defaults: { require_significance: true }
metrics:
  accuracy: { direction: higher, min: 0.5, max_drop: 0.5% }
  log_loss: { max_increase: 0.05 }
  f1: { min: 0 }
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []SettingChange{
		{Key: "confidence", Old: "0.95", New: "0.99"},
		{Key: "multiple_comparisons", Old: "holm", New: "none"},
		{Key: `metrics."accuracy"`, Old: "{ direction: higher, min: 0.9, max_drop: 0.5% }", New: "{ direction: higher, min: 0.5, max_drop: 0.5% }"},
		{Key: `metrics."latency_*"`, Old: "{ max_increase: 10% }"},
		{Key: `metrics."f1"`, New: "{ min: 0 }"},
	}
	if got := Diff(old, loosened); !reflect.DeepEqual(got, want) {
		t.Errorf("Diff:\n got %q\nwant %q", got, want)
	}
	if got := Diff(old, old); len(got) != 0 {
		t.Errorf("Diff of a policy with itself: %q", got)
	}
	if got := Diff(nil, old); len(got) != len(old.Settings()) || got[0].Old != "" {
		t.Errorf("Diff from no policy: %q, want every setting added", got)
	}
}

func TestRuleStringSpellsEveryKey(t *testing.T) {
	p, err := Parse("p.yaml", []byte(`defaults: { direction: lower, min: -1, max: 2.5, max_drop: 0.01, max_increase: 3%, require_significance: false }`))
	if err != nil {
		t.Fatal(err)
	}
	want := "{ direction: lower, min: -1, max: 2.5, max_drop: 0.01, max_increase: 3%, require_significance: false }"
	if got := p.Defaults.String(); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if got := (Rule{}).String(); got != "{}" {
		t.Errorf("empty rule: %s", got)
	}
	// The flow style reads back as the same rule.
	again, err := Parse("again.yaml", []byte("defaults: "+want))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.Defaults, p.Defaults) {
		t.Errorf("round trip: %+v, want %+v", again.Defaults, p.Defaults)
	}
}
