package history

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"time"
)

// ErrUnavailable is wrapped by a Source's errors that are its own failure,
// not the tree's.
var ErrUnavailable = errors.New("the base could not be read")

// Kind is what a Source lists at a path. Only a File is ever read.
type Kind uint8

// Entry kinds.
const (
	File    Kind = iota + 1 // a regular file
	Dir                     // a folder
	Symlink                 // a symbolic link: never followed
	Other                   // a submodule or anything else: never read
)

// Entry is one name in a folder listing.
type Entry struct {
	Name string
	Kind Kind
	Size int64 // bytes, for a File
}

// Source is a read-only tree at one commit: git objects locally
// (GitSource), the contents API in the action. Paths are "/"-separated
// and relative to the experiments root; "." is the root.
//
// An error that wraps ErrUnavailable means the source itself failed (the
// network, git): FS records the first one (Err), so that the caller can
// drop the comparison rather than mistake an outage for a broken base.
// Other errors are the tree's content (a file that is not what its listing
// said) and become the loader's issues like any unreadable file.
type Source interface {
	// List returns the entries of the folder dir.
	List(dir string) ([]Entry, error)
	// Read returns the regular file name's content, at most max bytes; a
	// file larger than max is an error.
	Read(name string, max int64) ([]byte, error)
}

// FS is an fs.FS over a Source, for the loader (internal/load), which
// tells links from files by the listings' entry types, as it does on disk.
//
// Every folder is listed before anything in it is opened, and at most once;
// a file is read at most once and only when it was listed as a File, never
// beyond MaxFile bytes (a larger one reports its size and reads as an
// error). With Keep set, only those paths, their folders and what lies
// below them are visible: the rest of the tree is neither listed nor read.
type FS struct {
	src     Source
	keep    []string
	maxFile int64

	mu    sync.Mutex
	lists map[string]listing
	files map[string]content
	err   error // the first ErrUnavailable
}

// Err returns the first error of the Source that wraps ErrUnavailable, or
// nil: when it is not nil, what was loaded is not the base.
func (f *FS) Err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

func (f *FS) note(err error) {
	if err != nil && errors.Is(err, ErrUnavailable) && f.err == nil {
		f.err = err
	}
}

type listing struct {
	entries []Entry
	err     error
}

type content struct {
	b   []byte
	err error
}

// NewFS returns the file system of src. keep, when not nil, limits it to
// those paths (folders or files below the root); maxFile bounds every read.
func NewFS(src Source, keep []string, maxFile int64) *FS {
	return &FS{src: src, keep: keep, maxFile: maxFile, lists: map[string]listing{}, files: map[string]content{}}
}

var _ fs.ReadDirFS = (*FS)(nil)

// kept reports whether p is visible: a kept path, a folder on the way to
// one, or something below one.
func (f *FS) kept(p string) bool {
	if f.keep == nil || p == "." {
		return true
	}
	for _, k := range f.keep {
		if p == k || strings.HasPrefix(k, p+"/") || strings.HasPrefix(p, k+"/") {
			return true
		}
	}
	return false
}

func (f *FS) list(dir string) ([]Entry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if l, ok := f.lists[dir]; ok {
		return l.entries, l.err
	}
	es, err := f.src.List(dir)
	f.note(err)
	var out []Entry
	seen := map[string]bool{}
	for _, e := range es {
		p := path.Join(dir, e.Name)
		// A hostile name (empty, ".", "..", a slash) cannot be a path of
		// this tree: it is dropped, as a file system could not hold it.
		if e.Name == "" || e.Name == "." || e.Name == ".." || strings.ContainsAny(e.Name, "/\x00") || seen[e.Name] || !f.kept(p) {
			continue
		}
		seen[e.Name] = true
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	f.lists[dir] = listing{out, err}
	return out, err
}

// lookup finds the entry at p by listing its folders from the root down,
// so that a link on the way is seen before anything is read through it.
func (f *FS) lookup(p string) (Entry, error) {
	if p == "." {
		return Entry{Name: ".", Kind: Dir}, nil
	}
	dir := path.Dir(p)
	if dir != "." {
		d, err := f.lookup(dir)
		if err != nil {
			return Entry{}, err
		}
		if d.Kind != Dir {
			return Entry{}, fs.ErrNotExist
		}
	}
	es, err := f.list(dir)
	if err != nil {
		return Entry{}, err
	}
	for _, e := range es {
		if e.Name == path.Base(p) {
			return e, nil
		}
	}
	return Entry{}, fs.ErrNotExist
}

// Open opens name.
func (f *FS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	e, err := f.lookup(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if e.Kind == Dir {
		return &dirFile{fsys: f, name: name, e: e}, nil
	}
	return &file{fsys: f, name: name, e: e}, nil
}

// ReadDir lists the folder name.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	e, err := f.lookup(name)
	if err == nil && e.Kind != Dir {
		err = errors.New("not a directory")
	}
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	es, err := f.list(name)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	out := make([]fs.DirEntry, len(es))
	for i, e := range es {
		out[i] = fs.FileInfoToDirEntry(info{e})
	}
	return out, nil
}

func (f *FS) read(name string, e Entry) ([]byte, error) {
	if e.Size > f.maxFile {
		return nil, fmt.Errorf("is larger than %d bytes", f.maxFile)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.files[name]; ok {
		return c.b, c.err
	}
	b, err := f.src.Read(name, f.maxFile)
	f.note(err)
	if err == nil && int64(len(b)) > f.maxFile {
		b, err = nil, fmt.Errorf("is larger than %d bytes", f.maxFile)
	}
	f.files[name] = content{b, err}
	return b, err
}

// info is an Entry as an fs.FileInfo.
type info struct{ e Entry }

func (i info) Name() string { return i.e.Name }
func (i info) Size() int64  { return i.e.Size }
func (i info) Mode() fs.FileMode {
	switch i.e.Kind {
	case Dir:
		return fs.ModeDir | 0o555
	case Symlink:
		return fs.ModeSymlink | 0o777
	case Other:
		return fs.ModeIrregular
	}
	return 0o444
}
func (i info) ModTime() time.Time { return time.Time{} }
func (i info) IsDir() bool        { return i.e.Kind == Dir }
func (i info) Sys() any           { return nil }

// file is an opened entry that is not a folder; only a File reads.
type file struct {
	fsys *FS
	name string
	e    Entry
	r    *bytes.Reader
}

func (f *file) Stat() (fs.FileInfo, error) { return info{f.e}, nil }
func (f *file) Close() error               { return nil }
func (f *file) Read(p []byte) (int, error) {
	if f.e.Kind != File {
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: errors.New("not a regular file")}
	}
	if f.r == nil {
		b, err := f.fsys.read(f.name, f.e)
		if err != nil {
			return 0, &fs.PathError{Op: "read", Path: f.name, Err: err}
		}
		f.r = bytes.NewReader(b)
	}
	return f.r.Read(p)
}

// dirFile is an opened folder.
type dirFile struct {
	fsys *FS
	name string
	e    Entry
	off  int
}

func (d *dirFile) Stat() (fs.FileInfo, error) { return info{d.e}, nil }
func (d *dirFile) Close() error               { return nil }
func (d *dirFile) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: errors.New("is a directory")}
}

// ReadDir implements fs.ReadDirFile.
func (d *dirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	all, err := d.fsys.ReadDir(d.name)
	if err != nil {
		return nil, err
	}
	rest := all[d.off:]
	if n <= 0 {
		d.off = len(all)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	rest = rest[:min(n, len(rest))]
	d.off += len(rest)
	return rest, nil
}
