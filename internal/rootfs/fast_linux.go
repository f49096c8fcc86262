//go:build linux

package rootfs

import (
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// resolve confines every lookup: no component may leave the root (".."
// above it, an absolute path), and no component may be a symbolic link,
// "magic" /proc links included.
const resolve = unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS

// openFlags are added to every open: close-on-exec; never follow a final
// link; never block (a FIFO put in place of a file opens at once, and
// the loader refuses it when Stat says what it is); never become the
// controlling terminal.
const openFlags = unix.O_RDONLY | unix.O_CLOEXEC | unix.O_NOFOLLOW | unix.O_NONBLOCK | unix.O_NOCTTY

// fastFS holds the root folder's descriptor open.
type fastFS struct {
	dir *os.File
	fd  int
}

// openFast returns the openat2 reader of root, or nil when openat2 is not
// available here.
func openFast(root *os.Root) *fastFS {
	dir, err := root.Open(".")
	if err != nil {
		return nil
	}
	f := &fastFS{dir: dir, fd: int(dir.Fd())}
	probe, err := f.openat(".", unix.O_DIRECTORY)
	if err != nil {
		dir.Close()
		return nil
	}
	unix.Close(probe)
	return f
}

// close releases the root's descriptor; the FS forgets f first, so that
// nothing resolves paths against a number the process may reuse.
func (f *fastFS) close() {
	f.fd = -1
	f.dir.Close()
}

// openat opens name below the root with openFlags and flags; the kernel
// retries nothing itself when a rename races the lookup (EAGAIN), so
// openat does, a few times.
func (f *fastFS) openat(name string, flags int) (int, error) {
	return f.openatHow(name, openFlags|flags)
}

// openatHow is openat with exactly the given flags.
func (f *fastFS) openatHow(name string, flags int) (int, error) {
	how := unix.OpenHow{Flags: uint64(flags), Resolve: resolve}
	var err error
	for range 8 {
		var fd int
		fd, err = unix.Openat2(f.fd, name, &how)
		if err != unix.EINTR && err != unix.EAGAIN {
			return fd, err
		}
	}
	return -1, err
}

func (f *fastFS) open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	fd, err := f.openat(name, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &file{fs: f, fd: fd, name: name}, nil
}

func (f *fastFS) readDir(name string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	fd, err := f.openat(name, unix.O_DIRECTORY)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	defer unix.Close(fd)
	list, err := f.entries(fd, name)
	slices.SortFunc(list, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return list, err
}

// entries lists the open folder fd (the folder dir below the root) with
// getdents64, taking each entry's type from the listing itself; only a
// file system that does not give types costs an lstat per entry.
func (f *fastFS) entries(fd int, dir string) ([]fs.DirEntry, error) {
	buf := make([]byte, 8192)
	var out []fs.DirEntry
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return out, &fs.PathError{Op: "readdir", Path: dir, Err: err}
		}
		if n <= 0 {
			return out, nil
		}
		err = parseDirents(buf[:n], func(name string, typ uint8) error {
			if name == "." || name == ".." {
				return nil
			}
			mode, known := direntType(typ)
			if !known {
				var st unix.Stat_t
				if err := unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
					if err == unix.ENOENT {
						return nil // removed since the listing
					}
					return &fs.PathError{Op: "lstat", Path: path.Join(dir, name), Err: err}
				}
				mode = fileMode(st.Mode).Type()
			}
			out = append(out, &dirEntry{fs: f, dir: dir, name: name, typ: mode})
			return nil
		})
		if err != nil {
			if _, ok := err.(*fs.PathError); !ok {
				err = &fs.PathError{Op: "readdir", Path: dir, Err: err}
			}
			return out, err
		}
	}
}

// errMalformed is a getdents64 buffer that is not a whole number of
// well-formed records (the kernel never returns one).
var errMalformed = errors.New("malformed directory entry")

// direntHeader is the size of struct linux_dirent64 before its name: ino
// u64, off s64, reclen u16, type u8.
const direntHeader = 19

// parseDirents calls fn for every record of a getdents64 buffer, with the
// record's NUL-terminated name and type, and stops at fn's first error.
// A record shorter than its header, running past the buffer, with an
// empty or unterminated name, or bytes left after the last record make
// the buffer malformed.
func parseDirents(buf []byte, fn func(name string, typ uint8) error) error {
	for off := 0; off < len(buf); {
		if len(buf)-off < direntHeader {
			return errMalformed
		}
		reclen := int(binary.NativeEndian.Uint16(buf[off+16:]))
		if reclen <= direntHeader || off+reclen > len(buf) {
			return errMalformed
		}
		name := buf[off+direntHeader : off+reclen]
		end := slices.Index(name, 0)
		if end <= 0 {
			return errMalformed
		}
		if err := fn(string(name[:end]), buf[off+18]); err != nil {
			return err
		}
		off += reclen
	}
	return nil
}

