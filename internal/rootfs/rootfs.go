// Package rootfs is a read-only fs.FS confined to one folder, the
// experiments root, for the loader: like os.Root's FS it never resolves a
// path outside the folder, and in addition it never follows a symbolic
// link at all (docs/security.md#paths). On Linux it opens every path with
// one openat2 call (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) and reads
// through the bare descriptor, where os.Root opens each path component in
// turn and registers each file with the poller: 5 system calls per file
// instead of 14, and a folder's listing without an lstat per entry
// (docs/performance.md#file-system). Elsewhere, or where openat2 is not
// allowed (kernels before 5.6, some seccomp profiles), it is os.Root's FS.
package rootfs

import (
	"io/fs"
	"os"
)

// FS reads files below one folder. It is safe for concurrent use; Close
// releases it.
type FS struct {
	root *os.Root
	fs.FS
	fast *fastFS // nil: every call goes to os.Root's FS
}

// Open opens the folder dir as the root of an FS.
func Open(dir string) (*FS, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	f := &FS{root: root, FS: root.FS()}
	f.fast = openFast(root)
	return f, nil
}

// Open opens the named file or folder for reading.
func (f *FS) Open(name string) (fs.File, error) {
	if f.fast != nil {
		return f.fast.open(name)
	}
	return f.FS.Open(name)
}

// ReadDir lists the named folder, sorted by name.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	if f.fast != nil {
		return f.fast.readDir(name)
	}
	return fs.ReadDir(f.FS, name)
}

// Fast reports whether f reads through openat2.
func (f *FS) Fast() bool { return f.fast != nil }

// Close releases the root.
func (f *FS) Close() error {
	if f.fast != nil {
		f.fast.close()
	}
	return f.root.Close()
}
