package load

import (
	"path"
	"strings"

	"github.com/experimentos/experimentos/internal/experiment"
)

// A folder holding a near-miss of experiment.yaml (experiment.yml,
// Experiment.yaml, experiments.yaml, experimnet.yaml) is not skipped: it is
// reported as an experiment whose health is Blocked, misnamed_file, so
// that an experiment the user meant to gate cannot pass silently
// (docs/formats.md#the-experiments-folder).

// nearConfig reports whether a file name is a near-miss of
// experiment.yaml: a .yaml or .yml name (any case) whose stem is within one
// edit of "experiment", other than experiment.yaml itself. experimentos.yaml
// (two edits) is the repo-wide file, not a near-miss.
func nearConfig(name string) bool {
	if name == configName || len(name) > 32 {
		return false
	}
	lower := strings.ToLower(name)
	stem, ok := strings.CutSuffix(lower, ".yaml")
	if !ok {
		if stem, ok = strings.CutSuffix(lower, ".yml"); !ok {
			return false
		}
	}
	return editDistance(stem, "experiment") <= 1
}

// addMisnamed records, after the walk, each folder that holds a near-miss
// and no experiment.yaml as a misnamed experiment, so that the strays
// inside it are attributed to it.
func (l *loader) addMisnamed() {
	l.misnamedFile = make(map[string]string)
	for _, p := range l.nearMiss {
		dir := path.Dir(p)
		if l.isExp[dir] {
			continue // experiment.yaml is there too: that one is read
		}
		if _, seen := l.misnamedFile[dir]; seen {
			continue
		}
		l.misnamedFile[dir] = p
		l.misnamed = append(l.misnamed, dir)
	}
	for _, dir := range l.misnamed {
		if dir != "." { // strays at the root stay orphans of their own
			l.isExp[dir] = true
		}
	}
}

// misnamedExperiment is the Blocked experiment of a folder holding a
// near-miss of experiment.yaml. Nothing in the folder is read.
func (l *loader) misnamedExperiment(dir string) *experiment.Experiment {
	p := l.misnamedFile[dir]
	id := dir
	msg := quote(path.Base(p)) + " is not read: an experiment's settings file must be named exactly " + configName + "; rename it to " + configName
	if dir == "." {
		// At the root itself: no folder to name the experiment after.
		id = p
		msg += " (the repo-wide defaults file at the experiments root is " + repoName + ")"
	}
	e := l.base(id)
	e.ConfigFile = l.displayPath(p)
	e.DataFile = ""
	is := append([]experiment.Issue{{
		Severity: experiment.SeverityBlocked, Code: experiment.CodeMisnamedFile, File: e.ConfigFile, Message: msg,
	}}, l.ownIssues[dir]...)
	e.Issues = dedupe(is)
	return e
}
