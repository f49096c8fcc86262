package main

import (
	"fmt"
	"io"
)

// runIndex is not built yet.
func runIndex(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "experimentos index: not implemented yet")
	return exitUsage
}
