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
	"os"
)

// main wires the process to run. The command line's commands run to the
// end in a moment, and an interrupt ends them as it ends any program, so
// no signal handler is installed: it would start a thread on every run
// (docs/performance.md#start-up). experimentos-action, which talks to the
// API, handles SIGINT and SIGTERM itself.
func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}
