package main

// End-to-end tests of the comparison with the merge base in the action
// (docs/review.md#in-the-action): the scenarios of base_test.go, served by
// githubfake as commits, with exact request counts; and a hostile base.

import (
	"flag"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/experimentos/experimentos/internal/githubfake"
)

// The commits of pull_request.opened.json: its base and head.
const (
	evBase = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"
	evHead = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
)

// fakeHistory stores main's scaffold and data commits, the pull request's
// commit (the event's head) and, when the scenario has one, a later commit
// on main (then the event's base); the workspace holds the head's files.
func fakeHistory(t *testing.T, e *e2e, sc historyScenario, baseTree map[string]githubfake.Blob) {
	t.Helper()
	o, r := e.owner(), e.repo()
	scaffold := map[string]githubfake.Blob{expDir + "experiment.yaml": {Content: histYAML}, expDir + "results.csv": {Content: histHeader}}
	fork := maps.Clone(scaffold)
	fork[expDir+"results.csv"] = githubfake.Blob{Content: histFork}
	if baseTree != nil {
		fork = baseTree
	}
	forkSHA := evBase
	if sc.mainNext != nil {
		forkSHA = strings.Repeat("b", 40)
	}
	e.gh.AddCommit(o, r, strings.Repeat("a", 40), nil, scaffold)
	e.gh.AddCommit(o, r, forkSHA, []string{strings.Repeat("a", 40)}, fork)
	head := maps.Clone(fork)
	if baseTree != nil {
		head = map[string]githubfake.Blob{expDir + "experiment.yaml": {Content: histYAML}, expDir + "results.csv": {Content: histFork}}
	}
	var changed []string
	for p, text := range sc.pr {
		head[p] = githubfake.Blob{Content: text}
		changed = append(changed, p)
	}
	e.gh.AddCommit(o, r, evHead, []string{forkSHA}, head)
	if sc.mainNext != nil {
		next := maps.Clone(fork)
		for p, text := range sc.mainNext {
			next[p] = githubfake.Blob{Content: text}
		}
		e.gh.AddCommit(o, r, evBase, []string{forkSHA}, next)
	}
	writeFiles(t, e.ws, blobTexts(head))
	e.setFiles(changed...)
	delete(e.env, "INPUT_COMPARE-BASE") // the default: true
}

// blobTexts are the texts of a commit's files, for writeFiles (no file of
// these tests is empty, which writeFiles would read as a removal).
func blobTexts(files map[string]githubfake.Blob) map[string]string {
	out := make(map[string]string, len(files))
	for p, b := range files {
		out[p] = b.Content
	}
	return out
}

// contentsPaths lists the paths of the contents requests, in order.
func contentsPaths(e *e2e) []string {
	var out []string
	for _, r := range e.gh.Requests() {
		if r.Route == githubfake.RouteContents {
			out = append(out, strings.TrimPrefix(r.Path, "/api/v3/repos/Codertocat/Hello-World/contents/")+"@"+r.Query.Get("ref")[:7])
		}
	}
	return out
}

