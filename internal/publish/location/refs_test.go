package location

import (
	"slices"
	"strings"
	"testing"
)

var names = [3]string{"--registry", "--s3", "--version"}

func TestPublishRefs(t *testing.T) {
	for _, c := range []struct {
		reg, s3, version string
		want             []string
	}{
		{"reg.example/iris:1.0", "", "", []string{"reg.example/iris:1.0"}},
		{"reg.example/iris", "s3://models/iris/", "2", []string{"reg.example/iris:2", "s3://models/iris:2"}},
		{"reg.example/iris:2", "s3://models/iris", "2", []string{"reg.example/iris:2", "s3://models/iris:2"}},
		{"", "s3://models/iris", "v3", []string{"s3://models/iris:v3"}},
	} {
		got, err := PublishRefs(c.reg, c.s3, c.version, names)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("PublishRefs(%q, %q, %q) = %q, %v; want %q", c.reg, c.s3, c.version, got, err, c.want)
		}
	}
	for _, c := range []struct{ reg, s3, version, want string }{
		{"", "", "1", "give --registry"},
		{"reg.example/iris:1", "", "2", "name different versions"},
		{"", "s3://models/iris", "", "no version: give --version"},
		{"reg.example/iris@sha256:" + strings.Repeat("a", 64), "", "", "the version must be a tag"},
		{"", "s3://m/i", "bad tag!", `--version "bad tag!": not a valid tag`},
		{"Bad Ref", "", "1", `--registry "Bad Ref"`},
	} {
		if _, err := PublishRefs(c.reg, c.s3, c.version, names); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("PublishRefs(%q, %q, %q) = %v, want %q", c.reg, c.s3, c.version, err, c.want)
		}
	}
}

func TestRepository(t *testing.T) {
	for _, c := range [][3]string{
		{"reg.example/iris:production", "production", "reg.example/iris"},
		{"reg.example:5000/iris@sha256:abc", "sha256:abc", "reg.example:5000/iris"},
		{"s3://models/iris:1", "1", "s3://models/iris"},
		{"reg.example/iris", "", "reg.example/iris"},
	} {
		if got := Repository(c[0], c[1]); got != c[2] {
			t.Errorf("Repository(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}
