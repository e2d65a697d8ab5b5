package policy

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/modelci/modelci/internal/aggregate"
)

// Setting is one setting of a policy as the file would spell it: a
// top-level key ("confidence") or a rule ("defaults", `metrics."acc*"`)
// with its value in flow style ("{ min: 0.9, max_drop: 0.5% }").
type Setting struct {
	// Key is the setting's key in the file.
	Key string
	// Value is its value; empty when the setting is absent.
	Value string
}

// SettingChange is a setting whose value differs between two policies.
type SettingChange struct {
	// Key is the setting's key in the file.
	Key string
	// Old and New are its values before and after; empty when absent.
	Old, New string
}

// Settings lists the policy's effective settings in file order: the
// comparison settings, the defaults rule, and each metric rule. A nil
// policy has none.
func (p *Policy) Settings() []Setting {
	if p == nil {
		return nil
	}
	s := []Setting{
		{"confidence", fmtFloat(p.Confidence)},
		{"resamples", strconv.Itoa(p.Resamples)},
		{"seed", strconv.FormatUint(p.Seed, 10)},
		{"multiple_comparisons", string(p.Correction())},
		{"defaults", p.Defaults.String()},
	}
	for _, r := range p.Metrics {
		s = append(s, Setting{metricKey(r.Pattern), r.Rule.String()})
	}
	for _, a := range p.Aggregates {
		s = append(s, Setting{aggregate.Key(a.Name), a.String()})
	}
	return s
}

// Diff lists the settings whose values differ from old to new: the
// changed and removed ones in old's order, then those only new has. nil
// policies have no settings, so Diff(nil, p) lists all of p's.
func Diff(old, new *Policy) []SettingChange {
	newValues := map[string]string{}
	for _, s := range new.Settings() {
		newValues[s.Key] = s.Value
	}
	var out []SettingChange
	seen := map[string]bool{}
	for _, s := range old.Settings() {
		seen[s.Key] = true
		if v := newValues[s.Key]; v != s.Value {
			out = append(out, SettingChange{Key: s.Key, Old: s.Value, New: v})
		}
	}
	for _, s := range new.Settings() {
		if !seen[s.Key] {
			out = append(out, SettingChange{Key: s.Key, New: s.Value})
		}
	}
	return out
}

// String formats the rule in flow style, keys in the file's order:
// "{ direction: higher, min: 0.9, max_drop: 0.5% }"; "{}" when it sets
// nothing.
func (r Rule) String() string {
	var parts []string
	add := func(key string, v any) { parts = append(parts, fmt.Sprintf("%s: %v", key, v)) }
	if r.Direction != "" {
		add("direction", r.Direction)
	}
	if r.Min != nil {
		add("min", fmtFloat(*r.Min))
	}
	if r.Max != nil {
		add("max", fmtFloat(*r.Max))
	}
	if r.MaxDrop != nil {
		add("max_drop", *r.MaxDrop)
	}
	if r.MaxIncrease != nil {
		add("max_increase", *r.MaxIncrease)
	}
	if r.RequireSignificance != nil {
		add("require_significance", *r.RequireSignificance)
	}
	if len(parts) == 0 {
		return "{}"
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}
