package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func emptyEnv(string) string { return "" }

// execCLI runs the CLI with no environment and returns its exit code and
// output streams.
func execCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, emptyEnv, &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestInitFillCheck walks the README's path for a new experiment: init,
// check the planned experiment, fill in numbers, set status running, check.
func TestInitFillCheck(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "experiments")
	dir := filepath.Join(root, "growth", "new-banner")

	code, out, errOut := execCLI(t, "init", "--root", root, "growth/new-banner")
	if code != exitOK {
		t.Fatalf("init = %d, stderr:\n%s", code, errOut)
	}
	for _, want := range []string{"Next steps", "results.csv", "status: running", "experimentos check " + filepath.ToSlash(dir)} {
		if !strings.Contains(out, want) {
			t.Errorf("init output lacks %q:\n%s", want, out)
		}
	}
	yml, err := os.ReadFile(filepath.Join(dir, "experiment.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// No schema/ beside this root: the published schema's URL.
	if first := strings.SplitN(string(yml), "\n", 2)[0]; first != "# yaml-language-server: $schema="+schemaURL {
		t.Errorf("first line = %q", first)
	}

	// Planned, header-only: valid, not analyzed, exit 0.
	if got := checkOutcome(t, dir); got != "none" {
		t.Errorf("planned outcome = %q, want none", got)
	}

	// Fill in the numbers as the README shows, set status running.
	csv := "variant,users,conversions\ncontrol,10000,1200\ntreatment,10050,1320\n"
	if err := os.WriteFile(filepath.Join(dir, "results.csv"), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	running := strings.Replace(string(yml), "\nstatus: planned\n", "\nstatus: running\n", 1)
	if running == string(yml) {
		t.Fatal("experiment.yaml has no \"status: planned\" line to edit")
	}
	if err := os.WriteFile(filepath.Join(dir, "experiment.yaml"), []byte(running), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := checkOutcome(t, dir); got != "launch" {
		t.Errorf("running outcome = %q, want launch", got)
	}
}

// checkOutcome runs check --format json on dir, requires exit 0 and a healthy
// or warning result, and returns the decision.
func checkOutcome(t *testing.T, dir string) string {
	t.Helper()
	code, out, errOut := execCLI(t, "check", "--format", "json", dir)
	if code != exitOK {
		t.Fatalf("check %s = %d\nstdout:\n%s\nstderr:\n%s", dir, code, out, errOut)
	}
	var doc struct {
		Experiments []struct {
			Health struct {
				Status string `json:"status"`
				Issues []any  `json:"issues"`
			} `json:"health"`
			Decision struct {
				Outcome string `json:"outcome"`
			} `json:"decision"`
		} `json:"experiments"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("check output: %v\n%s", err, out)
	}
	if len(doc.Experiments) != 1 {
		t.Fatalf("check found %d experiments, want 1", len(doc.Experiments))
	}
	e := doc.Experiments[0]
	if e.Health.Status != "healthy" || len(e.Health.Issues) > 0 {
		t.Errorf("health = %s, issues %v", e.Health.Status, e.Health.Issues)
	}
	return e.Decision.Outcome
}

func TestInitSchemaRefRelative(t *testing.T) {
	t.Parallel()
	repo := t.TempDir()
	if err := os.MkdirAll(filepath.Join(repo, "schema"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "schema", "experiment.schema.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(repo, "experiments")
	if code, _, errOut := execCLI(t, "init", "a/b", "--root", root); code != exitOK {
		t.Fatalf("init = %d: %s", code, errOut)
	}
	yml, err := os.ReadFile(filepath.Join(root, "a", "b", "experiment.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.SplitN(string(yml), "\n", 2)[0], "# yaml-language-server: $schema=../../../schema/experiment.schema.json"; got != want {
		t.Errorf("first line = %q, want %q", got, want)
	}
}

func TestInitExistingChangesNothing(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "experiments")
	if code, _, errOut := execCLI(t, "init", "--root", root, "home"); code != exitOK {
		t.Fatalf("init = %d: %s", code, errOut)
	}
	dir := filepath.Join(root, "home")
	// Edit the files as a user would; a second init must keep every byte.
	files := map[string]string{
		"experiment.yaml": "name: Mine\nstatus: running\n",
		"results.csv":     "variant,users,conversions\ncontrol,10,1\ntreatment,10,2\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := execCLI(t, "init", "--root", root, "home")
	if code != exitUsage {
		t.Errorf("second init = %d, want %d", code, exitUsage)
	}
	if !strings.Contains(errOut, "already exists") || out != "" {
		t.Errorf("second init: stdout %q, stderr %q", out, errOut)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(files) {
		t.Errorf("folder holds %d entries, want %d", len(entries), len(files))
	}
	for name, body := range files {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err != nil || string(b) != body {
			t.Errorf("%s = %q, %v; want %q unchanged", name, b, err, body)
		}
	}
	// An existing empty folder is refused too.
	if err := os.Mkdir(filepath.Join(root, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := execCLI(t, "init", "--root", root, "empty"); code != exitUsage {
		t.Errorf("init on an empty existing folder = %d, want %d", code, exitUsage)
	}
	if entries, _ := os.ReadDir(filepath.Join(root, "empty")); len(entries) != 0 {
		t.Errorf("empty folder now holds %d entries", len(entries))
	}
}

func TestInitRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
	}{
		{"no id", nil},
		{"two ids", []string{"a", "b"}},
		{"upper case", []string{"Home"}},
		{"dot dot", []string{"../escape"}},
		{"absolute", []string{"/tmp/x"}},
		{"empty segment", []string{"a//b"}},
		{"leading dash", []string{"-x"}},
		{"space", []string{"a b"}},
		{"unknown flag", []string{"--force", "a"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := filepath.Join(t.TempDir(), "experiments")
			args := append([]string{"init", "--root", root}, tc.args...)
			if code, _, _ := execCLI(t, args...); code != exitUsage {
				t.Errorf("init %q = %d, want %d", tc.args, code, exitUsage)
			}
			if _, err := os.Stat(root); !os.IsNotExist(err) {
				t.Errorf("init %q created the root (%v)", tc.args, err)
			}
		})
	}
}
