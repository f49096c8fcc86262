package main

// End-to-end tests of `experimentos action`: the real binary, built once,
// run as GitHub's runner runs a Docker action (INPUT_* and GITHUB_*
// variables, a real webhook payload, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY
// files, the workspace as working directory) against githubfake.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/experimentos/experimentos/internal/githubfake"
	"github.com/experimentos/experimentos/internal/prcomment"
)

const e2eToken = "ghs_E2eSecretTokenValue0123456789"

// Results per kind of experiment, checked with `experimentos check`.
var e2eCSV = map[string]string{
	"launch":   "variant,users,conversions\ncontrol,10000,1200\ntreatment,10000,1320\n",
	"hold":     "variant,users,conversions\ncontrol,10000,1200\ntreatment,10000,1210\n",
	"rollback": "variant,users,conversions\ncontrol,10000,1200\ntreatment,10000,1000\n",
	"blocked":  "variant,users,conversions\ncontrol,10000,12000\ntreatment,10000,1000\n",
}

// writeExp writes experiments/ID with a results.csv of the given kind.
func writeExp(t *testing.T, ws, id, kind, extraYAML string) {
	t.Helper()
	dir := filepath.Join(ws, "experiments", filepath.FromSlash(id))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	y := fmt.Sprintf("name: Experiment %s\nhypothesis: The %s variant changes checkout conversion for every visitor who reaches the cart page\nstatus: running\nprimary:\n  metric: conversions\n%s", id, kind, extraYAML)
	must(t, os.WriteFile(filepath.Join(dir, "experiment.yaml"), []byte(y), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "results.csv"), []byte(e2eCSV[kind]), 0o644))
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// actionRun is one invocation of the action and what it left behind.
type actionRun struct {
	code                    int
	stdout, stderr, summary string
	outputs                 map[string]string
}

// e2e is one scenario: a workspace, a fake GitHub and the environment.
type e2e struct {
	t   *testing.T
	bin string
	ws  string
	gh  *githubfake.Server
	env map[string]string
}

func newE2E(t *testing.T, bin, event, eventFile, repo string) *e2e {
	t.Helper()
	ws := t.TempDir()
	tmp := t.TempDir()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "action", "events", eventFile))
	must(t, err)
	evPath := filepath.Join(tmp, eventFile) // its name tells e.pr() a fork's payload
	must(t, os.WriteFile(evPath, data, 0o644))
	gh := githubfake.New(t, githubfake.WithToken(e2eToken))
	return &e2e{t: t, bin: bin, ws: ws, gh: gh, env: map[string]string{
		"INPUT_GITHUB-TOKEN": e2eToken,
		"INPUT_PATH":         "experiments",
		"INPUT_FAIL-ON":      "blocked,rollback",
		"INPUT_COMMENT":      "update",
		"INPUT_CHANGED-ONLY": "true",
		"INPUT_MEMO-DIR":     "",
		// These scenarios model no repository history (no commits in the
		// fake), so they leave the comparison with the merge base off; the
		// history scenarios (action_history_test.go) use the default, on.
		"INPUT_COMPARE-BASE":            "false",
		"GITHUB_EVENT_NAME":             event,
		"GITHUB_EVENT_PATH":             evPath,
		"GITHUB_REPOSITORY":             repo,
		"GITHUB_API_URL":                strings.TrimSuffix(gh.URL, "/"), // as the runner sets it; go-github needs the slash
		"GITHUB_SERVER_URL":             "https://github.com",
		"GITHUB_RUN_ID":                 "987654321",
		"GITHUB_SHA":                    "1111111111111111111111111111111111111111",
		"GITHUB_WORKSPACE":              ws,
		"GITHUB_ACTIONS":                "true",
		"EXPERIMENTOS_RETRY_BASE_DELAY": "5ms",
	}}
}

// run runs the binary once with fresh GITHUB_OUTPUT and GITHUB_STEP_SUMMARY
// files, as each step gets.
func (e *e2e) run() actionRun { e.t.Helper(); return e.runWith(nil) }

