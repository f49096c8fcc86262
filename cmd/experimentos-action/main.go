// Command experimentos-action is ExperimentOS's GitHub Action mode: it
// reads the runner's environment (INPUT_*, GITHUB_*), analyzes the pull
// request's experiments, keeps the sticky comment, and writes the job
// summary, annotations and outputs (docs/action.md).
//
// It is its own binary so that the command line's start-up does not pay
// for the GitHub client (net/http, TLS, go-github: about 1 ms of every run,
// docs/performance.md#start-up). `experimentos action`, as action.yml
// runs it, hands over to this binary installed beside experimentos; the
// image holds both.
//
// Usage:
//
//	experimentos-action [action]
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/experimentos/experimentos/internal/action"
	"github.com/experimentos/experimentos/internal/buildinfo"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run takes no arguments but the "action" that experimentos and
// action.yml's args: pass along.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "action" {
		args = args[1:]
	}
	if len(args) > 0 {
		fmt.Fprintf(stderr, "experimentos action: takes no arguments (got %q); it reads INPUT_* and GITHUB_* from the environment\n", args)
		return 2
	}
	return action.Run(ctx, action.Config{
		Getenv:  getenv,
		Stdout:  stdout,
		Stderr:  stderr,
		Version: buildinfo.Version(version),
	})
}
