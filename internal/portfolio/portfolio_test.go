package portfolio

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/memo"
)

var update = flag.Bool("update", false, "rewrite testdata/portfolio/*.golden")

const goldenDir = "../../testdata/portfolio"

// examples are hand-built experiments (no files: the index only reads
// results) passed through the real analysis and decision steps: every
// outcome, several arms, and each status.
func examples(t *testing.T) []decision.Result {
	t.Helper()
	conv := func() experiment.Metric {
		return experiment.Metric{Name: "conversions", Label: "Conversion", Kind: experiment.KindProportion, Desired: experiment.Increase,
			Columns: map[experiment.Role]string{experiment.RoleCount: "conversions"}}
	}
	errs := experiment.Metric{Name: "guardrail_error", Label: "Errors", Kind: experiment.KindProportion, Desired: experiment.Decrease,
		Columns:  map[experiment.Role]string{experiment.RoleCount: "guardrail_error"},
		Worsened: experiment.Margin{Value: experiment.MustDecimal("0.001")}, Severe: experiment.Margin{Value: experiment.MustDecimal("0.003")}}
	type arm struct {
		name            string
		users, conv, er int64
	}
	mk := func(id string, status experiment.Status, arms ...arm) *experiment.Experiment {
		e := &experiment.Experiment{ID: id, Path: "experiments/" + id, Name: strings.ToUpper(id[:1]) + id[1:], Owner: "team-" + id[:2],
			Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 11, 14, 0, 0, 0, 0, time.UTC),
			Status: status, Deployment: experiment.DeploymentExperiment, Control: "control",
			DataFile: "experiments/" + id + "/results.csv", Primary: conv(), Guardrails: []experiment.Metric{errs},
			Thresholds: experiment.DefaultThresholds()}
		if len(arms) == 0 {
			return e
		}
		d := &experiment.Data{Columns: map[string]int{"variant": 1, "users": 2, "conversions": 3, "guardrail_error": 4}}
		for i, a := range arms {
			d.Arms = append(d.Arms, experiment.Row{Arm: a.name, Users: a.users, Line: i + 2}.WithMoments(map[string]experiment.Moments{
				"conversions": {Count: a.conv}, "guardrail_error": {Count: a.er}}))
		}
		d.Rows = d.Arms
		e.Data = d
		return e
	}
	blocked := mk("broken-csv", experiment.StatusRunning)
	blocked.Issues = []experiment.Issue{{Severity: experiment.SeverityBlocked, Code: experiment.CodeBadValue, Message: "users is not an integer",
		File: "experiments/broken-csv/results.csv", Line: 3, Column: "users", Col: 2}}
	exps := []*experiment.Experiment{
		mk("home-banner", experiment.StatusRunning, arm{"control", 10000, 1200, 35}, arm{"treatment", 10050, 1320, 33}),
		mk("checkout-copy", experiment.StatusRunning, arm{"control", 4000, 480, 14}, arm{"treatment", 4010, 505, 15}),
		mk("new-checkout", experiment.StatusRunning, arm{"control", 20000, 2400, 60}, arm{"treatment", 20000, 2450, 160}),
		mk("pricing-abc", experiment.StatusRunning, arm{"control", 10000, 1000, 30}, arm{"b", 10000, 1010, 31}, arm{"c", 10000, 1150, 29}),
		blocked,
		mk("old-test", experiment.StatusConcluded, arm{"control", 10000, 1200, 30}, arm{"treatment", 10000, 1330, 31}),
		mk("tour", experiment.StatusPlanned),
		mk("search", experiment.StatusRunning, arm{"control", 10000, 1000, 30}, arm{"treatment", 10500, 1150, 31}),
	}
	out := make([]decision.Result, len(exps))
	for i, e := range exps {
		rep := analysis.Analyze(e)
		out[i] = decision.Result{Report: rep, Decision: decision.Decide(rep)}
	}
	return out
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join(goldenDir, name)
	if *update {
		if err := os.MkdirAll(goldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/portfolio -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test ./internal/portfolio -update and review the diff\ngot:\n%s", name, got)
	}
}

func TestGolden(t *testing.T) {
	rs := examples(t)
	opts := Options{Meta: memo.Meta{Version: "test"}}
	for _, tc := range []struct {
		name   string
		render func(*bytes.Buffer) error
	}{
		{"index.md.golden", func(b *bytes.Buffer) error { return Markdown(b, rs, opts) }},
		{"index.html.golden", func(b *bytes.Buffer) error { return HTML(b, rs, opts) }},
		{"index-memo-base.md.golden", func(b *bytes.Buffer) error {
			return Markdown(b, rs[:2], Options{Meta: memo.Meta{Version: "test", Commit: "abc123"}, MemoBase: "https://example.org/memos/", Title: "Growth | portfolio"})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.render(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, b.Bytes())
		})
	}
}