// runWith is run with some variables replaced.
func (e *e2e) runWith(extra map[string]string) actionRun {
	e.t.Helper()
	tmp := e.t.TempDir()
	out, sum := filepath.Join(tmp, "output"), filepath.Join(tmp, "summary")
	must(e.t, os.WriteFile(out, nil, 0o644))
	must(e.t, os.WriteFile(sum, nil, 0o644))
	env := []string{"GITHUB_OUTPUT=" + out, "GITHUB_STEP_SUMMARY=" + sum}
	for k, v := range e.env {
		if _, ok := extra[k]; !ok {
			env = append(env, k+"="+v)
		}
	}
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	r := runBinary(e.t, e.bin, e.ws, env, "action")
	o, err := os.ReadFile(out)
	must(e.t, err)
	s, err := os.ReadFile(sum)
	must(e.t, err)
	r.summary = string(s)
	r.outputs = parseOutputs(e.t, string(o))
	e.noToken(r)
	return r
}

func runBinary(t *testing.T, bin, dir string, env []string, args ...string) actionRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = env // nothing inherited: a CI runner's own GITHUB_* must not leak in
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := actionRun{stdout: stdout.String(), stderr: stderr.String(), code: cmd.ProcessState.ExitCode()}
	if err != nil && r.code < 0 {
		t.Fatalf("run %v: %v\n%s", args, err, stderr.String())
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("run took %s, want < 3s", d)
	}
	return r
}

// noToken checks that the token appears nowhere but in the one add-mask
// command, which the runner consumes to hide it.
func (e *e2e) noToken(r actionRun) {
	e.t.Helper()
	masks := 0
	for _, line := range strings.Split(r.stdout, "\n") {
		if line == "::add-mask::"+e2eToken {
			masks++
			continue
		}
		if strings.Contains(line, e2eToken) {
			e.t.Errorf("token in stdout: %q", line)
		}
	}
	if masks > 1 {
		e.t.Errorf("stdout has %d add-mask commands for the token, want at most 1", masks)
	}
	for name, s := range map[string]string{"stderr": r.stderr, "summary": r.summary} {
		if strings.Contains(s, e2eToken) {
			e.t.Errorf("token in %s", name)
		}
	}
	for k, v := range r.outputs {
		if strings.Contains(v, e2eToken) {
			e.t.Errorf("token in output %s", k)
		}
	}
	for _, c := range e.gh.Comments(e.owner(), e.repo(), e.pr()) {
		if strings.Contains(c.Body, e2eToken) {
			e.t.Errorf("token in comment %d", c.ID)
		}
	}
}

func (e *e2e) owner() string { o, _, _ := strings.Cut(e.env["GITHUB_REPOSITORY"], "/"); return o }
func (e *e2e) repo() string  { _, r, _ := strings.Cut(e.env["GITHUB_REPOSITORY"], "/"); return r }
func (e *e2e) pr() int {
	// The payload's name, not its path: a test named "…fork…" has "fork"
	// in its temporary folder.
	if strings.Contains(filepath.Base(e.env["GITHUB_EVENT_PATH"]), "fork") || e.owner() == "listendev" {
		return 217
	}
	return 2
}

func (e *e2e) setFiles(names ...string) {
	var fs []githubfake.File
	for _, n := range names {
		fs = append(fs, githubfake.File{Filename: n, Status: "modified"})
	}
	e.gh.SetFiles(e.owner(), e.repo(), e.pr(), fs)
}

func (e *e2e) comments() []githubfake.Comment { return e.gh.Comments(e.owner(), e.repo(), e.pr()) }

// parseOutputs reads a GITHUB_OUTPUT file: "name=value" lines and
// "name<<DELIM" … "DELIM" blocks, as the runner does.
func parseOutputs(t *testing.T, s string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if line == "" {
			continue
		}
		if name, delim, ok := strings.Cut(line, "<<"); ok && !strings.Contains(name, "=") {
			var val []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				val = append(val, lines[i])
			}
			if i == len(lines) {
				t.Fatalf("output %s: delimiter %q never closes", name, delim)
			}
			if _, dup := out[name]; dup {
				t.Errorf("output %s set twice", name)
			}
			out[name] = strings.Join(val, "\n")
			continue
		}
		name, val, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("bad output line %q", line)
		}
		out[name] = val
	}
	return out
}

