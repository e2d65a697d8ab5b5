package steps

import (
	"strings"
	"testing"
)

func TestStageCommands(t *testing.T) {
	tests := []struct {
		name string
		got  []string
		want string
	}{
		{"default prepare", PrepareCommand(nil, false), "python3 prepare.py --out /prepared"},
		{"default prepare with raw data", PrepareCommand(nil, true), "python3 prepare.py --out /prepared --data /data"},
		{"user's prepare with raw data", PrepareCommand([]string{"make", "data"}, true), "make data"},
		{"default serve", DefaultServeCommand(), "python3 serve.py --model /model --port 8080"},
		{"load test", Loadtest{Port: 9000, Path: "/v1/predict", Concurrency: 8, Repeats: 2}.Command("/lt.py", "/r.jsonl"),
			"python3 /lt.py --url http://model:9000 --path /v1/predict --requests /r.jsonl --out /loadtest --concurrency 8 --repeats 2"},
	}
	for _, tt := range tests {
		if got := strings.Join(tt.got, " "); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestLoadtestCheck(t *testing.T) {
	ok := Loadtest{Port: DefaultServePort, Path: DefaultLoadtestPath, Concurrency: DefaultLoadtestConcurrency, Repeats: DefaultLoadtestRepeats}
	if err := ok.Check(); err != nil {
		t.Fatalf("the defaults: %v", err)
	}
	for _, tt := range []struct {
		name string
		edit func(*Loadtest)
		want string
	}{
		{"port 0", func(l *Loadtest) { l.Port = 0 }, "port 0: expected 1 to 65535"},
		{"port too high", func(l *Loadtest) { l.Port = 70000 }, "port 70000"},
		{"relative path", func(l *Loadtest) { l.Path = "predict" }, `path "predict": expected an absolute URL path`},
		{"no concurrency", func(l *Loadtest) { l.Concurrency = 0 }, "concurrency 0: expected 1 to 256"},
		{"unbounded concurrency", func(l *Loadtest) { l.Concurrency = 1000 }, "concurrency 1000"},
		{"no repeats", func(l *Loadtest) { l.Repeats = 0 }, "repeats 0: expected 1 to 100"},
	} {
		l := ok
		tt.edit(&l)
		err := l.Check()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}
