package action

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/prcomment"
)

// event is the part of GITHUB_EVENT_PATH's payload the action uses.
type event struct {
	pr      int    // pull request number; 0 on other events
	headSHA string // the pull request's head commit (not the merge commit)
	baseSHA string // the base branch's commit the pull request targets
}

// readEvent reads the webhook payload. Pull request events must name their
// number; other events are only checked to be JSON.
func readEvent(file, name string) (event, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return event{}, fmt.Errorf("read GITHUB_EVENT_PATH: %w", err)
	}
	var p struct {
		Number      int `json:"number"`
		PullRequest *struct {
			Number int `json:"number"`
			Head   struct {
				SHA string `json:"sha"`
			} `json:"head"`
			Base struct {
				SHA string `json:"sha"`
			} `json:"base"`
		} `json:"pull_request"`
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return event{}, fmt.Errorf("GITHUB_EVENT_PATH=%s is not a JSON webhook payload: %w", file, err)
	}
	if !isPullRequest(name) {
		return event{}, nil
	}
	ev := event{pr: p.Number}
	if p.PullRequest != nil {
		if ev.pr == 0 {
			ev.pr = p.PullRequest.Number
		}
		if isSHA(p.PullRequest.Head.SHA) {
			ev.headSHA = p.PullRequest.Head.SHA
		}
		if isSHA(p.PullRequest.Base.SHA) {
			ev.baseSHA = p.PullRequest.Base.SHA
		}
	}
	if ev.pr <= 0 {
		return event{}, fmt.Errorf("GITHUB_EVENT_PATH=%s: a %s event without a pull request number", file, name)
	}
	return ev, nil
}

func isSHA(s string) bool {
	if len(s) < 7 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// selection is what a pull request's changed files select.
type selection struct {
	all     bool     // every experiment (experimentos.yaml changed, or the list may be cut)
	why     string   // why all, for the summary
	ids     []string // experiments selected, when not all
	removed []string // experiment ids whose experiment.yaml the pull request removes
}

// selectChanged picks the results whose experiment a changed file touches:
// a file in its folder, its data file wherever it lies, or its config. root
// is the experiments root relative to the workspace ("/"-separated), whose
// experimentos.yaml changes every experiment. complete is false when the
// list may have been cut at prcomment.MaxFiles.
func selectChanged(results []decision.Result, root string, files []prcomment.File, complete bool) selection {
	if !complete {
		return selection{all: true, why: fmt.Sprintf("the pull request changes more files than GitHub lists (%d)", prcomment.MaxFiles)}
	}
	repoConfig := path.Join(root, "experimentos.yaml")
	changed := map[string]bool{}
	for _, f := range files {
		for _, p := range []string{f.Path, f.PreviousPath} {
			if p != "" {
				changed[path.Clean(p)] = true
			}
		}
	}
	if changed[repoConfig] {
		return selection{all: true, why: repoConfig + " changed"}
	}
	var sel selection
	present := map[string]bool{}
	for _, r := range results {
		e := r.Report.Experiment
		present[e.Path] = true
		if touches(changed, e.Path, e.DataFile, e.ConfigFile) {
			sel.ids = append(sel.ids, e.ID)
		}
	}
	for _, f := range files {
		gone := f.Status == "removed" && f.Path != ""
		old := f.Path
		if f.Status == "renamed" && f.PreviousPath != "" {
			gone, old = true, f.PreviousPath
		}
		if !gone || path.Base(old) != "experiment.yaml" {
			continue
		}
		dir := path.Dir(path.Clean(old))
		id, ok := strings.CutPrefix(dir, root+"/")
		if root == "." {
			id, ok = dir, dir != "."
		}
		if ok && !present[dir] && !slices.Contains(sel.removed, id) {
			sel.removed = append(sel.removed, id)
		}
	}
	slices.Sort(sel.removed)
	return sel
}

// touches reports whether a changed path lies in dir or is one of files.
func touches(changed map[string]bool, dir string, files ...string) bool {
	for _, f := range files {
		if f != "" && changed[path.Clean(f)] {
			return true
		}
	}
	prefix := path.Clean(dir) + "/"
	for p := range changed {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// only keeps the results whose id is in ids.
func only(results []decision.Result, ids []string) []decision.Result {
	var out []decision.Result
	for _, r := range results {
		if slices.Contains(ids, r.Report.Experiment.ID) {
			out = append(out, r)
		}
	}
	return out
}
