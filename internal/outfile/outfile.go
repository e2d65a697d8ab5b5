// Package outfile writes a report to the file a user names, as a shell's
// `>` would, but whole or not at all wherever that is possible: what was
// at the path before keeps being what it was (a device, a FIFO, a file
// with other links, its mode and owner), and a reader never sees half a
// report in a regular file.
package outfile

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// Stdout is the file name that means standard output.
const Stdout = "-"

// Check says, before any work is done, whether a file can be written at
// path: its directory must exist and path must not be a directory. The
// error names path and says what is wrong, in the user's terms.
func Check(path string) error {
	if path == Stdout {
		return nil
	}
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return pathError(path, errIsDir)
	case err == nil, !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
		return nil // an existing file, or a problem Write will report
	}
	dir := filepath.Dir(path)
	di, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return pathError(path, fmt.Errorf("directory %s does not exist", dir))
	case err == nil && !di.IsDir():
		return pathError(path, fmt.Errorf("%s is not a directory", dir))
	}
	return nil
}

var errIsDir = errors.New("is a directory; expected a file name")

// Write writes data to the file at path:
//
//   - where path does not exist, or is a regular file with no other hard
//     link, data goes to a new file in the same directory, renamed over
//     path once complete, so that an interrupted run leaves the old
//     content whole. A replaced file keeps its permission bits, owner and
//     group; where they cannot be kept (a file of another user, a
//     directory the process may not write), the file is written in place.
//     A new file gets the mode a shell gives (0666 less the umask);
//   - anything else is opened and written in place, as `>` would: a device
//     such as /dev/null stays a device, a FIFO is written to, and every
//     hard link of a file sees the new content;
//   - a symbolic link is followed, and its target written by these rules;
//     a dangling link creates its target;
//   - a directory is an error.
//
// Every error names path (never a temporary file) and says what is wrong.
// Stdout is the caller's to handle: Write takes every path as a file's.
func Write(path string, data []byte) error {
	if err := Check(path); err != nil {
		return err
	}
	target, err := resolve(path)
	if err != nil {
		return pathError(path, err)
	}
	fi, err := os.Lstat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		err = replace(target, data, nil)
	case err != nil:
	case fi.IsDir():
		err = errIsDir
	case fi.Mode().IsRegular() && links(fi) <= 1:
		err = replace(target, data, fi)
		if errors.Is(err, errInPlace) {
			err = inPlace(target, data)
		}
	default:
		err = inPlace(target, data)
	}
	if err != nil {
		return pathError(path, err)
	}
	return nil
}

// resolve follows path's symbolic links. A dangling link resolves to
// itself: opening it in place creates its target.
func resolve(path string) (string, error) {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return path, nil
	}
	target, err := filepath.EvalSymlinks(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, nil
	}
	return target, err
}

// errInPlace says a file cannot be replaced without changing what it is:
// it must be written in place.
var errInPlace = errors.New("cannot replace the file")

// replace writes data to a new file next to path and renames it over
// path. old is path's current state, or nil when there is none; its mode,
// owner and group are kept, or replace returns errInPlace.
func replace(path string, data []byte, old fs.FileInfo) (err error) {
	tmp, err := createTemp(path)
	if err != nil {
		if old != nil && errors.Is(err, fs.ErrPermission) {
			return errInPlace // a writable file in a read-only directory
		}
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if old != nil {
		if err := keepAttributes(tmp, old); err != nil {
			return err
		}
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// createTemp creates a new file beside path, hidden and uniquely named,
// with mode 0666 less the umask.
func createTemp(path string) (*os.File, error) {
	dir, base := filepath.Split(path)
	for try := 0; ; try++ {
		name := filepath.Join(dir, "."+base+"."+strconv.FormatUint(rand.Uint64(), 36)+".tmp")
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) && try < 100 {
			continue
		}
		if err != nil {
			return nil, unwrapPath(err)
		}
		return f, nil
	}
}

// keepAttributes gives f old's owner, group and mode, or returns
// errInPlace when it cannot.
func keepAttributes(f *os.File, old fs.FileInfo) error {
	if uid, gid, ok := owner(old); ok {
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		if nuid, ngid, _ := owner(fi); nuid != uid || ngid != gid {
			if err := f.Chown(uid, gid); err != nil {
				return errInPlace
			}
		}
	}
	// After Chown, which clears the set-id bits.
	if err := f.Chmod(old.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)); err != nil {
		return errInPlace
	}
	return nil
}

// inPlace opens path (creating it when absent), truncates it where that
// means anything, and writes data.
func inPlace(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		return unwrapPath(err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return unwrapPath(err)
	}
	return unwrapPath(f.Close())
}

// pathError says that writing path failed because of err.
func pathError(path string, err error) error {
	err = unwrapPath(err)
	if errors.Is(err, syscall.EISDIR) {
		err = errIsDir
	}
	return fmt.Errorf("writing %s: %w", path, err)
}

// unwrapPath drops the file name an *os.PathError or *os.LinkError
// carries: it may be a temporary file the user never named.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
