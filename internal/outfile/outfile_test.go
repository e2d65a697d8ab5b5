//go:build unix

package outfile

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func write(t *testing.T, path, content string, mode fs.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// noTemporaries fails when dir holds anything but want.
func noTemporaries(t *testing.T, dir string, want ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("%s holds %v, want %v", dir, names, want)
	}
}

func inode(t *testing.T, path string) uint64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

func TestWriteNewFileHasTheShellsMode(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	dir := t.TempDir()
	path := filepath.Join(dir, "report.md")
	if err := Write(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, path); got != "new" {
		t.Errorf("content %q", got)
	}
	if fi.Mode() != 0o640 {
		t.Errorf("mode %v, want -rw-r----- (0666 less the umask 027)", fi.Mode())
	}
	noTemporaries(t, dir, "report.md")
}

func TestWriteReplacesARegularFileKeepingItsMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.md")
	write(t, path, "old content, longer than the new", 0o600)
	before := inode(t, path)
	if err := Write(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, path); got != "new" {
		t.Errorf("content %q", got)
	}
	if fi.Mode() != 0o600 {
		t.Errorf("mode %v, want the file's own -rw-------", fi.Mode())
	}
	if inode(t, path) == before {
		t.Error("the file was written in place, not replaced whole")
	}
	noTemporaries(t, dir, "report.md")
}

func TestWriteKeepsTheOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("giving a file another owner needs root")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "report.md")
	write(t, path, "old", 0o644)
	if err := os.Chown(path, 12345, 23456); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if st.Uid != 12345 || st.Gid != 23456 || fi.Mode() != 0o644 || read(t, path) != "new" {
		t.Errorf("owner %d:%d mode %v content %q, want 12345:23456 -rw-r--r-- new", st.Uid, st.Gid, fi.Mode(), read(t, path))
	}
}

func TestWriteInPlaceWhenTheDirectoryIsReadOnly(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes a read-only directory")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "report.md")
	write(t, path, "old", 0o644)
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o755)
	if err := Write(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if got := read(t, path); got != "new" {
		t.Errorf("content %q", got)
	}
}

func TestWriteKeepsHardLinksLinked(t *testing.T) {
	dir := t.TempDir()
	path, other := filepath.Join(dir, "report.md"), filepath.Join(dir, "link.md")
	write(t, path, "old content", 0o644)
	if err := os.Link(path, other); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if got := read(t, other); got != "new" {
		t.Errorf("the other link reads %q, want the new content", got)
	}
	if inode(t, path) != inode(t, other) {
		t.Error("the links no longer name one file")
	}
	noTemporaries(t, dir, "link.md", "report.md")
}

func TestWriteToADeviceKeepsTheDevice(t *testing.T) {
	if err := Write(os.DevNull, []byte("discarded")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&fs.ModeCharDevice == 0 {
		t.Fatalf("%s is no longer a character device: %v", os.DevNull, fi.Mode())
	}
}

func TestWriteToAFIFO(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(path)
		if err != nil {
			got <- err.Error()
			return
		}
		defer f.Close()
		data, _ := io.ReadAll(f)
		got <- string(data)
	}()
	if err := Write(path, []byte("through the pipe")); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "through the pipe" {
		t.Errorf("the reader got %q", s)
	}
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v %v", fi, err)
	}
	noTemporaries(t, dir, "pipe")
}

func TestWriteFollowsSymlinks(t *testing.T) {
	dir := t.TempDir()
	target, link := filepath.Join(dir, "target.md"), filepath.Join(dir, "link.md")
	write(t, target, "old", 0o640)
	if err := os.Symlink("target.md", link); err != nil {
		t.Fatal(err)
	}
	if err := Write(link, []byte("new")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(link)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", fi, err)
	}
	if got := read(t, target); got != "new" {
		t.Errorf("target reads %q", got)
	}
	if fi, _ := os.Stat(target); fi.Mode() != 0o640 {
		t.Errorf("target's mode %v, want -rw-r-----", fi.Mode())
	}

	dangling := filepath.Join(dir, "dangling.md")
	if err := os.Symlink("created.md", dangling); err != nil {
		t.Fatal(err)
	}
	if err := Write(dangling, []byte("created")); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(dir, "created.md")); got != "created" {
		t.Errorf("a dangling link's target reads %q", got)
	}
	noTemporaries(t, dir, "created.md", "dangling.md", "link.md", "target.md")
}

func TestWriteErrorsNameThePathOnly(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	write(t, file, "x", 0o644)
	for _, tt := range []struct {
		name, path, want string
	}{
		{"missing directory", filepath.Join(dir, "nope", "r.md"), "writing " + filepath.Join(dir, "nope", "r.md") + ": directory " + filepath.Join(dir, "nope") + " does not exist"},
		{"a directory", dir, "writing " + dir + ": is a directory; expected a file name"},
		{"under a file", filepath.Join(file, "r.md"), "is not a directory"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, f := range []func(string) error{Check, func(p string) error { return Write(p, []byte("x")) }} {
				err := f(tt.path)
				if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), ".tmp") {
					t.Errorf("error %v, want one saying %q", err, tt.want)
				}
			}
		})
	}
	noTemporaries(t, dir, "file")
	if err := Check(Stdout); err != nil {
		t.Errorf("Check(%q) = %v", Stdout, err)
	}
}
