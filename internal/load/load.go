// Package load reads the experiments root (an fs.FS) into
// experiment.Experiments, validating experiment.yaml, the repo-wide
// experimentos.yaml and each results.csv (SPEC §1–4).
//
// Every file is treated as hostile: bad input never panics or hangs, it
// becomes an experiment.Issue with the file, line and column where it was
// found. Symbolic links and non-regular files are never followed or opened,
// and every file, row, field, YAML node and nesting level is bounded by
// Limits.
package load

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/experimentos/experimentos/internal/experiment"
)

// Limits bound what loading reads, so that a hostile pull request cannot
// exhaust memory or time. A zero field takes its default.
type Limits struct {
	MaxFileBytes   int64 // each CSV/YAML file; default 1 MiB
	MaxRows        int   // CSV records including the header; default 1000
	MaxColumns     int   // CSV columns; default 256
	MaxFieldBytes  int   // one CSV field; default 1024
	MaxTextBytes   int   // one YAML scalar (name, hypothesis...); default 4096
	MaxYAMLDepth   int   // YAML nesting; default 32
	MaxYAMLNodes   int   // YAML nodes visited including alias expansion; default 10000
	MaxExperiments int   // experiments below the root; default 10000
	MaxGuardrails  int   // guardrails per experiment; default 50
}

// DefaultLimits returns the default limits.
func DefaultLimits() Limits {
	return Limits{
		MaxFileBytes:   1 << 20,
		MaxRows:        1000,
		MaxColumns:     256,
		MaxFieldBytes:  1024,
		MaxTextBytes:   4096,
		MaxYAMLDepth:   32,
		MaxYAMLNodes:   10000,
		MaxExperiments: 10000,
		MaxGuardrails:  50,
	}
}

// withDefaults replaces zero or negative fields by their defaults.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	orDefault(&l.MaxFileBytes, d.MaxFileBytes)
	orDefault(&l.MaxRows, d.MaxRows)
	orDefault(&l.MaxColumns, d.MaxColumns)
	orDefault(&l.MaxFieldBytes, d.MaxFieldBytes)
	orDefault(&l.MaxTextBytes, d.MaxTextBytes)
	orDefault(&l.MaxYAMLDepth, d.MaxYAMLDepth)
	orDefault(&l.MaxYAMLNodes, d.MaxYAMLNodes)
	orDefault(&l.MaxExperiments, d.MaxExperiments)
	orDefault(&l.MaxGuardrails, d.MaxGuardrails)
	return l
}

func orDefault[T int | int64](v *T, d T) {
	if *v <= 0 {
		*v = d
	}
}

// Options configure Root.
type Options struct {
	Limits Limits // zero fields take DefaultLimits
}

// File names with a meaning below the experiments root.
const (
	configName = "experiment.yaml"   // marks an experiment folder
	repoName   = "experimentos.yaml" // repo-wide defaults, at the root only
	dataName   = "results.csv"       // default data file
)

// Root loads every experiment below the experiments root.
//
// fsys is confined to the root: in production os.OpenRoot(dir) then
// root.FS(), so that the OS refuses paths that escape it; in tests an
// fstest.MapFS. display names the root in issue paths ("experiments"), so
// that a file reads display+"/"+id+"/experiment.yaml".
//
// Experiments come back sorted by ID. The error is only for the root itself
// being unusable or more than Limits.MaxExperiments experiments; every
// problem of one experiment is an Issue on it.
func Root(fsys fs.FS, display string, opts Options) ([]*experiment.Experiment, error) {
	t, err := Walk(fsys, display, opts)
	if err != nil {
		return nil, err
	}
	exps := make([]*experiment.Experiment, t.Len())
	for i := range exps {
		exps[i] = t.Load(i)
	}
	return exps, nil
}

// Tree is an experiments root after its walk: which experiments it holds,
// sorted by ID, each read only when Load asks for it. Root is Walk and then
// Load of every experiment in order; a caller may instead Load them from
// several goroutines at once (docs/performance.md#parallel-load).
type Tree struct {
	l       *loader
	entries []treeEntry
}

type treeEntry struct {
	id     string
	orphan bool // a stray path inside no experiment, reported on its own
}

// Walk lists the tree below the root and reads experimentos.yaml; it reads
// no experiment yet. fsys, display and opts are as for Root, and so is the
// error.
func Walk(fsys fs.FS, display string, opts Options) (*Tree, error) {
	l := &loader{fsys: fsys, display: display, lim: opts.Limits.withDefaults()}
	if err := l.walk(); err != nil {
		return nil, err
	}
	l.loadRepo()
	t := &Tree{l: l, entries: make([]treeEntry, 0, len(l.expDirs)+len(l.orphans))}
	for _, id := range l.expDirs {
		t.entries = append(t.entries, treeEntry{id: id})
	}
	for _, p := range l.orphans {
		t.entries = append(t.entries, treeEntry{id: p, orphan: true})
	}
	slices.SortStableFunc(t.entries, func(a, b treeEntry) int { return strings.Compare(a.id, b.id) })
	return t, nil
}

// Len is the number of experiments in the tree.
func (t *Tree) Len() int { return len(t.entries) }

// ID is the id of experiment i, 0 <= i < Len(), in ID order.
func (t *Tree) ID(i int) string { return t.entries[i].id }

// Load reads and checks experiment i, 0 <= i < Len(). Each call reads the
// experiment's files afresh. It is safe to call from several goroutines at
// once: after Walk the tree's state is only read.
func (t *Tree) Load(i int) *experiment.Experiment {
	if e := t.entries[i]; e.orphan {
		return t.l.orphan(e.id)
	}
	return t.l.experiment(t.entries[i].id)
}

// display joins the display root and a path below the root.
func (l *loader) displayPath(p string) string {
	if p == "." || p == "" {
		return l.display
	}
	if l.display == "" {
		return p
	}
	return path.Join(l.display, p)
}

// Locate turns a command-line PATH into the experiments root directory and,
// when PATH is one experiment folder (it holds experiment.yaml, or is that
// file), the experiment's id. For one experiment the root is the nearest
// ancestor that holds experimentos.yaml or is named "experiments", else the
// folder's parent. A relative PATH gives a relative rootDir.
func Locate(p string) (rootDir, onlyID string, err error) {
	p = filepath.Clean(p)
	fi, err := os.Stat(p)
	if err != nil {
		return "", "", fmt.Errorf("load: %w", err)
	}
	if !fi.IsDir() {
		if filepath.Base(p) != configName {
			return "", "", fmt.Errorf("load: %s is not a directory", p)
		}
		p = filepath.Dir(p)
	} else if _, err := os.Stat(filepath.Join(p, configName)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return p, "", nil // an experiments root
		}
		return "", "", fmt.Errorf("load: %w", err)
	}

	abs, err := filepath.Abs(p)
	if err != nil {
		return "", "", fmt.Errorf("load: %w", err)
	}
	root := filepath.Dir(abs)
	for dir := filepath.Dir(abs); ; dir = filepath.Dir(dir) {
		if filepath.Base(dir) == "experiments" || exists(filepath.Join(dir, repoName)) {
			root = dir
			break
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil {
		return "", "", fmt.Errorf("load: %w", err)
	}
	onlyID = filepath.ToSlash(rel)
	if filepath.IsAbs(p) {
		return root, onlyID, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return root, onlyID, nil
	}
	if r, err := filepath.Rel(wd, root); err == nil {
		root = r
	}
	return root, onlyID, nil
}

func exists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}
