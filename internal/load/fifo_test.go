//go:build unix

package load

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
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
