package publish

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/opencontainers/go-digest"
)

// TreeDigest is a digest of the directory tree at dir, for the approval
// record: the SHA-256 of one line per regular file or symlink, sorted by
// slash path, "path NUL size NUL sha256-hex NUL mode-bit x LF" (a symlink
// has its target instead of size and hash). A ".git" directory is left
// out; file times and owners do not count.
func TreeDigest(dir string) (digest.Digest, error) {
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" && p != dir {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		line, err := treeLine(p, filepath.ToSlash(rel), d)
		if err != nil {
			return err
		}
		_, err = io.WriteString(h, line)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("digest of %q: %w", dir, err)
	}
	return digest.NewDigestFromBytes(digest.SHA256, h.Sum(nil)), nil
}

// treeLine is TreeDigest's line for one entry. WalkDir visits entries in
// lexical order, so the lines come sorted.
func treeLine(p, rel string, d fs.DirEntry) (string, error) {
	switch {
	case d.Type()&fs.ModeSymlink != 0:
		target, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		return rel + "\x00link\x00" + filepath.ToSlash(target) + "\x00\n", nil
	case !d.Type().IsRegular():
		return "", fmt.Errorf("%s: not a regular file", rel)
	}
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", err
	}
	info, err := f.Stat()
	if err != nil {
		return "", err
	}
	exec := "-"
	if info.Mode().Perm()&0o111 != 0 {
		exec = "x"
	}
	return rel + "\x00" + strconv.FormatInt(n, 10) + "\x00" + hex.EncodeToString(h.Sum(nil)) + "\x00" + exec + "\n", nil
}