var annotationRE = regexp.MustCompile(`(?m)^::(error|warning) (?:col=\d+,)?file=([^,]+),line=(\d+),title=[^:]+::(.+)$`)

func TestActionE2E(t *testing.T) {
	bin := buildBinary(t)
	marker := prcomment.Marker("experiments")
	bot := githubfake.User{Login: "github-actions[bot]", ID: 41898282, Type: "Bot"}
	person := githubfake.User{Login: "mona", ID: 1, Type: "User"}

	t.Run("first run creates, second edits", func(t *testing.T) {
		t.Parallel()
		e := newE2E(t, bin, "pull_request", "pull_request.opened.json", "Codertocat/Hello-World")
		writeExp(t, e.ws, "home", "launch", "")
		writeExp(t, e.ws, "other", "rollback", "")
		e.setFiles("experiments/home/results.csv", "README.md")
		e.gh.AddComment("Codertocat", "Hello-World", 2, githubfake.Comment{Body: "quoting you:\n" + marker, User: person})
		e.gh.AddComment("Codertocat", "Hello-World", 2, githubfake.Comment{Body: marker + "\nI typed the marker myself", User: person})

		r := e.run()
		if r.code != 0 {
			t.Fatalf("exit %d, want 0 (launch)\n%s%s", r.code, r.stdout, r.stderr)
		}
		cs := e.comments()
		if got, want := len(cs), 3; got != want {
			t.Fatalf("comments = %d, want %d", got, want)
		}
		sticky := cs[2]
		if !strings.HasPrefix(sticky.Body, marker+"\n") || sticky.User.Type != "Bot" {
			t.Errorf("sticky comment: %.100q by %v", sticky.Body, sticky.User)
		}
		if !strings.Contains(sticky.Body, "ec26c3e57ca3") || strings.Contains(sticky.Body, "1111111") {
			t.Errorf("comment does not name the head SHA ec26c3e57ca3: %.400s", sticky.Body)
		}
		if !strings.Contains(sticky.Body, "https://github.com/Codertocat/Hello-World/actions/runs/987654321") {
			t.Errorf("comment lacks the run URL")
		}
		if strings.Contains(sticky.Body, "Experiment other") {
			t.Errorf("comment lists an experiment the PR does not change")
		}
		if got, want := r.outputs["comment-url"], sticky.HTMLURL; got != want {
			t.Errorf("comment-url = %q, want %q", got, want)
		}
		// files 1 page + GET /user (whose comments count) + comments 1
		// page + create + verification list.
		if got, max := e.gh.Total(), 1+1+1+1+1; got > max {
			t.Errorf("first run made %d requests, want ≤ %d: %v", got, max, e.gh.Requests())
		}
		t.Logf("first run: %d requests", e.gh.Total())

		e.gh.ResetRequests()
		writeExp(t, e.ws, "home", "hold", "")
		r = e.run()
		if r.code != 0 {
			t.Fatalf("second run exit %d", r.code)
		}
		cs = e.comments()
		if got, want := len(cs), 3; got != want {
			t.Fatalf("after the second run comments = %d, want %d", got, want)
		}
		if cs[2].ID != sticky.ID || !strings.Contains(cs[2].Body, "Hold") {
			t.Errorf("second run did not edit the sticky comment: %.300s", cs[2].Body)
		}
		if cs[0].Body != "quoting you:\n"+marker || cs[1].Body != marker+"\nI typed the marker myself" {
			t.Errorf("a person's comment was changed")
		}
		if got, want := e.gh.Count(githubfake.RouteEditComment), 1; got != want {
			t.Errorf("edits = %d, want %d", got, want)
		}
		if got, max := e.gh.Total(), 1+1+1+1; got > max { // files, user, comments, edit
			t.Errorf("second run made %d requests, want ≤ %d", got, max)
		}
		t.Logf("second run: %d requests", e.gh.Total())
	})

	t.Run("marker on page 3 of 250 comments", func(t *testing.T) {
		t.Parallel()
		e := newE2E(t, bin, "pull_request", "pull_request.opened.json", "Codertocat/Hello-World")
		writeExp(t, e.ws, "home", "launch", "")
		e.setFiles("experiments/home/experiment.yaml")
		var stickyID int64
		for i := range 250 {
			c := githubfake.Comment{Body: fmt.Sprintf("comment %d", i), User: person}
			switch i {
			case 5:
				c.Body = "> " + marker + "\nquoted"
			case 7:
				c = githubfake.Comment{Body: "<!-- experimentos:sticky:other -->\nanother path's comment", User: bot}
			case 230:
				c = githubfake.Comment{Body: marker + "\nold memo", User: bot}
			}
			got := e.gh.AddComment("Codertocat", "Hello-World", 2, c)
			if i == 230 {
				stickyID = got.ID
			}
		}
		r := e.run()
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		cs := e.comments()
		if len(cs) != 250 {
			t.Fatalf("comments = %d, want 250", len(cs))
		}
		for _, c := range cs {
			if c.ID == stickyID && !strings.Contains(c.Body, "Launch") {
				t.Errorf("sticky comment on page 3 not edited")
			}
			if c.ID != stickyID && strings.Contains(c.Body, "Launch") {
				t.Errorf("comment %d edited", c.ID)
			}
		}
		// files 1 + user 1 + comments 3 + 1 edit.
		if got, max := e.gh.Total(), 1+1+3+1; got > max {
			t.Errorf("requests = %d, want ≤ %d", got, max)
		}
		t.Logf("page 3 of 250: %d requests", e.gh.Total())
	})

	t.Run("150 changed files select the right experiments", func(t *testing.T) {
		t.Parallel()
		e := newE2E(t, bin, "pull_request", "pull_request.opened.json", "Codertocat/Hello-World")
		writeExp(t, e.ws, "alpha", "launch", "")
		writeExp(t, e.ws, "team/beta", "hold", "")
		writeExp(t, e.ws, "gamma", "rollback", "data: ../data/gamma.csv\n")
		must(t, os.MkdirAll(filepath.Join(e.ws, "experiments", "data"), 0o755))
		must(t, os.WriteFile(filepath.Join(e.ws, "experiments", "data", "gamma.csv"), []byte(e2eCSV["rollback"]), 0o644))
		writeExp(t, e.ws, "untouched", "blocked", "")
		files := githubfake.GenerateFiles("docs", 146)
		files = append(files,
			githubfake.File{Filename: "experiments/alpha/results.csv", Status: "modified"},
			githubfake.File{Filename: "experiments/team/beta/notes.md", Status: "added"},
			githubfake.File{Filename: "experiments/data/gamma.csv", Status: "modified"},
			githubfake.File{Filename: "experiments/gone/experiment.yaml", Status: "removed"},
		)
		e.gh.SetFiles("Codertocat", "Hello-World", 2, files)
		r := e.run()
		if r.code != 1 {
			t.Errorf("exit %d, want 1 (gamma rolls back)", r.code)
		}
		body := e.comments()[0].Body
		for _, want := range []string{"Experiment alpha", "Experiment team/beta", "Experiment gamma", "gone (removed)"} {
			if !strings.Contains(body, want) {
				t.Errorf("comment lacks %q", want)
			}
			if !strings.Contains(r.summary, want) {
				t.Errorf("summary lacks %q", want)
			}
		}
		if strings.Contains(body, "untouched") || r.outputs["blocked"] != "false" {
			t.Errorf("an unchanged experiment was analyzed (blocked=%s)", r.outputs["blocked"])
		}
		if got, want := r.outputs["decision"], "rollback"; got != want {
			t.Errorf("decision = %q, want %q", got, want)
		}
		if got, want := e.gh.Count(githubfake.RouteListFiles), 2; got != want {
			t.Errorf("file pages = %d, want %d", got, want)
		}
	})

	t.Run("300 experiments fit one comment with the overview", func(t *testing.T) {
		t.Parallel()
		e := newE2E(t, bin, "pull_request", "pull_request.opened.json", "Codertocat/Hello-World")
		var names []string
		for i := range 300 {
			id := fmt.Sprintf("exp-%03d", i)
			writeExp(t, e.ws, id, []string{"launch", "hold", "rollback", "blocked"}[i%4], "")
			names = append(names, "experiments/"+id+"/results.csv")
		}
		e.setFiles(names...)
		r := e.run()
		if r.code != 1 {
			t.Errorf("exit %d, want 1", r.code)
		}
		cs := e.comments()
		if len(cs) != 1 {
			t.Fatalf("comments = %d", len(cs))
		}
		body := cs[0].Body
		if n := utf8.RuneCountInString(body); n > githubfake.MaxBodyChars {
			t.Errorf("body has %d characters, over %d", n, githubfake.MaxBodyChars)
		}
		for i := range 300 {
			if !strings.Contains(body, fmt.Sprintf("| Experiment exp-%03d (exp-%03d) |", i, i)) {
				t.Errorf("overview lacks exp-%03d", i)
				break
			}
		}
		if !strings.Contains(body, "actions/runs/987654321") {
			t.Errorf("shortened comment does not link the run")
		}
		if !strings.Contains(r.summary, "| Experiment exp-299 (exp-299) |") {
			t.Errorf("summary lacks the overview")
		}
		// Error annotations are capped at 10 and the summary lists all.
		if n := strings.Count(r.stdout, "::error "); n != 10 {
			t.Errorf("error annotations = %d, want 10", n)
		}
		if !strings.Contains(r.summary, "#### Health issues") || !strings.Contains(r.summary, "exp-299") {
			t.Errorf("summary does not list every issue")
		}
	})

	t.Run("403 on write from a fork is a warning", func(t *testing.T) {
		t.Parallel()
		e := newE2E(t, bin, "pull_request", "pull_request.opened.fork.json", "listendev/lstn")
		writeExp(t, e.ws, "broken", "blocked", "")
		e.setFiles("experiments/broken/results.csv")
		e.gh.Inject(githubfake.RouteCreateComment, githubfake.Fault{Kind: githubfake.Forbidden})
		r := e.run()
		if r.code != 1 {
			t.Errorf("exit %d, want 1 (blocked, by fail-on)\n%s", r.code, r.stderr)
		}
		if !strings.Contains(r.stdout, "::warning title=ExperimentOS::The token may not write pull request comments") {
			t.Errorf("no permission warning:\n%s", r.stdout)
		}
		if len(e.comments()) != 0 {
			t.Errorf("a comment was stored")
		}
		if r.outputs["decision"] != "hold" || r.outputs["blocked"] != "true" || r.outputs["comment-url"] != "" ||
			r.outputs["results-json"] != "experimentos-memos/results.json" {
			t.Errorf("outputs = %v", r.outputs)
		}
		if !strings.Contains(r.summary, "| Experiment broken (broken) |") || !strings.Contains(r.summary, "5864e328f129") {
			t.Errorf("summary lacks the overview or the fork's head SHA:\n%.500s", r.summary)
		}
		if _, err := os.Stat(filepath.Join(e.ws, "experimentos-memos", "broken", "memo.md")); err != nil {
			t.Errorf("memo not written: %v", err)
		}
		m := annotationRE.FindAllStringSubmatch(r.stdout, -1)
		if len(m) == 0 || m[0][1] != "error" || m[0][2] != "experiments/broken/results.csv" || m[0][3] != "2" {
			t.Errorf("annotations = %q\n%s", m, r.stdout)
		}
		// 403 also with comment off and fail-on none: exit 0.
		e.env["INPUT_FAIL-ON"] = "none"
		if r := e.run(); r.code != 0 {
			t.Errorf("fail-on none: exit %d", r.code)
		}
	})

	t.Run("502 twice then 200", func(t *testing.T) {
		t.Parallel()
		e := newE2E(t, bin, "pull_request", "pull_request.opened.json", "Codertocat/Hello-World")
		writeExp(t, e.ws, "home", "launch", "")
		e.setFiles("experiments/home/results.csv")
		e.gh.Inject(githubfake.RouteListFiles, githubfake.Fault{Kind: githubfake.BadGateway, Times: 2})
		e.gh.Inject(githubfake.RouteListComments, githubfake.Fault{Kind: githubfake.BadGateway, Times: 2})
		r := e.run()
		if r.code != 0 || strings.Contains(r.stdout, "::warning") {
			t.Errorf("exit %d\n%s", r.code, r.stdout)
		}
		if len(e.comments()) != 1 {
			t.Errorf("comments = %d, want 1", len(e.comments()))
		}
		retries := 4
		if got, max := e.gh.Total()-retries, 1+1+1+1+1; got > max {
			t.Errorf("requests without retries = %d, want ≤ %d", got, max)
		}
	})

	t.Run("a create that times out is not duplicated", func(t *testing.T) {
		t.Parallel()
		e := newE2E(t, bin, "pull_request", "pull_request.opened.json", "Codertocat/Hello-World")
		e.env["EXPERIMENTOS_REQUEST_TIMEOUT"] = "300ms"
		writeExp(t, e.ws, "home", "launch", "")
		e.setFiles("experiments/home/results.csv")
		e.gh.Inject(githubfake.RouteCreateComment, githubfake.Fault{Kind: githubfake.StallAfterCommit, Times: 1, Stall: 2 * time.Second})
		r := e.run()
		if r.code != 0 {
			t.Errorf("exit %d\n%s", r.code, r.stdout)
		}
		if got := len(e.comments()); got != 1 {
			t.Errorf("comments = %d, want 1", got)
		}
		if got := e.gh.Count(githubfake.RouteCreateComment); got != 1 {
			t.Errorf("creates = %d, want 1", got)
		}
	})

	t.Run("exit status follows fail-on", func(t *testing.T) {
		t.Parallel()
		for _, tt := range []struct {
			kind, decision string
			code           int
		}{{"launch", "launch", 0}, {"hold", "hold", 0}, {"rollback", "rollback", 1}, {"blocked", "hold", 1}} {
			e := newE2E(t, bin, "pull_request", "pull_request.opened.json", "Codertocat/Hello-World")
			writeExp(t, e.ws, "x", tt.kind, "")
			e.setFiles("experiments/x/results.csv")
			r := e.run()
			if r.code != tt.code || r.outputs["decision"] != tt.decision {
				t.Errorf("%s: exit %d decision %q, want %d %q", tt.kind, r.code, r.outputs["decision"], tt.code, tt.decision)
			}
			if got, want := r.outputs["blocked"], fmt.Sprint(tt.kind == "blocked"); got != want {
				t.Errorf("%s: blocked = %q, want %q", tt.kind, got, want)
			}
		}
	})

	t.Run("no experiment changed refreshes only an existing comment", func(t *testing.T) {
		t.Parallel()
		e := newE2E(t, bin, "pull_request", "pull_request.opened.json", "Codertocat/Hello-World")
		writeExp(t, e.ws, "x", "rollback", "")
		e.setFiles("README.md")
		r := e.run()
		if r.code != 0 || len(e.comments()) != 0 || r.outputs["decision"] != "none" {
			t.Errorf("exit %d, %d comments, decision %q", r.code, len(e.comments()), r.outputs["decision"])
		}
		if !strings.Contains(r.summary, "no experiment changed") {
			t.Errorf("summary: %.300s", r.summary)
		}
		if got, max := e.gh.Total(), 3; got > max { // files, user, comments
			t.Errorf("requests = %d, want ≤ %d", got, max)
		}
		e.gh.AddComment("Codertocat", "Hello-World", 2, githubfake.Comment{Body: marker + "\nold memo: Rollback", User: bot})
		if r := e.run(); r.code != 0 {
			t.Errorf("exit %d", r.code)
		}
		if cs := e.comments(); len(cs) != 1 || !strings.Contains(cs[0].Body, "no experiment changed") {
			t.Errorf("stale comment not refreshed: %v", cs)
		}
	})

	for _, ev := range []struct{ name, file, repo string }{
		{"push", "push.branch.json", "reviewdog/reviewdog"},
		{"workflow_dispatch", "workflow_dispatch.json", "octo-org/octo-repo"},
	} {
		t.Run(ev.name+" analyzes all without a comment", func(t *testing.T) {
			t.Parallel()
			e := newE2E(t, bin, ev.name, ev.file, ev.repo)
			writeExp(t, e.ws, "a", "launch", "")
			writeExp(t, e.ws, "b", "hold", "")
			r := e.run()
			if r.code != 0 || r.outputs["decision"] != "hold" || r.outputs["comment-url"] != "" {
				t.Errorf("exit %d outputs %v\n%s", r.code, r.outputs, r.stderr)
			}
			if e.gh.Total() != 0 {
				t.Errorf("%d API requests on %s", e.gh.Total(), ev.name)
			}
			for _, want := range []string{"| Experiment a (a) |", "| Experiment b (b) |", "commit 111111111111"} {
				if !strings.Contains(r.summary, want) {
					t.Errorf("summary lacks %q", want)
				}
			}
		})
	}

	t.Run("outside a runner", func(t *testing.T) {
		t.Parallel()
		r := runBinary(t, bin, t.TempDir(), []string{"PATH=/usr/bin:/bin"}, "action")
		if r.code != 2 {
			t.Errorf("exit %d, want 2", r.code)
		}
		for _, want := range []string{"not running in a GitHub Actions runner", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_EVENT_PATH", "INPUT_GITHUB-TOKEN"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("message lacks %q: %s", want, r.stderr)
			}
		}
		if strings.Contains(r.stderr, "panic") {
			t.Errorf("panicked: %s", r.stderr)
		}
	})

	t.Run("memo-dir outside the workspace is refused", func(t *testing.T) {
		t.Parallel()
		e := newE2E(t, bin, "push", "push.branch.json", "reviewdog/reviewdog")
		writeExp(t, e.ws, "a", "launch", "")
		e.env["INPUT_MEMO-DIR"] = "../elsewhere"
		if r := e.run(); r.code != 2 || !strings.Contains(r.stderr, "memo-dir") {
			t.Errorf("exit %d: %s", r.code, r.stderr)
		}
	})
}