func TestActionHistoryE2E(t *testing.T) {
	bin := buildBinary(t)
	headlines := map[string]string{
		"Hold to Launch":                        "1 decision changes: growth/checkout-copy Hold → Launch",
		"a lowered cumulative count":            "No decision changes.",
		"the same with an amendment":            "No decision changes.",
		"plan.mde changed after data":           "No decision changes.",
		"only sequential turned on":             "No decision changes.",
		"main gained newer data after the fork": "No decision changes.",
		"only the hypothesis changed":           "No decision changes.",
	}
	for _, sc := range historyScenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			e := newE2E(t, bin, "pull_request", "pull_request.opened.json", "Codertocat/Hello-World")
			fakeHistory(t, e, sc, nil)
			r := e.run()
			if r.code != sc.exit {
				t.Fatalf("exit %d, want %d\n%s%s", r.code, sc.exit, r.stdout, r.stderr)
			}
			cs := e.comments()
			if len(cs) != 1 {
				t.Fatalf("%d comments\n%s", len(cs), r.stdout)
			}
			lines := strings.Split(cs[0].Body, "\n")
			if got, want := lines[1], headlines[sc.name]; got != want {
				t.Errorf("headline = %q, want %q", got, want)
			}
			wantBase := map[string]string{"hold": "Hold", "launch": "Launch treatment"}[sc.base]
			if !strings.Contains(cs[0].Body, "| At the merge base |") || !strings.Contains(cs[0].Body, "| "+wantBase+" |\n") {
				t.Errorf("overview lacks the base column with %q:\n%.1500s", wantBase, cs[0].Body)
			}
			// The history findings (docs/review.md): annotations on their file and line.
			for _, is := range sc.issues {
				f := strings.Fields(is) // severity code file:line column
				level := map[string]string{"blocked": "error", "warning": "warning"}[f[0]]
				file, line, _ := strings.Cut(f[2], ":")
				want := "::" + level + " file=experiments/growth/checkout-copy/" + file
				if line != "0" {
					want += ",line=" + line
				}
				found := false
				for _, l := range strings.Split(r.stdout, "\n") {
					found = found || strings.HasPrefix(l, want) && strings.Contains(l, f[1])
				}
				if !found {
					t.Errorf("no annotation %q … %s in\n%s", want, f[1], r.stdout)
				}
			}
			if len(sc.issues) == 0 && (strings.Contains(r.stdout, "data_rewritten") || strings.Contains(r.stdout, "plan_changed")) {
				t.Errorf("a finding where none is due:\n%s", r.stdout)
			}
			// Exactly: one compare; the root, growth and the experiment's
			// folder listed once each, experiment.yaml and results.csv read
			// once each at the merge base (no experimentos.yaml there), the
			// data file read once at its first commit (the header-only
			// scaffold is not a look); one page of commits.
			fork := evBase[:7]
			if sc.mainNext != nil {
				fork = "bbbbbbb"
			}
			want := []string{"experiments@" + fork, "experiments/growth@" + fork, "experiments/growth/checkout-copy@" + fork,
				"experiments/growth/checkout-copy/experiment.yaml@" + fork, "experiments/growth/checkout-copy/results.csv@" + fork,
				"experiments/growth/checkout-copy/results.csv@aaaaaaa"}
			if got := contentsPaths(e); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("contents requests =\n%q, want\n%q", got, want)
			}
			if n := e.gh.Count(githubfake.RouteCompare); n != 1 {
				t.Errorf("compare requests = %d, want 1", n)
			}
			if n := e.gh.Count(githubfake.RouteCommits); n != 1 {
				t.Errorf("commits requests = %d, want 1", n)
			}
			// The memo in the comment names the looks.
			wantLooks := fmt.Sprintf("| Looks | %d %s changed the data file with data in it |", sc.looks, map[bool]string{true: "commit", false: "commits"}[sc.looks == 1])
			if !strings.Contains(cs[0].Body, wantLooks) {
				t.Errorf("comment lacks %q", wantLooks)
			}
		})
	}

	// The action evaluates each experiment again once it has read the
	// merge base; a segmented experiment must keep its rows per cell for
	// that second pass, or its segment tables and rule 5 are lost.
	t.Run("a segmented experiment keeps its segment hold", func(t *testing.T) {
		t.Parallel()
		e := newE2E(t, bin, "pull_request", "pull_request.opened.json", "Codertocat/Hello-World")
		yaml := "name: Checkout copy\nsegments: [platform]\nprimary:\n  metric: purchases\nguardrails:\n" +
			"  - {metric: checkout_errors, desired: decrease, worsened_threshold: 0.001, severe_threshold: 0.003}\n"
		header := "variant,platform,users,purchases,checkout_errors\n"
		base := map[string]githubfake.Blob{expDir + "experiment.yaml": {Content: yaml}, expDir + "results.csv": {Content: header +
			"control,android,3020,317,25\ntreatment,android,2971,313,50\ncontrol,ios,4201,419,32\n" +
			"treatment,ios,4199,456,19\ncontrol,web,4755,466,33\ntreatment,web,4759,518,35\n"}}
		fakeHistory(t, e, historyScenario{name: "segments", pr: map[string]string{
			expDir + "experiment.yaml": yaml,
			expDir + "results.csv": header +
				"control,android,6040,635,51\ntreatment,android,5943,627,100\ncontrol,ios,8403,838,64\n" +
				"treatment,ios,8399,912,38\ncontrol,web,9510,933,66\ntreatment,web,9519,1036,70\n",
		}}, base)
		r := e.run()
		if r.code != 0 {
			t.Fatalf("exit %d, want 0 (a Hold)\n%s%s", r.code, r.stdout, r.stderr)
		}
		cs := e.comments()
		if len(cs) != 1 {
			t.Fatalf("%d comments\n%s", len(cs), r.stdout)
		}
		if want := "— treatment: guardrail checkout\\_errors severe in segment platform=android (+0.838 pp"; !strings.Contains(cs[0].Body, want) || !strings.Contains(cs[0].Body, "| At the merge base |") {
			t.Errorf("the comment compared with the merge base lacks %q:\n%.3000s", want, cs[0].Body)
		}
	})

	t.Run("a new experiment", func(t *testing.T) {
		t.Parallel()
		e := newE2E(t, bin, "pull_request", "pull_request.opened.json", "Codertocat/Hello-World")
		o, r := e.owner(), e.repo()
		e.gh.AddCommit(o, r, evBase, nil, map[string]githubfake.Blob{"README.md": {Content: "hi\n"}})
		e.gh.AddCommit(o, r, evHead, []string{evBase}, map[string]githubfake.Blob{"README.md": {Content: "hi\n"},
			expDir + "experiment.yaml": {Content: histYAML}, expDir + "results.csv": {Content: histFork}})
		writeFiles(t, e.ws, map[string]string{expDir + "experiment.yaml": histYAML, expDir + "results.csv": histFork})
		e.setFiles(expDir+"experiment.yaml", expDir+"results.csv")
		delete(e.env, "INPUT_COMPARE-BASE")
		res := e.run()
		if res.code != exitOK {
			t.Fatalf("exit %d\n%s", res.code, res.stdout)
		}
		body := e.comments()[0].Body
		if got, want := strings.Split(body, "\n")[1], "1 decision changes: growth/checkout-copy new: Hold"; got != want {
			t.Errorf("headline = %q, want %q", got, want)
		}
		if !strings.Contains(body, "| new |\n") {
			t.Error("overview lacks the base column's new")
		}
		// The root does not exist at the merge base: one listing, a 404.
		if got := contentsPaths(e); len(got) != 2 || got[0] != "experiments@"+evBase[:7] {
			t.Errorf("contents requests = %q, want the root's listing and the first commit's data file", got)
		}
	})

	t.Run("compare-base false makes no history requests", func(t *testing.T) {
		t.Parallel()
		e := newE2E(t, bin, "pull_request", "pull_request.opened.json", "Codertocat/Hello-World")
		fakeHistory(t, e, historyScenarios[1], nil)
		e.env["INPUT_COMPARE-BASE"] = "false"
		res := e.run()
		if res.code != exitOK { // the lowered count goes unseen
			t.Fatalf("exit %d", res.code)
		}
		for _, route := range []githubfake.Route{githubfake.RouteCompare, githubfake.RouteContents, githubfake.RouteCommits} {
			if n := e.gh.Count(route); n != 0 {
				t.Errorf("%s: %d requests, want 0", route, n)
			}
		}
		body := e.comments()[0].Body
		if strings.Contains(body, "At the merge base") || strings.Contains(body, "decision change") {
			t.Errorf("comment claims a comparison: %.300s", body)
		}
		if !strings.Contains(res.summary, "compare-base: false") {
			t.Errorf("summary does not say the comparison is off")
		}
	})

	t.Run("commits that cannot be listed: looks unknown, said so", func(t *testing.T) {
		t.Parallel()
		e := newE2E(t, bin, "pull_request", "pull_request.opened.json", "Codertocat/Hello-World")
		fakeHistory(t, e, historyScenarios[0], nil)
		e.gh.Inject(githubfake.RouteCommits, githubfake.Fault{Kind: githubfake.Forbidden})
		res := e.run()
		if res.code != exitOK {
			t.Fatalf("exit %d", res.code)
		}
		body := e.comments()[0].Body
		if !strings.Contains(body, "| Looks | unknown: the commits that changed the data file could not be listed") {
			t.Errorf("the memo does not say the looks are unknown:\n%s", body)
		}
		if strings.Contains(body, "looked at") {
			t.Errorf("a looks Risk without looks")
		}
		if got := strings.Split(body, "\n")[1]; got != "1 decision changes: growth/checkout-copy Hold → Launch" {
			t.Errorf("headline = %q", got)
		}
	})

	t.Run("more experiments than compared", func(t *testing.T) {
		t.Parallel()
		e := newE2E(t, bin, "pull_request", "pull_request.opened.json", "Codertocat/Hello-World")
		var files []string
		for i := range 51 {
			id := fmt.Sprintf("many/e%02d", i)
			writeExp(t, e.ws, id, "hold", "")
			files = append(files, "experiments/"+id+"/results.csv")
		}
		e.setFiles(files...)
		delete(e.env, "INPUT_COMPARE-BASE")
		res := e.run()
		if res.code != exitOK {
			t.Fatalf("exit %d", res.code)
		}
		if n := e.gh.Count(githubfake.RouteCompare) + e.gh.Count(githubfake.RouteContents) + e.gh.Count(githubfake.RouteCommits); n != 0 {
			t.Errorf("%d history requests, want 0", n)
		}
		if !strings.Contains(res.stdout, "changes 51 experiments, more than the 50 compared") {
			t.Errorf("no warning:\n%.2000s", res.stdout)
		}
	})

	t.Run("retries on the contents API", func(t *testing.T) {
		t.Parallel()
		e := newE2E(t, bin, "pull_request", "pull_request.opened.json", "Codertocat/Hello-World")
		fakeHistory(t, e, historyScenarios[1], nil)
		e.gh.Inject(githubfake.RouteContents, githubfake.Fault{Kind: githubfake.BadGateway, Times: 2})
		e.gh.Inject(githubfake.RouteCommits, githubfake.Fault{Kind: githubfake.SecondaryRateLimit, Times: 1, RetryAfter: 1})
		res := e.run()
		if res.code != exitFail || !strings.Contains(res.stdout, "data_rewritten") {
			t.Fatalf("exit %d, want 1 with data_rewritten\n%s", res.code, res.stdout)
		}
		if got, want := e.gh.Count(githubfake.RouteContents), 6+2; got != want {
			t.Errorf("contents requests = %d, want %d (6 and 2 retried)", got, want)
		}
	})
}

