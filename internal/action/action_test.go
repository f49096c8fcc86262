package action

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/prcomment"
)

func result(id, dataFile string) decision.Result {
	p := "experiments/" + id
	if dataFile == "" {
		dataFile = p + "/results.csv"
	}
	e := &experiment.Experiment{ID: id, Path: p, DataFile: dataFile, ConfigFile: p + "/experiment.yaml"}
	return decision.Result{Report: &analysis.Report{Experiment: e}}
}

func files(paths ...string) []prcomment.File {
	var out []prcomment.File
	for _, p := range paths {
		st := "modified"
		if s, rest, ok := strings.Cut(p, " "); ok {
			st, p = s, rest
		}
		out = append(out, prcomment.File{Path: p, Status: st})
	}
	return out
}

func TestSelectChanged(t *testing.T) {
	t.Parallel()
	all := []decision.Result{
		result("a", ""),
		result("team/b", ""),
		result("c", "experiments/data/c.csv"),
		result("ab", ""),
	}
	tests := []struct {
		name     string
		files    []prcomment.File
		complete bool
		wantAll  bool
		ids      []string
		removed  []string
	}{
		{"nothing", files("README.md"), true, false, nil, nil},
		{"a file in a folder", files("experiments/a/results.csv"), true, false, []string{"a"}, nil},
		{"prefix is not a folder", files("experiments/abc/x"), true, false, nil, nil},
		{"nested folder", files("experiments/team/b/notes.md"), true, false, []string{"team/b"}, nil},
		{"data file elsewhere", files("experiments/data/c.csv"), true, false, []string{"c"}, nil},
		{"repo config", files("experiments/experimentos.yaml"), true, true, nil, nil},
		{"other experimentos.yaml", files("docs/experimentos.yaml"), true, false, nil, nil},
		{"list cut at 3000", files("README.md"), false, true, nil, nil},
		{"removed", files("removed experiments/old/experiment.yaml", "removed experiments/old/results.csv"), true, false, nil, []string{"old"}},
		{"removed csv only is not a removed experiment", files("removed experiments/a/results.csv"), true, false, []string{"a"}, nil},
		{"renamed away", []prcomment.File{{Path: "experiments/a2/experiment.yaml", PreviousPath: "experiments/gone/experiment.yaml", Status: "renamed"}}, true, false, nil, []string{"gone"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := selectChanged(all, "experiments", tt.files, tt.complete)
			if got.all != tt.wantAll || !slices.Equal(got.ids, tt.ids) || !slices.Equal(got.removed, tt.removed) {
				t.Errorf("got all=%v ids=%q removed=%q, want all=%v ids=%q removed=%q", got.all, got.ids, got.removed, tt.wantAll, tt.ids, tt.removed)
			}
		})
	}
}

func TestWorkspacePath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"experiments", "experiments", true},
		{"./experiments/", "experiments", true},
		{"a/../b", "b", true},
		{"/ws/out", "out", true},
		{"../out", "", false},
		{"/etc", "", false},
		{"out\nx", "", false},
	}
	for _, tt := range tests {
		got, err := workspacePath("memo-dir", tt.in, "/ws")
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("workspacePath(%q) = %q, %v; want %q ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestRunOutsideRunner(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), Config{
		Getenv: func(string) string { return "" },
		Stdout: &stdout, Stderr: &stderr, Dir: t.TempDir(),
	})
	if code != ExitUsage {
		t.Errorf("exit %d, want %d", code, ExitUsage)
	}
	for _, want := range []string{"GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "INPUT_GITHUB-TOKEN", "GITHUB_REPOSITORY"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("message lacks %s: %s", want, stderr.String())
		}
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout: %q", stdout.String())
	}
}

func TestReadEnvBadInputs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ev := filepath.Join(dir, "event.json")
	if err := os.WriteFile(ev, []byte(`{"ref":"refs/heads/main"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"GITHUB_OUTPUT": filepath.Join(dir, "o"), "GITHUB_STEP_SUMMARY": filepath.Join(dir, "s"),
		"GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": ev,
		"INPUT_COMMENT": "sometimes", "INPUT_CHANGED-ONLY": "maybe", "INPUT_MEMO-DIR": "../x",
	}
	_, err := readEnv(func(k string) string { return env[k] }, dir)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"input comment", "input changed-only", "input memo-dir"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "INPUT_GITHUB-TOKEN") {
		t.Errorf("a push needs no token: %v", err)
	}
}

func TestReadEvent(t *testing.T) {
	t.Parallel()
	ev, err := readEvent(filepath.Join("..", "..", "testdata", "action", "events", "pull_request.opened.fork.json"), "pull_request_target")
	if err != nil {
		t.Fatal(err)
	}
	if ev.pr != 217 || ev.headSHA != "5864e328f129b98726813940b5bfa44707963bdc" {
		t.Errorf("event = %+v", ev)
	}
	if _, err := readEvent(filepath.Join("..", "..", "testdata", "action", "events", "push.branch.json"), "pull_request"); err == nil {
		t.Errorf("a pull_request event without a number was accepted")
	}
}

func TestRedactor(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	w := &redactor{w: &b, secret: "s3cr3t"}
	if _, err := w.Write([]byte("token s3cr3t in an error\n")); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "token *** in an error\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestSafeURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://github.com/o/r/pull/1#issuecomment-2":  "https://github.com/o/r/pull/1#issuecomment-2",
		"https://x\n::set-output name=decision::launch": "",
		"javascript:alert(1)":                           "",
	} {
		if got := safeURL(in); got != want {
			t.Errorf("safeURL(%q) = %q, want %q", in, got, want)
		}
	}
}
