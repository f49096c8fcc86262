package action

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/experimentos/experimentos/internal/check"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/history"
	"github.com/experimentos/experimentos/internal/load"
	"github.com/experimentos/experimentos/internal/memo"
	"github.com/experimentos/experimentos/internal/prcomment"
)

// BaseReader is what the comparison with the merge base needs from the
// GitHub API (docs/review.md#in-the-action). A Publisher that is not also
// a BaseReader makes no comparison.
type BaseReader interface {
	MergeBase(ctx context.Context, base, head string) (string, error)
	ListDir(ctx context.Context, dir, ref string) ([]prcomment.Entry, error)
	ReadFile(ctx context.Context, name, ref string, max int64) ([]byte, error)
	FileCommits(ctx context.Context, name, ref string) ([]prcomment.Commit, error)
}

var _ BaseReader = (*prcomment.Client)(nil)

// MaxBaseExperiments bounds the experiments compared with the merge base
// in one run (docs/limits.md#github-api): each costs about six requests,
// and the default token has 1,000 an hour per repository.
const MaxBaseExperiments = 50

// compareBase re-decides the selected results against their versions at
// the merge base: the compare API's merge base, then the contents API at
// that commit for the selected experiments' folders, their data files and
// experimentos.yaml only, and the commits API for the looks. Trouble is a
// warning and leaves the results as they were.
func (r *runner) compareBase(ctx context.Context, results []decision.Result, root string) []decision.Result {
	if len(results) == 0 {
		return results
	}
	if len(results) > MaxBaseExperiments {
		r.warn(fmt.Sprintf("The pull request changes %d experiments, more than the %d compared with the merge base (about six API requests each), so decisions are not compared with it.", len(results), MaxBaseExperiments))
		return results
	}
	pub, err := r.publisher()
	if err != nil {
		return results // reported with the file listing
	}
	br, ok := pub.(BaseReader)
	if !ok {
		return results
	}
	ev := r.env.event
	if ev.baseSHA == "" || ev.headSHA == "" {
		r.warn("The event names no base or head commit, so decisions are not compared with the merge base.")
		return results
	}
	mb, err := br.MergeBase(ctx, ev.baseSHA, ev.headSHA)
	if err != nil {
		r.warn("Could not find the merge base, so decisions are not compared with it: " + r.clean(err))
		return results
	}
	lim := load.DefaultLimits()
	keep := []string{"experimentos.yaml"}
	for _, res := range results {
		e := res.Report.Experiment
		keep = append(keep, e.ID)
		if root == "." {
			keep = append(keep, e.DataFile)
		} else if rel, ok := strings.CutPrefix(e.DataFile, root+"/"); ok {
			keep = append(keep, rel)
		}
	}
	src := &contentsSource{ctx: ctx, br: br, prefix: root, ref: mb}
	fsys := history.NewFS(src, keep, lim.MaxFileBytes)
	side := &check.Base{FS: fsys}
	tree, err := load.Walk(side.FS, root, load.Options{Limits: lim})
	switch {
	case err != nil && errors.Is(err, fs.ErrNotExist):
		side.FS, tree = nil, nil // no experiments root at the merge base: all new
	case err != nil:
		r.warn("Could not read the experiments at the merge base, so decisions are not compared with it: " + r.clean(err))
		return results
	}
	at := map[string]int{}
	if tree != nil {
		for i := range tree.Len() {
			at[tree.ID(i)] = i
		}
	}
	counted := &check.Looks{Count: func(dataFile string) (int, error) {
		return looks(ctx, br, path.Join(root, dataFile), ev.headSHA, lim.MaxFileBytes)
	}}
	bases := make([]*experiment.Experiment, len(results))
	for i, res := range results {
		if j, ok := at[res.Report.Experiment.ID]; ok {
			bases[i] = tree.Load(j)
		}
	}
	if err := fsys.Err(); err != nil {
		r.warn("Could not read the experiments at the merge base, so decisions are not compared with it: " + r.clean(err))
		return results
	}
	out := make([]decision.Result, len(results))
	for i, res := range results {
		out[i] = check.EvaluateWithBase(res.Report.Experiment, bases[i], counted, root)
	}
	r.notes = append(r.notes, fmt.Sprintf("Compared with the merge base %s.", memo.ShortSHA(mb)))
	return out
}

// looks counts the non-merge commits on head's history that changed p,
// less the commit that created it when the file then held no data row
// (one read of the file at that commit tells; docs/review.md#looks).
func looks(ctx context.Context, br BaseReader, p, head string, max int64) (int, error) {
	commits, err := br.FileCommits(ctx, p, head)
	if err != nil {
		return 0, fmt.Errorf("the commits that changed the data file could not be listed: %w", err)
	}
	var own []prcomment.Commit
	for _, c := range commits {
		if c.Parents <= 1 {
			own = append(own, c)
		}
	}
	if len(own) == 0 {
		return 0, nil
	}
	first := own[len(own)-1] // newest first: the oldest is the last
	b, err := br.ReadFile(ctx, p, first.SHA, max)
	if err == nil && !history.HasDataRow(b) {
		return len(own) - 1, nil
	}
	return len(own), nil
}

// contentsSource is a history.Source over the contents API at one
// commit; paths are below prefix, the experiments root in the repository.
type contentsSource struct {
	ctx    context.Context
	br     BaseReader
	prefix string
	ref    string
}

func (s *contentsSource) full(p string) string {
	if s.prefix == "." || s.prefix == "" {
		return p
	}
	return path.Join(s.prefix, p)
}

// List implements history.Source.
func (s *contentsSource) List(dir string) ([]history.Entry, error) {
	es, err := s.br.ListDir(s.ctx, s.full(dir), s.ref)
	if err != nil {
		return nil, sourceErr(err)
	}
	out := make([]history.Entry, 0, len(es))
	for _, e := range es {
		k := history.Other
		switch e.Type {
		case "file":
			k = history.File
		case "dir":
			k = history.Dir
		case "symlink":
			k = history.Symlink
		}
		out = append(out, history.Entry{Name: e.Name, Kind: k, Size: e.Size})
	}
	return out, nil
}

// Read implements history.Source.
func (s *contentsSource) Read(name string, max int64) ([]byte, error) {
	b, err := s.br.ReadFile(s.ctx, s.full(name), s.ref, max)
	return b, sourceErr(err)
}

// sourceErr sorts the API's errors: a 404 is a path that does not exist,
// an answer that is not what the listing said is the tree's content, and
// anything else (the network, a refused redirect, rate limits past their
// retries) is the API's failure.
func sourceErr(err error) error {
	var er *github.ErrorResponse
	switch {
	case err == nil:
		return nil
	case errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotFound:
		return fs.ErrNotExist
	case errors.Is(err, prcomment.ErrNotFile):
		return err
	}
	return fmt.Errorf("%w: %w", history.ErrUnavailable, err)
}
