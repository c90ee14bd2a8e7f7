package index

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// smallDisk mounts a tmpfs of size bytes for the test, or skips it where
// mounting is not allowed (it needs root, which CI has).
func smallDisk(t *testing.T, size int) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("skipping: cannot mount a small tmpfs (needs root): %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// TestDiskFullWhileWriting fills the disk while a new generation is
// written, by a rebuild and by an update: the writer fails with the
// system's error, removes what it wrote, and the live index stays intact.
func TestDiskFullWhileWriting(t *testing.T) {
	disk := smallDisk(t, 100<<20)
	dir := filepath.Join(disk, "ix")
	writeTest(t, dir, 200, 10, 1, nil)
	big := make([]byte, 60<<20) // does not fit beside the live index and the reserve
	for i := range big {
		big[i] = byte(i * 31)
	}
	for _, update := range []bool{false, true} {
		var w *Writer
		var err error
		if update {
			w, err = Update(dir)
		} else {
			w, err = Create(dir, 10, "fp-2")
		}
		if err != nil {
			t.Fatal(err)
		}
		for i := range 200 {
			if err = w.Add(testEntry(2, i, 10)); err != nil {
				break
			}
		}
		if err == nil {
			err = w.PutBlob("big", big)
		}
		if err == nil {
			err = w.Commit()
		}
		if !errors.Is(err, syscall.ENOSPC) && !strings.Contains(fmt.Sprint(err), "no space left") {
			t.Fatalf("update %v: writing past a full disk: %v, want ENOSPC", update, err)
		}
		w.Abort()
		ix, err := Open(dir)
		if err != nil {
			t.Fatalf("update %v: the live index is unreadable after a full disk: %v", update, err)
		}
		checkIndex(t, ix, 200, 10, 1)
		ix.Close()
		if got := entries(t, dir); len(got) != 3 {
			t.Errorf("update %v: after the failure dir holds %v", update, got)
		}
	}
	// What fits is written.
	writeTest(t, dir, 50, 10, 3, nil)
	// A writer does not start on a disk that is already too full.
	if err := os.WriteFile(filepath.Join(disk, "filler"), make([]byte, 70<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Update(dir); !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "MB free") {
		t.Errorf("Update on a nearly full disk: %v, want ENOSPC with the free space", err)
	}
}
