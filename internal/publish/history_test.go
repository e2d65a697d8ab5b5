package publish_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/modelci/modelci/internal/publish"
)

func dg(s string) digest.Digest { return digest.FromString(s) }

func TestHistoryStack(t *testing.T) {
	now := time.Unix(100, 0)
	h := publish.History{Schema: publish.HistorySchema, Alias: "prod"}
	h.Promote("", dg("a"), now)
	h.Promote(dg("a"), dg("b"), now)
	h.Promote(dg("b"), dg("c"), now)
	// A promotion to d whose alias move did not land: the alias still says c.
	h.Promote(dg("c"), dg("d"), now)
	for _, want := range []string{"b", "a"} {
		cur := map[string]digest.Digest{"b": dg("c"), "a": dg("b")}[want]
		got, err := h.Rollback(cur, now)
		if err != nil || got != dg(want) {
			t.Fatalf("Rollback(%s) = %s, %v; want %s", cur, got, err, dg(want))
		}
	}
	if _, err := h.Rollback(dg("a"), now); !errors.Is(err, publish.ErrNoHistory) {
		t.Errorf("rollback from the first: %v", err)
	}
	if _, err := h.Rollback(dg("zzz"), now); !errors.Is(err, publish.ErrNoHistory) {
		t.Errorf("rollback from an unrecorded digest: %v", err)
	}
	b, _ := json.Marshal(h)
	back, err := publish.ParseHistory("h", b)
	if err != nil || len(back.Entries) != len(h.Entries) {
		t.Fatalf("round trip: %v", err)
	}
}

func TestParseHistoryErrors(t *testing.T) {
	good := `{"schema":"modelci.alias-history.v1","alias":"p","entries":[{"digest":"` + dg("a").String() + `","action":"promote","time":"2025-01-01T00:00:00Z","previous":-1}]}`
	cases := map[string]string{
		strings.Replace(good, `"previous":-1`, `"previous":0`, 1):       `h: entries[0].previous: expected -1 or an earlier entry's index (0 to -1), found 0`,
		strings.Replace(good, `"promote"`, `"push"`, 1):                 `h: entries[0].action: expected "promote" or "rollback", found "push"`,
		strings.Replace(good, `"digest":"sha256:`, `"digest":"md5:`, 1): `h: entries[0].digest:`,
		strings.Replace(good, `v1"`, `v9"`, 1):                          `h: key "schema": expected "modelci.alias-history.v1"`,
		good + "x":                                                      `h: unexpected data after the JSON object`,
		strings.Replace(good, `"alias"`, `"alais"`, 1):                  `h: json: unknown field "alais"`,
	}
	for in, want := range cases {
		if _, err := publish.ParseHistory("h", []byte(in)); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("ParseHistory(%s) = %v, want %q", in, err, want)
		}
	}
	if _, err := publish.ParseHistory("h", []byte(good)); err != nil {
		t.Error(err)
	}
}

// FuzzParseHistory: any history ParseHistory accepts can be rolled back
// from any of its digests without a panic or a loop.
func FuzzParseHistory(f *testing.F) {
	f.Add([]byte(`{"schema":"modelci.alias-history.v1","alias":"p","entries":[]}`))
	f.Add([]byte(`{"schema":"modelci.alias-history.v1","alias":"p","entries":[{"digest":"` + dg("a").String() + `","action":"promote","time":"2025-01-01T00:00:00Z","previous":-1},{"digest":"` + dg("b").String() + `","action":"promote","time":"2025-01-01T00:00:00Z","previous":0}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := publish.ParseHistory("h", data)
		if err != nil {
			return
		}
		for _, e := range h.Entries {
			c := h
			c.Entries = append([]publish.Entry(nil), h.Entries...)
			if _, err := c.Rollback(e.Digest, time.Unix(0, 0)); err != nil && !errors.Is(err, publish.ErrNoHistory) {
				t.Fatalf("Rollback: %v", err)
			}
		}
	})
}

func FuzzParseRecord(f *testing.F) {
	f.Add([]byte(`{"schema":"modelci.approval-record.v1","verdict":{"gate_passed":true,"approved":true,"forced":false,"reasons":[]},"approval":null,"time":"2025-01-01T00:00:00Z","digests":{"model":"` + dg("m").String() + `"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := publish.ParseRecord("r", data)
		if err != nil {
			return
		}
		if r.Digests.Model.Validate() != nil || r.Verdict.Reasons == nil {
			t.Fatalf("accepted %+v", r)
		}
	})
}