// TestActionHistoryHostileBase: a hostile tree at the merge base behaves
// as the head side does, and a hostile contents API cannot make the
// action read what it must not.
func TestActionHistoryHostileBase(t *testing.T) {
	bin := buildBinary(t)
	sc := historyScenarios[0] // Hold → Launch at the head
	yaml := githubfake.Blob{Content: histYAML}
	cases := []struct {
		name       string
		tree       map[string]githubfake.Blob
		baseIn     string   // what the base's memo/decision says
		neverRead  []string // paths that must get no contents request
		fault      *githubfake.Fault
		headlineIs string
	}{
		{name: "the data file is a link", tree: map[string]githubfake.Blob{expDir + "experiment.yaml": yaml,
			expDir + "results.csv": {Type: "symlink", Target: "secret/results.csv"}, "secret/results.csv": {Content: histMore}},
			baseIn: "path\\_escape", neverRead: []string{expDir + "results.csv", "secret/results.csv"}},
		{name: "the experiment folder is a link", tree: map[string]githubfake.Blob{"experiments/growth/checkout-copy": {Type: "symlink", Target: "secret"},
			"secret/experiment.yaml": yaml, "secret/results.csv": {Content: histMore}},
			baseIn: "path\\_escape", neverRead: []string{expDir + "experiment.yaml", expDir + "results.csv", "secret/results.csv"}},
		{name: "a huge data file", tree: map[string]githubfake.Blob{expDir + "experiment.yaml": yaml,
			expDir + "results.csv": {Content: histHeader + strings.Repeat("control,1,0\n", 100000)}},
			baseIn: "limit\\_exceeded", neverRead: []string{expDir + "results.csv"}},
		{name: "a file larger than its listing says", tree: map[string]githubfake.Blob{expDir + "experiment.yaml": yaml,
			expDir + "results.csv": {Content: histHeader + strings.Repeat("control,1,0\n", 100000), ListedSize: 100}},
			baseIn: "unreadable at experiments/growth/checkout-copy/results.csv"},
		{name: "a folder where the data file is expected", tree: map[string]githubfake.Blob{expDir + "experiment.yaml": yaml,
			expDir + "results.csv/inner.csv": {Content: histFork}},
			baseIn: "unreadable at experiments/growth/checkout-copy/results.csv", neverRead: []string{expDir + "results.csv/inner.csv"}},
		{name: "a submodule listed as a file", tree: map[string]githubfake.Blob{expDir + "experiment.yaml": yaml,
			expDir + "results.csv": {Type: "submodule"}},
			baseIn: "unreadable at experiments/growth/checkout-copy/results.csv"},
		{name: "hostile names beside it", tree: map[string]githubfake.Blob{expDir + "experiment.yaml": yaml, expDir + "results.csv": {Content: histFork},
			expDir + "new\nline": {Content: "x"}, expDir + "...": {Content: "x"}, expDir + "%2e%2e": {Content: "x"}, expDir + "tab\there": {Content: "x"}},
			baseIn: "Hold", neverRead: []string{expDir + "...", expDir + "%2e%2e"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newE2E(t, bin, "pull_request", "pull_request.opened.json", "Codertocat/Hello-World")
			fakeHistory(t, e, sc, c.tree)
			res := e.run()
			if res.code != exitOK {
				t.Fatalf("exit %d, want 0 (the head launches)\n%s%s", res.code, res.stdout, res.stderr)
			}
			body := e.comments()[0].Body
			if strings.Contains(body, "data_rewritten") || strings.Contains(body, "plan_changed") {
				t.Errorf("a finding against a base without data")
			}
			i := strings.Index(body, "| Decision at the merge base |")
			if i < 0 {
				t.Fatalf("memo lacks the base decision:\n%s", body)
			}
			row, _, _ := strings.Cut(body[i:], "\n")
			if !strings.Contains(row, c.baseIn) {
				t.Errorf("base row %q lacks %q", row, c.baseIn)
			}
			got := contentsPaths(e)
			for _, p := range c.neverRead {
				for _, g := range got {
					if strings.HasPrefix(g, p+"@"+evBase[:7]) {
						t.Errorf("requested %s at the merge base: %q", p, got)
					}
				}
			}
		})
	}

	t.Run("a redirect to another host", func(t *testing.T) {
		t.Parallel()
		var other atomic.Int64
		evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			other.Add(1)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`[{"type":"file","name":"experiment.yaml","path":"experiments/experiment.yaml","size":10}]`))
		}))
		t.Cleanup(evil.Close)
		e := newE2E(t, bin, "pull_request", "pull_request.opened.json", "Codertocat/Hello-World")
		fakeHistory(t, e, sc, nil)
		e.gh.Inject(githubfake.RouteContents, githubfake.Fault{Kind: githubfake.Redirect, Location: evil.URL + "/"})
		res := e.run()
		if res.code != exitOK {
			t.Fatalf("exit %d\n%s", res.code, res.stdout)
		}
		if n := other.Load(); n != 0 {
			t.Errorf("the other host got %d requests", n)
		}
		if !strings.Contains(res.stdout, "::warning") || !strings.Contains(res.stdout, "redirected to another host") {
			t.Errorf("no warning about the redirect:\n%s", res.stdout)
		}
		if n := e.gh.Count(githubfake.RouteContents); n != 1 {
			t.Errorf("contents requests = %d, want 1 (the refused listing)", n)
		}
		if body := e.comments()[0].Body; strings.Contains(body, "At the merge base") {
			t.Errorf("the comment shows a base it could not read")
		}
	})
}

