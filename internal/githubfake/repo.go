package githubfake

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strings"
)

// Blob is one entry of a commit's tree: a regular file (the default), a
// symbolic link to Target (a path in the repository) or a submodule.
type Blob struct {
	Type    string // "file" (default), "symlink" or "submodule"
	Content string
	Target  string // a symlink's target, relative to the repository
	// ListedSize, when positive, is the size the folder listing claims,
	// as a hostile or inconsistent server might (the file's own answer
	// keeps its true size).
	ListedSize int
}

// InlineLimit is the largest file the contents API returns inline; larger
// ones come with encoding "none" and no content, as on GitHub (1 MB).
const InlineLimit = 1000000

type commit struct {
	sha     string
	parents []string
	tree    map[string]Blob // path → entry; folders are implied
	seq     int             // order of AddCommit: later is newer
}

func commitKey(owner, repo, sha string) string {
	return strings.ToLower(owner) + "/" + strings.ToLower(repo) + "@" + sha
}

// AddCommit stores a commit of owner/repo with its parents and its whole
// tree (path → entry). Commits are newer the later they are added.
func (s *Server) AddCommit(owner, repo, sha string, parents []string, tree map[string]Blob) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	t := make(map[string]Blob, len(tree))
	for p, b := range tree {
		if b.Type == "" {
			b.Type = "file"
		}
		t[p] = b
	}
	s.commits[commitKey(owner, repo, sha)] = &commit{sha: sha, parents: slices.Clone(parents), tree: t, seq: s.seq}
}

// ancestorsLocked returns sha and its ancestors, newest first.
func (s *Server) ancestorsLocked(owner, repo, sha string) []*commit {
	seen := map[string]bool{}
	var out []*commit
	stack := []string{sha}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		c := s.commits[commitKey(owner, repo, x)]
		if c == nil || seen[x] {
			continue
		}
		seen[x] = true
		out = append(out, c)
		stack = append(stack, c.parents...)
	}
	slices.SortFunc(out, func(a, b *commit) int { return b.seq - a.seq })
	return out
}

func (s *Server) compare(w http.ResponseWriter, m match) {
	base, head, ok := strings.Cut(m.path, "...")
	s.mu.Lock()
	defer s.mu.Unlock()
	if !ok || s.commits[commitKey(m.owner, m.repo, base)] == nil || s.commits[commitKey(m.owner, m.repo, head)] == nil {
		notFound(w)
		return
	}
	inHead := map[string]bool{}
	for _, c := range s.ancestorsLocked(m.owner, m.repo, head) {
		inHead[c.sha] = true
	}
	for _, c := range s.ancestorsLocked(m.owner, m.repo, base) {
		if inHead[c.sha] {
			writeJSON(w, http.StatusOK, map[string]any{
				"status":            "ahead",
				"merge_base_commit": map[string]any{"sha": c.sha},
				"base_commit":       map[string]any{"sha": base},
				"commits":           []any{},
				"files":             []any{},
			})
			return
		}
	}
	notFound(w)
}

type contentJSON struct {
	Type     string  `json:"type"`
	Name     string  `json:"name"`
	Path     string  `json:"path"`
	SHA      string  `json:"sha"`
	Size     int     `json:"size"`
	Encoding *string `json:"encoding,omitempty"`
	Content  *string `json:"content,omitempty"`
	Target   string  `json:"target,omitempty"`
}

func blobSHA(b Blob) string { return fmt.Sprintf("%040x", len(b.Content)+len(b.Target)) }

