package modelpack

import (
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"oras.land/oras-go/v2/content/memory"
)

const largeSize = 50 << 20

// writeLarge writes a file of n pseudo-random bytes (incompressible, like
// weights) without holding it in memory.
func writeLarge(tb testing.TB, path string, n int64) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rng := rand.NewChaCha8([32]byte{'m', 'o', 'd', 'e', 'l', 'c', 'i'})
	if _, err := io.CopyN(f, rng, n); err != nil {
		tb.Fatal(err)
	}
}

// TestPackLargeFileStreams packs and unpacks a 50 MiB weight file and
// checks that the heap allocated along the way stays far below its size.
func TestPackLargeFileStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 50 MiB files")
	}
	ctx := context.Background()
	model := t.TempDir()
	writeLarge(t, filepath.Join(model, "model.safetensors"), largeSize)
	layout := filepath.Join(t.TempDir(), "layout")
	dest := t.TempDir()

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, err := Pack(ctx, model, "", layout, Options{Name: "big"}); err != nil {
		t.Fatal(err)
	}
	m, err := Unpack(ctx, layout, "", dest)
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)

	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("Pack+Unpack of a %d MiB file allocated %d KiB; it must stream", largeSize>>20, alloc>>10)
	} else {
		t.Logf("Pack+Unpack of %d MiB allocated %d KiB", largeSize>>20, alloc>>10)
	}
	if m.Manifest.Layers[0].Size != largeSize || m.Config.Config.Format != "safetensors" {
		t.Errorf("layer %+v, format %q", m.Manifest.Layers[0], m.Config.Config.Format)
	}
	info, err := os.Stat(filepath.Join(dest, "model.safetensors"))
	if err != nil || info.Size() != largeSize {
		t.Errorf("unpacked: %v %v", info, err)
	}
}

// BenchmarkPack50MiB packs a 50 MiB weight file into a fresh layout; the
// allocations it reports are per pack, and must not grow with the file.
func BenchmarkPack50MiB(b *testing.B) {
	ctx := context.Background()
	model := b.TempDir()
	writeLarge(b, filepath.Join(model, "model.safetensors"), largeSize)
	b.SetBytes(largeSize)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		layout := filepath.Join(b.TempDir(), "layout")
		b.StartTimer()
		if _, err := Pack(ctx, model, "", layout, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPackPlanToMemory is Pack's hashing and copying alone, into a
// memory store (which does hold the blob: its allocations are the blob's
// size), without the layout on disk.
func BenchmarkPackPlanToMemory(b *testing.B) {
	ctx := context.Background()
	model := b.TempDir()
	writeLarge(b, filepath.Join(model, "model.safetensors"), 1<<20)
	b.SetBytes(1 << 20)
	b.ReportAllocs()
	for b.Loop() {
		files, err := planFiles(model, "")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := packPlan(ctx, memory.New(), files, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
