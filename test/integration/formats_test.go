//go:build integration

package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dagger.io/dagger"
)

// formatCase is one input format, written as the same files for the CLI
// and the Dagger compare.
type formatCase struct {
	name string
	// files of each side: file name -> content.
	base, head map[string]string
	// flags for both: e.g. --metrics-format lm-eval.
	metricsFile, metricsFormat, examplesFile string
	policy                                   string
}

// aggregate returns a case with one aggregate file of the given name on
// each side.
func aggregate(name, file, base, head string) formatCase {
	return formatCase{name: name, base: map[string]string{file: base}, head: map[string]string{file: head}}
}

func formatCases(t *testing.T) []formatCase {
	testdata := filepath.Join(repoRoot, "internal", "metrics", "testdata")
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join(testdata, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	jsonl := func(run string) string { return read("examples_" + run + ".jsonl") }
	lm := read("lm_eval_results.json")
	sk := read("sklearn_report.json")
	hf := read("hf_eval_results.json")
	cases := []formatCase{
		aggregate("json nested", "metrics.json", `{"eval": {"accuracy": 0.91, "loss": 0.31}, "size_mb": 12}`, `{"eval": {"accuracy": 0.93, "loss": 0.29}, "size_mb": 12.5}`),
		aggregate("yaml", "metrics.yaml", "eval:\n  accuracy: 0.91\n  loss: 0.31\n", "eval:\n  accuracy: 0.89\n  loss: 0.35\n"),
		aggregate("csv rows", "metrics.csv", "name,value\naccuracy,0.91\nlatency_ms,12\n", "name,value\naccuracy,0.92\nlatency_ms,15\n"),
		aggregate("csv header", "metrics.csv", "accuracy,latency_ms\n0.91,12\n", "accuracy,latency_ms\n0.90,11\n"),
		{name: "lm-eval with stderr", base: map[string]string{"results.json": lm},
			head:        map[string]string{"results.json": strings.Replace(lm, `"acc,none": 0.`, `"acc,none": 0.0`, 1)},
			metricsFile: "results.json", metricsFormat: "lm-eval"},
		{name: "hf trainer", base: map[string]string{"metrics.json": hf},
			head: map[string]string{"metrics.json": strings.Replace(hf, `"eval_loss": `, `"eval_loss": 1`, 1)}, metricsFormat: "hf-trainer"},
		{name: "sklearn report", base: map[string]string{"metrics.json": sk},
			head: map[string]string{"metrics.json": strings.Replace(sk, `"accuracy": 0.`, `"accuracy": 0.0`, 1)}, metricsFormat: "sklearn-report"},
		{name: "examples jsonl", base: map[string]string{"examples.jsonl": jsonl("base")}, head: map[string]string{"examples.jsonl": jsonl("head")},
			policy: "defaults: {max_drop: 1%}\n"},
		{name: "examples csv", base: map[string]string{"examples.csv": read("examples.csv")},
			head: map[string]string{"examples.csv": strings.ReplaceAll(read("examples.csv"), ",1,", ",0,")}},
		{name: "both, first pull request", base: map[string]string{},
			head: map[string]string{"metrics.json": `{"accuracy": 0.9}`, "examples.jsonl": jsonl("head")}, policy: "metrics:\n  accuracy: {min: 0.95}\n"},
	}
	return cases
}

// TestCompareMatchesTheCLIAcrossFormats walks the input formats and checks
// that the Dagger compare renders byte for byte what modelci compare
// renders, in every report format, and that gate agrees with the CLI's
// exit code.
func TestCompareMatchesTheCLIAcrossFormats(t *testing.T) {
	ctx := t.Context()
	cli := buildCLI(t)
	client, err := dagger.Connect(ctx, dagger.WithLogOutput(engineLogs()))
	if err != nil {
		t.Fatalf("connecting to the engine: %v", err)
	}
	defer client.Close()
	if err := client.ModuleSource(repoRoot).AsModule().Serve(ctx); err != nil {
		t.Fatalf("serving the modelci module: %v", err)
	}
	for _, c := range formatCases(t) {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			base, head := writeSide(t, filepath.Join(dir, "base"), c.base), writeSide(t, filepath.Join(dir, "head"), c.head)
			// Relative names, as the Dagger side names the files.
			args := cliArgs(c, "base", "head")
			vars := map[string]any{"mfile": c.metricsFile, "mformat": c.metricsFormat, "efile": c.examplesFile, "seed": 3}
			vars["base"] = dirID(t, client, base)
			vars["head"] = dirID(t, client, head)
			policyArg := ""
			if c.policy != "" {
				p := filepath.Join(dir, ".modelci.yaml")
				writeFile(t, p, c.policy)
				args = append(args, "--policy", ".modelci.yaml")
				vars["policy"], policyArg = fileID(t, client, p), ", policy: $policy"
			}
			for _, format := range []string{"markdown", "summary", "json"} {
				want := runIn(t, dir, cli, append(args, "--format", format, "--seed", "3")...)
				if want.code > 1 {
					t.Fatalf("modelci compare: exit %d: %s", want.code, want.stderr)
				}
				got := compareQuery(t, client, format, policyArg, vars)
				if got != want.stdout {
					t.Errorf("%s: dagger compare differs from modelci compare\n--- dagger:\n%s\n--- modelci:\n%s", format, got, want.stdout)
				}
			}
		})
	}
}

// cliArgs are modelci compare's arguments for a case's files.
func cliArgs(c formatCase, base, head string) []string {
	args := []string{"compare", "--metrics-format", c.metricsFormat}
	for _, side := range []struct {
		flag, dir string
		files     map[string]string
	}{{"--base", base, c.base}, {"--head", head, c.head}} {
		for name := range side.files {
			flag := side.flag
			if strings.HasPrefix(name, "examples.") {
				flag += "-examples"
			}
			args = append(args, flag, filepath.Join(side.dir, name))
		}
	}
	return args
}

// compareQuery runs the module's compare and returns the rendered report.
func compareQuery(t *testing.T, client *dagger.Client, format, policyArg string, vars map[string]any) string {
	t.Helper()
	policyVar := ""
	if policyArg != "" {
		policyVar = ", $policy: FileID!"
	}
	var resp struct {
		Modelci struct {
			Compare struct {
				Contents string `json:"contents"`
			} `json:"compare"`
		} `json:"modelci"`
	}
	q := fmt.Sprintf(`query($base: DirectoryID!, $head: DirectoryID!, $mfile: String!, $mformat: String!, $efile: String!, $seed: Int!%s) {
		modelci { compare(base: $base, head: $head, format: %q, metricsFile: $mfile, metricsFormat: $mformat, examplesFile: $efile, seed: $seed%s) { contents } }
	}`, policyVar, format, policyArg)
	if err := client.Do(t.Context(), &dagger.Request{Query: q, Variables: vars}, &dagger.Response{Data: &resp}); err != nil {
		t.Fatalf("compare: %v", err)
	}
	return resp.Modelci.Compare.Contents
}

func writeSide(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		writeFile(t, filepath.Join(dir, name), content)
	}
	return dir
}

func dirID(t *testing.T, client *dagger.Client, path string) dagger.DirectoryID {
	t.Helper()
	id, err := client.Host().Directory(path).ID(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func fileID(t *testing.T, client *dagger.Client, path string) dagger.FileID {
	t.Helper()
	id, err := client.Host().File(path).ID(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return id
}
