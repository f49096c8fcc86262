package load

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/pool"
)

// kind is what the walk saw at a path. Only kindFile is ever opened.
type kind uint8

const (
	kindDir     kind = iota + 1
	kindFile         // a regular file
	kindSymlink      // never followed
	kindOther        // FIFO, device, socket: never opened
	kindError        // a directory that could not be listed
)

// stray is a problem found by the walk at a path, before it is known which
// experiment the path belongs to.
type stray struct {
	path  string
	issue experiment.Issue
}

// loader holds the state of one Root call.
type loader struct {
	fsys    fs.FS
	display string
	lim     Limits

	entries  map[string]kind // every path the walk saw
	expDirs  []string        // experiment ids, walk order
	nearMiss []string        // files named like experiment.yaml but not quite (misnamed.go)
	isExp    map[string]bool
	strays   []stray

	misnamed     []string            // folders holding only a near-miss of experiment.yaml, walk order
	misnamedFile map[string]string   // folder → its near-miss file
	files        map[string][]string // folder → regular file names, built by the walk (hints.go)

	ownIssues  map[string][]experiment.Issue // stray issues by experiment id
	orphans    []string                      // stray paths inside no experiment
	orphanIs   map[string][]experiment.Issue
	repo       repoConfig
	repoIssues []experiment.Issue // problems of experimentos.yaml, on every experiment
}

// walk lists the tree below the root without following symbolic links,
// records every entry's kind, the experiment folders and the strays.
//
// The root is listed first; then its subfolders are walked by up to
// GOMAXPROCS goroutines at once, each into a walkPart of its own, and the
// parts are merged in name order, so that the result does not depend on
// the number of goroutines (docs/performance.md#parallel-load).
func (l *loader) walk() error {
	l.entries = make(map[string]kind)
	l.isExp = make(map[string]bool)
	var (
		count atomic.Int64 // experiments seen, over every part
		stop  atomic.Bool  // a part failed: the others give up
	)
	newPart := func() *walkPart { return &walkPart{l: l, entries: make(map[string]kind), count: &count, stop: &stop} }
	top := newPart()
	type subdir struct {
		p string
		d fs.DirEntry
	}
	var subdirs []subdir
	err := fs.WalkDir(l.fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if p == "." {
			if err != nil {
				return fmt.Errorf("load: experiments root %s: %w", l.display, err)
			}
			if !d.IsDir() {
				return fmt.Errorf("load: experiments root %s is not a directory", l.display)
			}
			return top.visit(p, d, nil)
		}
		if err == nil && d.IsDir() {
			subdirs = append(subdirs, subdir{p, d})
			return fs.SkipDir
		}
		return top.visit(p, d, err)
	})
	if err != nil {
		return err
	}
	parts := make([]*walkPart, len(subdirs))
	errs := make([]error, len(subdirs))
	pool.Run(len(subdirs), runtime.GOMAXPROCS(0), func(i int) {
		parts[i] = newPart()
		errs[i] = walkDir(l.fsys, subdirs[i].p, subdirs[i].d, parts[i].visit)
		if errs[i] != nil {
			stop.Store(true)
		}
	})
	for _, err := range errs {
		if err != nil && err != errStopped {
			return err
		}
	}
	for _, part := range append([]*walkPart{top}, parts...) {
		maps.Copy(l.entries, part.entries)
		for _, dir := range part.expDirs {
			l.isExp[dir] = true
		}
		l.expDirs = append(l.expDirs, part.expDirs...)
		l.strays = append(l.strays, part.strays...)
		l.nearMiss = append(l.nearMiss, part.nearMiss...)
	}
	l.addMisnamed()
	l.indexFiles()
	l.attribute()
	if n := len(l.expDirs) + len(l.misnamed) + len(l.orphans); n > l.lim.MaxExperiments {
		return l.tooMany()
	}
	return nil
}

func (l *loader) tooMany() error {
	return fmt.Errorf("load: more than %d experiments below %s (Limits.MaxExperiments)", l.lim.MaxExperiments, l.display)
}

// errStopped ends a part of the walk because another part failed.
var errStopped = errors.New("load: walk stopped")

// walkPart is what the walk of one subtree found.
type walkPart struct {
	l       *loader
	entries map[string]kind
	expDirs []string
	strays  []stray
	// nearMiss lists files named like a near-miss of experiment.yaml
	// (docs/formats.md#the-experiments-folder).
	nearMiss []string
	count    *atomic.Int64
	stop     *atomic.Bool
}

