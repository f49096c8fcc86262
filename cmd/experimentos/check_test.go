package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs the program in-process with an empty environment.
func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, func(k string) string { return env[k] }, &out, &errb)
	return code, out.String(), errb.String()
}

// brokenTree writes an experiments root with one running experiment whose
// CSV has a bad value, and returns the root.
func brokenTree(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "experiments")
	dir := filepath.Join(root, "broken")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("experiment.yaml", "name: Broken\n")
	write("results.csv", "variant,users,conversions\ncontrol,1000,10\ntreatment,1.5,12\n")
	return root
}

func TestCheckExitStatus(t *testing.T) {
	t.Parallel()
	examples := filepath.Join("..", "..", "testdata", "examples")
	broken := brokenTree(t)
	tests := []struct {
		name     string
		args     []string
		want     int
		inStdout string
		inStderr string
	}{
		// The example fixtures (testdata/examples, a copy of the examples once
		// committed under experiments/) hold launches and holds; their rollbacks
		// are concluded, so the default gate passes.
		{"examples pass the default gate", []string{"check", examples}, exitOK, "home-banner", ""},
		{"hold fails when asked", []string{"check", "--fail-on", "hold", examples}, exitFail, "search/ranking-v2", ""},
		{"flags after the path", []string{"check", examples, "--fail-on=hold,rollback"}, exitFail, "", ""},
		{"one experiment folder", []string{"check", filepath.Join(examples, "home-banner")}, exitOK, "launch", ""},
		{"blocked fails", []string{"check", broken}, exitFail, "bad_value", ""},
		{"blocked passes when not gated", []string{"check", "--fail-on", "rollback", broken}, exitOK, "blocked", ""},
		{"missing path", []string{"check", filepath.Join(broken, "nope")}, exitUsage, "", "nope"},
		{"bad format", []string{"check", "--format", "pdf", examples}, exitUsage, "", `"pdf" is not one of`},
		{"bad fail-on", []string{"check", "--fail-on", "launch", examples}, exitUsage, "", `unknown value "launch"`},
		{"unknown flag", []string{"check", "--colour", examples}, exitUsage, "", "flag provided but not defined"},
		{"html needs one experiment", []string{"check", "--format", "html", examples}, exitUsage, "", "renders one experiment"},
		{"unknown command", []string{"decide"}, exitUsage, "", `unknown command "decide"`},
		{"no command", nil, exitUsage, "", "Usage:"},
		{"version", []string{"version"}, exitOK, "experimentos ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runCLI(t, nil, tt.args...)
			if code != tt.want {
				t.Errorf("exit = %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.want, stdout, stderr)
			}
			if !strings.Contains(stdout, tt.inStdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.inStdout, stdout)
			}
			if !strings.Contains(stderr, tt.inStderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.inStderr, stderr)
			}
		})
	}
}

func TestCheckJSONAndOut(t *testing.T) {
	t.Parallel()
	examples := filepath.Join("..", "..", "testdata", "examples")
	out := filepath.Join(t.TempDir(), "memos")
	code, stdout, stderr := runCLI(t, map[string]string{"EXPERIMENTOS_COMMIT": "0123456789abcdef"},
		"check", "--format", "json", "--out", out, examples)
	if code != exitOK {
		t.Fatalf("exit = %d, stderr %s", code, stderr)
	}
	var doc struct {
		SchemaVersion int    `json:"schema_version"`
		Version       string `json:"version"`
		Commit        string `json:"commit"`
		Experiments   []struct {
			ID       string `json:"id"`
			Decision struct {
				Outcome string `json:"outcome"`
				Reason  string `json:"reason"`
			} `json:"decision"`
		} `json:"experiments"`
		Summary map[string]int `json:"summary"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	if doc.SchemaVersion != 2 || doc.Commit != "0123456789abcdef" || doc.Version == "" {
		t.Errorf("schema_version %d, commit %q, version %q", doc.SchemaVersion, doc.Commit, doc.Version)
	}
	// Each example fixture is there for one outcome (see its comment).
	want := map[string]string{
		"growth/checkout-copy":  "hold",
		"home-banner":           "launch",
		"onboarding/b2b-trial":  "hold",
		"onboarding/tooltips":   "hold",
		"payments/one-click":    "rollback",
		"payments/saved-cards":  "rollback",
		"pricing/annual-toggle": "none",
		"search/ranking-v2":     "hold",
	}
	if len(doc.Experiments) != len(want) {
		t.Errorf("experiments = %d, want %d", len(doc.Experiments), len(want))
	}
	for _, e := range doc.Experiments {
		if got := e.Decision.Outcome; got != want[e.ID] {
			t.Errorf("%s: outcome %q, want %q (%s)", e.ID, got, want[e.ID], e.Decision.Reason)
		}
		for _, f := range []string{"memo.md", "memo.html", "result.json"} {
			if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(e.ID), f)); err != nil {
				t.Errorf("--out: %v", err)
			}
		}
	}
	if got := doc.Summary; got["launch"] != 1 || got["hold"] != 4 || got["rollback"] != 2 || got["blocked"] != 0 {
		t.Errorf("summary = %v", got)
	}
	b, err := os.ReadFile(filepath.Join(out, "results.json"))
	if err != nil || !bytes.Equal(b, []byte(stdout)) {
		t.Errorf("results.json differs from stdout (err %v)", err)
	}
}
