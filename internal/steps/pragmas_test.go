package steps_test

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/modelci/modelci/internal/evaluation"
	"github.com/modelci/modelci/internal/steps"
)

// The Dagger modules' sources: their +default pragmas must state the
// defaults this package and internal/evaluation state once.
var moduleSources = []string{"../../dagger", "../../modules/pyml"}

// wantDefaults maps a Dagger argument to its default, as JSON. An argument
// named command takes the default of its function (Train, Evaluate).
func wantDefaults(fn, arg string) (any, bool) {
	switch arg {
	case "image":
		return steps.DefaultImage, true
	case "trainCommand":
		return steps.DefaultTrainCommand(), true
	case "evalCommand":
		return steps.DefaultEvaluateCommand(), true
	case "command":
		switch fn {
		case "Train":
			return steps.DefaultTrainCommand(), true
		case "Evaluate":
			return steps.DefaultEvaluateCommand(), true
		case "Prepare", "WithPrepare":
			return steps.DefaultPrepareCommand(), true
		case "Serve", "WithServe":
			return steps.DefaultServeCommand(), true
		}
	case "include":
		return steps.DefaultPrepareInclude(), true
	case "port":
		return steps.DefaultServePort, true
	case "path":
		return steps.DefaultLoadtestPath, true
	case "requests":
		return steps.DefaultLoadtestRequests, true
	case "concurrency":
		return steps.DefaultLoadtestConcurrency, true
	case "repeats":
		return steps.DefaultLoadtestRepeats, true
	case "exclude", "trainExclude":
		return steps.DefaultTrainExclude(), true
	case "name":
		return steps.DefaultModelName, true
	case "format":
		return string(evaluation.DefaultFormat), true
	case "tag":
		return "latest", true
	case "policyFrom":
		return steps.PolicyFromBase, true
	}
	return nil, false
}

var defaultPragma = regexp.MustCompile(`\+default=(.*)`)

// TestDaggerDefaultsAgree checks every +default pragma of the Dagger
// functions against the defaults stated in Go, and the argument docs that
// name the comparison's defaults against internal/evaluation.
func TestDaggerDefaultsAgree(t *testing.T) {
	seen := 0
	for _, dir := range moduleSources {
		fset := token.NewFileSet()
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files in %s: %v", dir, err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, ".gen.go") {
				continue
			}
			f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			for _, decl := range f.Decls {
				fd, ok := decl.(*ast.FuncDecl)
				if !ok {
					continue
				}
				for _, field := range fd.Type.Params.List {
					doc := commentText(f, fset, field)
					for _, name := range field.Names {
						seen += checkArg(t, fset.Position(field.Pos()), fd.Name.Name, name.Name, doc)
					}
				}
			}
		}
	}
	if seen < 10 {
		t.Errorf("only %d +default pragmas checked: is the parsing broken?", seen)
	}
}

// checkArg checks one argument's pragma and doc; it returns 1 when the
// argument has a +default pragma.
func checkArg(t *testing.T, pos token.Position, fn, arg, doc string) int {
	t.Helper()
	for _, claim := range []struct{ text, want string }{
		{"else 0.95", fmt.Sprintf("else %v", evaluation.DefaultConfidence)},
		{"else 2000", fmt.Sprintf("else %d", evaluation.DefaultResamples)},
		{"100 to 1000000", fmt.Sprintf("%d to %d", evaluation.MinResamples, evaluation.MaxResamples)},
	} {
		if strings.Contains(doc, claim.text) && claim.text != claim.want {
			t.Errorf("%s: %s's doc says %q, the default is %q", pos, arg, claim.text, claim.want)
		}
	}
	m := defaultPragma.FindStringSubmatch(doc)
	if m == nil {
		return 0
	}
	want, ok := wantDefaults(fn, arg)
	if !ok {
		t.Errorf("%s: %s.%s has +default=%s, but no default in Go to check it against: add it to wantDefaults", pos, fn, arg, m[1])
		return 1
	}
	wantJSON, _ := json.Marshal(want)
	var got any
	if err := json.Unmarshal([]byte(m[1]), &got); err != nil {
		t.Errorf("%s: %s.%s: +default=%s is not JSON: %v", pos, fn, arg, m[1], err)
		return 1
	}
	gotJSON, _ := json.Marshal(got)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("%s: %s.%s: +default=%s, but the default in Go is %s", pos, fn, arg, gotJSON, wantJSON)
	}
	return 1
}

// commentText returns the comments directly above a parameter (Dagger
// reads its doc and pragmas from there).
func commentText(f *ast.File, fset *token.FileSet, field *ast.Field) string {
	line := fset.Position(field.Pos()).Line
	var lines []string
	for _, cg := range f.Comments {
		end := fset.Position(cg.End()).Line
		if end == line-1 {
			for _, c := range cg.List {
				lines = append(lines, c.Text)
			}
		}
	}
	return strings.Join(lines, "\n")
}
