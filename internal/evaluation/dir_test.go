package evaluation

import (
	"strings"
	"testing"
)

func TestDirFiles(t *testing.T) {
	tests := []struct {
		name                   string
		side                   string
		entries                []string
		metrics, examples      string
		wantMetrics, wantExamp string
		wantErr                string
	}{
		{name: "conventional", side: "head", entries: []string{"metrics.json", "examples.jsonl", "report.md"},
			wantMetrics: "metrics.json", wantExamp: "examples.jsonl"},
		{name: "csv and yaml", side: "head", entries: []string{"examples.csv", "metrics.yaml"},
			wantMetrics: "metrics.yaml", wantExamp: "examples.csv"},
		{name: "json before yaml", side: "head", entries: []string{"metrics.yaml", "metrics.json"}, wantMetrics: "metrics.json"},
		{name: "examples only", side: "base", entries: []string{"examples.jsonl"}, wantExamp: "examples.jsonl"},
		{name: "named file", side: "head", entries: []string{"results.json", "metrics.json"}, metrics: "results.json",
			wantMetrics: "results.json"},
		{name: "named file missing", side: "head", entries: []string{"metrics.json"}, metrics: "results.json",
			wantErr: "head evaluation has no results.json (found: metrics.json)"},
		{name: "empty base is no baseline", side: "base"},
		{name: "empty head is an error", side: "head", wantErr: "head evaluation has no metrics file (metrics.json, metrics.yaml, metrics.yml, metrics.csv) and no examples file (examples.jsonl, examples.csv) (found: nothing)"},
		{name: "base with other files", side: "base", entries: []string{"model.pkl", "sub/"}, wantErr: "found: model.pkl, sub"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, e, err := DirFiles(tt.side, tt.entries, tt.metrics, tt.examples)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m != tt.wantMetrics || e != tt.wantExamp {
				t.Errorf("got %q, %q; want %q, %q", m, e, tt.wantMetrics, tt.wantExamp)
			}
		})
	}
}

func TestCheckSideReadsTheFiles(t *testing.T) {
	ok := Side{Metrics: Bytes("eval/metrics.json", []byte(`{"accuracy": 0.9}`))}
	if err := CheckSide(ok); err != nil {
		t.Errorf("a good file: %v", err)
	}
	bad := Side{Metrics: Bytes("eval/metrics.json", []byte(`{"accuracy": NaN}`))}
	err := CheckSide(bad)
	if err == nil || !strings.Contains(err.Error(), "eval/metrics.json") || !strings.Contains(err.Error(), "accuracy") {
		t.Errorf("a NaN: err %v, want one naming the file and the key", err)
	}
}
