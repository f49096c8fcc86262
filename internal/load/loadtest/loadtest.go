// Package loadtest loads an experiment written as text through the
// production loader, for the tests of the packages that come after load
// (analysis, memo, history).
package loadtest

import (
	"testing"
	"testing/fstest"

	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/load"
)

// One loads the experiment "exp" from its experiment.yaml and results.csv
// (none when csv is empty), with an experimentos.yaml when repo is not
// empty, and returns it, issues and all; it fails tb when the loader
// fails or finds another number of experiments.
func One(tb testing.TB, yaml, csv, repo string) *experiment.Experiment {
	tb.Helper()
	fsys := fstest.MapFS{"exp/experiment.yaml": {Data: []byte(yaml)}}
	if csv != "" {
		fsys["exp/results.csv"] = &fstest.MapFile{Data: []byte(csv)}
	}
	if repo != "" {
		fsys["experimentos.yaml"] = &fstest.MapFile{Data: []byte(repo)}
	}
	exps, err := load.Root(fsys, "experiments", load.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	if len(exps) != 1 {
		tb.Fatalf("loaded %d experiments, want 1", len(exps))
	}
	return exps[0]
}
