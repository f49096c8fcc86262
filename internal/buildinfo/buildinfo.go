// Package buildinfo names the running build: the version stamped by the
// linker, else the module's, else "dev" (docs/cli.md#version). Both
// commands, experimentos and experimentos-action, report it the same way.
package buildinfo

import "runtime/debug"

// Version returns stamped (set with -ldflags "-X main.version=v1.2.3")
// when it is set, else the module version go install recorded, else "dev".
func Version(stamped string) string {
	if stamped != "" {
		return stamped
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
