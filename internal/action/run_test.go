package action

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/experimentos/experimentos/internal/githubfake"
)

const runToken = "ghs_RunTestSecretToken0123456789abcdef"

// pkgDir is this package's folder, the working directory go test starts
// in (tests below change it).
var pkgDir, _ = os.Getwd()

// fixture is one run of the action in-process: a workspace holding some of
// testdata/experiments, a fake GitHub and the runner's environment.
type fixture struct {
	t   *testing.T
	ws  string
	gh  *githubfake.Server
	env map[string]string
}

// newFixture copies the named experiments of testdata/experiments into a
// fresh workspace's experiments/ and sets up a pull_request event. The
// test's working directory becomes the workspace, as in the runner: such
// tests cannot be parallel.
func newFixture(t *testing.T, ghOpts []githubfake.Option, experiments ...string) *fixture {
	t.Helper()
	ws := t.TempDir()
	if pkgDir == "" {
		t.Fatal("the package's folder is unknown")
	}
	for _, id := range experiments {
		src := filepath.Join(pkgDir, "testdata", "experiments", id)
		dst := filepath.Join(ws, "experiments", id)
		if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
			t.Fatal(err)
		}
	}
	event := filepath.Join(pkgDir, "..", "..", "testdata", "action", "events", "pull_request.opened.json")
	t.Chdir(ws)
	gh := githubfake.New(t, append([]githubfake.Option{githubfake.WithToken(runToken)}, ghOpts...)...)
	return &fixture{t: t, ws: ws, gh: gh, env: map[string]string{
		"INPUT_GITHUB-TOKEN":            runToken,
		"INPUT_CHANGED-ONLY":            "false",
		"GITHUB_EVENT_NAME":             "pull_request",
		"GITHUB_EVENT_PATH":             event,
		"GITHUB_REPOSITORY":             "Codertocat/Hello-World",
		"GITHUB_API_URL":                strings.TrimSuffix(gh.URL, "/"),
		"GITHUB_WORKSPACE":              ws,
		"EXPERIMENTOS_RETRY_BASE_DELAY": "1ms",
	}}
}

type runResult struct {
	code                    int
	stdout, stderr, summary string
	outputs                 map[string]string
	took                    time.Duration
}

func (f *fixture) run() runResult {
	f.t.Helper()
	tmp := f.t.TempDir()
	env := map[string]string{"GITHUB_OUTPUT": filepath.Join(tmp, "output"), "GITHUB_STEP_SUMMARY": filepath.Join(tmp, "summary")}
	for k, v := range f.env {
		env[k] = v
	}
	var stdout, stderr bytes.Buffer
	start := time.Now()
	code := Run(context.Background(), Config{
		Getenv: func(k string) string { return env[k] },
		Stdout: &stdout, Stderr: &stderr, Version: "test",
	})
	r := runResult{code: code, stdout: stdout.String(), stderr: stderr.String(), took: time.Since(start)}
	out, _ := os.ReadFile(env["GITHUB_OUTPUT"])
	sum, _ := os.ReadFile(env["GITHUB_STEP_SUMMARY"])
	r.summary, r.outputs = string(sum), outputs(f.t, string(out))
	for name, s := range map[string]string{"stderr": r.stderr, "summary": r.summary, "outputs": string(out),
		"stdout": strings.ReplaceAll(r.stdout, "::add-mask::"+runToken+"\n", "")} {
		if strings.Contains(s, runToken) {
			f.t.Errorf("the token is in %s", name)
		}
	}
	return r
}

// outputs reads a GITHUB_OUTPUT file as the runner does.
func outputs(t *testing.T, s string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); i++ {
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			if lines[i] != "" {
				t.Fatalf("bad output line %q", lines[i])
			}
			continue
		}
		var val []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			val = append(val, lines[i])
		}
		out[name] = strings.Join(val, "\n")
	}
	return out
}

func headline(summary string) string {
	for _, l := range strings.Split(summary, "\n") {
		if strings.HasPrefix(l, "### ExperimentOS") {
			return l
		}
	}
	return ""
}

