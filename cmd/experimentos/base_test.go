package main

import (
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// gitRepo is a temporary git repository built by a test, with its own HOME
// and author, so that a clean machine passes.
type gitRepo struct {
	t   *testing.T
	dir string
	env []string
}

func newGitRepo(t *testing.T) *gitRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("git not installed: CI must run the --base and looks tests") // .ci/run's machine has git
		}
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	home := t.TempDir()
	r := &gitRepo{t: t, dir: dir, env: []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home,
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + filepath.Join(home, "gitconfig"), // not os.DevNull: on some machines a plain file
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@experimentos.invalid",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@experimentos.invalid",
		"GIT_AUTHOR_DATE=2026-11-01T00:00:00Z", "GIT_COMMITTER_DATE=2026-11-01T00:00:00Z",
	}}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *gitRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	cmd.Env = r.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// commit writes files (path → content; "" removes the file) and commits
// them.
func (r *gitRepo) commit(msg string, files map[string]string) {
	r.t.Helper()
	writeFiles(r.t, r.dir, files)
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", msg)
}

// The experiment of the history scenarios (docs/review.md): a running
// proportion test, 4,000 users an arm at the fork.
const (
	histYAML = `name: Checkout copy
hypothesis: Shorter copy converts better
owner: growth
start: 2026-11-01
status: running
plan:
  mde: 0.05
primary:
  metric: conversions
`
	histHeader = "variant,users,conversions\n"
	histFork   = histHeader + "control,4000,400\ntreatment,4010,420\n"  // Hold: not significant
	histMore   = histHeader + "control,8000,800\ntreatment,8010,900\n"  // Launch at the head
	histLower  = histHeader + "control,4000,400\ntreatment,3900,420\n"  // users went down
	histNewer  = histHeader + "control,9000,900\ntreatment,9010,1000\n" // main, after the fork
	expDir     = "experiments/growth/checkout-copy/"
)

type historyScenario struct {
	name     string
	pr       map[string]string // the pull request's commit
	mainNext map[string]string // a commit on main after the fork (nil: none)
	// Expected, for growth/checkout-copy.
	base, now string // decision outcomes
	issues    []string
	looks     int
	exit      int
}

// historyScenarios are the pull requests of the issue's acceptance: the
// CLI runs them with --base main here, the action against the fake API.
var historyScenarios = []historyScenario{
	{name: "Hold to Launch", pr: map[string]string{expDir + "results.csv": histMore},
		base: "hold", now: "launch", looks: 2, exit: exitOK},
	{name: "a lowered cumulative count", pr: map[string]string{expDir + "results.csv": histLower},
		base: "hold", now: "hold", issues: []string{"blocked data_rewritten results.csv:3 users"}, looks: 2, exit: exitFail},
	{name: "the same with an amendment", pr: map[string]string{expDir + "results.csv": histLower,
		expDir + "experiment.yaml": histYAML + "amendment: the export double-counted bots; restated from the warehouse\n"},
		base: "hold", now: "hold", issues: []string{"warning data_rewritten results.csv:3 users"}, looks: 2, exit: exitOK},
	{name: "plan.mde changed after data", pr: map[string]string{expDir + "experiment.yaml": strings.Replace(histYAML, "mde: 0.05", "mde: 0.02", 1)},
		base: "hold", now: "hold", issues: []string{"blocked plan_changed experiment.yaml:0 plan.mde"}, looks: 1, exit: exitFail},
	{name: "only sequential turned on", pr: map[string]string{expDir + "experiment.yaml": histYAML + "thresholds:\n  sequential: true\n"},
		base: "hold", now: "hold", looks: 1, exit: exitOK},
	{name: "main gained newer data after the fork", pr: map[string]string{expDir + "experiment.yaml": strings.Replace(histYAML, "owner: growth", "owner: growth-team", 1)},
		mainNext: map[string]string{expDir + "results.csv": histNewer},
		base:     "hold", now: "hold", looks: 1, exit: exitOK},
	{name: "only the hypothesis changed", pr: map[string]string{expDir + "experiment.yaml": strings.Replace(histYAML, "Shorter copy converts better", "Short copy converts", 1)},
		base: "hold", now: "hold", looks: 1, exit: exitOK},
}