// contents answers a folder's listing (links as "symlink", submodules as
// "file", as GitHub lists them) or a file; a link to a file is followed
// and answers the target, as on GitHub.
func (s *Server) contents(w http.ResponseWriter, r *http.Request, m match) {
	ref := r.URL.Query().Get("ref")
	s.mu.Lock()
	c := s.commits[commitKey(m.owner, m.repo, ref)]
	var tree map[string]Blob
	if c != nil {
		tree = c.tree
	}
	s.mu.Unlock()
	if c == nil {
		notFound(w)
		return
	}
	p := strings.Trim(m.path, "/")
	if b, ok := tree[p]; ok {
		if b.Type == "symlink" {
			if t, ok := tree[b.Target]; ok && t.Type == "file" {
				writeJSON(w, http.StatusOK, fileJSON(b.Target, t))
				return
			}
			writeJSON(w, http.StatusOK, contentJSON{Type: "symlink", Name: path.Base(p), Path: p, SHA: blobSHA(b), Size: len(b.Target), Target: b.Target})
			return
		}
		if b.Type == "submodule" {
			writeJSON(w, http.StatusOK, contentJSON{Type: "submodule", Name: path.Base(p), Path: p, SHA: blobSHA(b)})
			return
		}
		writeJSON(w, http.StatusOK, fileJSON(p, b))
		return
	}
	// A folder: every entry one level below p.
	prefix := p + "/"
	if p == "" {
		prefix = ""
	}
	seen := map[string]bool{}
	list := []contentJSON{}
	for q, b := range tree {
		rest, ok := strings.CutPrefix(q, prefix)
		if !ok || rest == "" {
			continue
		}
		name, below, isDir := strings.Cut(rest, "/")
		if seen[name] {
			continue
		}
		seen[name] = true
		e := contentJSON{Name: name, Path: prefix + name}
		switch {
		case isDir && below != "":
			e.Type, e.SHA = "dir", fmt.Sprintf("%040x", 0)
		case b.Type == "symlink":
			e.Type, e.SHA, e.Size = "symlink", blobSHA(b), len(b.Target)
		default: // files, and submodules listed as "file"
			e.Type, e.SHA, e.Size = "file", blobSHA(b), len(b.Content)
			if b.ListedSize > 0 {
				e.Size = b.ListedSize
			}
			if b.Type == "submodule" {
				e.Size = 0
			}
		}
		list = append(list, e)
	}
	if len(list) == 0 {
		notFound(w)
		return
	}
	slices.SortFunc(list, func(a, b contentJSON) int { return strings.Compare(a.Name, b.Name) })
	writeJSON(w, http.StatusOK, list)
}

func fileJSON(p string, b Blob) contentJSON {
	enc, content := "base64", base64.StdEncoding.EncodeToString([]byte(b.Content))
	if len(b.Content) > InlineLimit {
		enc, content = "none", ""
	}
	return contentJSON{Type: "file", Name: path.Base(p), Path: p, SHA: blobSHA(b), Size: len(b.Content), Encoding: &enc, Content: &content}
}

// listCommits answers the commits on sha's history whose tree differs at
// path from every parent's (git log's default simplification), newest
// first, paginated.
func (s *Server) listCommits(w http.ResponseWriter, r *http.Request, m match) {
	q := r.URL.Query()
	perPage, pg, served := s.listPage(q)
	p := strings.Trim(q.Get("path"), "/")
	s.mu.Lock()
	if s.commits[commitKey(m.owner, m.repo, q.Get("sha"))] == nil {
		s.mu.Unlock()
		notFound(w)
		return
	}
	var all []map[string]any
	for _, c := range s.ancestorsLocked(m.owner, m.repo, q.Get("sha")) {
		if p != "" && !s.changedLocked(m.owner, m.repo, c, p) {
			continue
		}
		parents := []map[string]any{}
		for _, x := range c.parents {
			parents = append(parents, map[string]any{"sha": x})
		}
		all = append(all, map[string]any{"sha": c.sha, "parents": parents, "commit": map[string]any{"message": "commit " + c.sha}})
	}
	s.mu.Unlock()
	s.link(w, r, len(all), perPage, pg)
	writeJSON(w, http.StatusOK, window(all, perPage, served))
}

// changedLocked reports whether c's path differs from each parent's.
func (s *Server) changedLocked(owner, repo string, c *commit, p string) bool {
	now, ok := c.tree[p]
	if len(c.parents) == 0 {
		return ok
	}
	for _, x := range c.parents {
		pc := s.commits[commitKey(owner, repo, x)]
		if pc == nil {
			continue
		}
		if before, had := pc.tree[p]; had == ok && before == now {
			return false // the same as this parent
		}
	}
	return true
}
