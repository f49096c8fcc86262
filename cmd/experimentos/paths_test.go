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

// TestCheckMisnamedAndEmpty: a folder with experiment.yml fails the gate
// as Blocked (misnamed_file), and a PATH named on the command line that
// holds no experiment is a usage error rather than an empty success.
func TestCheckMisnamedAndEmpty(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	root := filepath.Join(base, "experiments")
	must(t, os.MkdirAll(filepath.Join(root, "checkout"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "checkout", "experiment.yml"), []byte("name: Checkout\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(root, "checkout", "results.csv"), []byte("variant,users,conversions\ncontrol,100,1\ntreatment,100,90\n"), 0o644))
	empty := filepath.Join(base, "empty", "experiments")
	must(t, os.MkdirAll(filepath.Join(empty, "notes"), 0o755))
	must(t, os.WriteFile(filepath.Join(empty, "notes", "README.md"), []byte("x"), 0o644))
	tests := []struct {
		name     string
		args     []string
		want     int
		inStdout string
		inStderr string
	}{
		{"misnamed root", []string{"check", root}, exitFail, "misnamed_file " + root + "/checkout/experiment.yml", ""},
		{"misnamed message", []string{"check", root}, exitFail, "rename it to experiment.yaml", ""},
		{"misnamed file as PATH", []string{"check", filepath.Join(root, "checkout", "experiment.yml")}, exitFail, "checkout", ""},
		{"misnamed folder as PATH", []string{"check", filepath.Join(root, "checkout")}, exitFail, "misnamed_file", ""},
		{"misnamed json", []string{"check", "--format", "json", root}, exitFail, `"code": "misnamed_file"`, ""},
		{"empty root", []string{"check", empty}, exitUsage, "", empty + " holds no experiment"},
		{"empty subfolder", []string{"check", filepath.Join(empty, "notes")}, exitUsage, "", "holds no experiment"},
		{"one empty among two", []string{"check", root, empty}, exitUsage, "", empty + " holds no experiment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runCLI(t, nil, tt.args...)
			if code != tt.want || !strings.Contains(stdout, tt.inStdout) || !strings.Contains(stderr, tt.inStderr) {
				t.Errorf("exit %d, want %d; stdout lacks %q or stderr lacks %q?\nstdout:\n%s\nstderr:\n%s", code, tt.want, tt.inStdout, tt.inStderr, stdout, stderr)
			}
		})
	}
}

// TestCheckDefaultPathEmpty: the default PATH (none given) with no
// experiment is still an empty success. Not parallel: it changes the
// working directory.
func TestCheckDefaultPathEmpty(t *testing.T) {
	ws := t.TempDir()
	must(t, os.Mkdir(filepath.Join(ws, "experiments"), 0o755))
	t.Chdir(ws)
	code, stdout, stderr := runCLI(t, nil, "check")
	if code != exitOK || !strings.Contains(stdout, "No experiments found.") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0 and No experiments found.", code, stdout, stderr)
	}
	code, _, stderr = runCLI(t, nil, "check", "experiments")
	if code != exitUsage || !strings.Contains(stderr, "experiments holds no experiment") {
		t.Errorf("explicit PATH: exit %d, stderr %q; want 2", code, stderr)
	}
}
