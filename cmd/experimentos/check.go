package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/experimentos/experimentos/internal/check"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/load"
	"github.com/experimentos/experimentos/internal/memo"
)

const checkUsage = `usage: experimentos check [--format text|markdown|html|json] [--out DIR] [--fail-on LIST] [PATH ...]

PATH (default experiments) is an experiments root or one experiment folder;
a PATH given here that holds no experiment is an error.

Exit status: 0 nothing matched --fail-on, 1 something did, 2 usage or I/O error.

`

func runCheck(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := newFlagSet("check", stderr)
	format := fs.String("format", "text", "output format: text, markdown, html or json")
	out := fs.String("out", "", "also write DIR/<id>/memo.md, memo.html, result.json and DIR/results.json")
	failOn := fs.String("fail-on", decision.DefaultFailOn, "comma list of blocked, rollback, hold that make the exit status 1, or none.\nThe list replaces the default: --fail-on hold fails on Hold only;\nto fail on Hold as well, write --fail-on blocked,rollback,hold")
	fs.Usage = func() {
		fmt.Fprint(stderr, checkUsage)
		fs.PrintDefaults()
	}
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return usageError(err)
	}
	if strings.Trim(*failOn, " ,") == "" {
		// An empty list would fail on nothing: refuse it rather than pass
		// silently (docs/rules.md#the-gate-fail-on).
		fmt.Fprintln(stderr, "experimentos check: --fail-on is empty; give a comma list of blocked, rollback, hold (default blocked,rollback; --fail-on blocked,rollback,hold adds Hold), or none to fail on nothing")
		return exitUsage
	}
	if err := oneOf("format", *format, "text", "markdown", "html", "json"); err != nil {
		fmt.Fprintln(stderr, "experimentos check:", err)
		return exitUsage
	}
	gate, err := decision.ParseFailOn(*failOn)
	if err != nil {
		fmt.Fprintln(stderr, "experimentos check:", err)
		return exitUsage
	}
	explicit := len(paths) > 0
	if !explicit {
		paths = []string{"experiments"}
	}

	var results []decision.Result
	for _, p := range paths {
		rs, err := check.Run(p, check.Options{Limits: load.DefaultLimits()})
		if err != nil {
			fmt.Fprintln(stderr, "experimentos check:", err)
			return exitUsage
		}
		if explicit && len(rs) == 0 {
			// A PATH the user named must hold what they meant to gate
			// (docs/formats.md#the-experiments-folder).
			fmt.Fprintf(stderr, "experimentos check: %s\n", noExperiment(p))
			return exitUsage
		}
		results = append(results, rs...)
	}
	meta := memo.Meta{Version: toolVersion(), Commit: commitFor(getenv, paths[0])}

	if *out != "" {
		if err := check.WriteOut(*out, results, meta); err != nil {
			fmt.Fprintln(stderr, "experimentos check:", err)
			return exitUsage
		}
	}
	if err := render(stdout, *format, results, meta, getenv); err != nil {
		fmt.Fprintln(stderr, "experimentos check:", err)
		return exitUsage
	}
	code := exitOK
	for _, r := range results {
		if gate.Fails(r) {
			code = exitFail
		}
	}
	return code
}

func render(w io.Writer, format string, results []decision.Result, meta memo.Meta, getenv func(string) string) error {
	switch format {
	case "json":
		return memo.JSON(w, results, meta)
	case "markdown":
		for i, r := range results {
			if i > 0 {
				fmt.Fprint(w, "\n---\n\n")
			}
			if err := memo.Markdown(w, r, meta); err != nil {
				return err
			}
		}
		return nil
	case "html":
		if len(results) != 1 {
			return fmt.Errorf("--format html renders one experiment; got %d (use --out DIR for one page each)", len(results))
		}
		return memo.HTML(w, results[0], meta)
	default:
		color := isTerminal(w) && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
		return memo.Text(w, results, meta, color)
	}
}

// noExperiment says that the PATH the user named holds no experiment.
func noExperiment(path string) string {
	return path + " holds no experiment: no folder below it has an experiment.yaml (nor a near-miss such as experiment.yml)"
}
