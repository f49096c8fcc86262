package main

import (
	"fmt"
	"io"
)

// runInit is not built yet.
func runInit(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "experimentos init: not implemented yet")
	return exitUsage
}