// `experimentos action` hands over to the experimentos-action beside it;
// without one it says how to build it, and it never runs one found on PATH
// or in the working folder (which a pull request controls).
func TestActionHandOver(t *testing.T) {
	t.Parallel()
	alone := filepath.Join(t.TempDir(), "experimentos")
	if out, err := exec.Command("go", "build", "-o", alone, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ws := t.TempDir()
	planted := filepath.Join(ws, "experimentos-action")
	must(t, os.WriteFile(planted, []byte("#!/bin/sh\necho planted; exit 0\n"), 0o755))
	r := runBinary(t, alone, ws, []string{"PATH=" + ws + ":/usr/bin:/bin"}, "action")
	if r.code != 2 || !strings.Contains(r.stderr, "go build -o DIR/ ./cmd/experimentos ./cmd/experimentos-action") ||
		strings.Contains(r.stdout+r.stderr, "planted") {
		t.Errorf("without its binary: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}

	both := buildBinary(t)
	r = runBinary(t, both, t.TempDir(), []string{"PATH=/usr/bin:/bin"}, "action", "extra")
	if r.code != 2 || !strings.Contains(r.stderr, `takes no arguments (got ["extra"])`) {
		t.Errorf("action extra: exit %d: %s", r.code, r.stderr)
	}
}
