// Package check runs the analysis path for an experiments PATH: load every
// experiment (confined to the experiments root), analyze it, decide it, and
// write the memos and JSON results to an output folder. The CLI's check
// command and the GitHub Action both stand on it.
package check

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/history"
	"github.com/experimentos/experimentos/internal/load"
	"github.com/experimentos/experimentos/internal/memo"
	"github.com/experimentos/experimentos/internal/pool"
	"github.com/experimentos/experimentos/internal/rootfs"
)

// Options configure a run.
type Options struct {
	Limits load.Limits
	// Workers bounds the goroutines that load and analyze experiments at
	// once; zero or negative means runtime.GOMAXPROCS(0).
	Workers int
	// Base, when not nil, is the experiments root at the pull request's
	// merge base: every experiment is compared with its version there
	// (docs/review.md).
	Base *Base
	// Looks, when not nil, counts how often each experiment's result was
	// looked at (docs/review.md#looks), with or without Base.
	Looks *Looks
	// KeepData keeps each experiment's rows and arm totals in its result
	// (Report.Experiment.Data), for a caller that evaluates the
	// experiments again (the action, once it has read the merge base);
	// without it they are released as soon as the report holds their
	// numbers (docs/performance.md#memory).
	KeepData bool
}

// Looks counts the looks of data files, from the commits API or git log.
type Looks struct {
	// Count returns the looks of a data file, named relative to the
	// experiments root; nil when no history is available, Unknown saying
	// why.
	Count   func(dataFile string) (int, error)
	Unknown string
}

// Base is the other side of the comparison of docs/review.md.
type Base struct {
	// FS is the experiments root at the merge base, read by the same
	// loader as the head; nil when the root did not exist there (every
	// experiment is new).
	FS fs.FS
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
//
// Experiments are loaded, analyzed and decided by Options.Workers
// goroutines; results come back in ID order whatever the number of workers
// (docs/performance.md#parallel-load).
func RunRoot(rootDir, onlyID string, opts Options) ([]decision.Result, error) {
	// load.Locate checked every component on the way to rootDir; refuse a
	// linked root here too, for any caller that did not
	// (docs/security.md#paths).
	if fi, err := os.Lstat(rootDir); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return nil, fmt.Errorf("experiments root %s is a symbolic link (%s); links are never followed", filepath.ToSlash(rootDir), experiment.CodePathEscape)
	}
	root, err := rootfs.Open(rootDir)
	if err != nil {
		return nil, fmt.Errorf("open experiments root: %w", err)
	}
	defer root.Close()
	tree, err := load.Walk(root, filepath.ToSlash(filepath.Clean(rootDir)), load.Options{Limits: opts.Limits})
	if err != nil {
		return nil, err
	}
	picked := make([]int, 0, tree.Len())
	for i := range tree.Len() {
		if onlyID == "" || tree.ID(i) == onlyID {
			picked = append(picked, i)
		}
	}
	if onlyID != "" && len(picked) == 0 {
		return nil, fmt.Errorf("%s: no experiment.yaml found", filepath.Join(rootDir, filepath.FromSlash(onlyID)))
	}
	display := filepath.ToSlash(filepath.Clean(rootDir))
	var base *load.Tree
	baseAt := map[string]int{}
	if opts.Base != nil && opts.Base.FS != nil {
		base, err = load.Walk(opts.Base.FS, display, load.Options{Limits: opts.Limits})
		if err != nil {
			return nil, fmt.Errorf("at the merge base: %w", err)
		}
		for i := range base.Len() {
			baseAt[base.ID(i)] = i
		}
	}
	results := make([]decision.Result, len(picked))
	pool.Run(len(picked), opts.workers(), func(k int) {
		e := tree.Load(picked[k])
		if !opts.KeepData {
			defer release(e)
		}
		if opts.Base == nil {
			results[k] = Evaluate(e)
			if opts.Looks != nil {
				results[k].History = record(e, nil, opts.Looks, display)
			}
			return
		}
		var b *experiment.Experiment
		if i, ok := baseAt[e.ID]; ok {
			b = base.Load(i)
		}
		results[k] = EvaluateWithBase(e, b, opts.Looks, display)
	})
	return results, nil
}

// EvaluateWithBase analyzes and decides head after adding its findings
// against base (nil: new at the merge base), and records the base's own
// decision and the looks (nil looks: none counted) (docs/review.md).
// display names the experiments root in head's file paths.
func EvaluateWithBase(head, base *experiment.Experiment, looks *Looks, display string) decision.Result {
	head.Issues = append(head.Issues, history.Findings(head, base)...)
	r := Evaluate(head)
	b := &decision.Base{New: true}
	if base != nil {
		d := Evaluate(base).Decision
		b = &decision.Base{Outcome: d.Outcome, Arm: d.Arm, Reason: d.Reason, DataSHA256: base.DataSHA256}
	}
	r.History = record(head, b, looks, display)
	return r
}

// record is head's record of its merge base b (nil: not compared) and
// of its looks.
func record(head *experiment.Experiment, b *decision.Base, looks *Looks, display string) *decision.History {
	h := &decision.History{Base: b, Looks: -1}
	if looks != nil {
		h.LooksUnknown = looks.Unknown
		if looks.Count != nil && head.DataFile != "" {
			rel := head.DataFile
			if display != "." && display != "" {
				rel = strings.TrimPrefix(rel, display+"/")
			}
			if n, err := looks.Count(rel); err != nil {
				h.LooksUnknown = err.Error()
			} else {
				h.Looks, h.LooksUnknown = n, ""
			}
		}
	}
	if h.Looks < 0 && h.LooksUnknown == "" {
		h.LooksUnknown = "no history available"
	}
	return h
}

// workers is Options.Workers, or GOMAXPROCS when it is zero or negative.
func (o Options) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// Evaluate analyzes and decides one loaded experiment.
func Evaluate(e *experiment.Experiment) decision.Result {
	r := analysis.Analyze(e)
	return decision.Result{Report: r, Decision: decision.Decide(r)}
}

// release drops an evaluated experiment's rows and arm totals, whose every
// number its report now holds (the renderers read only the control's
// position), so that a run holds the data of the experiments being
// evaluated rather than of every experiment (docs/performance.md#memory).
func release(e *experiment.Experiment) {
	if e.Data != nil {
		e.Data = &experiment.Data{Control: e.Data.Control}
	}
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