func TestSortOrder(t *testing.T) {
	t.Parallel()
	var got []string
	outcome := map[string]int{"rollback": 0, "blocked": 1, "hold": 2, "launch": 3, "none": 4}
	for _, r := range Sort(examples(t)) {
		got = append(got, string(r.Report.Experiment.Status)+":"+memo.KindOf(r).Word()+":"+r.Report.Experiment.ID)
	}
	// running before concluded before planned; worst decision first.
	rank := func(s string) (int, int) {
		parts := strings.SplitN(s, ":", 3)
		return statusRank(statusOf(parts[0])), outcome[parts[1]]
	}
	for i := 1; i < len(got); i++ {
		s0, o0 := rank(got[i-1])
		s1, o1 := rank(got[i])
		if s0 > s1 || s0 == s1 && o0 > o1 {
			t.Errorf("order %q: %q before %q", got, got[i-1], got[i])
		}
	}
	if len(got) < 8 || !strings.HasPrefix(got[0], "running:") || !strings.HasPrefix(got[len(got)-1], "planned:") {
		t.Errorf("order = %q", got)
	}
}

// TestMarkdownOneRowPerExperiment checks the table's shape: a header, a
// delimiter and one row per experiment, each with the header's cell count.
func TestMarkdownOneRowPerExperiment(t *testing.T) {
	t.Parallel()
	rs := examples(t)
	var b bytes.Buffer
	if err := Markdown(&b, rs, Options{}); err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(l, "|") {
			rows = append(rows, l)
		}
	}
	if got, want := len(rows), len(rs)+2; got != want {
		t.Fatalf("%d table lines, want %d", got, want)
	}
	for _, r := range rows {
		if pipes(r) != pipes(rows[0]) {
			t.Errorf("row %q has %d cells, header %d", r, pipes(r), pipes(rows[0]))
		}
	}
	for _, r := range rs {
		id := r.Report.Experiment.ID
		if !strings.Contains(b.String(), "]("+id+"/memo.md)") {
			t.Errorf("no link to %s/memo.md", id)
		}
	}
}

// TestHostileStrings renders an experiment whose user strings try to
// break out: the Markdown stays in its cell, the HTML carries no element
// or attribute from them.
func TestHostileStrings(t *testing.T) {
	t.Parallel()
	rs := examples(t)
	e := *rs[0].Report.Experiment
	e.Name = "x | </td><script>alert(1)</script>\n# heading"
	e.Owner = `@org/team <img src=https://evil.example/x.png onerror="alert(1)">`
	e.ID = "a|b`c <b>x</b>" // a folder name that breaks the naming rule is still listed
	rep := *rs[0].Report
	rep.Experiment = &e
	hostile := []decision.Result{{Report: &rep, Decision: rs[0].Decision}}

	var md bytes.Buffer
	if err := Markdown(&md, hostile, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script", "<img", "<b>", "\n# heading", "@org/team"} {
		if strings.Contains(md.String(), bad) {
			t.Errorf("Markdown holds %q:\n%s", bad, md.String())
		}
	}
	for _, line := range strings.Split(md.String(), "\n") {
		if strings.HasPrefix(line, "| **") && pipes(line) != 10 {
			t.Errorf("row has %d unescaped pipes, want 10 (9 cells): %s", pipes(line), line)
		}
	}
	var h bytes.Buffer
	if err := HTML(&h, hostile, Options{MemoBase: "javascript:alert(1)//"}); err != nil {
		t.Fatal(err)
	}
	out := h.String()
	for _, bad := range []string{"<script", "<img", `onerror="`, `href="javascript:`} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML holds %q", bad)
		}
	}
	// html/template neutralises the unsafe link base.
	if !strings.Contains(out, `href="#ZgotmplZ"`) {
		t.Error("unsafe memo base was not neutralised")
	}
}

func TestNoExternalReferences(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := HTML(&b, examples(t), Options{}); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	// The only URL is the SVG namespace, which is a name, not a request.
	s = strings.ReplaceAll(s, `xmlns="http://www.w3.org/2000/svg"`, "")
	for _, bad := range []string{"http://", "https://", "<script", "@import", "url("} {
		if strings.Contains(s, bad) {
			t.Errorf("HTML index holds %q", bad)
		}
	}
}

func statusOf(s string) experiment.Status { return experiment.Status(s) }

// pipes counts a Markdown table row's unescaped cell separators.
func pipes(row string) int { return strings.Count(strings.ReplaceAll(row, `\|`, ""), "|") }
