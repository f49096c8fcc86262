package history

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Git reads a local repository for check --base (docs/cli.md#base): the
// merge base, the tree at a commit, and the commits that changed a file.
//
// Only plumbing that runs nothing from the repository is used (rev-parse,
// merge-base, ls-tree, cat-file, log without patches), with a clean
// environment: no global or system configuration, no pager, no prompts, no
// fsmonitor, no signature checks, no replace refs. Every command has a
// deadline and a bound on what it may print.
type Git struct {
	top   string // the work tree's top folder, as git prints it
	bin   string
	env   []string
	empty string // an empty folder of our own: HOME, hooks, global config
	hooks string // a hooks folder that does not exist
}

// gitTimeout bounds each git command; gitOutput what it may print.
const (
	gitTimeout = 30 * time.Second
	gitOutput  = 64 << 20
)

// ErrNotRepository is returned by OpenGit for a folder outside any git work
// tree.
var ErrNotRepository = errors.New("not in a git repository")

// OpenGit finds the repository enclosing dir. getenv supplies PATH (to
// find git) and nothing else is passed on. Close removes the empty folder
// it makes for git's HOME.
func OpenGit(dir string, getenv func(string) string) (*Git, error) {
	bin, err := lookGit(getenv("PATH"))
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	// Not os.DevNull: where /dev/null is not the device, anything may be
	// written to it. A folder of our own holds nothing.
	empty, err := os.MkdirTemp("", "experimentos-git-")
	if err != nil {
		return nil, err
	}
	g := &Git{bin: bin, empty: empty, hooks: filepath.Join(empty, "hooks"), env: []string{
		"PATH=" + getenv("PATH"),
		"HOME=" + empty, // no ~/.gitconfig
		"XDG_CONFIG_HOME=" + empty,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + filepath.Join(empty, "gitconfig"), // never created
		"GIT_TERMINAL_PROMPT=0",
		"GIT_NO_REPLACE_OBJECTS=1",
		"GIT_OPTIONAL_LOCKS=0",
		"GIT_PAGER=cat",
		"LC_ALL=C",
	}}
	out, err := g.run(abs, "rev-parse", "--show-toplevel")
	if err != nil {
		g.Close()
		return nil, fmt.Errorf("%s: %w (git: %v)", dir, ErrNotRepository, err)
	}
	g.top = strings.TrimSpace(string(out))
	return g, nil
}

// Close removes the folder made for git's HOME.
func (g *Git) Close() error { return os.RemoveAll(g.empty) }

// lookGit finds git on path, refusing a relative entry: nothing is run from
// the repository being read.
func lookGit(pathList string) (string, error) {
	for _, dir := range filepath.SplitList(pathList) {
		if dir == "" || !filepath.IsAbs(dir) {
			continue
		}
		p := filepath.Join(dir, "git")
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", errors.New("git not found on PATH; --base needs git")
}

// run runs git in dir with the repository's own commands turned off.
func (g *Git) run(dir string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), gitTimeout)
	defer cancel()
	full := append([]string{
		"-c", "core.fsmonitor=false",
		"-c", "core.hooksPath=" + g.hooks,
		"-c", "log.showSignature=false",
		"-c", "core.pager=cat",
		"--no-pager",
	}, args...)
	cmd := exec.CommandContext(ctx, g.bin, full...)
	cmd.Dir = dir
	cmd.Env = g.env
	var errb bytes.Buffer
	cmd.Stderr = &limited{w: &errb, n: 4096}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	b, rerr := io.ReadAll(io.LimitReader(stdout, gitOutput+1))
	if int64(len(b)) > gitOutput {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("git %s printed more than %d bytes", args[0], gitOutput)
	}
	werr := cmd.Wait()
	if rerr != nil {
		return nil, rerr
	}
	if werr != nil {
		msg := strings.TrimSpace(errb.String())
		if ctx.Err() != nil {
			msg = "timed out"
		}
		return nil, fmt.Errorf("git %s: %s", args[0], firstLine(msg))
	}
	return b, nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// limited writes at most n bytes to w and drops the rest.
type limited struct {
	w io.Writer
	n int
}

func (l *limited) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.n -= k
		_, _ = l.w.Write(p[:k])
	}
	return len(p), nil
}

// Top is the work tree's top folder.
func (g *Git) Top() string { return g.top }

