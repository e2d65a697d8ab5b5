package report

import (
	"strings"
	"testing"
)

func TestCheckJSONAcceptsEveryReportJSONWrites(t *testing.T) {
	for _, c := range cases(t) {
		data, err := JSON(c.r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := CheckJSON("report.json", data)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		want := JSONGate{Passed: true, Metrics: 0}
		if v := c.r.Verdict; v != nil {
			want = JSONGate{Passed: v.Passed, Policy: true, Violations: len(v.Violations)}
		}
		if c.r.Comparison != nil {
			want.Metrics = len(c.r.Comparison.Metrics)
		}
		if got != want {
			t.Errorf("%s: CheckJSON = %+v, want %+v", c.name, got, want)
		}
	}
}

func TestCheckJSONRefuses(t *testing.T) {
	const ok = `{"metrics": [{"name": "acc", "base": 1, "head": 0.5, "delta": -0.5, "relative": -0.5, "direction": "higher",
  "ci": null, "status": "regressed", "examples": 0, "p_value": null, "p_adjusted": null, "mde": null, "declared": null}],
  "gate": {"passed": false, "violations": [{"metric": "acc", "rule": "min", "message": "m"}], "policy": true},
  "paired": 0, "unpaired": {"base": 0, "head": 0}, "warnings": []}`
	if _, err := CheckJSON("r.json", []byte(ok)); err != nil {
		t.Fatalf("the valid document: %v", err)
	}
	tests := []struct{ name, doc, want string }{
		{"unknown member", strings.Replace(ok, `"paired": 0`, `"paired": 0, "extra": 1`, 1), `unknown object member name "extra"`},
		{"duplicate member", strings.Replace(ok, `"paired": 0`, `"paired": 0, "paired": 1`, 1), `duplicate object member name "paired"`},
		{"wrong type", strings.Replace(ok, `"paired": 0`, `"paired": "0"`, 1), `paired`},
		{"unknown status", strings.Replace(ok, `"regressed"`, `"<img>"`, 1), `"metrics"[0]."status": unknown status "<img>"`},
		{"unknown rule", strings.Replace(ok, `"rule": "min"`, `"rule": "sudo"`, 1), `unknown rule "sudo"`},
		{"inconsistent gate", strings.Replace(ok, `"passed": false`, `"passed": true`, 1), `"passed" is true with 1 violations`},
		{"failed without policy", strings.Replace(ok, `"policy": true`, `"policy": false`, 1), `failed without a policy`},
		{"no metrics", strings.Replace(ok, `"metrics": [`, `"metricz": [`, 1), `unknown object member name "metricz"`},
		{"null metrics", `{"metrics": null, "gate": {"passed": true, "violations": [], "policy": false}, "paired": 0, "unpaired": {"base": 0, "head": 0}, "warnings": []}`, `"metrics": expected a list`},
		{"two documents", ok + ok, `invalid character`},
		{"not an object", `[]`, `unmarshal JSON array`}, // "cannot" or "unable to", at random per process
		{"invalid UTF-8", strings.Replace(ok, `"acc"`, "\"a\xffc\"", 1), `invalid UTF-8`},
		{"too large", ok + strings.Repeat(" ", MaxJSONBytes), `over the limit of`},
	}
	for _, tt := range tests {
		_, err := CheckJSON("r.json", []byte(tt.doc))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "r.json: ") {
			t.Errorf("%s: err = %v, want one naming r.json and containing %q", tt.name, err, tt.want)
		}
	}
}

func FuzzCheckJSON(f *testing.F) {
	for _, c := range cases(f) {
		data, err := JSON(c.r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"metrics":[],"gate":{"passed":true,"violations":[],"policy":false},"paired":0,"unpaired":{"base":0,"head":0},"warnings":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := CheckJSON("r.json", data)
		if err != nil {
			return
		}
		if g.Passed != (g.Violations == 0) || (!g.Policy && !g.Passed) {
			t.Fatalf("accepted an inconsistent gate: %+v", g)
		}
	})
}
