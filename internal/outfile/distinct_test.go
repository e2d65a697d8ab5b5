package outfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDistinct(t *testing.T) {
	dir := t.TempDir()
	input := filepath.Join(dir, "head.json")
	if err := os.WriteFile(input, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	alias := filepath.Join(dir, "alias.json")
	if err := os.Link(input, alias); err != nil {
		t.Fatal(err)
	}
	inputs := []Named{{"--base", ""}, {"--head", input}}
	fresh := filepath.Join(dir, "report.md")
	for _, tt := range []struct {
		name    string
		outputs []Named
		want    string // "" for no error
	}{
		{"distinct files", []Named{{"--output", fresh}, {"--json", filepath.Join(dir, "r.json")}, {"--summary", ""}}, ""},
		{"one stdout", []Named{{"--output", Stdout}, {"--json", fresh}}, ""},
		{"/dev/null twice", []Named{{"--output", os.DevNull}, {"--json", os.DevNull}}, ""},
		{"an input", []Named{{"--output", fresh}, {"--json", input}}, "--json " + input + " is also the --head input"},
		{"an input by another name", []Named{{"--summary", alias}}, "is also the --head input"},
		{"an input by a relative path", []Named{{"--output", filepath.Join(dir, ".", "sub", "..", "head.json")}}, "is also the --head input"},
		{"two stdouts", []Named{{"--output", Stdout}, {"--json", Stdout}}, "--output and --json both write standard output"},
		{"one new file twice", []Named{{"--output", fresh}, {"--summary", filepath.Join(dir, "x", "..", "report.md")}}, "name the same file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := Distinct(tt.outputs, inputs)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
}
