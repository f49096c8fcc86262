//go:build unix

package load

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/experimentos/experimentos/internal/rootfs"
)

// TestFIFONeverOpened would hang if the loader opened the named pipe.
func TestFIFONeverOpened(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dir := filepath.Join(root, "exp")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "experiment.yaml"), []byte(goodYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "results.csv"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	exps, err := Root(r.FS(), "experiments", Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkIssues(t, find(t, exps, "exp"), []at{{blocked, "path_escape", csvf, 0, "", 0}}, "not a regular file")
}

// TestTreeChangedAfterListing: files swapped after the walk listed them
// (a link in place of results.csv, a FIFO in place of experiment.yaml) are
// refused when read through the confined file system, without following
// the link or blocking on the FIFO.
func TestTreeChangedAfterListing(t *testing.T) {
	t.Parallel()
	top := t.TempDir()
	root := filepath.Join(top, "experiments")
	for _, id := range []string{"link", "fifo"} {
		dir := filepath.Join(root, id)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "experiment.yaml"), []byte(goodYAML), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "results.csv"), []byte(goodCSV), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(top, "secret.csv"), []byte("variant,users\ncontrol,1\nsecret,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fsys, err := rootfs.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	tree, err := Walk(fsys, "experiments", Options{})
	if err != nil {
		t.Fatal(err)
	}
	swap := func(p string, make func(string) error) {
		p = filepath.Join(root, filepath.FromSlash(p))
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
		if err := make(p); err != nil {
			t.Skipf("%s: %v", p, err)
		}
	}
	swap("link/results.csv", func(p string) error { return os.Symlink("../../secret.csv", p) })
	swap("fifo/experiment.yaml", func(p string) error { return syscall.Mkfifo(p, 0o644) })
	byID := map[string]int{}
	for i := range tree.Len() {
		byID[tree.ID(i)] = i
	}
	link := tree.Load(byID["link"])
	if fsys.Fast() {
		checkIssues(t, link, []at{{blocked, "path_escape", "experiments/link/results.csv", 0, "", 0}}, "is now a symbolic link")
	} else if len(link.Issues) == 0 {
		t.Error("a link swapped in after the listing was read without an issue")
	}
	if link.Data != nil {
		t.Errorf("data read through the link: %+v", link.Data.Arms)
	}
	checkIssues(t, tree.Load(byID["fifo"]), []at{{blocked, "path_escape", "experiments/fifo/experiment.yaml", 0, "", 0}}, "not a regular file")
}
