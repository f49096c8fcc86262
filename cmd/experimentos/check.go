package main

import (
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/experimentos/experimentos/internal/check"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/history"
	"github.com/experimentos/experimentos/internal/load"
	"github.com/experimentos/experimentos/internal/memo"
)

const checkUsage = `usage: experimentos check [--format text|markdown|html|json] [--out DIR] [--fail-on LIST] [--base REF] [PATH ...]

PATH (default experiments) is an experiments root or one experiment folder;
a PATH given here that holds no experiment is an error.

--base REF compares every experiment with its version at the merge base of
REF and HEAD in the git repository enclosing PATH: the decision there,
rewritten data, a plan changed after data existed, and the looks.

Exit status: 0 nothing matched --fail-on, 1 something did, 2 usage or I/O error.

`

func runCheck(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := newFlagSet("check", stderr)
	format := fs.String("format", "text", "output format: text, markdown, html or json")
	out := fs.String("out", "", "also write DIR/<id>/memo.md, memo.html, result.json and DIR/results.json")
	failOn := fs.String("fail-on", decision.DefaultFailOn, "comma list of blocked, rollback, hold that make the exit status 1, or none.\nThe list replaces the default: --fail-on hold fails on Hold only;\nto fail on Hold as well, write --fail-on blocked,rollback,hold")
	baseRef := fs.String("base", "", "compare with the experiments at the merge base of REF and HEAD (git)")
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
		rs, err := checkPath(p, *baseRef, getenv)
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

// checkPath runs check on one PATH, with the base side of --base REF when
// ref is not empty (docs/cli.md#base), and the looks whenever PATH is in a
// git repository (docs/review.md#looks).
func checkPath(p, ref string, getenv func(string) string) ([]decision.Result, error) {
	opts := check.Options{Limits: load.DefaultLimits()}
	rootDir, onlyID, err := load.Locate(p)
	if err != nil {
		return nil, err
	}
	// Outside a repository no git is started to learn it; without --base,
	// a repository git cannot read just leaves the looks unknown.
	if ref != "" || history.InRepository(rootDir) {
		g, prefix, err := openGit(rootDir, getenv)
		switch {
		case err != nil && ref != "":
			return nil, fmt.Errorf("--base %s: %w", ref, err)
		case err == nil:
			defer g.Close()
			if ref != "" {
				if opts.Base, err = gitBase(g, prefix, ref, opts.Limits); err != nil {
					return nil, err
				}
			}
			if opts.Looks, err = gitLooks(g, prefix); err != nil && ref != "" {
				return nil, fmt.Errorf("--base %s: %w", ref, err)
			}
		}
	}
	rs, err := check.RunRoot(rootDir, onlyID, opts)
	if err != nil {
		return nil, err
	}
	if b := opts.Base; b != nil {
		if f, ok := b.FS.(*history.FS); ok && f.Err() != nil {
			return nil, fmt.Errorf("--base %s: %w", ref, f.Err())
		}
	}
	return rs, nil
}

// openGit opens the repository enclosing rootDir and names rootDir
// relative to its top.
func openGit(rootDir string, getenv func(string) string) (*history.Git, string, error) {
	g, err := history.OpenGit(rootDir, getenv)
	if err != nil {
		return nil, "", err
	}
	prefix, err := g.Rel(rootDir)
	if err != nil {
		g.Close()
		return nil, "", err
	}
	return g, prefix, nil
}

// gitBase is the experiments root (prefix, relative to the repository's
// top) at the merge base of ref and HEAD.
func gitBase(g *history.Git, prefix, ref string, lim load.Limits) (*check.Base, error) {
	mb, err := g.MergeBase(ref)
	if err != nil {
		return nil, err
	}
	src, err := g.Tree(mb, prefix)
	if err != nil {
		return nil, fmt.Errorf("--base %s: %w", ref, err)
	}
	b := &check.Base{}
	if src != nil {
		b.FS = history.NewFS(src, nil, lim.MaxFileBytes)
	}
	return b, nil
}

// gitLooks counts the looks of every data file under prefix from git log,
// at once (docs/review.md#looks).
func gitLooks(g *history.Git, prefix string) (*check.Looks, error) {
	if g.Shallow() {
		return &check.Looks{Unknown: "a shallow clone: its history is cut, so the looks cannot be counted (fetch with fetch-depth: 0)"}, nil
	}
	count, err := g.LooksUnder(prefix)
	if err != nil {
		return nil, err
	}
	return &check.Looks{Count: func(dataFile string) (int, error) { return count(path.Join(prefix, dataFile)), nil }}, nil
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
