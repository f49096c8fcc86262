package check

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/load"
	"github.com/experimentos/experimentos/internal/memo"
)

// mixedTree writes an experiments root whose experiments take every path
// through loading: healthy ones, a blocked CSV, a missing config value, a
// nested experiment, one with its data elsewhere, a repo-wide
// experimentos.yaml, and (on systems with symbolic links) a stray link
// inside no experiment, reported as an experiment of its own.
func mixedTree(t *testing.T) string {
	t.Helper()
	root := writeTree(t, 40)
	write := func(rel, text string) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("experimentos.yaml", "thresholds:\n  alpha: 0.01\n")
	write("broken/experiment.yaml", "name: Broken\n")
	write("broken/results.csv", "variant,users,conversions\ncontrol,1000,10\ntreatment,1.5,12\n")
	write("no-csv/experiment.yaml", "name: No CSV\n")
	write("outer/experiment.yaml", "name: Outer\n")
	write("outer/results.csv", "variant,users,conversions\ncontrol,1000,100\ntreatment,1000,130\n")
	write("outer/inner/experiment.yaml", "name: Inner\ndata: ../../shared/inner.csv\n")
	write("shared/inner.csv", "variant,users,conversions\ncontrol,5000,500\ntreatment,5000,420\n")
	write("Bad_Name/experiment.yaml", "name: Bad name\n")
	if err := os.Symlink("../team-00", filepath.Join(root, "shared", "link")); err != nil {
		t.Logf("no symbolic link case: %v", err)
	}
	return root
}

// render is everything a run produces, as bytes to compare.
func render(t *testing.T, rs []decision.Result) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := memo.JSON(&b, rs, memo.Meta{Version: "test"}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestRunRootWorkers checks that the number of workers changes nothing in
// the results: same experiments, same order (by id), same bytes, and that
// the tree really holds the cases mixedTree planted.
func TestRunRootWorkers(t *testing.T) {
	t.Parallel()
	root := mixedTree(t)
	serial, err := RunRoot(root, "", Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	blocked := map[string]bool{}
	for _, r := range serial {
		id := r.Report.Experiment.ID
		ids = append(ids, id)
		blocked[id] = r.Report.Health.Status == analysis.Blocked
	}
	if !slices.IsSorted(ids) {
		t.Errorf("ids not sorted: %q", ids)
	}
	if got, want := len(ids), 40+6; got != want && got != want-1 { // the link may be missing
		t.Errorf("%d experiments, want %d: %q", got, want, ids)
	}
	for id, want := range map[string]bool{"broken": true, "Bad_Name": true, "outer": false, "outer/inner": false, "team-07/exp-00007": false} {
		if got, ok := blocked[id]; !ok || got != want {
			t.Errorf("%s: blocked = %v (present %v), want %v", id, got, ok, want)
		}
	}
	want := render(t, serial)
	for _, workers := range []int{0, 2, 3, 64} {
		t.Run(fmt.Sprint("workers=", workers), func(t *testing.T) {
			got, err := RunRoot(root, "", Options{Workers: workers})
			if err != nil {
				t.Fatal(err)
			}
			if b := render(t, got); !bytes.Equal(b, want) {
				t.Errorf("results differ from one worker's:\n%s\nwant:\n%s", b, want)
			}
		})
	}
	// One experiment of the tree, with many workers, is that experiment.
	one, err := RunRoot(root, "outer/inner", Options{Workers: 8})
	if err != nil || len(one) != 1 || one[0].Report.Experiment.ID != "outer/inner" {
		t.Fatalf("onlyID: %v, %d results", err, len(one))
	}
	if _, err := RunRoot(root, "no-such", Options{Workers: 8}); err == nil || !strings.Contains(err.Error(), "no experiment.yaml") {
		t.Errorf("unknown onlyID: err = %v", err)
	}
}

// TestTreeLoadMatchesRoot checks load.Walk + Tree.Load, which RunRoot uses,
// against load.Root on the same tree.
func TestTreeLoadMatchesRoot(t *testing.T) {
	t.Parallel()
	root := mixedTree(t)
	r, err := os.OpenRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	exps, err := load.Root(r.FS(), "experiments", load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tree, err := load.Walk(r.FS(), "experiments", load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if tree.Len() != len(exps) {
		t.Fatalf("tree has %d, Root %d", tree.Len(), len(exps))
	}
	var a, b []decision.Result
	for i, e := range exps {
		if tree.ID(i) != e.ID {
			t.Errorf("ID(%d) = %q, Root has %q", i, tree.ID(i), e.ID)
		}
		a = append(a, Evaluate(e))
		b = append(b, Evaluate(tree.Load(i)))
	}
	if !bytes.Equal(render(t, a), render(t, b)) {
		t.Error("Tree.Load differs from Root")
	}
	var orphan *experiment.Experiment
	for _, e := range exps {
		if e.ID == "shared/link" {
			orphan = e
		}
	}
	if orphan != nil && (len(orphan.Issues) == 0 || orphan.Issues[0].Code != experiment.CodePathEscape) {
		t.Errorf("the stray link: issues %v", orphan.Issues)
	}
}

// TestWalkSameEveryTime runs the walk, which lists the root's subfolders
// from several goroutines, many times over the same tree: the results are
// the same bytes each time, and the experiment limit holds across the
// subfolders walked at once.
func TestWalkSameEveryTime(t *testing.T) {
	t.Parallel()
	root := mixedTree(t)
	first, err := RunRoot(root, "", Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := render(t, first)
	for range 10 {
		rs, err := RunRoot(root, "", Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(render(t, rs), want) {
			t.Fatal("a second walk of the same tree gave other results")
		}
	}
	for _, limit := range []int{1, 5, 39} {
		_, err := RunRoot(root, "", Options{Limits: load.Limits{MaxExperiments: limit}})
		if want := fmt.Sprintf("more than %d experiments", limit); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("MaxExperiments %d: err = %v, want %q", limit, err, want)
		}
	}
}