func TestRunMalformedAPIURL(t *testing.T) {
	tests := []struct {
		apiURL      string
		experiments []string
		wantCode    int
		wantOutcome string
	}{
		{"api.github.com", []string{"checkout-launch"}, ExitOK, "launch"},
		{"http://", []string{"checkout-launch"}, ExitOK, "launch"},
		{"file:///x", []string{"checkout-launch"}, ExitOK, "launch"},
		{"https://:8443/api/v3", []string{"checkout-launch"}, ExitOK, "launch"},
		{"api.github.com", []string{"checkout-launch", "pricing-rollback"}, ExitFail, "rollback"}, // the gate still applies
	}
	for _, tt := range tests {
		t.Run(tt.apiURL+" "+tt.wantOutcome, func(t *testing.T) {
			f := newFixture(t, nil, tt.experiments...)
			f.env["GITHUB_API_URL"] = tt.apiURL
			f.env["INPUT_CHANGED-ONLY"] = "true" // the default: the API is wanted twice
			r := f.run()
			if r.code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			if got := r.outputs["decision"]; got != tt.wantOutcome {
				t.Errorf("decision output = %q, want %q (outputs %v)", got, tt.wantOutcome, r.outputs)
			}
			if r.outputs["results-json"] == "" || r.outputs["blocked"] != "false" {
				t.Errorf("outputs = %v, want results-json and blocked", r.outputs)
			}
			if !strings.Contains(r.summary, `⛔ GITHUB\_API\_URL=`) || headline(r.summary) == "" {
				t.Errorf("summary does not report the bad GITHUB_API_URL:\n%s", r.summary)
			}
			if !strings.Contains(r.stdout, "::error title=ExperimentOS::GITHUB_API_URL") {
				t.Errorf("no error annotation naming GITHUB_API_URL:\n%s", r.stdout)
			}
			if r.stderr != "" {
				t.Errorf("stderr: %s", r.stderr)
			}
			if n := f.gh.Total(); n != 0 {
				t.Errorf("%d requests reached the API", n)
			}
		})
	}
}

func TestRunOperationDeadline(t *testing.T) {
	// 3000 files at 100ms a page: 3s of listing without the deadline.
	f := newFixture(t, []githubfake.Option{githubfake.WithLatency(100 * time.Millisecond)}, "checkout-launch")
	f.gh.SetFiles("Codertocat", "Hello-World", 2, githubfake.GenerateFiles("experiments/checkout-launch", 3000))
	f.env["INPUT_CHANGED-ONLY"] = "true"
	f.env["EXPERIMENTOS_OPERATION_DEADLINE"] = "300ms"
	r := f.run()
	if r.code != ExitOK || r.outputs["decision"] != "launch" {
		t.Errorf("exit %d, decision %q; want 0, launch\n%s", r.code, r.outputs["decision"], r.stderr)
	}
	if !strings.Contains(r.summary, "300ms deadline passed") {
		t.Errorf("summary does not say the deadline passed:\n%s", r.summary)
	}
	// Files (300ms), then the comment (300ms).
	if r.took > 2*time.Second {
		t.Errorf("run took %s, want well under 2s with a 300ms deadline per operation", r.took)
	}

	// A knob that is not a duration is a configuration error.
	f = newFixture(t, nil, "checkout-launch")
	f.env["EXPERIMENTOS_OPERATION_DEADLINE"] = "soon"
	if r := f.run(); r.code != ExitUsage || !strings.Contains(r.stderr, "EXPERIMENTOS_OPERATION_DEADLINE") {
		t.Errorf("bad knob: exit %d, stderr %q; want 2 naming it", r.code, r.stderr)
	}
}

