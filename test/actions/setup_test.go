package actions_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// verify runs install.sh's verify_sha256 on file against sums.
func verify(t *testing.T, file, sums, name string) (string, error) {
	t.Helper()
	script, err := filepath.Abs("../../actions/setup/install.sh")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "-c", `. "$1" && verify_sha256 "$2" "$3" "$4"`, "bash", script, file, sums, name)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestSetupVerifiesChecksums checks the function that guards every
// download of actions/setup (the downloads themselves run only on
// GitHub's runners).
func TestSetupVerifiesChecksums(t *testing.T) {
	dir := t.TempDir()
	const name = "modelci_1.2.0_linux_amd64.tar.gz"
	file := filepath.Join(dir, name)
	if err := os.WriteFile(file, []byte("the release"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("the release"))
	good := hex.EncodeToString(sum[:])
	bad := strings.Repeat("0", 64)
	tests := []struct {
		name, sums, want string
		ok               bool
	}{
		{"listed", good + "  " + name + "\n" + bad + "  other.tar.gz\n", "", true},
		{"binary mode", bad + "  other\n" + good + " *" + name + "\n", "", true},
		{"wrong sum", bad + "  " + name + "\n", "checksum: " + name + " has SHA-256 " + good + "; sums.txt says " + bad, false},
		{"not listed", good + "  other.tar.gz\n", "checksum: " + name + " is not listed in sums.txt", false},
		{"not a sha256", "abc  " + name + "\n", "is not a SHA-256: abc", false},
		{"a name that only contains it", good + "  x" + name + "\n", "is not listed", false},
	}
	for _, tt := range tests {
		sums := filepath.Join(dir, "sums.txt")
		if err := os.WriteFile(sums, []byte(tt.sums), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := verify(t, file, sums, name)
		if (err == nil) != tt.ok || !strings.Contains(out, tt.want) {
			t.Errorf("%s: err = %v, output %q; want ok %v and %q", tt.name, err, out, tt.ok, tt.want)
		}
	}
}

// TestSetupInstallsVerifiedReleases runs install.sh's install_release on a
// release served from file:// URLs: a verified archive's member lands in
// the directory; an archive that fails its checksum installs nothing.
func TestSetupInstallsVerifiedReleases(t *testing.T) {
	script, err := filepath.Abs("../../actions/setup/install.sh")
	if err != nil {
		t.Fatal(err)
	}
	release := t.TempDir()
	const name = "modelci_1.2.0_linux_amd64.tar.gz"
	if err := os.WriteFile(filepath.Join(release, "modelci"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("tar", "-czf", filepath.Join(release, name), "-C", release, "modelci").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, out)
	}
	archive, err := os.ReadFile(filepath.Join(release, name))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(archive)
	for _, tt := range []struct {
		name, sum, want string
		ok              bool
	}{
		{"verified", hex.EncodeToString(sum[:]), "", true},
		{"tampered", strings.Repeat("0", 64), name + " failed its checksum: not installed", false},
	} {
		if err := os.WriteFile(filepath.Join(release, "checksums.txt"), []byte(tt.sum+"  "+name+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		bin := t.TempDir()
		cmd := exec.Command("bash", "-c", `. "$1" && install_release "$2" "$3" "$4" modelci`, "bash", script, "file://"+release, name, bin)
		out, err := cmd.CombinedOutput()
		_, statErr := os.Stat(filepath.Join(bin, "modelci"))
		if (err == nil) != tt.ok || (statErr == nil) != tt.ok || !strings.Contains(string(out), tt.want) {
			t.Errorf("%s: err = %v, installed = %v, output %q; want ok %v and %q", tt.name, err, statErr == nil, out, tt.ok, tt.want)
		}
	}
}
