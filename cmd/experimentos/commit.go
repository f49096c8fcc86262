package main

import (
	"bufio"
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// commitFor is the commit a memo names for the experiments under PATH p:
// EXPERIMENTOS_COMMIT when set, else the HEAD of the git checkout holding
// p, else "" (the memo then says "commit unknown"). See docs/memo.md#commit.
func commitFor(getenv func(string) string, p string) string {
	if c := getenv("EXPERIMENTOS_COMMIT"); c != "" {
		return c
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return ""
	}
	return gitHead(abs)
}

// Bounds on what gitHead reads.
const (
	gitSmallFile  = 4 << 10  // HEAD, a loose ref, .git and commondir files
	gitPackedRefs = 64 << 20 // packed-refs, streamed line by line
	gitUpLevels   = 64       // folders climbed looking for .git
	gitRefHops    = 5        // symbolic refs followed
)

// gitHead returns the commit checked out in the git checkout holding dir,
// read from the files git keeps, without running git or anything else
// from the repository: .git/HEAD, then the branch it names as a loose ref
// or in packed-refs. A .git file ("gitdir: …", a worktree or submodule)
// is followed, with its commondir. Every read is bounded and made through
// an os.Root on the git folder, a ref name must be a plain refs/… path,
// and only a full hex object name is ever returned, so a hostile file can
// at worst make the commit unknown. Any problem gives "".
func gitHead(dir string) string {
	gitDir := findGitDir(dir)
	if gitDir == "" {
		return ""
	}
	g, err := os.OpenRoot(gitDir)
	if err != nil {
		return ""
	}
	defer g.Close()
	common := g
	if b, ok := readSmall(g, "commondir"); ok {
		c := strings.TrimSpace(string(b))
		if !filepath.IsAbs(c) {
			c = filepath.Join(gitDir, c)
		}
		if common, err = os.OpenRoot(c); err != nil {
			return ""
		}
		defer common.Close()
	}
	b, ok := readSmall(g, "HEAD")
	for range gitRefHops {
		if !ok {
			return ""
		}
		s := strings.TrimSpace(string(b))
		if isObjectName(s) {
			return s
		}
		ref, isRef := strings.CutPrefix(s, "ref:")
		ref = strings.TrimSpace(ref)
		if !isRef || !validRef(ref) {
			return ""
		}
		if b, ok = readSmall(common, ref); !ok {
			return packedRef(common, ref)
		}
	}
	return ""
}

// findGitDir climbs from dir to the first folder holding .git: a folder,
// or a file "gitdir: PATH" naming one. A .git that is a symbolic link is
// not followed and ends the search.
func findGitDir(dir string) string {
	for range gitUpLevels {
		p := filepath.Join(dir, ".git")
		fi, err := os.Lstat(p)
		switch {
		case err != nil:
		case fi.IsDir():
			return p
		case fi.Mode().IsRegular():
			r, err := os.OpenRoot(dir)
			if err != nil {
				return ""
			}
			b, ok := readSmall(r, ".git")
			r.Close()
			rest, found := strings.CutPrefix(string(b), "gitdir:")
			if !ok || !found {
				return ""
			}
			gd := strings.TrimSpace(rest)
			if gd == "" || strings.ContainsAny(gd, "\x00\n") {
				return ""
			}
			if !filepath.IsAbs(gd) {
				gd = filepath.Join(dir, gd)
			}
			return gd
		default:
			return "" // a link or something else: not followed
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
	return ""
}

// readSmall reads the regular file name below r, at most gitSmallFile
// bytes; false when it is missing, not regular or larger.
func readSmall(r *os.Root, name string) ([]byte, bool) {
	f, err := r.Open(name)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, false
	}
	b, err := io.ReadAll(io.LimitReader(f, gitSmallFile+1))
	if err != nil || len(b) > gitSmallFile {
		return nil, false
	}
	return b, true
}

// packedRef looks ref up in packed-refs ("<object name> <ref>" lines),
// reading at most gitPackedRefs bytes.
func packedRef(r *os.Root, ref string) string {
	f, err := r.Open("packed-refs")
	if err != nil {
		return ""
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	sc := bufio.NewScanner(io.LimitReader(f, gitPackedRefs))
	sc.Buffer(make([]byte, 0, 1024), 4096)
	want := []byte(ref)
	for sc.Scan() {
		name, rest, ok := bytes.Cut(sc.Bytes(), []byte(" "))
		if ok && bytes.Equal(bytes.TrimRight(rest, "\r"), want) && isObjectName(string(name)) {
			return string(name)
		}
	}
	return ""
}

// validRef accepts a ref name git would write for a branch or tag: below
// refs/, slash-separated, no "..", no empty or dot-leading element, no
// control or special characters.
func validRef(ref string) bool {
	if len(ref) > 255 || !strings.HasPrefix(ref, "refs/") || !fs.ValidPath(ref) {
		return false
	}
	for _, el := range strings.Split(ref, "/") {
		if strings.HasPrefix(el, ".") || strings.HasSuffix(el, ".lock") {
			return false
		}
	}
	for _, c := range ref {
		if c < 0x20 || c == 0x7f || strings.ContainsRune(`\ ~^:?*[`, c) {
			return false
		}
	}
	return true
}

// isObjectName reports whether s is a full SHA-1 or SHA-256 object name
// in lower-case hex.
func isObjectName(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
