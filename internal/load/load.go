// Package load reads the experiments root (an fs.FS) into
// experiment.Experiments, validating experiment.yaml, the repo-wide
// experimentos.yaml and each results.csv (docs/formats.md).
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
	id       string
	orphan   bool   // a stray path inside no experiment, reported on its own
	misnamed bool   // a folder holding only a near-miss of experiment.yaml
	dir      string // the misnamed experiment's folder
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
	t := &Tree{l: l, entries: make([]treeEntry, 0, len(l.expDirs)+len(l.misnamed)+len(l.orphans))}
	for _, id := range l.expDirs {
		t.entries = append(t.entries, treeEntry{id: id})
	}
	for _, dir := range l.misnamed {
		id := dir
		if dir == "." { // at the root: named after its file, as misnamedExperiment does
			id = l.misnamedFile[dir]
		}
		t.entries = append(t.entries, treeEntry{id: id, dir: dir, misnamed: true})
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
	switch e := t.entries[i]; {
	case e.orphan:
		return t.l.orphan(e.id)
	case e.misnamed:
		return t.l.misnamedExperiment(e.dir)
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
// file), the experiment's id. It is LocateFrom with the working directory.
func Locate(p string) (rootDir, onlyID string, err error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", "", fmt.Errorf("load: %w", err)
	}
	return LocateFrom(wd, p)
}

// LocateFrom is Locate relative to the working directory wd (absolute).
//
// For one experiment the root is the nearest ancestor that holds
// experimentos.yaml or is named "experiments", else the folder's parent;
// when PATH lies inside wd that search stops at wd: the root is never looked
// for above the working directory (the workspace, in the action). A
// relative PATH gives a relative rootDir.
//
// The root and every folder on the way to PATH are checked like any other
// path (docs/security.md#paths): a symbolic link among them (the root
// itself included) is an error naming the link, and nothing is read through
// it. When PATH lies inside wd every component below wd is checked; outside
// wd (an absolute PATH or one starting with ..) the root and everything
// below it are.
func LocateFrom(wd, p string) (rootDir, onlyID string, err error) {
	p = filepath.Clean(p)
	abs := p
	if !filepath.IsAbs(p) {
		abs = filepath.Join(wd, p)
	}
	inside := false
	if rel, err := filepath.Rel(wd, abs); err == nil && (rel == "." || filepath.IsLocal(rel)) {
		inside = true
		// Check wd's descendants down to PATH before anything is stat'ed
		// through them.
		if err := noLinks(wd, wd, rel, !filepath.IsAbs(p)); err != nil {
			return "", "", err
		}
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", "", fmt.Errorf("load: %w", pathErr(err, p))
	}
	if !fi.IsDir() {
		if b := filepath.Base(abs); b != configName && !nearConfig(b) {
			return "", "", fmt.Errorf("load: %s is not a directory", p)
		}
		abs = filepath.Dir(abs)
	} else if _, err := os.Lstat(filepath.Join(abs, configName)); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return "", "", fmt.Errorf("load: %w", pathErr(err, filepath.Join(p, configName)))
		}
		// An experiments root.
		if !inside {
			if err := noLinks(wd, filepath.Dir(abs), filepath.Base(abs), !filepath.IsAbs(p)); err != nil {
				return "", "", err
			}
		}
		return p, "", nil
	}
	return locateExperiment(wd, p, abs, inside)
}

// locateExperiment finds the root of the experiment folder abs (PATH p).
func locateExperiment(wd, p, abs string, inside bool) (rootDir, onlyID string, err error) {
	if inside && abs == wd {
		return "", "", fmt.Errorf("load: %s is an experiment folder and the working directory; the experiments root is never looked for above the working directory: run from the repository, as in experimentos check experiments/<id>", p)
	}
	root := filepath.Dir(abs)
	for dir := filepath.Dir(abs); ; dir = filepath.Dir(dir) {
		if filepath.Base(dir) == "experiments" || exists(filepath.Join(dir, repoName)) {
			root = dir
			break
		}
		if inside && dir == wd || filepath.Dir(dir) == dir {
			break
		}
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil {
		return "", "", fmt.Errorf("load: %w", err)
	}
	if !inside {
		// The root itself and the folders from it down to the experiment.
		if err := noLinks(wd, filepath.Dir(root), filepath.Join(filepath.Base(root), rel), !filepath.IsAbs(p)); err != nil {
			return "", "", err
		}
	}
	onlyID = filepath.ToSlash(rel)
	if filepath.IsAbs(p) {
		return root, onlyID, nil
	}
	if r, err := filepath.Rel(wd, root); err == nil {
		root = r
	}
	return root, onlyID, nil
}

// noLinks checks every component of rel below base with Lstat, without
// following any link: a symbolic link is an error that names the link
// (relative to wd when the user's PATH was relative) and never its target.
// A component that does not exist ends the check: the caller's Stat then
// reports it.
func noLinks(wd, base, rel string, relative bool) error {
	if rel == "." {
		return nil
	}
	dir := base
	elems := strings.Split(rel, string(filepath.Separator))
	for i, e := range elems {
		dir = filepath.Join(dir, e)
		fi, err := os.Lstat(dir)
		if err != nil {
			return nil
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			name := dir
			if r, err := filepath.Rel(wd, dir); err == nil && relative {
				name = r
			}
			return fmt.Errorf("load: %s is a symbolic link (%s): the experiments root and every folder on the way to it must be real folders; links are never followed", filepath.ToSlash(name), experiment.CodePathEscape)
		}
		if i < len(elems)-1 && !fi.IsDir() {
			return nil
		}
	}
	return nil
}

// pathErr names the path of a *fs.PathError as the user wrote it.
func pathErr(err error, p string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fs.PathError{Op: pe.Op, Path: p, Err: pe.Err}
	}
	return err
}

func exists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}