// visit is the fs.WalkDirFunc of a part: it records p's kind, whether it
// marks an experiment folder, and its problem if it has one.
func (w *walkPart) visit(p string, d fs.DirEntry, err error) error {
	if w.stop.Load() {
		return errStopped
	}
	if err != nil {
		w.entries[p] = kindError
		w.addStray(p, experiment.CodeUnreadable, "cannot be read: "+errText(err))
		if d != nil && d.IsDir() {
			return fs.SkipDir
		}
		return nil
	}
	t := d.Type()
	switch {
	case t&fs.ModeSymlink != 0:
		w.entries[p] = kindSymlink
		w.addStray(p, experiment.CodePathEscape, "is a symbolic link; links are never followed, commit the file itself")
	case t.IsDir():
		w.entries[p] = kindDir
	case t.IsRegular():
		w.entries[p] = kindFile
	default:
		w.entries[p] = kindOther
		w.addStray(p, experiment.CodePathEscape, "is not a regular file ("+t.String()+"); it is never opened")
	}
	if !t.IsDir() && nearConfig(d.Name()) {
		w.nearMiss = append(w.nearMiss, p)
	}
	if d.Name() == configName {
		// A folder holds one experiment.yaml: no other part sees it.
		dir := path.Dir(p)
		if w.count.Add(1) > int64(w.l.lim.MaxExperiments) {
			return w.l.tooMany()
		}
		w.expDirs = append(w.expDirs, dir)
	}
	return nil
}

func (w *walkPart) addStray(p, code, msg string) {
	w.strays = append(w.strays, stray{path: p, issue: experiment.Issue{
		Severity: experiment.SeverityBlocked,
		Code:     code,
		Message:  quote(p) + " " + msg,
		File:     w.l.displayPath(p),
	}})
}

// walkDir is fs.WalkDir below p, whose entry d the caller has listed
// already: unlike fs.WalkDir it does not Stat p, which would follow a link
// put there since.
func walkDir(fsys fs.FS, p string, d fs.DirEntry, fn fs.WalkDirFunc) error {
	if err := fn(p, d, nil); err != nil || !d.IsDir() {
		if err == fs.SkipDir && d.IsDir() {
			err = nil
		}
		return err
	}
	entries, err := fs.ReadDir(fsys, p)
	if err != nil {
		if err = fn(p, d, err); err != nil {
			if err == fs.SkipDir {
				err = nil
			}
			return err
		}
	}
	for _, e := range entries {
		if err := walkDir(fsys, path.Join(p, e.Name()), e, fn); err != nil {
			if err == fs.SkipDir {
				break
			}
			return err
		}
	}
	return nil
}

// attribute gives each stray to the deepest experiment whose folder holds
// it; experimentos.yaml's go to every experiment; the rest become orphans,
// reported as experiments of their own so that they cannot go unnoticed.
func (l *loader) attribute() {
	l.ownIssues = make(map[string][]experiment.Issue)
	l.orphanIs = make(map[string][]experiment.Issue)
	for _, s := range l.strays {
		if s.path == repoName {
			l.repoIssues = append(l.repoIssues, s.issue)
			continue
		}
		if id, ok := l.owner(s.path); ok {
			l.ownIssues[id] = append(l.ownIssues[id], s.issue)
			continue
		}
		if _, seen := l.orphanIs[s.path]; !seen {
			l.orphans = append(l.orphans, s.path)
		}
		l.orphanIs[s.path] = append(l.orphanIs[s.path], s.issue)
	}
}

// owner returns the id of the deepest experiment folder holding p.
func (l *loader) owner(p string) (string, bool) {
	for dir := path.Dir(p); ; dir = path.Dir(dir) {
		if l.isExp[dir] {
			return dir, true
		}
		if dir == "." || dir == "/" {
			return "", false
		}
	}
}

// orphan reports a symbolic link, special file or unreadable folder that
// lies in no experiment as a blocked pseudo-experiment named by its path.
func (l *loader) orphan(p string) *experiment.Experiment {
	e := l.base(p)
	e.ConfigFile = ""
	e.DataFile = ""
	e.Issues = dedupe(l.orphanIs[p])
	return e
}

// problem is a reason a file could not be read.
type problem struct {
	code string
	msg  string
}

// missingFile is the problem of a file that does not exist at all, which a
// planned experiment's data file may be.
var missingFile = problem{experiment.CodeUnreadable, "does not exist"}