// buildHistoryRepo makes main with a scaffold commit (header only: not a
// look) and a data commit, branches pr from it, commits the scenario's
// change there, and the scenario's later commit on main.
func buildHistoryRepo(t *testing.T, sc historyScenario) *gitRepo {
	r := newGitRepo(t)
	r.commit("scaffold", map[string]string{expDir + "experiment.yaml": histYAML, expDir + "results.csv": histHeader})
	r.commit("first data", map[string]string{expDir + "results.csv": histFork})
	r.git("checkout", "-q", "-b", "pr")
	r.commit("the pull request", sc.pr)
	if sc.mainNext != nil {
		r.git("checkout", "-q", "main")
		r.commit("newer data on main", sc.mainNext)
		r.git("checkout", "-q", "pr")
	}
	return r
}

type jsonResults struct {
	Experiments []struct {
		ID       string `json:"id"`
		Decision struct {
			Outcome string `json:"outcome"`
		} `json:"decision"`
		Base *struct {
			Outcome    string  `json:"outcome"`
			Reason     *string `json:"reason"`
			DataSHA256 *string `json:"data_sha256"`
		} `json:"base"`
		Looks  *int `json:"looks"`
		Health struct {
			Issues []struct {
				Severity string  `json:"severity"`
				Code     string  `json:"code"`
				File     *string `json:"file"`
				Line     *int    `json:"line"`
				Column   *string `json:"column"`
			} `json:"issues"`
		} `json:"health"`
	} `json:"experiments"`
}

// issueKeys renders the history issues (docs/review.md) as "severity code file:line column".
func issueKeys(t *testing.T, out string) (jsonResults, []string) {
	t.Helper()
	var doc jsonResults
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, out)
	}
	var keys []string
	for _, e := range doc.Experiments {
		for _, is := range e.Health.Issues {
			if is.Code != "data_rewritten" && is.Code != "plan_changed" {
				continue
			}
			line := 0
			if is.Line != nil {
				line = *is.Line
			}
			file, col := "", ""
			if is.File != nil {
				file = filepath.Base(*is.File)
			}
			if is.Column != nil {
				col = *is.Column
			}
			keys = append(keys, is.Severity+" "+is.Code+" "+file+":"+strconv.Itoa(line)+" "+col)
		}
	}
	return doc, keys
}

func TestCheckBase(t *testing.T) {
	t.Parallel()
	env := map[string]string{"PATH": os.Getenv("PATH")}
	for _, sc := range historyScenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			r := buildHistoryRepo(t, sc)
			// The pull request is one commit: HEAD~1 is the fork, and so is
			// the merge base of main and HEAD, even when main moved on.
			for _, ref := range []string{"main", "HEAD~1"} {
				checkBaseScenario(t, env, r, sc, ref)
			}
		})
	}
}

func checkBaseScenario(t *testing.T, env map[string]string, r *gitRepo, sc historyScenario, ref string) {
	t.Helper()
	code, out, errOut := runCLI(t, env, "check", "--format", "json", "--base", ref, filepath.Join(r.dir, "experiments"))
	if code != sc.exit {
		t.Errorf("--base %s: exit = %d, want %d; stderr %s", ref, code, sc.exit, errOut)
	}
	doc, keys := issueKeys(t, out)
	if len(doc.Experiments) != 1 {
		t.Fatalf("%d experiments", len(doc.Experiments))
	}
	e := doc.Experiments[0]
	if e.Base == nil {
		t.Fatal("no base")
	}
	if e.Base.Outcome != sc.base || e.Decision.Outcome != sc.now {
		t.Errorf("--base %s: base %s → now %s, want %s → %s", ref, e.Base.Outcome, e.Decision.Outcome, sc.base, sc.now)
	}
	if e.Base.DataSHA256 == nil || len(*e.Base.DataSHA256) != 64 || e.Base.Reason == nil {
		t.Errorf("base = %+v, want a reason and the data's sha256", e.Base)
	}
	if got, want := strings.Join(keys, "; "), strings.Join(sc.issues, "; "); got != want {
		t.Errorf("--base %s: findings = %q, want %q", ref, got, want)
	}
	if e.Looks == nil || *e.Looks != sc.looks {
		t.Errorf("--base %s: looks = %v, want %d", ref, e.Looks, sc.looks)
	}
}

