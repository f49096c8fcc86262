package load

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/experimentos/experimentos/internal/experiment"
)

func TestNearConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want bool
	}{
		{"experiment.yml", true}, {"Experiment.yaml", true}, {"EXPERIMENT.YAML", true}, {"experiments.yaml", true},
		{"experiments.yml", true}, {"experimnet.yaml", true}, {"experment.yaml", true}, {"Experiment.YML", true},
		{"experiment.yaml", false}, {"experimentos.yaml", false}, {"experimentos.yml", false}, {"results.csv", false},
		{"experiment.json", false}, {"experiment.yaml.bak", false}, {"notes.yaml", false}, {"exp.yaml", false},
	}
	for _, tt := range tests {
		if got := nearConfig(tt.name); got != tt.want {
			t.Errorf("nearConfig(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestMisnamedFile: a folder holding a near-miss of experiment.yaml is a
// Blocked experiment (misnamed_file) that names the expected name.
func TestMisnamedFile(t *testing.T) {
	t.Parallel()
	exps := loadMap(t, fstest.MapFS{
		"yml/experiment.yml":           mfile(goodYAML),
		"yml/results.csv":              mfile(goodCSV),
		"case/Experiment.yaml":         mfile(goodYAML),
		"plural/team/experiments.yaml": mfile(goodYAML),
		"both/experiment.yaml":         mfile(goodYAML),
		"both/experiment.yml":          mfile("name: stale\n"),
		"both/results.csv":             mfile(goodCSV),
		"linked/experiment.yml":        mfile(goodYAML),
		"linked/results.csv":           {Mode: os.ModeSymlink, Data: []byte("/etc/passwd")},
		"experiments.yaml":             mfile("thresholds: {alpha: 0.1}\n"),
		"repo-like/experimentos.yaml":  mfile(""),
		"folder/experiment.yml/x":      mfile(""), // a folder so named is not a file
	}, Limits{})
	var ids []string
	for _, e := range exps {
		ids = append(ids, e.ID)
	}
	if got, want := strings.Join(ids, " "), "both case experiments.yaml linked plural/team yml"; got != want {
		t.Fatalf("ids = %s, want %s", got, want)
	}
	mis := func(file string) at { return at{blocked, experiment.CodeMisnamedFile, "experiments/" + file, 0, "", 0} }
	checkIssues(t, find(t, exps, "yml"), []at{mis("yml/experiment.yml")}, `"experiment.yml" is not read: an experiment's settings file must be named exactly experiment.yaml; rename it to experiment.yaml`)
	checkIssues(t, find(t, exps, "case"), []at{mis("case/Experiment.yaml")}, "rename it to experiment.yaml")
	checkIssues(t, find(t, exps, "plural/team"), []at{mis("plural/team/experiments.yaml")}, "rename it to experiment.yaml")
	checkIssues(t, find(t, exps, "experiments.yaml"), []at{mis("experiments.yaml")}, "the repo-wide defaults file at the experiments root is experimentos.yaml")
	checkIssues(t, find(t, exps, "linked"), []at{mis("linked/experiment.yml"), {blocked, "path_escape", "experiments/linked/results.csv", 0, "", 0}}, "")
	if e := find(t, exps, "both"); e.Blocked() || e.Name == "stale" {
		t.Errorf("both: experiment.yaml beside a stale experiment.yml was not the one read: %v", e.Issues)
	}
	for _, id := range []string{"yml", "case", "linked"} {
		e := find(t, exps, id)
		if e.Data != nil || e.Name != id || !e.Blocked() {
			t.Errorf("%s: data %v, name %q, blocked %v: nothing of a misnamed folder is read", id, e.Data, e.Name, e.Blocked())
		}
	}
}
