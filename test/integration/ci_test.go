//go:build integration

package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// goImage is the Go toolchain image the engine scripts publish.
func goImage(t *testing.T) string {
	t.Helper()
	img := os.Getenv("MODELCI_GO_IMAGE")
	if img == "" {
		t.Fatal("MODELCI_GO_IMAGE is not set: run these tests through ./scripts/test, which starts the engine and sets it")
	}
	return img
}

// TestCIModule runs the repository's own pipeline (`dagger call -m ci
// test`) on the repository, and on a copy with a badly formatted file,
// which must fail.
func TestCIModule(t *testing.T) {
	img := goImage(t)
	t.Run("the repository passes", func(t *testing.T) {
		r := runIn(t, repoRoot, "dagger", "call", "-m", "ci", "test", "--image", img)
		mustSucceed(t, "dagger call -m ci test", r)
		for _, pkg := range []string{"internal/compare", "internal/metrics", "cmd/modelci"} {
			if !strings.Contains(r.stdout, "ok  \tgithub.com/modelci/modelci/"+pkg) {
				t.Errorf("the output lacks the tests of %s:\n%s", pkg, r.stdout)
			}
		}
	})
	t.Run("a formatting error fails", func(t *testing.T) {
		copyDir := filepath.Join(t.TempDir(), "repo")
		files, err := exec.Command("git", "-C", repoRoot, "ls-files", "--cached", "--others", "--exclude-standard").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range strings.Fields(string(files)) {
			if _, err := os.Stat(filepath.Join(repoRoot, f)); err == nil {
				copyFile(t, filepath.Join(repoRoot, f), filepath.Join(copyDir, f))
			}
		}
		writeFile(t, filepath.Join(copyDir, "internal", "compare", "zz_unformatted.go"), "package compare\nfunc   unformatted( ) {}\n")
		r := runIn(t, repoRoot, "dagger", "call", "-m", "ci", "test", "--image", img, "--source", copyDir)
		if r.code == 0 {
			t.Fatal("the ci module passed a badly formatted file")
		}
		if !strings.Contains(r.stderr, "zz_unformatted.go") {
			t.Errorf("the failure does not name the file:\n%s", tail(r.stderr, 3000))
		}
	})
}