func TestCheckBaseNewExperiment(t *testing.T) {
	t.Parallel()
	r := newGitRepo(t)
	r.commit("other", map[string]string{"README.md": "hi\n"})
	r.git("checkout", "-q", "-b", "pr")
	r.commit("add", map[string]string{expDir + "experiment.yaml": histYAML, expDir + "results.csv": histFork})
	code, out, errOut := runCLI(t, map[string]string{"PATH": os.Getenv("PATH")}, "check", "--format", "json", "--base", "main", filepath.Join(r.dir, "experiments"))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	doc, keys := issueKeys(t, out)
	e := doc.Experiments[0]
	if e.Base == nil || e.Base.Outcome != "new" || e.Base.Reason != nil || e.Base.DataSHA256 != nil {
		t.Errorf("base = %+v, want new with null reason and data_sha256", e.Base)
	}
	if len(keys) != 0 || e.Looks == nil || *e.Looks != 1 {
		t.Errorf("findings %v, looks %v; want none and 1", keys, e.Looks)
	}
	// The memo's Summary says so.
	_, md, _ := runCLI(t, map[string]string{"PATH": os.Getenv("PATH")}, "check", "--format", "markdown", "--base", "main", filepath.Join(r.dir, "experiments"))
	for _, want := range []string{"| Decision at the merge base | new: not at the merge base |", "| Looks | 1 commit changed the data file with data in it |"} {
		if !strings.Contains(md, want) {
			t.Errorf("memo lacks %q", want)
		}
	}
}

func TestCheckBaseMemo(t *testing.T) {
	t.Parallel()
	r := buildHistoryRepo(t, historyScenarios[0])
	_, md, _ := runCLI(t, map[string]string{"PATH": os.Getenv("PATH")}, "check", "--format", "markdown", "--base", "main", filepath.Join(r.dir, "experiments"))
	for _, want := range []string{
		// At the fork 420/4010 vs 400/4000: +0.4738 pp, statsmodels
		// proportions_ztest([420, 400], [4010, 4000]): p = 0.48427.
		"| Decision at the merge base | Hold → Launch treatment in this pull request (treatment: conversions +0.474 pp, p = 0.4843 ≥ 0.05, not significant) |",
		"| Looks | 2 commits changed the data file with data in it |",
		// Two looks at α = 0.05: 8.3% (docs/statistics.md#looks, Armitage et al. 1969).
		"significant at α = 0.05 has a false-positive rate of 8.3%, not 5%",
		"Set thresholds.sequential: true",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("memo lacks %q", want)
		}
	}
	_, text, _ := runCLI(t, map[string]string{"PATH": os.Getenv("PATH")}, "check", "--base", "main", filepath.Join(r.dir, "experiments"))
	if want := "\n  at the merge base: Hold → Launch treatment · looks: 2\n"; !strings.Contains(text, want) {
		t.Errorf("terminal output lacks %q:\n%s", want, text)
	}
}

