package check

import (
	"path/filepath"
	"testing"

	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/load"
	"github.com/experimentos/experimentos/internal/memo"
)

// intendedBlocked lists the experiments under experiments/ that are there
// to show a Blocked result. None is today.
var intendedBlocked = map[string]bool{}

// TestCommittedExamples is the only test that reads the repository's
// experiments/ folder, which users grow as the README tells them to: it
// asserts nothing about which experiments are there or what they decide
// (the tests that do use the copies in testdata/examples), only that every
// one loads without a Blocked issue and renders. A new example that fails
// here is broken for every user who copies it.
func TestCommittedExamples(t *testing.T) {
	t.Parallel()
	results, err := Run(filepath.Join("..", "..", "experiments"), Options{Limits: load.DefaultLimits()})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		e := r.Report.Experiment
		if intendedBlocked[e.ID] {
			continue
		}
		for _, is := range e.Issues {
			if is.Severity == experiment.SeverityBlocked {
				t.Errorf("%s: blocked: %s %s:%d: %s", e.ID, is.Code, is.File, is.Line, is.Message)
			}
		}
	}
	if err := WriteOut(t.TempDir(), results, memo.Meta{Version: "test"}); err != nil {
		t.Errorf("rendering the examples: %v", err)
	}
}
