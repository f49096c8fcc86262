package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// actionBinary is the Action mode's own binary, installed beside
// experimentos (docs/action.md#the-image).
const actionBinary = "experimentos-action"

// runAction hands the process over to experimentos-action from the folder
// of the running executable, with the same arguments and environment. It
// is never looked up on PATH or in the workspace, which a pull request
// controls. Only a failed hand-over returns.
func runAction(args []string, stderr io.Writer) int {
	self, err := os.Executable()
	if err != nil && filepath.IsAbs(os.Args[0]) {
		// No /proc (a bare chroot): an absolute argv[0] names the binary.
		self, err = os.Args[0], nil
	}
	if err == nil {
		self, err = filepath.EvalSymlinks(self)
	}
	if err != nil {
		fmt.Fprintln(stderr, "experimentos action: cannot find the running executable:", err)
		return exitUsage
	}
	bin := filepath.Join(filepath.Dir(self), actionBinary)
	if fi, err := os.Stat(bin); err != nil || !fi.Mode().IsRegular() {
		fmt.Fprintf(stderr, "experimentos action: the Action mode is the %s binary, expected at %s; build both with\n"+
			"  go build -o DIR/ ./cmd/experimentos ./cmd/experimentos-action\n", actionBinary, bin)
		return exitUsage
	}
	err = syscall.Exec(bin, append([]string{bin, "action"}, args...), os.Environ())
	fmt.Fprintf(stderr, "experimentos action: cannot run %s: %v\n", bin, err)
	return exitUsage
}
