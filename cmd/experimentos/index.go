package main

import (
	"bufio"
	"fmt"
	"io"

	"github.com/experimentos/experimentos/internal/check"
	"github.com/experimentos/experimentos/internal/load"
	"github.com/experimentos/experimentos/internal/memo"
	"github.com/experimentos/experimentos/internal/portfolio"
)

// runIndex writes the portfolio page of every experiment under PATH to
// stdout. It is a report, not a gate: the exit status is 0 whatever the
// decisions, 2 on a usage or I/O error or an explicit PATH that holds no
// experiment.
func runIndex(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := newFlagSet("index", stderr)
	format := fs.String("format", "markdown", "output format: markdown or html")
	memoBase := fs.String("memo-base", "", "prefix of each memo link, <prefix><id>/memo.md or memo.html (default: relative, as check --out DIR lays them out beside DIR/index.*)")
	title := fs.String("title", "Experiments", "page title")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: experimentos index [--format markdown|html] [--memo-base PREFIX] [--title TEXT] [PATH]")
		fs.PrintDefaults()
	}
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return usageError(err)
	}
	if err := oneOf("format", *format, "markdown", "html"); err != nil {
		fmt.Fprintln(stderr, "experimentos index:", err)
		return exitUsage
	}
	if len(paths) > 1 {
		fmt.Fprintln(stderr, "experimentos index: give at most one PATH (an experiments root)")
		return exitUsage
	}
	path := "experiments"
	if len(paths) == 1 {
		path = paths[0]
	}
	results, err := check.Run(path, check.Options{Limits: load.DefaultLimits()})
	if err != nil {
		fmt.Fprintln(stderr, "experimentos index:", err)
		return exitUsage
	}
	if len(paths) == 1 && len(results) == 0 {
		// As for check: a PATH the user named must hold experiments.
		fmt.Fprintf(stderr, "experimentos index: %s\n", noExperiment(path))
		return exitUsage
	}
	opts := portfolio.Options{
		Meta:     memo.Meta{Version: toolVersion(), Commit: commitFor(getenv, path)},
		MemoBase: *memoBase,
		Title:    *title,
	}
	w := bufio.NewWriter(stdout)
	render := portfolio.Markdown
	if *format == "html" {
		render = portfolio.HTML
	}
	if err := render(w, results, opts); err != nil {
		fmt.Fprintln(stderr, "experimentos index:", err)
		return exitUsage
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(stderr, "experimentos index:", err)
		return exitUsage
	}
	return exitOK
}
