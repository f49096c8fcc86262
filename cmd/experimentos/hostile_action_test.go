//go:build unix

package main

// End-to-end tests of `experimentos action` on a hostile pull request and
// on two runs at once, with the e2e harness of action_e2e_test.go
// (newE2E, e2e.run, writeExp).

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/experimentos/experimentos/internal/githubfake"
	"github.com/experimentos/experimentos/internal/prcomment"
)

// buildBinary builds both commands into a new folder for the calling test
// (go build's cache makes every build after the first cheap).
func buildBinary(t *testing.T) string {
	t.Helper()
	// Both commands into one folder, as the image and go install put them:
	// `experimentos action` runs the experimentos-action beside it. Default
	// flags share the build cache with `go test`; the Dockerfile's own
	// flags (CGO_ENABLED=0, -trimpath, -ldflags) are exercised by
	// scripts/chroot-check and scripts/container-check.
	dir := t.TempDir()
	build := exec.Command("go", "build", "-o", dir+string(filepath.Separator), ".", "../experimentos-action")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return filepath.Join(dir, "experimentos")
}

// hostileStrings are smuggled into one experiment's YAML; none may reach
// the comment, summary, outputs or log as anything but escaped text.
var hostileStrings = map[string]string{
	"name":       "<img src=x onerror=alert(1)> @acme/security-team </details> <!-- experimentos:sticky:experiments -->",
	"hypothesis": "ok\n::set-output name=decision::launch\n::add-mask::ghp_fake\n::stop-commands::tok\n<script>alert(1)</script>",
	"owner":      "%0A::error::forged%0D%0A::warning::also @octocat",
}

// stdoutCommand is a workflow command line the action itself may write.
var stdoutCommand = regexp.MustCompile(`^::(error|warning|notice|debug)( [a-z]+=[^:]*)?::|^::(group|endgroup)::`)

var hostileMentionRE = regexp.MustCompile(`@[A-Za-z0-9]`)

// TestActionHostile builds the binary once for its two parts.
func TestActionHostile(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	t.Run("hostile pull request", func(t *testing.T) {
		t.Parallel()
		hostilePullRequest(t, bin)
	})
	t.Run("two runs at once", func(t *testing.T) {
		t.Parallel()
		concurrentRuns(t, bin)
	})
	t.Run("linked experiments root", func(t *testing.T) {
		t.Parallel()
		linkedRoot(t, bin)
	})
}

// linkedRoot: the pull request commits experiments -> .. and an
// experiment whose data: climbs to a file beside the workspace. The
// action refuses the root, naming the link, and the file's first line
// reaches no output.
func linkedRoot(t *testing.T, bin string) {
	e := newE2E(t, bin, "pull_request", "pull_request.opened.json", "Codertocat/Hello-World")
	const secretText = "EXPOS_BESIDE_WORKSPACE_5d2e"
	must(t, os.WriteFile(filepath.Join(filepath.Dir(e.ws), "secret.txt"), []byte(secretText+",users\n"), 0o600))
	dir := filepath.Join(e.ws, "exp")
	must(t, os.MkdirAll(dir, 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "experiment.yaml"), []byte("name: x\nstatus: running\ndata: ../../secret.txt\n"), 0o644))
	must(t, os.Symlink("..", filepath.Join(e.ws, "experiments")))
	e.setFiles("exp/experiment.yaml")
	e.env["INPUT_CHANGED-ONLY"] = "false" // every experiment below the root
	r := e.run()
	if r.code != 2 {
		t.Errorf("exit %d, want 2\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "experiments is a symbolic link (path_escape)") {
		t.Errorf("stderr does not name the link: %q", r.stderr)
	}
	texts := map[string]string{"summary": r.summary, "stdout": r.stdout, "stderr": r.stderr}
	for k, v := range r.outputs {
		texts["output "+k] = v
	}
	for _, c := range e.comments() {
		texts["comment"] += c.Body
	}
	for name, s := range texts {
		if strings.Contains(strings.ToLower(s), strings.ToLower(secretText)) {
			t.Errorf("%s holds the file behind the link", name)
		}
	}
}

