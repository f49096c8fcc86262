//go:build unix

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	shaA = "0123456789abcdef0123456789abcdef01234567"
	shaB = "89abcdef0123456789abcdef0123456789abcdef"
	sha2 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

// gitTree writes files (path → content; content "->X" makes a symbolic
// link to X) below a fresh folder and returns it.
func gitTree(t *testing.T, files map[string]string) string {
	t.Helper()
	base := t.TempDir()
	for name, data := range files {
		p := filepath.Join(base, filepath.FromSlash(name))
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		if target, ok := strings.CutPrefix(data, "->"); ok {
			must(t, os.Symlink(target, p))
			continue
		}
		must(t, os.WriteFile(p, []byte(data), 0o644))
	}
	return base
}

// TestGitHead reads the checked-out commit from hand-made .git folders,
// with no git binary.
func TestGitHead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		start string // below the tree
		want  string
	}{
		{"detached", map[string]string{"repo/.git/HEAD": shaA + "\n"}, "repo", shaA},
		{"loose branch", map[string]string{"repo/.git/HEAD": "ref: refs/heads/main\n", "repo/.git/refs/heads/main": shaB + "\n"}, "repo", shaB},
		{"from a folder below", map[string]string{"repo/.git/HEAD": "ref: refs/heads/main\n", "repo/.git/refs/heads/main": shaB + "\n", "repo/experiments/a/x": ""}, "repo/experiments/a", shaB},
		{"packed", map[string]string{
			"repo/.git/HEAD":        "ref: refs/heads/feature/x\n",
			"repo/.git/packed-refs": "# pack-refs with: peeled fully-peeled sorted \n" + shaA + " refs/heads/main\n" + shaB + " refs/heads/feature/x\n^" + shaA + "\n",
		}, "repo", shaB},
		{"loose wins over packed", map[string]string{
			"repo/.git/HEAD": "ref: refs/heads/main", "repo/.git/refs/heads/main": shaA, "repo/.git/packed-refs": shaB + " refs/heads/main\n",
		}, "repo", shaA},
		{"symbolic ref", map[string]string{"repo/.git/HEAD": "ref: refs/heads/a\n", "repo/.git/refs/heads/a": "ref: refs/heads/b\n", "repo/.git/refs/heads/b": shaA}, "repo", shaA},
		{"sha-256", map[string]string{"repo/.git/HEAD": sha2 + "\n"}, "repo", sha2},
		{"worktree", map[string]string{
			"wt/.git":                          "gitdir: ../main/.git/worktrees/wt\n",
			"main/.git/worktrees/wt/HEAD":      "ref: refs/heads/topic\n",
			"main/.git/worktrees/wt/commondir": "../..\n",
			"main/.git/refs/heads/topic":       shaA + "\n",
			"main/.git/HEAD":                   "ref: refs/heads/main\n",
		}, "wt", shaA},
		{"worktree, packed in the common folder", map[string]string{
			"wt/.git":                          "gitdir: ../main/.git/worktrees/wt",
			"main/.git/worktrees/wt/HEAD":      "ref: refs/heads/topic",
			"main/.git/worktrees/wt/commondir": "../..",
			"main/.git/packed-refs":            shaB + " refs/heads/topic\n",
		}, "wt", shaB},
		{"unborn branch", map[string]string{"repo/.git/HEAD": "ref: refs/heads/main\n"}, "repo", ""},
		{"no checkout", map[string]string{"plain/x": ""}, "plain", ""},
		{"ref leaves the git folder", map[string]string{"repo/.git/HEAD": "ref: refs/../../secret\n", "repo/secret": shaA}, "repo", ""},
		{"ref not below refs/", map[string]string{"repo/.git/HEAD": "ref: ../secret\n", "repo/secret": shaA}, "repo", ""},
		{"absolute ref", map[string]string{"repo/.git/HEAD": "ref: /etc/hostname\n"}, "repo", ""},
		{"loose ref is a link out", map[string]string{"repo/.git/HEAD": "ref: refs/heads/main\n", "repo/.git/refs/heads/main": "->../../../../secret", "secret": shaA}, "repo", ""},
		{".git is a link", map[string]string{"real/HEAD": shaA, "repo/.git": "->../real"}, "repo", ""},
		{"HEAD too large", map[string]string{"repo/.git/HEAD": shaA + strings.Repeat(" ", 5000)}, "repo", ""},
		{"HEAD not hex", map[string]string{"repo/.git/HEAD": "<script>alert(1)</script>\n"}, "repo", ""},
		{"upper-case hex", map[string]string{"repo/.git/HEAD": strings.ToUpper(shaA)}, "repo", ""},
		{"packed line not hex", map[string]string{"repo/.git/HEAD": "ref: refs/heads/main", "repo/.git/packed-refs": "ghp_token0123456789abcdef0123456789abcdef refs/heads/main\n"}, "repo", ""},
		{"ref loop", map[string]string{"repo/.git/HEAD": "ref: refs/heads/a", "repo/.git/refs/heads/a": "ref: refs/heads/b", "repo/.git/refs/heads/b": "ref: refs/heads/a"}, "repo", ""},
		{"gitdir missing", map[string]string{"repo/.git": "gitdir: ../nowhere\n"}, "repo", ""},
		{".git file without gitdir", map[string]string{"repo/.git": shaA + "\n"}, "repo", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base := gitTree(t, tt.files)
			if got := gitHead(filepath.Join(base, filepath.FromSlash(tt.start))); got != tt.want {
				t.Errorf("gitHead = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestCheckNamesTheCheckoutCommit: check and index name the checkout's
// HEAD; EXPERIMENTOS_COMMIT still wins.
func TestCheckNamesTheCheckoutCommit(t *testing.T) {
	t.Parallel()
	repo := gitTree(t, map[string]string{
		".git/HEAD":                        "ref: refs/heads/main\n",
		".git/refs/heads/main":             shaA + "\n",
		"experiments/home/experiment.yaml": "name: Home\nstatus: running\n",
		"experiments/home/results.csv":     "variant,users,conversions\ncontrol,10000,1200\ntreatment,10000,1320\n",
	})
	root := filepath.Join(repo, "experiments")
	commit := func(env map[string]string, args ...string) string {
		t.Helper()
		code, stdout, stderr := runCLI(t, env, append([]string{"check", "--format", "json"}, args...)...)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var doc struct{ Commit string }
		must(t, json.Unmarshal([]byte(stdout), &doc))
		return doc.Commit
	}
	if got := commit(nil, root); got != shaA {
		t.Errorf("commit = %q, want the checkout's HEAD %s", got, shaA)
	}
	if got := commit(nil, filepath.Join(root, "home")); got != shaA {
		t.Errorf("one experiment: commit = %q, want %s", got, shaA)
	}
	if got := commit(map[string]string{"EXPERIMENTOS_COMMIT": shaB}, root); got != shaB {
		t.Errorf("with EXPERIMENTOS_COMMIT: commit = %q, want %s", got, shaB)
	}
	_, md, _ := runCLI(t, nil, "check", "--format", "markdown", root)
	if strings.Contains(md, "commit unknown") || !strings.Contains(md, shaA[:7]) {
		t.Errorf("the memo does not name the commit:\n%s", md)
	}
	_, idx, _ := runCLI(t, nil, "index", root)
	if !strings.Contains(idx, shaA[:7]) {
		t.Errorf("the index does not name the commit:\n%s", idx)
	}
}
