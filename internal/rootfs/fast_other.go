//go:build !linux

package rootfs

import (
	"io/fs"
	"os"
)

// fastFS has no implementation outside Linux: openFast always declines.
type fastFS struct{}

func openFast(*os.Root) *fastFS                       { return nil }
func (*fastFS) open(string) (fs.File, error)          { panic("rootfs: no fast path") }
func (*fastFS) readDir(string) ([]fs.DirEntry, error) { panic("rootfs: no fast path") }
func (*fastFS) close()                                {}
