package publish

import (
	"errors"
	"fmt"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/modelci/modelci/internal/inputerr"
)

// HistorySchema identifies the alias history's JSON shape.
const HistorySchema = "modelci.alias-history.v1"

// Actions recorded in an alias history.
const (
	ActionPromote  = "promote"
	ActionRollback = "rollback"
)

// ErrNoHistory: an alias has nothing to roll back to.
var ErrNoHistory = errors.New("nothing to roll back to")

// History is the log of an alias's moves, oldest first. Each entry is a
// state of the alias; Previous links it to the state a rollback returns
// to, so rollbacks undo promotions one by one, like a stack, while the log
// keeps every move.
type History struct {
	// Schema is HistorySchema.
	Schema string `json:"schema"`
	// Alias is the alias's name.
	Alias string `json:"alias"`
	// Entries are the moves, oldest first.
	Entries []Entry `json:"entries"`
}

// Entry is one move of an alias.
type Entry struct {
	// Digest is where the alias moved to.
	Digest digest.Digest `json:"digest"`
	// Action is ActionPromote or ActionRollback.
	Action string `json:"action"`
	// Time is when the alias moved.
	Time time.Time `json:"time"`
	// Previous is the index of the entry a rollback from this one
	// returns to, -1 for none.
	Previous int `json:"previous"`
}

// current returns the index of the latest entry for the alias's digest
// cur, or -1. Entries written for a move that did not land (the alias
// moves after its history) are passed over this way.
func (h *History) current(cur digest.Digest) int {
	if cur == "" {
		return -1
	}
	for i := len(h.Entries) - 1; i >= 0; i-- {
		if h.Entries[i].Digest == cur {
			return i
		}
	}
	return -1
}

// Promote records the alias moving from cur ("" when it does not exist)
// to to.
func (h *History) Promote(cur, to digest.Digest, now time.Time) {
	h.Entries = append(h.Entries, Entry{Digest: to, Action: ActionPromote, Time: now.UTC(), Previous: h.current(cur)})
}

// Rollback records the alias moving back from cur to the digest it
// pointed to before cur was promoted, and returns that digest. Without one
// it returns ErrNoHistory.
func (h *History) Rollback(cur digest.Digest, now time.Time) (digest.Digest, error) {
	i := h.current(cur)
	if i < 0 {
		return "", fmt.Errorf("alias %q points to %s, which its history does not record: %w", h.Alias, cur, ErrNoHistory)
	}
	p := h.Entries[i].Previous
	if p < 0 {
		return "", fmt.Errorf("alias %q: %s is its first digest: %w", h.Alias, cur, ErrNoHistory)
	}
	to := h.Entries[p]
	h.Entries = append(h.Entries, Entry{Digest: to.Digest, Action: ActionRollback, Time: now.UTC(), Previous: to.Previous})
	return to.Digest, nil
}

// ParseHistory reads an alias history; source names it in errors.
func ParseHistory(source string, data []byte) (History, error) {
	var h History
	if err := decodeSchema(source, data, &h, &h.Schema, HistorySchema); err != nil {
		return History{}, err
	}
	for i, e := range h.Entries {
		key := fmt.Sprintf("entries[%d]", i)
		if err := e.Digest.Validate(); err != nil {
			return History{}, &inputerr.Error{File: source, Key: key + ".digest", Path: true, Err: err}
		}
		if e.Action != ActionPromote && e.Action != ActionRollback {
			return History{}, &inputerr.Error{File: source, Key: key + ".action", Path: true,
				Err: fmt.Errorf("expected %q or %q, found %q", ActionPromote, ActionRollback, e.Action)}
		}
		if e.Previous < -1 || e.Previous >= i {
			return History{}, &inputerr.Error{File: source, Key: key + ".previous", Path: true,
				Err: fmt.Errorf("expected -1 or an earlier entry's index (0 to %d), found %d", i-1, e.Previous)}
		}
	}
	return h, nil
}