func TestCheckBaseErrors(t *testing.T) {
	t.Parallel()
	env := map[string]string{"PATH": os.Getenv("PATH")}
	r := buildHistoryRepo(t, historyScenarios[0])
	noGit := brokenTree(t)
	shallow := t.TempDir()
	r.git("clone", "-q", "--depth", "1", "--branch", "pr", "file://"+r.dir, shallow)
	cases := []struct {
		name     string
		args     []string
		exit     int
		inStderr string
		check    func(t *testing.T, out string)
	}{
		{name: "no such ref", args: []string{"check", "--base", "no-such-branch", filepath.Join(r.dir, "experiments")},
			exit: exitUsage, inStderr: "--base no-such-branch: no such commit in"},
		{name: "an option as a ref", args: []string{"check", "--base=--output=x", filepath.Join(r.dir, "experiments")},
			exit: exitUsage, inStderr: "not a revision"},
		{name: "not in a git repository", args: []string{"check", "--base", "main", noGit},
			exit: exitUsage, inStderr: "not in a git repository"},
		{name: "a shallow clone: looks unknown", args: []string{"check", "--format", "json", "--base", "HEAD", filepath.Join(shallow, "experiments")},
			exit: exitOK, check: func(t *testing.T, out string) {
				doc, _ := issueKeys(t, out)
				if e := doc.Experiments[0]; e.Looks != nil || e.Base == nil || e.Base.Outcome != "launch" {
					t.Errorf("looks %v base %+v; want null looks and the head as its own base", e.Looks, e.Base)
				}
			}},
		{name: "a shallow clone says why", args: []string{"check", "--format", "markdown", "--base", "HEAD", filepath.Join(shallow, "experiments")},
			exit: exitOK, check: func(t *testing.T, out string) {
				if !strings.Contains(out, "| Looks | unknown: a shallow clone") {
					t.Errorf("memo does not say the looks are unknown:\n%s", out)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCLI(t, env, c.args...)
			if code != c.exit || !strings.Contains(errOut, c.inStderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, c.exit, c.inStderr)
			}
			if c.check != nil {
				c.check(t, out)
			}
		})
	}
}