// MergeBase resolves ref and returns the commit where HEAD's history meets
// it (git merge-base ref HEAD): the base of docs/review.md#the-base.
func (g *Git) MergeBase(ref string) (string, error) {
	if ref == "" || strings.HasPrefix(ref, "-") {
		return "", fmt.Errorf("--base %q: not a revision", ref)
	}
	out, err := g.run(g.top, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("--base %s: no such commit in %s", ref, g.top)
	}
	commit := strings.TrimSpace(string(out))
	out, err = g.run(g.top, "merge-base", commit, "HEAD")
	if err != nil {
		return "", fmt.Errorf("--base %s: no merge base with HEAD (%v)", ref, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// Head is HEAD's commit.
func (g *Git) Head() (string, error) {
	out, err := g.run(g.top, "rev-parse", "--verify", "HEAD^{commit}")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// Shallow reports whether the repository is a shallow clone, whose history
// is cut and cannot count looks.
func (g *Git) Shallow() bool {
	out, err := g.run(g.top, "rev-parse", "--is-shallow-repository")
	return err != nil || strings.TrimSpace(string(out)) == "true"
}

// Rel returns dir relative to the work tree's top, "/"-separated.
func (g *Git) Rel(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	}
	top := g.top
	if r, err := filepath.EvalSymlinks(top); err == nil {
		top = r
	}
	rel, err := filepath.Rel(top, abs)
	if err != nil || !(rel == "." || filepath.IsLocal(rel)) {
		return "", fmt.Errorf("%s is not inside the repository %s", dir, g.top)
	}
	return filepath.ToSlash(rel), nil
}

// Tree returns the Source of the folder prefix (relative to the top) at
// commit, or nil when prefix did not exist there as a folder.
func (g *Git) Tree(commit, prefix string) (*GitSource, error) {
	spec := commit + "^{tree}"
	if prefix != "." && prefix != "" {
		spec = commit + ":" + prefix
	}
	t, err := g.run(g.top, "cat-file", "-t", "--end-of-options", spec)
	if err != nil || strings.TrimSpace(string(t)) != "tree" {
		return nil, nil
	}
	out, err := g.run(g.top, "ls-tree", "-r", "-t", "-l", "-z", "--full-tree", "--end-of-options", spec)
	if err != nil {
		return nil, err
	}
	s := &GitSource{g: g, dirs: map[string][]Entry{".": nil}, blobs: map[string]string{}}
	for _, rec := range bytes.Split(out, []byte{0}) {
		if len(rec) == 0 {
			continue
		}
		meta, name, ok := bytes.Cut(rec, []byte{'\t'})
		f := strings.Fields(string(meta))
		if !ok || len(f) != 4 {
			return nil, fmt.Errorf("git ls-tree: unexpected line %q", rec)
		}
		p := string(name)
		e := Entry{Name: path.Base(p)}
		switch f[0] {
		case "040000":
			e.Kind = Dir
			if _, ok := s.dirs[p]; !ok {
				s.dirs[p] = nil
			}
		case "100644", "100755":
			e.Kind = File
			e.Size, _ = strconv.ParseInt(f[3], 10, 64)
			s.blobs[p] = f[2]
		case "120000":
			e.Kind = Symlink
		default: // 160000 (a submodule) and anything else
			e.Kind = Other
		}
		s.dirs[path.Dir(p)] = append(s.dirs[path.Dir(p)], e)
	}
	return s, nil
}

// GitSource is a Source over one git tree, listed once by ls-tree; files
// are read with cat-file.
type GitSource struct {
	g     *Git
	dirs  map[string][]Entry
	blobs map[string]string // path → blob id
}

// List implements Source.
func (s *GitSource) List(dir string) ([]Entry, error) {
	es, ok := s.dirs[dir]
	if !ok {
		return nil, fmt.Errorf("%s: not a folder", dir)
	}
	return es, nil
}

// Read implements Source.
func (s *GitSource) Read(name string, max int64) ([]byte, error) {
	id, ok := s.blobs[name]
	if !ok {
		return nil, fmt.Errorf("%s: not a file", name)
	}
	b, err := s.g.blob(id, max)
	if err != nil && b == nil && !errors.Is(err, errTooLarge) {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return b, err
}

// errTooLarge is a blob over the bound: the tree's content, not git's
// failure.
var errTooLarge = errors.New("larger than the limit")

func (g *Git) blob(id string, max int64) ([]byte, error) {
	out, err := g.run(g.top, "cat-file", "blob", id)
	if err != nil {
		return nil, err
	}
	if int64(len(out)) > max {
		return nil, fmt.Errorf("is %w of %d bytes", errTooLarge, max)
	}
	return out, nil
}

// maxLooks bounds the commits counted for one file.
const maxLooks = 10000

// Looks counts the non-merge commits on HEAD's history that changed the
// file p (relative to the top), less the commit that created it when the
// file then held no data row, a header-only scaffold
// (docs/review.md#looks).
func (g *Git) Looks(p string) (int, error) {
	out, err := g.run(g.top, "log", "--no-merges", "--format=%H", "--max-count="+strconv.Itoa(maxLooks+1), "HEAD", "--", ":(literal)"+p)
	if err != nil {
		return 0, err
	}
	commits := strings.Fields(string(out))
	if len(commits) > maxLooks {
		return 0, fmt.Errorf("more than %d commits changed %s", maxLooks, p)
	}
	if len(commits) == 0 {
		return 0, nil
	}
	first := commits[len(commits)-1]
	b, err := g.run(g.top, "cat-file", "blob", "--end-of-options", first+":"+p)
	if err == nil && !HasDataRow(b) {
		return len(commits) - 1, nil
	}
	return len(commits), nil
}

// HasDataRow reports whether a CSV holds a non-empty line after its header.
func HasDataRow(b []byte) bool {
	lines := strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
	for _, l := range lines[min(1, len(lines)):] {
		if strings.TrimSpace(l) != "" {
			return true
		}
	}
	return false
}