// readFile reads the regular file p below the root, at most MaxFileBytes.
// Symbolic links (also as a parent folder) and non-regular files are
// refused before anything is opened.
func (l *loader) readFile(p string) ([]byte, *problem) {
	k, ok := l.entries[p]
	if !ok {
		for dir := path.Dir(p); dir != "."; dir = path.Dir(dir) {
			switch l.entries[dir] {
			case kindSymlink:
				return nil, &problem{experiment.CodePathEscape, "goes through the symbolic link " + quote(dir) + "; links are never followed"}
			case kindOther, kindFile:
				return nil, &problem{experiment.CodeUnreadable, "does not exist: " + quote(dir) + " is not a folder"}
			case kindError:
				return nil, &problem{experiment.CodeUnreadable, "cannot be read: folder " + quote(dir) + " cannot be listed"}
			}
		}
		p := missingFile
		return nil, &p
	}
	switch k {
	case kindDir:
		return nil, &problem{experiment.CodeUnreadable, "is a folder, not a file"}
	case kindSymlink:
		return nil, &problem{experiment.CodePathEscape, "is a symbolic link; links are never followed, commit the file itself"}
	case kindOther:
		return nil, &problem{experiment.CodePathEscape, "is not a regular file; it is never opened"}
	case kindError:
		return nil, &problem{experiment.CodeUnreadable, "cannot be read"}
	}
	// The walk saw a regular file here (symlinks and special files were
	// refused above without being opened). Check the opened file too, in
	// case the tree changed since: fstat on the open descriptor costs no
	// path resolution, unlike a second Lstat through the root.
	f, err := l.fsys.Open(p)
	switch {
	case errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EXDEV):
		// The confined file system refused a link, or a path leaving the
		// root, that was not there when the folder was listed.
		return nil, &problem{experiment.CodePathEscape, "is now a symbolic link or leads through one; links are never followed"}
	case err != nil:
		return nil, &problem{experiment.CodeUnreadable, "cannot be opened: " + errText(err)}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return nil, &problem{experiment.CodePathEscape, "is not a regular file; it is never read"}
	}
	// A file known to be too large is not read at all: over the network
	// (the base side of docs/review.md) that saves its download.
	if fi.Size() > l.lim.MaxFileBytes {
		return nil, &problem{experiment.CodeLimitExceeded, fmt.Sprintf("is larger than %d bytes (Limits.MaxFileBytes)", l.lim.MaxFileBytes)}
	}
	// Room for the size seen plus a read's margin, so that a file read
	// whole takes one allocation (io.ReadAll doubles from 512 bytes).
	buf := bytes.NewBuffer(make([]byte, 0, fi.Size()+bytes.MinRead))
	_, err = buf.ReadFrom(io.LimitReader(f, l.lim.MaxFileBytes+1))
	b := buf.Bytes()
	if err != nil {
		return nil, &problem{experiment.CodeUnreadable, "cannot be read: " + errText(err)}
	}
	if int64(len(b)) > l.lim.MaxFileBytes {
		return nil, &problem{experiment.CodeLimitExceeded, fmt.Sprintf("is larger than %d bytes (Limits.MaxFileBytes)", l.lim.MaxFileBytes)}
	}
	return b, nil
}

// errText is an error's text without the path, which the issue already
// names.
func errText(err error) string {
	if pe, ok := err.(*fs.PathError); ok {
		err = pe.Err
	}
	return err.Error()
}

// quote quotes user-supplied text for a message, shortened to 64 bytes.
func quote(s string) string {
	const max = 64
	if len(s) > max {
		cut := max
		for cut > 0 && !isRuneStart(s[cut]) {
			cut--
		}
		return fmt.Sprintf("%q…", s[:cut])
	}
	return fmt.Sprintf("%q", s)
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// dedupe drops repeated issues (same code at the same place) and orders
// them by file, line and column, keeping the found order otherwise.
func dedupe(is []experiment.Issue) []experiment.Issue {
	type key struct {
		code, file, column string
		line, col          int
	}
	seen := make(map[key]bool, len(is))
	out := is[:0:0]
	for _, i := range is {
		k := key{i.Code, i.File, i.Column, i.Line, i.Col}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, i)
	}
	slices.SortStableFunc(out, func(a, b experiment.Issue) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Col - b.Col
	})
	return capPerFile(out)
}

// maxIssuesPerFile bounds the issues kept for one file, so that a hostile
// file (a thousand bad rows, thousands of unknown keys) cannot flood the
// report.
const maxIssuesPerFile = 50

// capPerFile keeps the first maxIssuesPerFile issues of each file (is is
// sorted by file) and says how many more there were.
func capPerFile(is []experiment.Issue) []experiment.Issue {
	out := is[:0]
	for i := 0; i < len(is); {
		j := i
		for j < len(is) && is[j].File == is[i].File {
			j++
		}
		if j-i <= maxIssuesPerFile {
			out = append(out, is[i:j]...)
		} else {
			out = append(out, is[i:i+maxIssuesPerFile]...)
			more := is[i+maxIssuesPerFile]
			blocking := false
			for _, x := range is[i+maxIssuesPerFile : j] {
				blocking = blocking || x.Severity == experiment.SeverityBlocked
			}
			sev := experiment.SeverityWarning
			if blocking {
				sev = experiment.SeverityBlocked
			}
			out = append(out, experiment.Issue{
				Severity: sev, Code: more.Code, File: more.File, Line: more.Line, Column: more.Column, Col: more.Col,
				Message: fmt.Sprintf("and %d more issues in this file, not listed; fix the ones above first", j-i-maxIssuesPerFile),
			})
		}
		i = j
	}
	return out
}
