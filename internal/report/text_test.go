package report

import (
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a\nb\tc\r\u2028d", "a b c  d"},
		{"bell\x07", "bell"},
		{"invoice\u202egnp.exe", "invoice<U+202E>gnp.exe"},
		{"a\u200bb\u200dc\ufeff\u00ad\u2066\u3164", "a<U+200B>b<U+200D>c<U+FEFF><U+00AD><U+2066><U+3164>"},
		{"bad\xffutf8", "bad\uFFFDutf8"},
		{"é→ü 日本 \u00a0", "é→ü 日本 \u00a0"},
	}
	for _, tt := range tests {
		if got := sanitize(tt.in); got != tt.want {
			t.Errorf("sanitize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestShorten(t *testing.T) {
	long := strings.Repeat("x", 30) + "_end.accuracy"
	if got := shorten(long, 20); got != "xxxxxxxxxxxxx…curacy" || len([]rune(got)) != 20 {
		t.Errorf("shorten = %q", got)
	}
	if got := shorten("short", 20); got != "short" {
		t.Errorf("shorten(short) = %q", got)
	}
}

func TestName(t *testing.T) {
	tests := []struct {
		in      string
		inTable bool
		want    string
	}{
		{"accuracy", true, "`accuracy`"},
		{"a|b", true, "`a\\|b`"},
		{"a|b", false, "`a|b`"},
		{"`x`", false, "`` `x` ``"},
		{"a``b", false, "```a``b```"},
		{" padded ", false, "`  padded  `"},
		{"", false, "_(blank)_"},
		{"\u200b", false, "`<U+200B>`"},
	}
	for _, tt := range tests {
		if got := name(tt.in, tt.inTable); got != tt.want {
			t.Errorf("name(%q, %v) = %q, want %q", tt.in, tt.inTable, got, tt.want)
		}
	}
}

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"accuracy 0.9 is below min 0.95", "accuracy 0.9 is below min 0.95"},
		{"max_drop <b>*x*</b>", `max\_drop &lt;b&gt;\*x\*&lt;/b&gt;`},
		{"ping @octocat now", "ping `@octocat` now"},
		{"see https://evil.example/x and www.evil.example", "see `https://evil.example/x` and `www.evil.example`"},
		{"fixes #12, commit deadbeef1", "fixes `#12,` commit `deadbeef1`"},
		{"resamples 2000000", "resamples 2000000"},
		{"a|@b|c", "`a`\\|`@b`\\|`c`"},
	}
	for _, tt := range tests {
		if got := escape(tt.in); got != tt.want {
			t.Errorf("escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMessage(t *testing.T) {
	tests := []struct{ msg, metric, want string }{
		{"a dropped by 50% (1 → 0.5), more than max_drop 1%", "a", "`a` dropped by 50% (1 → 0.5), more than max\\_drop 1%"},
		{"the head lacks acc; acc is required", "acc", "the head lacks `acc`; acc is required"},
		{"accuracy2 and accuracy", "accuracy", "accuracy2 and `accuracy`"},
		{"@team: only 5 paired examples", "@team", "`@team`: only 5 paired examples"},
		{"pattern \"x*\" matches no metric", "", "pattern \"x\\*\" matches no metric"},
	}
	for _, tt := range tests {
		if got := message(tt.msg, tt.metric, maxMessageRunes); got != tt.want {
			t.Errorf("message(%q, %q) = %q, want %q", tt.msg, tt.metric, got, tt.want)
		}
	}
}
