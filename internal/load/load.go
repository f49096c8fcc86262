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
	l := &loader{fsys: fsys, display: display, lim: opts.Limits.withDefaults()}
	if err := l.walk(); err != nil {
		return nil, err
	}
	l.loadRepo()
	exps := make([]*experiment.Experiment, 0, len(l.expDirs)+len(l.orphans))
	for _, id := range l.expDirs {
		exps = append(exps, l.experiment(id))
	}
	for _, id := range l.misnamed {
		exps = append(exps, l.misnamedExperiment(id))
	}
	for _, p := range l.orphans {
		exps = append(exps, l.orphan(p))
	}
	slices.SortFunc(exps, func(a, b *experiment.Experiment) int { return strings.Compare(a.ID, b.ID) })
	return exps, nil
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