// TestCheckBaseHostile: a hostile tree at the merge base behaves as the
// head side does: a link is refused without being followed, a huge file is
// not read past the limit, strange names are names.
func TestCheckBaseHostile(t *testing.T) {
	t.Parallel()
	env := map[string]string{"PATH": os.Getenv("PATH")}
	secret := filepath.Join(t.TempDir(), "secret.csv")
	if err := os.WriteFile(secret, []byte(histMore), 0o644); err != nil {
		t.Fatal(err)
	}
	huge := histHeader + strings.Repeat("control,1,0\n", 200000) // 2.4 MB > 1 MiB
	cases := []struct {
		name       string
		setup      func(r *gitRepo)
		baseReason string
	}{
		{name: "the data file is a link", setup: func(r *gitRepo) {
			if err := os.Symlink(secret, filepath.Join(r.dir, expDir, "results.csv")); err != nil {
				t.Fatal(err)
			}
		}, baseReason: "path_escape"},
		{name: "the experiment folder is a link", setup: func(r *gitRepo) {
			real := filepath.Join(r.dir, "elsewhere")
			if err := os.Rename(filepath.Join(r.dir, expDir), real); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(real, filepath.Join(r.dir, strings.TrimSuffix(expDir, "/"))); err != nil {
				t.Fatal(err)
			}
		}, baseReason: "path_escape"},
		{name: "a huge data file", setup: func(r *gitRepo) {
			if err := os.WriteFile(filepath.Join(r.dir, expDir, "results.csv"), []byte(huge), 0o644); err != nil {
				t.Fatal(err)
			}
		}, baseReason: "limit_exceeded"},
		{name: "hostile names beside it", setup: func(r *gitRepo) {
			if err := os.WriteFile(filepath.Join(r.dir, expDir, "results.csv"), []byte(histFork), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, n := range []string{"tab\there", "new\nline", "-rf", "..."} {
				if err := os.WriteFile(filepath.Join(r.dir, expDir, n), []byte("x"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}, baseReason: "not significant"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newGitRepo(t)
			r.commit("scaffold", map[string]string{expDir + "experiment.yaml": histYAML, expDir + "results.csv": histFork})
			if err := os.Remove(filepath.Join(r.dir, expDir, "results.csv")); err != nil {
				t.Fatal(err)
			}
			c.setup(r)
			r.commit("hostile base", nil)
			r.git("checkout", "-q", "-b", "pr")
			r.git("rm", "-q", "-r", "--cached", "experiments")
			if err := os.RemoveAll(filepath.Join(r.dir, "experiments")); err != nil {
				t.Fatal(err)
			}
			os.RemoveAll(filepath.Join(r.dir, "elsewhere"))
			r.commit("real files", map[string]string{expDir + "experiment.yaml": histYAML, expDir + "results.csv": histMore})
			code, out, errOut := runCLI(t, env, "check", "--format", "json", "--base", "main", filepath.Join(r.dir, "experiments"))
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			doc, keys := issueKeys(t, out)
			if len(doc.Experiments) != 1 || len(keys) != 0 {
				t.Fatalf("experiments %d, findings %v", len(doc.Experiments), keys)
			}
			e := doc.Experiments[0]
			got := e.Base.Outcome
			if e.Base.Reason != nil {
				got += ": " + *e.Base.Reason
			}
			if !strings.Contains(got, c.baseReason) {
				t.Errorf("base = %q, want it to name %q", got, c.baseReason)
			}
			if e.Decision.Outcome != "launch" {
				t.Errorf("head decision = %s, want launch", e.Decision.Outcome)
			}
		})
	}
}

// Without --base, a check inside a git repository still counts the looks
// from git log (one log and one cat-file batch for the whole root), equal
// to what --base counts; it compares no merge base: no headline, no base
// row, JSON base null. Outside a repository the looks are null.
func TestCheckLooksWithoutBase(t *testing.T) {
	t.Parallel()
	env := map[string]string{"PATH": os.Getenv("PATH")}
	for _, sc := range historyScenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			r := buildHistoryRepo(t, sc)
			// A second experiment whose data came with its first commit.
			r.commit("another", map[string]string{"experiments/other/experiment.yaml": histYAML, "experiments/other/results.csv": histFork})
			code, out, errOut := runCLI(t, env, "check", "--format", "json", filepath.Join(r.dir, "experiments"))
			if code == exitUsage {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			doc, _ := issueKeys(t, out)
			looks := map[string]int{}
			for _, e := range doc.Experiments {
				if e.Base != nil || e.Looks == nil {
					t.Fatalf("%s: base %+v looks %v; want no base and counted looks", e.ID, e.Base, e.Looks)
				}
				looks[e.ID] = *e.Looks
			}
			if want := map[string]int{"other": 1, strings.TrimSuffix(strings.TrimPrefix(expDir, "experiments/"), "/"): sc.looks}; !maps.Equal(looks, want) {
				t.Errorf("looks = %v, want %v", looks, want)
			}
			_, md, _ := runCLI(t, env, "check", "--format", "markdown", filepath.Join(r.dir, "experiments"))
			if !strings.Contains(md, "| Looks | ") || strings.Contains(md, "merge base") {
				t.Errorf("memo: want a Looks row and no merge-base row:\n%s", md)
			}
		})
	}
	plain := t.TempDir()
	writeFiles(t, plain, map[string]string{"experiments/a/experiment.yaml": histYAML, "experiments/a/results.csv": histFork})
	_, out, _ := runCLI(t, env, "check", "--format", "json", filepath.Join(plain, "experiments"))
	if doc, _ := issueKeys(t, out); doc.Experiments[0].Looks != nil || doc.Experiments[0].Base != nil {
		t.Errorf("outside git: looks %v base %v, want both null", doc.Experiments[0].Looks, doc.Experiments[0].Base)
	}
}

// writeFiles writes files (path below root → content; "" removes the
// file), making their folders.
func writeFiles(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for p, text := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if text == "" {
			must(t, os.Remove(full))
			continue
		}
		must(t, os.MkdirAll(filepath.Dir(full), 0o755))
		must(t, os.WriteFile(full, []byte(text), 0o644))
	}
}