func TestRunCleansMemoDir(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "keep.txt")
	if err := os.WriteFile(secret, []byte("outside"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, nil, "checkout-launch")
	dir := filepath.Join(f.ws, "experimentos-memos")
	plant := map[string]string{
		"memo.html":                     "<script>alert(document.domain)</script>",
		"checkout-launch/memo.html":     "<script>stale</script>",
		"checkout-launch/extra.html":    "<script>extra</script>",
		"gone-experiment/memo.md":       "stale",
		"gone-experiment/deep/x/y.json": "{}",
	}
	for name, text := range plant {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, target := range map[string]string{"outside-dir": outside, "outside-file": secret, "gone-experiment/link": outside} {
		if err := os.Symlink(target, filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
	r := f.run()
	if r.code != ExitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	var got []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		got = append(got, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{".", "checkout-launch", "checkout-launch/memo.html", "checkout-launch/memo.md", "checkout-launch/result.json", "results.json"}
	if !slices.Equal(got, want) {
		t.Errorf("memo-dir holds %q, want only this run's files %q", got, want)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "checkout-launch", "memo.html")); bytes.Contains(b, []byte("stale")) {
		t.Errorf("the planted memo.html survived")
	}
	if b, err := os.ReadFile(secret); err != nil || string(b) != "outside" {
		t.Errorf("the link's target outside the workspace changed: %q, %v", b, err)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 1 {
		t.Errorf("the folder outside the workspace holds %d entries, want 1", len(entries))
	}
}

func TestRunMemoDirRefused(t *testing.T) {
	tests := []struct {
		name    string
		memoDir string
		setup   func(t *testing.T, ws string)
		want    string // in stderr
	}{
		{"memo-dir is a symlink inside the workspace", "memos", func(t *testing.T, ws string) {
			mkdir(t, filepath.Join(ws, "src"))
			write(t, filepath.Join(ws, "src", "main.go"), "package main")
			symlink(t, "src", filepath.Join(ws, "memos"))
		}, "is a symbolic link"},
		{"memo-dir is a symlink out of the workspace", "memos", func(t *testing.T, ws string) {
			symlink(t, t.TempDir(), filepath.Join(ws, "memos"))
		}, "is a symbolic link"},
		{"a parent of memo-dir is a symlink", "out/memos", func(t *testing.T, ws string) {
			mkdir(t, filepath.Join(ws, "src", "memos"))
			write(t, filepath.Join(ws, "src", "memos", "keep.txt"), "mine")
			symlink(t, "src", filepath.Join(ws, "out"))
		}, "is a symbolic link"},
		{"memo-dir is the workspace", ".", nil, "the workspace itself"},
		{"memo-dir is the experiments folder", "experiments", nil, "overlaps"},
		{"memo-dir inside the experiments folder", "experiments/memos", nil, "overlaps"},
		{"memo-dir in .git", ".git/memos", nil, ".git"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil, "checkout-launch")
			if tt.setup != nil {
				tt.setup(t, f.ws)
			}
			f.env["INPUT_MEMO-DIR"] = tt.memoDir
			before := tree(t, f.ws)
			r := f.run()
			if r.code != ExitUsage || !strings.Contains(r.stderr, "memo-dir") || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d naming memo-dir and %q", r.code, r.stderr, ExitUsage, tt.want)
			}
			if after := tree(t, f.ws); !slices.Equal(after, before) {
				t.Errorf("the workspace changed:\nbefore %q\nafter  %q", before, after)
			}
		})
	}
}

func mkdir(t *testing.T, p string) {
	t.Helper()
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// tree lists every path under root (not following links) with the
// content of each file.
func tree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		entry := rel
		if d.Type().IsRegular() {
			b, _ := os.ReadFile(p)
			entry += "=" + string(b)
		}
		out = append(out, entry)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRunGateFollowsRunning(t *testing.T) {
	tests := []struct {
		name         string
		experiments  []string
		wantCode     int
		wantDecision string
		wantHead     string // the headline's badge
	}{
		{"a concluded rollback beside a launch", []string{"checkout-launch", "banner-concluded"}, ExitOK, "launch", "🟢 Launch"},
		{"only a concluded rollback", []string{"banner-concluded"}, ExitOK, "none", "⚪"},
		{"a running rollback still counts", []string{"pricing-rollback", "banner-concluded"}, ExitFail, "rollback", "🔴 Rollback"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil, tt.experiments...)
			r := f.run()
			if r.code != tt.wantCode || r.outputs["decision"] != tt.wantDecision {
				t.Errorf("exit %d, decision %q; want %d, %q", r.code, r.outputs["decision"], tt.wantCode, tt.wantDecision)
			}
			cs := f.gh.Comments("Codertocat", "Hello-World", 2)
			if len(cs) != 1 {
				t.Fatalf("%d comments, want 1", len(cs))
			}
			for name, doc := range map[string]string{"summary": r.summary, "comment": cs[0].Body} {
				h := headline(doc)
				if !strings.HasPrefix(h, "### ExperimentOS: "+tt.wantHead) {
					t.Errorf("%s headline = %q, want %q", name, h, tt.wantHead)
				}
				if !slices.Contains(tt.experiments, "pricing-rollback") && strings.Contains(h, "Rollback") {
					t.Errorf("%s headline %q is coloured by the concluded experiment", name, h)
				}
				// The concluded experiment is listed, with its status.
				var row string
				for _, l := range strings.Split(doc, "\n") {
					if strings.HasPrefix(l, "| Old banner (banner-concluded) |") {
						row = l
					}
				}
				if !strings.Contains(row, "concluded") {
					t.Errorf("%s: the concluded experiment's row %q does not say concluded", name, row)
				}
			}
		})
	}
}
