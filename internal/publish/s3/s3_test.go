package s3

import (
	"strings"
	"testing"
)

func TestParseRef(t *testing.T) {
	for ref, want := range map[string][3]string{
		"s3://models/iris":                 {"models", "iris", ""},
		"s3://models/team/iris:1.0.0":      {"models", "team/iris", "1.0.0"},
		"s3://models/iris@sha256:abc":      {"models", "iris", "sha256:abc"},
		"s3://models":                      {"models", "", ""},
		"s3://models:production":           {"models", "", "production"},
		"s3://my.bucket-1/a/b/":            {"my.bucket-1", "a/b", ""},
		"s3://models/v1.2/iris:latest":     {"models", "v1.2/iris", "latest"},
		"s3://models/with:colon/iris":      {"models", "with:colon/iris", ""},
		"s3://models/with:colon/iris:prod": {"models", "with:colon/iris", "prod"},
	} {
		b, p, tag, err := ParseRef(ref)
		if err != nil || [3]string{b, p, tag} != want {
			t.Errorf("ParseRef(%q) = %q, %q, %q, %v; want %q", ref, b, p, tag, err, want)
		}
	}
	for ref, want := range map[string]string{
		"models/iris":        "expected s3://BUCKET/PREFIX",
		"s3://Models/iris":   `bucket "Models"`,
		"s3://ab/iris":       `bucket "ab"`,
		"s3://a..b/iris":     `bucket "a..b"`,
		"s3://models/a//b":   "empty, . or .. segment",
		"s3://models/a/../b": "empty, . or .. segment",
		"s3://models_x/iris": `bucket "models_x"`,
	} {
		if _, _, _, err := ParseRef(ref); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseRef(%q) = %v, want %q", ref, err, want)
		}
	}
}

func FuzzParseRef(f *testing.F) {
	f.Add("s3://models/team/iris:1.0.0")
	f.Add("s3://models/iris@sha256:abc")
	f.Fuzz(func(t *testing.T, ref string) {
		b, p, _, err := ParseRef(ref)
		if err != nil {
			return
		}
		if !bucketRE.MatchString(b) || strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") || strings.Contains(p, "//") {
			t.Fatalf("ParseRef(%q) accepted bucket %q, prefix %q", ref, b, p)
		}
	})
}

func TestPartSizeFor(t *testing.T) {
	s := NewStore(nil, "b", "p", Options{PartSize: 8 << 20})
	if got := s.partSizeFor(1 << 30); got != 8<<20 {
		t.Errorf("1 GiB: part size %d", got)
	}
	if got := s.partSizeFor(1 << 40); got*maxParts < 1<<40 {
		t.Errorf("1 TiB: part size %d needs more than %d parts", got, maxParts)
	}
}
