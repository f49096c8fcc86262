package portfolio

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/experimentos/experimentos/internal/check"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/load"
	"github.com/experimentos/experimentos/internal/memo"
)

var update = flag.Bool("update", false, "rewrite testdata/portfolio/*.golden")

const goldenDir = "../../testdata/portfolio"

func examples(t *testing.T) []decision.Result {
	t.Helper()
	rs, err := check.Run("../../testdata/examples", check.Options{Limits: load.DefaultLimits()})
	if err != nil {
		t.Fatal(err)
	}
	return rs
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
