//go:build unix

package load

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLocateLinkedRoot: a root that is a symbolic link, or any folder on
// the way to PATH that is one, is refused with an error that names the
// link and nothing read through it; the root is never looked for above the
// working directory.
func TestLocateLinkedRoot(t *testing.T) {
	t.Parallel()
	const secretText = "LOCATE_SECRET_3f9a"
	base := t.TempDir()
	mk := func(name, data string) {
		t.Helper()
		p := filepath.Join(base, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, name string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(base, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
	// home/secret.txt beside the workspace; ws/experiments -> .. makes
	// ws/exp/experiment.yaml's data: ../../secret.txt reach it.
	mk("home/secret.txt", secretText+"\n")
	mk("home/ws/exp/experiment.yaml", "name: x\ndata: ../../secret.txt\n")
	link("..", "home/ws/experiments")
	mk("home/ws2/real/exp/experiment.yaml", "name: x\n")
	link("../..", "home/ws2/experiments") // the CLI case: ~/.git-credentials
	link("real", "home/ws2/alias")
	mk("home/ws3/experiments/team-real/exp/experiment.yaml", "name: x\n")
	link("team-real", "home/ws3/experiments/team")
	// A repo-wide file above the working directory must not make the
	// root.
	mk("home/experimentos.yaml", "")
	mk("home/ws4/team/exp/experiment.yaml", "name: x\n")
	mk("home/ws4/team/exp/results.csv", "")

	ws := filepath.Join(base, "home", "ws")
	ws2 := filepath.Join(base, "home", "ws2")
	ws3 := filepath.Join(base, "home", "ws3")
	ws4 := filepath.Join(base, "home", "ws4")
	tests := []struct {
		name, wd, path string
		root, id       string // on success
		err            string // else in the error
	}{
		{name: "root -> ..", wd: ws, path: "experiments", err: "experiments is a symbolic link (path_escape)"},
		{name: "root -> ../..", wd: ws2, path: "experiments", err: "experiments is a symbolic link (path_escape)"},
		{name: "root -> .. with a trailing slash", wd: ws, path: "experiments/", err: "experiments is a symbolic link"},
		{name: "experiment below a linked root", wd: ws, path: "experiments/ws/exp", err: "experiments is a symbolic link"},
		{name: "linked folder in PATH", wd: ws2, path: "alias/exp", err: "alias is a symbolic link"},
		{name: "linked folder below the root", wd: ws3, path: "experiments/team/exp", err: "experiments/team is a symbolic link"},
		{name: "linked experiment.yaml parent, absolute", wd: base, path: filepath.Join(ws3, "experiments", "team", "exp"), err: filepath.Join(ws3, "experiments", "team") + " is a symbolic link"},
		{name: "absolute linked root", wd: ws3, path: filepath.Join(ws, "experiments"), err: filepath.Join(ws, "experiments") + " is a symbolic link"},
		{name: "relative linked root outside wd", wd: ws3, path: "../ws/experiments", err: "../ws/experiments is a symbolic link"},
		{name: "root never above wd", wd: ws4, path: "team/exp", root: "team", id: "exp"},
		{name: "root never above wd, experiment.yaml", wd: ws4, path: "team/exp/experiment.yaml", root: "team", id: "exp"},
		{name: "experiment folder as wd", wd: filepath.Join(ws4, "team", "exp"), path: ".", err: "never looked for above the working directory"},
		{name: "real root", wd: ws3, path: "experiments", root: "experiments"},
		{name: "real experiment", wd: ws3, path: "experiments/team-real/exp", root: "experiments", id: "team-real/exp"},
		{name: "above wd, given explicitly", wd: ws4, path: "../ws3/experiments/team-real/exp", root: "../ws3/experiments", id: "team-real/exp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, id, err := LocateFrom(tt.wd, tt.path)
			if tt.err != "" {
				if err == nil {
					t.Fatalf("LocateFrom(%s) = %q, %q; want an error with %q", tt.path, root, id, tt.err)
				}
				if !strings.Contains(err.Error(), tt.err) {
					t.Errorf("LocateFrom(%s) error %q lacks %q", tt.path, err, tt.err)
				}
				if strings.Contains(err.Error(), secretText) || strings.Contains(err.Error(), "..\"") {
					t.Errorf("error names the link's target: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("LocateFrom(%s): %v", tt.path, err)
			}
			if root != filepath.FromSlash(tt.root) || id != tt.id {
				t.Errorf("LocateFrom(%s) = %q, %q; want %q, %q", tt.path, root, id, tt.root, tt.id)
			}
		})
	}
}
