//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const linkSecret = "https://mona:ghp_LinkedRootSecret0123@github.com"

// linkedHome lays out home/.git-credentials and the workspace
// home/src/ws whose experiments -> ../.. is home itself, with an
// experiment (found through the link) whose data is the credentials file.
// It returns the workspace.
func linkedHome(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	must(t, os.WriteFile(filepath.Join(home, ".git-credentials"), []byte(linkSecret+"\n"), 0o600))
	ws := filepath.Join(home, "src", "ws")
	must(t, os.MkdirAll(filepath.Join(ws, "exp"), 0o755))
	must(t, os.WriteFile(filepath.Join(ws, "exp", "experiment.yaml"), []byte("name: x\nstatus: running\ndata: ../../../.git-credentials\n"), 0o644))
	must(t, os.Symlink(filepath.Join("..", ".."), filepath.Join(ws, "experiments")))
	return ws
}

// TestCheckLinkedRoot: a symbolic link as the experiments root is a usage
// error that names the link; the file behind it never reaches any output.
func TestCheckLinkedRoot(t *testing.T) {
	t.Parallel()
	ws := linkedHome(t)
	root := filepath.Join(ws, "experiments")
	out := filepath.Join(t.TempDir(), "memos")
	for _, args := range [][]string{
		{"check", root},
		{"check", "--format", "json", "--out", out, root},
		{"check", "--format", "markdown", filepath.Join(root, "src", "ws", "exp")},
		{"index", root},
	} {
		code, stdout, stderr := runCLI(t, nil, args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d\n%s%s", args, code, exitUsage, stdout, stderr)
		}
		if want := root + " is a symbolic link (path_escape)"; !strings.Contains(stderr, want) {
			t.Errorf("%v: stderr %q lacks %q", args, stderr, want)
		}
		if strings.Contains(strings.ToLower(stdout+stderr), "ghp_linkedrootsecret") {
			t.Errorf("%v: the secret behind the link reached the output", args)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("--out %s was written", out)
	}
}

// TestCheckLinkedRootDefaultPath runs from the workspace, as a user does:
// the default PATH experiments is the link. Not parallel: it changes the
// working directory.
func TestCheckLinkedRootDefaultPath(t *testing.T) {
	ws := linkedHome(t)
	t.Chdir(ws)
	for _, args := range [][]string{{"check"}, {"check", "experiments/"}, {"check", "experiments/src/ws/exp"}} {
		code, stdout, stderr := runCLI(t, nil, args...)
		if code != exitUsage || !strings.Contains(stderr, "experiments is a symbolic link") {
			t.Errorf("%v: exit %d, stderr %q; want %d naming the link", args, code, stderr, exitUsage)
		}
		if strings.Contains(strings.ToLower(stdout+stderr), "ghp_linkedrootsecret") {
			t.Errorf("%v: the secret behind the link reached the output", args)
		}
	}
}
