//go:build integration

package integration

import (
	"net"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// userModule is a scratch module's code: it calls both modules it
// installed from the git server, pyml and modelci.
const userModule = `package main

import (
	"context"

	"dagger/user/internal/dagger"
)

type User struct{}

// Python runs Python in pyml's runtime.
func (m *User) Python(ctx context.Context, image string) (string, error) {
	return dag.Pyml(dagger.PymlOpts{Image: image}).Container().
		WithExec([]string{"python3", "-c", "print(6 * 7)"}).Stdout(ctx)
}

// Pack packages a model with modelci and lists the package's files.
func (m *User) Pack(ctx context.Context, model *dagger.Directory) (string, error) {
	mc := dag.Modelci()
	return mc.PackageFiles(ctx, mc.Package(model, dagger.ModelciPackageOpts{Name: "user-model"}))
}
`

// TestModulesInstallFromOutside serves this repository over HTTP on
// 127.0.0.1 as a git remote, and has a scratch module outside the
// repository's tree `dagger install` the pyml module and the root modelci
// module from it and call both: the modules are reusable as advertised.
func TestModulesInstallFromOutside(t *testing.T) {
	remote := serveRepo(t)
	img := pythonImage(t)
	user := filepath.Join(t.TempDir(), "user")
	if err := os.MkdirAll(user, 0o755); err != nil {
		t.Fatal(err)
	}
	// dagger init fetches a license text unless the module has one.
	writeFile(t, filepath.Join(user, "LICENSE"), "scratch module\n")
	mustSucceed(t, "dagger init", runIn(t, user, "dagger", "init", "--sdk=go", "--name=user", "--source=."))
	mustSucceed(t, "dagger install pyml", runIn(t, user, "dagger", "install", remote+"/modules/pyml@main"))
	mustSucceed(t, "dagger install modelci", runIn(t, user, "dagger", "install", remote+"@main"))
	writeFile(t, filepath.Join(user, "main.go"), userModule)
	mustSucceed(t, "dagger develop", runIn(t, user, "dagger", "develop"))

	r := runIn(t, user, "dagger", "call", "python", "--image", img)
	mustSucceed(t, "dagger call python", r)
	if strings.TrimSpace(r.stdout) != "42" {
		t.Errorf("pyml through the installed module printed %q, want 42", r.stdout)
	}
	model := filepath.Join(t.TempDir(), "model")
	writeFile(t, filepath.Join(model, "model.safetensors"), "weights "+nonce(t))
	writeFile(t, filepath.Join(model, "config.json"), `{"layers": 2}`)
	r = runIn(t, user, "dagger", "call", "pack", "--model", model)
	mustSucceed(t, "dagger call pack", r)
	for _, want := range []string{"model.safetensors\tapplication/vnd.cncf.model.weight", "config.json\t"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("package files lack %q:\n%s", want, r.stdout)
		}
	}
}

// serveRepo commits the repository's working tree (tracked and new files,
// as a fresh clone would have them plus what is not yet committed) into a
// bare repository, serves it over git's smart HTTP protocol on 127.0.0.1 and
// returns its URL.
func serveRepo(t *testing.T) string {
	t.Helper()
	tmp := t.TempDir()
	work, bare := filepath.Join(tmp, "work"), filepath.Join(tmp, "srv", "modelci.git")
	files := runIn(t, repoRoot, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	mustSucceed(t, "git ls-files", files)
	for _, name := range strings.Split(strings.TrimSuffix(files.stdout, "\x00"), "\x00") {
		src := filepath.Join(repoRoot, name)
		if st, err := os.Lstat(src); err != nil || !st.Mode().IsRegular() {
			continue // deleted in the working tree, or not a file
		}
		copyFile(t, src, filepath.Join(work, name))
	}
	git := func(dir string, args ...string) {
		t.Helper()
		mustSucceed(t, "git "+args[0], runIn(t, dir, "git", append([]string{"-c", "user.name=modelci test", "-c", "user.email=test@127.0.0.1"}, args...)...))
	}
	git(work, "init", "-q", "-b", "main")
	git(work, "add", "-A")
	git(work, "commit", "-q", "-m", "snapshot")
	git(tmp, "clone", "-q", "--bare", work, bare)
	git(bare, "update-server-info")
	// Port 80: Dagger v0.19 drops the port of an http:// module ref.
	ln, err := net.Listen("tcp", "127.0.0.1:80")
	if err != nil {
		t.Fatalf("serving the repository: %v (Dagger drops the port of an http:// module ref, so it needs 127.0.0.1:80 free, and root)", err)
	}
	// git's smart HTTP protocol, through git http-backend as a CGI: the
	// engine's git client does not speak the dumb one.
	exec := runIn(t, tmp, "git", "--exec-path")
	mustSucceed(t, "git --exec-path", exec)
	backend := &cgi.Handler{
		Path: filepath.Join(strings.TrimSpace(exec.stdout), "git-http-backend"),
		Env:  []string{"GIT_PROJECT_ROOT=" + filepath.Join(tmp, "srv"), "GIT_HTTP_EXPORT_ALL=1"},
	}
	srv := httptest.NewUnstartedServer(backend)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return "http://127.0.0.1/modelci.git"
}
