//go:build unix

package rootfs

import "syscall"

// openNonblock makes opening a FIFO return at once rather than wait for a
// writer; it changes nothing for regular files and folders.
const openNonblock = syscall.O_NONBLOCK