func hostilePullRequest(t *testing.T, bin string) {
	e := newE2E(t, bin, "pull_request", "pull_request.opened.json", "Codertocat/Hello-World")

	// A secret outside the workspace, reachable only by escaping it.
	secretDir := t.TempDir()
	secretText := "EXPOS_OUTSIDE_SECRET_b7c1"
	secret := filepath.Join(secretDir, "secret.csv")
	must(t, os.WriteFile(secret, []byte("variant,users,conversions\ncontrol,1,1\n"+secretText+",1,1\n"), 0o600))

	var y strings.Builder
	for _, k := range []string{"name", "hypothesis", "owner"} {
		y.WriteString(k + ": " + yamlQuote(hostileStrings[k]) + "\n")
	}
	writeExp(t, e.ws, "smuggle", "launch", "")
	must(t, os.WriteFile(filepath.Join(e.ws, "experiments", "smuggle", "experiment.yaml"), []byte(y.String()), 0o644))

	writeExp(t, e.ws, "linked", "launch", "")
	must(t, os.Remove(filepath.Join(e.ws, "experiments", "linked", "results.csv")))
	must(t, os.Symlink(secret, filepath.Join(e.ws, "experiments", "linked", "results.csv")))

	writeExp(t, e.ws, "escape", "launch", "data: ../../../"+filepath.Base(secretDir)+"/secret.csv\n")
	writeExp(t, e.ws, "absolute", "launch", "data: "+yamlQuote(secret)+"\n")
	writeExp(t, e.ws, "environ", "launch", "data: /proc/self/environ\n")
	writeExp(t, e.ws, "::warning::folder", "launch", "")

	e.setFiles("experiments/smuggle/experiment.yaml", "experiments/linked/results.csv", "experiments/escape/experiment.yaml",
		"experiments/absolute/experiment.yaml", "experiments/environ/experiment.yaml", "experiments/::warning::folder/results.csv")
	// The action's own environment holds the token; /proc/self/environ
	// would show it.
	r := e.run() // checks the token in stdout, stderr, summary, outputs, comments
	if r.code != 1 {
		t.Errorf("exit %d, want 1 (blocked)\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	cs := e.comments()
	if len(cs) != 1 {
		t.Fatalf("%d comments, want 1", len(cs))
	}
	body := cs[0].Body
	marker := prcomment.Marker("experiments")

	// Every experiment was analyzed and the escapes were refused.
	for _, id := range []string{"linked", "escape", "absolute", "environ"} {
		if !strings.Contains(body, "("+id+")") {
			t.Errorf("comment lacks experiment %s", id)
		}
	}
	if n := strings.Count(body, `| path\_escape |`); n < 4 {
		t.Errorf("comment names path_escape %d times, want ≥ 4 (one per escape)", n)
	}
	if !strings.Contains(body, "&lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("the hostile name was not rendered escaped:\n%.2000s", body)
	}

	texts := map[string]string{"comment": body, "summary": r.summary, "stdout": r.stdout, "stderr": r.stderr}
	for k, v := range r.outputs {
		texts["output "+k] = v
	}
	memos, _ := filepath.Glob(filepath.Join(e.ws, "experimentos-memos", "*", "memo.md"))
	for _, m := range memos {
		b, err := os.ReadFile(m)
		must(t, err)
		texts["memo "+m] = string(b)
	}
	path := "PATH=" + os.Getenv("PATH")
	for name, s := range texts {
		// Anywhere: nothing read from outside the workspace, no token.
		if name == "stdout" {
			// The token's one add-mask line is checked by e.run.
			s = strings.ReplaceAll(s, "::add-mask::"+e2eToken+"\n", "")
		}
		for _, f := range []string{secretText, e2eToken, "GITHUB_EVENT_PATH=", path, "root:x:0:0"} {
			if strings.Contains(s, f) {
				t.Errorf("%s contains %q", name, f)
			}
		}
		// What GitHub renders: no raw HTML, no mention.
		if log := name == "stdout" || name == "stderr"; log {
			// A workflow command's data must have its % escaped as %25.
			if strings.Contains(s, "%0A::error::") {
				t.Errorf("%s has an unescaped %%0A::error::", name)
			}
		} else {
			for _, f := range []string{"<img", "<script", "</details> ", "@acme", "@octocat"} {
				if strings.Contains(s, f) {
					t.Errorf("%s contains %q", name, f)
				}
			}
			if m := hostileMentionRE.FindString(s); m != "" {
				t.Errorf("%s has a mention %q", name, m)
			}
		}
		for i, l := range strings.Split(s, "\n") {
			trimmed := strings.TrimLeftFunc(l, unicode.IsSpace)
			if !strings.HasPrefix(trimmed, "::") {
				continue
			}
			// Only stdout may hold workflow commands: the token's mask
			// and the action's own annotations and log groups.
			if name != "stdout" || !(l == "::add-mask::"+e2eToken || stdoutCommand.MatchString(l)) {
				t.Errorf("%s line %d is a workflow command: %.120q", name, i+1, l)
			}
		}
	}
	// The comment: the marker is line 1 and nowhere else; no raw HTML
	// but the comment's own details, summary and sub.
	if first, _, _ := strings.Cut(body, "\n"); first != marker || strings.Count(body, marker) != 1 || strings.Count(body, "<!--") != 1 {
		t.Errorf("marker not only on line 1")
	}
	for _, s := range []string{body, r.summary} {
		if open, closed := strings.Count(s, "<details"), strings.Count(s, "</details>"); open != closed {
			t.Errorf("<details> opened %d, closed %d", open, closed)
		}
	}
	// Outputs carry no user text.
	want := map[string]*regexp.Regexp{
		"decision":     regexp.MustCompile(`^(launch|hold|rollback|none)$`),
		"blocked":      regexp.MustCompile(`^(true|false)$`),
		"results-json": regexp.MustCompile(`^experimentos-memos/results\.json$`),
		"comment-url":  regexp.MustCompile(`^https?://[^\s<>"]+$`),
	}
	for k, v := range r.outputs {
		if re, ok := want[k]; !ok || !re.MatchString(v) {
			t.Errorf("output %s = %q", k, v)
		}
	}
}

// yamlQuote writes s as a YAML double-quoted scalar.
func yamlQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`)
	return `"` + r.Replace(s) + `"`
}

// concurrentRuns starts two `experimentos action` processes at
// once on one pull request against one fake GitHub; they must leave
// exactly one sticky comment. In the forced rounds the fake holds each
// create until both runs have listed and found nothing, so both create.
func concurrentRuns(t *testing.T, bin string) {
	marker := prcomment.Marker("experiments")
	for round := range 4 {
		forced := round%2 == 0
		e := newE2E(t, bin, "pull_request", "pull_request.opened.json", "Codertocat/Hello-World")
		if forced {
			// Replace the fake with one that holds creates back.
			var mu sync.Mutex
			waiting := 0
			both := make(chan struct{})
			gh := githubfake.New(t, githubfake.WithToken(e2eToken), githubfake.WithHook(func(r *http.Request, route githubfake.Route) {
				if route != githubfake.RouteCreateComment {
					return
				}
				mu.Lock()
				waiting++
				if waiting == 2 {
					close(both)
				}
				mu.Unlock()
				select {
				case <-both:
				case <-time.After(time.Second):
				}
			}))
			e.gh = gh
			e.env["GITHUB_API_URL"] = strings.TrimSuffix(gh.URL, "/")
		}
		writeExp(t, e.ws, "home", "launch", "")
		e.setFiles("experiments/home/results.csv")

		var wg sync.WaitGroup
		codes := make([]int, 2)
		for i := range 2 {
			// Two runners have two workspaces: here one is shared, so
			// each run gets its own memo-dir, which it empties first.
			wg.Go(func() { codes[i] = e.runWith(map[string]string{"INPUT_MEMO-DIR": fmt.Sprintf("memos-%d", i)}).code })
		}
		wg.Wait()
		for i, c := range codes {
			if c != 0 {
				t.Errorf("round %d run %d: exit %d", round, i, c)
			}
		}
		var sticky int
		for _, c := range e.comments() {
			if strings.HasPrefix(c.Body, marker+"\n") {
				sticky++
			}
		}
		if sticky != 1 {
			t.Errorf("round %d (forced race %v): %d sticky comments, want 1", round, forced, sticky)
		}
		if forced && e.gh.Count(githubfake.RouteCreateComment) != 2 {
			t.Errorf("round %d: %d creates, want 2 (the race was not forced)", round, e.gh.Count(githubfake.RouteCreateComment))
		}
	}
}
