package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/experimentos/experimentos/internal/buildinfo"
)

// Exit statuses (docs/cli.md#exit-status).
const (
	exitOK    = 0 // nothing matched --fail-on
	exitFail  = 1 // something did
	exitUsage = 2 // usage or I/O error
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

// toolVersion returns the linker-set version, else the module version, else
// "dev".
func toolVersion() string { return buildinfo.Version(version) }

const usage = `experimentos decides A/B tests committed under experiments/.

Usage:
  experimentos check [--format text|markdown|html|json] [--out DIR] [--fail-on LIST] [PATH ...]
  experimentos action          GitHub Action mode (runs experimentos-action beside it)
  experimentos init ID         scaffold experiments/ID (never overwrites)
  experimentos index [--format markdown|html] [PATH]
  experimentos version

--fail-on LIST is a comma list of blocked, rollback, hold (default
blocked,rollback). The list replaces the default: --fail-on hold fails on
Hold only; write --fail-on blocked,rollback,hold to add Hold.

Exit status: 0 nothing matched --fail-on, 1 something did, 2 usage or I/O error.
Run "experimentos check -h" for the check command's flags.
`

// run is the whole program; main only wires the process to it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "check":
		return runCheck(rest, getenv, stdout, stderr)
	case "action":
		return runAction(rest, stderr)
	case "init":
		return runInit(rest, getenv, stdout, stderr)
	case "index":
		return runIndex(rest, getenv, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "experimentos %s\n", toolVersion())
		return exitOK
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "experimentos: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
}

// parseInterleaved parses flags that may come before or after positional
// arguments ("check experiments --format json").
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// usageError maps flag parsing errors to exit statuses.
func usageError(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// oneOf validates an enumerated flag value.
func oneOf(flagName, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fmt.Errorf("--%s: %q is not one of %s", flagName, v, strings.Join(allowed, ", "))
}
