package check

import (
	"fmt"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/history"
)

// TestRunRootWithBase: every experiment is compared with its own version
// at the base, from several workers at once (run with -race), and one
// absent there is new.
func TestRunRootWithBase(t *testing.T) {
	t.Parallel()
	const yaml = "name: E\nstart: 2026-11-01\nstatus: running\nprimary:\n  metric: conversions\n"
	root := filepath.Join(t.TempDir(), "experiments")
	base := fstest.MapFS{}
	const n = 12
	for i := range n {
		id := fmt.Sprintf("e%02d", i)
		dir := filepath.Join(root, id)
		// Even experiments lose users against the base; odd ones gain.
		users := 5000 + 10*i
		if i%2 == 0 {
			users = 3000
		}
		head := fmt.Sprintf("variant,users,conversions\ncontrol,%d,300\ntreatment,%d,330\n", users, users)
		writeExperiment(t, dir, yaml, head)
		if i == n-1 {
			continue // new
		}
		base[id+"/experiment.yaml"] = &fstest.MapFile{Data: []byte(yaml)}
		base[id+"/results.csv"] = &fstest.MapFile{Data: []byte("variant,users,conversions\ncontrol,4000,300\ntreatment,4000,310\n")}
	}
	side := &Base{FS: history.NewFS(fsAdapter{base}, nil, 1<<20)}
	results, err := RunRoot(root, "", Options{Workers: 4, Base: side})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != n {
		t.Fatalf("%d results", len(results))
	}
	for i, r := range results {
		h := r.History
		if h == nil {
			t.Fatalf("%s: no history", r.Report.Experiment.ID)
		}
		rewritten := false
		for _, is := range r.Report.Health.Issues {
			rewritten = rewritten || is.Code == experiment.CodeDataRewritten
		}
		switch {
		case i == n-1:
			if !h.Base.New || rewritten {
				t.Errorf("%s: base %+v, rewritten %v; want new", r.Report.Experiment.ID, h.Base, rewritten)
			}
		case h.Base.New || h.Base.Outcome != experiment.Hold || rewritten != (i%2 == 0):
			t.Errorf("%s: base %+v, rewritten %v", r.Report.Experiment.ID, h.Base, rewritten)
		}
		if h.Looks != -1 || h.LooksUnknown == "" {
			t.Errorf("%s: looks %d (%q) without a history", r.Report.Experiment.ID, h.Looks, h.LooksUnknown)
		}
	}
}

// fsAdapter is a history.Source over an fstest.MapFS.
type fsAdapter struct{ m fstest.MapFS }

func (a fsAdapter) List(dir string) ([]history.Entry, error) {
	es, err := a.m.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []history.Entry
	for _, e := range es {
		k := history.File
		if e.IsDir() {
			k = history.Dir
		}
		fi, _ := e.Info()
		out = append(out, history.Entry{Name: e.Name(), Kind: k, Size: fi.Size()})
	}
	return out, nil
}

func (a fsAdapter) Read(name string, max int64) ([]byte, error) { return a.m.ReadFile(name) }

// Run releases each experiment's data once its report holds the numbers;
// with KeepData the results can be evaluated again, as the action does
// with the merge base, and give the same report, segments included (they
// are summed from the rows per cell, which an earlier version dropped, so
// that the action's second pass lost every segment table and rule 5).
func TestKeepDataForASecondEvaluation(t *testing.T) {
	root := writeSegmentsTree(t, 2)
	released, err := Run(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range released {
		if d := r.Report.Experiment.Data; d == nil || d.Rows != nil || d.Arms != nil {
			t.Fatalf("%s: data kept after the run: %+v", r.Report.Experiment.ID, d)
		}
	}
	kept, err := Run(root, Options{KeepData: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range kept {
		e := r.Report.Experiment
		if len(e.Data.Rows) != 375 {
			t.Fatalf("%s: %d rows kept, want 375", e.ID, len(e.Data.Rows))
		}
		again := EvaluateWithBase(e, nil, nil, root)
		if len(r.Report.Segments) != 15 || len(again.Report.Segments) != len(r.Report.Segments) {
			t.Fatalf("%s: %d segments, %d on the second evaluation; want 15", e.ID, len(r.Report.Segments), len(again.Report.Segments))
		}
		for j, s := range again.Report.Segments {
			if want := released[i].Report.Segments[j]; s.Column != want.Column || s.Value != want.Value || len(s.Comparisons) != len(want.Comparisons) {
				t.Errorf("%s: segment %d is %s=%s with %d comparisons, want %s=%s with %d", e.ID, j, s.Column, s.Value, len(s.Comparisons), want.Column, want.Value, len(want.Comparisons))
			}
		}
		if again.Decision.Outcome != r.Decision.Outcome {
			t.Errorf("%s: outcome %s on the second evaluation, %s on the first", e.ID, again.Decision.Outcome, r.Decision.Outcome)
		}
	}
}
