package main

import (
	"context"
	"fmt"
	"io"

	"github.com/experimentos/experimentos/internal/action"
)

// runAction runs the GitHub Action mode, configured by the runner's
// environment (docs/action.md); it takes no arguments.
func runAction(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "experimentos action: takes no arguments (got %q); it reads INPUT_* and GITHUB_* from the environment\n", args)
		return exitUsage
	}
	return action.Run(ctx, action.Config{
		Getenv:  getenv,
		Stdout:  stdout,
		Stderr:  stderr,
		Version: toolVersion(),
	})
}
