//go:build !unix

package rootfs

// openNonblock: no FIFOs to guard against here.
const openNonblock = 0
