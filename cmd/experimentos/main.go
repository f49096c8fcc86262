// Command experimentos decides A/B tests committed under experiments/: it
// checks each experiment's health, analyzes the primary metric and the
// guardrails, decides Launch / Hold / Rollback and writes a Decision Memo.
//
// Usage:
//
//	experimentos check [--format text|markdown|html|json] [--out DIR] [--fail-on LIST] [PATH ...]
//	experimentos action
//	experimentos init ID
//	experimentos index [--format markdown|html] [PATH]
//	experimentos version
//
// --fail-on LIST (default blocked,rollback) replaces the default rather
// than adding to it: --fail-on blocked,rollback,hold adds Hold. Usage
// errors exit 2 (under "go run" they exit 1, go run's own status for any
// failure: build the binary to see 2).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