var updateReview = flag.Bool("update", false, "rewrite testdata/action/review-comment.golden")

// TestActionReviewComment renders the comment of docs/review.md's
// screenshot: one experiment goes from Hold to Launch, another lowers a
// cumulative count. The body is kept as a golden file, which
// scripts/review-screenshot renders.
func TestActionReviewComment(t *testing.T) {
	bin := buildBinary(t)
	e := newE2E(t, bin, "pull_request", "pull_request.opened.json", "Codertocat/Hello-World")
	o, r := e.owner(), e.repo()
	pricing := "experiments/pricing/annual-toggle/"
	pricingYAML := strings.NewReplacer("Checkout copy", "Annual plan toggle", "Shorter copy converts better", "An annual toggle on the pricing page raises paid sign-ups", "owner: growth", "owner: pricing").Replace(histYAML)
	fork := map[string]githubfake.Blob{
		expDir + "experiment.yaml": {Content: histYAML}, expDir + "results.csv": {Content: histFork},
		pricing + "experiment.yaml": {Content: pricingYAML}, pricing + "results.csv": {Content: histHeader + "control,6000,600\ntreatment,6020,640\n"},
	}
	head := maps.Clone(fork)
	head[expDir+"results.csv"] = githubfake.Blob{Content: histMore}
	head[pricing+"results.csv"] = githubfake.Blob{Content: histHeader + "control,6100,610\ntreatment,6010,650\n"}
	e.gh.AddCommit(o, r, strings.Repeat("a", 40), nil, map[string]githubfake.Blob{expDir + "experiment.yaml": {Content: histYAML}, expDir + "results.csv": {Content: histHeader},
		pricing + "experiment.yaml": {Content: pricingYAML}, pricing + "results.csv": {Content: histHeader}})
	e.gh.AddCommit(o, r, evBase, []string{strings.Repeat("a", 40)}, fork)
	e.gh.AddCommit(o, r, evHead, []string{evBase}, head)
	writeFiles(t, e.ws, blobTexts(head))
	e.setFiles(expDir+"results.csv", pricing+"results.csv")
	delete(e.env, "INPUT_COMPARE-BASE")
	res := e.run()
	if res.code != exitFail {
		t.Fatalf("exit %d, want 1 (data_rewritten)\n%s", res.code, res.stdout)
	}
	body := e.comments()[0].Body
	if got, want := strings.Split(body, "\n")[1], "1 decision changes: growth/checkout-copy Hold → Launch"; got != want {
		t.Errorf("headline = %q, want %q", got, want)
	}
	golden := filepath.Join("..", "..", "testdata", "action", "review-comment.golden")
	if *updateReview {
		must(t, os.WriteFile(golden, []byte(body), 0o644))
	}
	want, err := os.ReadFile(golden)
	must(t, err)
	if body != string(want) {
		t.Errorf("comment differs from %s (go test ./cmd/experimentos -run TestActionReviewComment -update)", golden)
	}
}
