package main

import (
	"context"
	"fmt"
	"io"
)

// runAction is not built yet.
func runAction(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "experimentos action: not implemented yet")
	return exitUsage
}
