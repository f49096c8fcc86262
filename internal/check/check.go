// Package check runs the analysis path for an experiments PATH: load every
// experiment (confined to the experiments root), analyze it, decide it, and
// write the memos and JSON results to an output folder. The CLI's check
// command and the GitHub Action both stand on it.
package check

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/load"
	"github.com/experimentos/experimentos/internal/memo"
)

// Options configure a run.
type Options struct {
	Limits load.Limits
}

// Run loads, analyzes and decides every experiment under path, an
// experiments root or one experiment folder. Issue paths name files as
// the root is named by path (relative to the working folder when path is).
// The error is for a path that cannot be used at all (missing, not a
// folder, too many experiments); every problem inside an experiment is a
// Blocked result instead.
func Run(pathArg string, opts Options) ([]decision.Result, error) {
	rootDir, onlyID, err := load.Locate(pathArg)
	if err != nil {
		return nil, err
	}
	return RunRoot(rootDir, onlyID, opts)
}

// RunRoot is Run for a PATH already located with load.Locate: every
// experiment under rootDir, or only onlyID when it is not empty.
func RunRoot(rootDir, onlyID string, opts Options) ([]decision.Result, error) {
	// load.Locate checked every component on the way to rootDir; refuse a
	// linked root here too, for any caller that did not
	// (docs/security.md#paths).
	if fi, err := os.Lstat(rootDir); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return nil, fmt.Errorf("experiments root %s is a symbolic link (%s); links are never followed", filepath.ToSlash(rootDir), experiment.CodePathEscape)
	}
	root, err := os.OpenRoot(rootDir)
	if err != nil {
		return nil, fmt.Errorf("open experiments root: %w", err)
	}
	defer root.Close()
	exps, err := load.Root(root.FS(), filepath.ToSlash(filepath.Clean(rootDir)), load.Options{Limits: opts.Limits})
	if err != nil {
		return nil, err
	}
	results := make([]decision.Result, 0, len(exps))
	for _, e := range exps {
		if onlyID != "" && e.ID != onlyID {
			continue
		}
		results = append(results, Evaluate(e))
	}
	if onlyID != "" && len(results) == 0 {
		return nil, fmt.Errorf("%s: no experiment.yaml found", filepath.Join(rootDir, filepath.FromSlash(onlyID)))
	}
	return results, nil
}

// Evaluate analyzes and decides one loaded experiment.
func Evaluate(e *experiment.Experiment) decision.Result {
	r := analysis.Analyze(e)
	return decision.Result{Report: r, Decision: decision.Decide(r)}
}

// WriteOut writes DIR/<id>/memo.md, memo.html, result.json for every result
// and DIR/results.json for all of them. Files are written through an
// os.Root on DIR, so no id can place a file outside it.
func WriteOut(dir string, results []decision.Result, m memo.Meta) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create output folder: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("open output folder: %w", err)
	}
	defer root.Close()
	for _, r := range results {
		id := r.Report.Experiment.ID
		if !safeID(id) {
			return fmt.Errorf("write output: refusing experiment id %q", id)
		}
		if err := root.MkdirAll(id, 0o755); err != nil {
			return fmt.Errorf("write output for %s: %w", id, err)
		}
		files := []struct {
			name   string
			render func(*bytes.Buffer) error
		}{
			{"memo.md", func(b *bytes.Buffer) error { return memo.Markdown(b, r, m) }},
			{"memo.html", func(b *bytes.Buffer) error { return memo.HTML(b, r, m) }},
			{"result.json", func(b *bytes.Buffer) error { return memo.JSON(b, []decision.Result{r}, m) }},
		}
		for _, f := range files {
			var b bytes.Buffer
			if err := f.render(&b); err != nil {
				return fmt.Errorf("render %s for %s: %w", f.name, id, err)
			}
			if err := root.WriteFile(path.Join(id, f.name), b.Bytes(), 0o644); err != nil {
				return fmt.Errorf("write output for %s: %w", id, err)
			}
		}
	}
	var b bytes.Buffer
	if err := memo.JSON(&b, results, m); err != nil {
		return fmt.Errorf("render results.json: %w", err)
	}
	if err := root.WriteFile("results.json", b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write results.json: %w", err)
	}
	return nil
}

// safeID accepts the ids load can produce from real folders: "/"-separated,
// no empty, "." or ".." segment.
func safeID(id string) bool {
	if id == "" || !filepath.IsLocal(filepath.FromSlash(id)) {
		return false
	}
	for _, seg := range strings.Split(id, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}
