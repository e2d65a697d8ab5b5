//go:build actions

package actions_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelci/modelci/internal/forge/githubfake"
)

const (
	repo    = "octo/models"
	pr      = 7
	headSHA = "3f2c9a1d0b7e4c5a6f8e9d0c1b2a3f4e5d6c7b8a"
	// The tokens: a pull request's read-only one and the comment
	// workflow's, which may write. Neither may show in act's log.
	readToken  = "ghs_readTOKEN0123456789abcdefSECRET"
	writeToken = "ghs_writeTOKEN0123456789abcdefSECRET"
	// registryPassword is a secret passed to actions/publish.
	registryPassword = "registry-pw-SECRET"
)

// act is one test's act setup: the fake API, the stand-ins and private
// XDG directories.
type act struct {
	t         *testing.T
	bin, root string
	fake      *githubfake.Server
	env       []string
	artifacts string
	daggerLog string
}

func newAct(t *testing.T) *act {
	t.Helper()
	bin := os.Getenv("MODELCI_ACT")
	if bin == "" {
		t.Fatal("MODELCI_ACT is not set: run the act tests through ./scripts/test actions, which installs act")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	a := &act{t: t, bin: bin, root: root, fake: githubfake.New(t, nil),
		artifacts: filepath.Join(dir, "artifacts"), daggerLog: filepath.Join(dir, "dagger.log")}
	a.fake.AddToken(readToken, githubfake.Token{Login: "github-actions[bot]", Installation: true, ReadOnly: true})
	a.fake.AddToken(writeToken, githubfake.Token{Login: "github-actions[bot]", Installation: true})
	a.fake.AddPull(repo, pr, headSHA)
	a.fake.AddReview(repo, pr, githubfake.Review{Login: "alice", State: "APPROVED", CommitID: headSHA})
	modelciBin := filepath.Join(dir, "bin")
	build := exec.Command("go", "build", "-o", filepath.Join(modelciBin, "modelci"), "./cmd/modelci")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	testdata := filepath.Join(root, "test/actions/testdata")
	gocache, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	a.env = append(os.Environ(),
		// Go's build cache stays the host's, not under the private XDG_CACHE_HOME.
		"GOCACHE="+strings.TrimSpace(string(gocache)),
		"XDG_CACHE_HOME="+filepath.Join(dir, "cache"), "XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"PATH="+strings.Join([]string{modelciBin, filepath.Join(testdata, "bin"), os.Getenv("PATH")}, string(os.PathListSeparator)),
		"MODELCI_TEST_CHECKOUT="+filepath.Join(testdata, "checkout"),
		"MODELCI_TEST_PIPELINE="+filepath.Join(testdata, "pipeline"),
		"MODELCI_TEST_ARTIFACTS="+a.artifacts,
		"MODELCI_TEST_DAGGER_LOG="+a.daggerLog,
	)
	return a
}

// run runs workflow (a path from the repository root) on event with the
// event payload eventFile and token as GITHUB_TOKEN, and returns act's
// log; wantOK says whether act should succeed.
func (a *act) run(event, workflow, eventFile, token string, wantOK bool) string {
	a.t.Helper()
	standins := filepath.Join(a.root, "test/actions/testdata/standins")
	args := []string{event, "-W", workflow, "--eventpath", eventFile,
		"-P", "ubuntu-latest=-self-hosted", "--no-skip-checkout",
		"--env", "GITHUB_API_URL=" + strings.TrimSuffix(a.fake.EnterpriseURL, "/"),
		"--env", "GITHUB_REPOSITORY=" + repo,
		"-s", "GITHUB_TOKEN=" + token, "-s", "REGISTRY_PASSWORD=" + registryPassword,
		"--local-repository", "modelci/modelci@v1=" + a.root,
		"--local-repository", "actions/checkout@v4=" + filepath.Join(standins, "checkout"),
		"--local-repository", "actions/setup-go@v5=" + filepath.Join(standins, "noop"),
		"--local-repository", "dagger/dagger-for-github@v7=" + filepath.Join(standins, "noop"),
		"--local-repository", "actions/cache@v4=" + filepath.Join(standins, "noop"),
		"--local-repository", "actions/upload-artifact@v4=" + filepath.Join(standins, "upload-artifact"),
		"--local-repository", "actions/download-artifact@v4=" + filepath.Join(standins, "download-artifact"),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, a.bin, args...)
	cmd.Dir, cmd.Env = a.root, a.env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	a.t.Logf("act %s %s: %.1fs", event, workflow, time.Since(start).Seconds())
	if (err == nil) != wantOK {
		a.t.Fatalf("act %s %s: err = %v (want success %v)\n%s", event, workflow, err, wantOK, out)
	}
	for _, secret := range []string{readToken, writeToken, registryPassword, "SECRET"} {
		if strings.Contains(string(out), secret) {
			a.t.Errorf("act's log of %s shows a secret (%q):\n%s", workflow, secret, out)
		}
	}
	return string(out)
}