// direntType is the type bits of a getdents64 entry type; false for
// DT_UNKNOWN.
func direntType(t uint8) (fs.FileMode, bool) {
	switch t {
	case unix.DT_REG:
		return 0, true
	case unix.DT_DIR:
		return fs.ModeDir, true
	case unix.DT_LNK:
		return fs.ModeSymlink, true
	case unix.DT_FIFO:
		return fs.ModeNamedPipe, true
	case unix.DT_SOCK:
		return fs.ModeSocket, true
	case unix.DT_CHR:
		return fs.ModeDevice | fs.ModeCharDevice, true
	case unix.DT_BLK:
		return fs.ModeDevice, true
	}
	return 0, false
}

// fileMode converts a stat mode to an fs.FileMode.
func fileMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	switch m & unix.S_IFMT {
	case unix.S_IFDIR:
		mode |= fs.ModeDir
	case unix.S_IFLNK:
		mode |= fs.ModeSymlink
	case unix.S_IFIFO:
		mode |= fs.ModeNamedPipe
	case unix.S_IFSOCK:
		mode |= fs.ModeSocket
	case unix.S_IFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFBLK:
		mode |= fs.ModeDevice
	}
	if m&unix.S_ISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if m&unix.S_ISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if m&unix.S_ISVTX != 0 {
		mode |= fs.ModeSticky
	}
	return mode
}

// file is an open file or folder: a bare descriptor, read with read(2).
type file struct {
	fs   *fastFS
	fd   int
	name string
	list []fs.DirEntry // a folder's entries not yet returned by ReadDir
	read bool          // list was filled
}

func (f *file) Read(b []byte) (int, error) {
	if f.fd < 0 {
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: fs.ErrClosed}
	}
	if len(b) == 0 {
		return 0, nil
	}
	for {
		n, err := unix.Read(f.fd, b)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return 0, &fs.PathError{Op: "read", Path: f.name, Err: err}
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func (f *file) Stat() (fs.FileInfo, error) {
	if f.fd < 0 {
		return nil, &fs.PathError{Op: "stat", Path: f.name, Err: fs.ErrClosed}
	}
	var st unix.Stat_t
	if err := unix.Fstat(f.fd, &st); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: f.name, Err: err}
	}
	return newInfo(path.Base(f.name), &st), nil
}

// ReadDir makes a folder an fs.ReadDirFile.
func (f *file) ReadDir(n int) ([]fs.DirEntry, error) {
	if f.fd < 0 {
		return nil, &fs.PathError{Op: "readdir", Path: f.name, Err: fs.ErrClosed}
	}
	if !f.read {
		f.read = true
		list, err := f.fs.entries(f.fd, f.name)
		if err != nil {
			return list, err // what was read until then, as fs.ReadDirFile says
		}
		f.list = list
	}
	if n <= 0 {
		out := f.list
		f.list = nil
		return out, nil
	}
	if len(f.list) == 0 {
		return nil, io.EOF
	}
	k := min(n, len(f.list))
	out := f.list[:k:k]
	f.list = f.list[k:]
	return out, nil
}

func (f *file) Close() error {
	if f.fd < 0 {
		return &fs.PathError{Op: "close", Path: f.name, Err: fs.ErrClosed}
	}
	err := unix.Close(f.fd)
	f.fd = -1
	if err != nil {
		return &fs.PathError{Op: "close", Path: f.name, Err: err}
	}
	return nil
}

// dirEntry is one entry of a listing.
type dirEntry struct {
	fs        *fastFS
	dir, name string
	typ       fs.FileMode
}

func (d *dirEntry) Name() string               { return d.name }
func (d *dirEntry) IsDir() bool                { return d.typ.IsDir() }
func (d *dirEntry) Type() fs.FileMode          { return d.typ }
func (d *dirEntry) String() string             { return fs.FormatDirEntry(d) }
func (d *dirEntry) Info() (fs.FileInfo, error) { return d.fs.lstat(d.dir, d.name) }

// lstat describes the entry name of the folder dir without following it.
func (f *fastFS) lstat(dir, name string) (fs.FileInfo, error) {
	p := path.Join(dir, name)
	// O_PATH takes no flags but these (openat2 refuses others).
	pfd, err := f.openatHow(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC|unix.O_NOFOLLOW)
	if err != nil {
		return nil, &fs.PathError{Op: "lstat", Path: p, Err: err}
	}
	defer unix.Close(pfd)
	var st unix.Stat_t
	if err := unix.Fstatat(pfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return nil, &fs.PathError{Op: "lstat", Path: p, Err: err}
	}
	return newInfo(name, &st), nil
}

// info is an fs.FileInfo from a stat.
type info struct {
	name string
	st   unix.Stat_t
}

func newInfo(name string, st *unix.Stat_t) *info { return &info{name: name, st: *st} }

func (i *info) Name() string       { return i.name }
func (i *info) Size() int64        { return i.st.Size }
func (i *info) Mode() fs.FileMode  { return fileMode(i.st.Mode) }
func (i *info) ModTime() time.Time { return time.Unix(i.st.Mtim.Unix()) }
func (i *info) IsDir() bool        { return i.Mode().IsDir() }
func (i *info) Sys() any           { return &i.st }
