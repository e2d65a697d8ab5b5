package report

import (
	"fmt"

	"github.com/modelci/modelci/internal/numfmt"
	"github.com/modelci/modelci/internal/policy"
)

// PolicyChange is a pull request's change to the gate policy: the report
// shows it so a reviewer sees a loosened gate, while the gate itself used
// the trusted side's policy.
type PolicyChange struct {
	// Gate names the policy file the gate used (the base's).
	Gate string
	// Proposed names the policy file the pull request proposes.
	Proposed string
	// Changes are the settings that differ, from Gate's to Proposed's.
	Changes []policy.SettingChange
}

type jsonPolicyChange struct {
	Gate     string              `json:"gate"`
	Proposed string              `json:"proposed"`
	Changes  []jsonSettingChange `json:"changes"`
}

type jsonSettingChange struct {
	Key string  `json:"key"`
	Old *string `json:"old"` // null when the gate's policy lacks it
	New *string `json:"new"` // null when the proposed policy drops it
}

func newJSONPolicyChange(pc *PolicyChange) *jsonPolicyChange {
	if pc == nil {
		return nil
	}
	out := &jsonPolicyChange{Gate: pc.Gate, Proposed: pc.Proposed, Changes: []jsonSettingChange{}}
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	for _, c := range pc.Changes {
		out.Changes = append(out.Changes, jsonSettingChange{Key: c.Key, Old: opt(c.Old), New: opt(c.New)})
	}
	return out
}

// policySection shows the change as a table of settings, old → new, after
// a line saying which policy gated. Its rows are left out before the
// violations' when the comment must be cut.
func policySection(pc *PolicyChange, st style, n notes) *section {
	if pc == nil || len(pc.Changes) == 0 {
		return newSection("", "", n.settings)
	}
	head := "**Gate policy changed by this pull request**\n\n"
	if st.summary {
		head = "### Gate policy changed by this pull request\n\n"
	}
	head += fmt.Sprintf("The gate used %s; %s changes %s, not applied:\n\n| Setting | Gate | Proposed |\n|:---|:---|:---|\n",
		name(pc.Gate, false), name(pc.Proposed, false), numfmt.Plural(len(pc.Changes), "setting", "settings"))
	s := newSection(head, "", n.settings)
	for _, c := range pc.Changes {
		s.add(fmt.Sprintf("| %s | %s | %s |\n", escape(truncate(c.Key, maxNameRunes)), settingCell(c.Old), settingCell(c.New)), rankViolation)
	}
	return s
}

func settingCell(v string) string {
	if v == "" {
		return "—"
	}
	return escape(truncate(v, maxMessageRunes))
}

func (n notes) settings(omitted, total int) string {
	return fmt.Sprintf("_… %s of %s omitted %s._", numfmt.Count(omitted), numfmt.Plural(total, "changed setting", "changed settings"), n.why)
}
