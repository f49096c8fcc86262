// Package rootfs is a read-only fs.FS confined to one folder, the
// experiments root, for the loader (docs/security.md#what-the-action-reads).
// On Linux it opens every path with one openat2 call (RESOLVE_BENEATH |
// RESOLVE_NO_SYMLINKS), so the kernel refuses a path that leaves the
// folder or passes through any symbolic link, and reads through the bare
// descriptor, where os.Root opens each path component in turn and
// registers each file with the poller: 5 system calls per file instead of
// 14, and a folder's listing without an lstat per entry
// (docs/performance.md#file-system). Elsewhere, or where openat2 is not
// allowed (kernels before 5.6, some seccomp profiles), it reads through
// os.Root, which refuses a path that leaves the folder (the loader itself
// refuses every link it lists). Files are opened non-blocking on both
// paths where the system has the flag.
package rootfs

import (
	"io/fs"
	"os"
	"slices"
	"strings"
)

// FS reads files below one folder. It is safe for concurrent use; Close
// releases it.
type FS struct {
	root *os.Root
	fast *fastFS // nil: every call goes through root
}

// Open opens the folder dir as the root of an FS.
func Open(dir string) (*FS, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &FS{root: root, fast: openFast(root)}, nil
}

// Open opens the named file or folder for reading, without blocking on
// a FIFO.
func (f *FS) Open(name string) (fs.File, error) {
	if f.fast != nil {
		return f.fast.open(name)
	}
	return f.openRoot(name)
}

// openRoot opens name through os.Root, non-blocking where the system has
// the flag.
func (f *FS) openRoot(name string) (*os.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	return f.root.OpenFile(name, os.O_RDONLY|openNonblock, 0)
}

// ReadDir lists the named folder, sorted by name.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	if f.fast != nil {
		return f.fast.readDir(name)
	}
	d, err := f.openRoot(name)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	list, err := d.ReadDir(-1)
	slices.SortFunc(list, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return list, err
}

// Fast reports whether f reads through openat2.
func (f *FS) Fast() bool { return f.fast != nil }

// Close releases the root; later calls fail as on a closed os.Root.
func (f *FS) Close() error {
	if f.fast != nil {
		f.fast.close()
		f.fast = nil
	}
	return f.root.Close()
}
