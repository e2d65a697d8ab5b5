//go:build unix

package modelpack

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestPackRefusesSpecialFiles(t *testing.T) {
	model := t.TempDir()
	writeFile(t, filepath.Join(model, "model.pkl"), "w")
	if err := syscall.Mkfifo(filepath.Join(model, "pipe"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	_, err := Pack(context.Background(), model, "", filepath.Join(t.TempDir(), "l"), Options{})
	if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), `"pipe": named pipe`) {
		t.Errorf("err = %v", err)
	}
}
