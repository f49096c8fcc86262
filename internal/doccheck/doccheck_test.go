package doccheck

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSlug(t *testing.T) {
	t.Parallel()
	tests := []struct{ heading, want string }{
		{"Fisher exact test", "fisher-exact-test"},
		{"results.csv", "resultscsv"},
		{"`experiment.yaml`", "experimentyaml"},
		{"The gate (fail-on)", "the-gate-fail-on"},
		{"Keep `experiments/README.md` current", "keep-experimentsreadmemd-current"},
		{"4. Risks & Limitations", "4-risks--limitations"},
		{"pull_request_target", "pull_request_target"},
		{"The `paths:` filter trap", "the-paths-filter-trap"},
		{"**Bold** and *em*", "bold-and-em"},
		{"See [the rules](rules.md#x) here", "see-the-rules-here"},
		{"Exit status: API trouble never decides it", "exit-status-api-trouble-never-decides-it"},
		{"Zürich Größe", "zürich-größe"},
		{"  padded  ", "padded"},
	}
	for _, tt := range tests {
		if got := Slug(tt.heading); got != tt.want {
			t.Errorf("Slug(%q) = %q, want %q", tt.heading, got, tt.want)
		}
	}
}

func TestAnchors(t *testing.T) {
	t.Parallel()
	md := strings.Join([]string{
		"# Title",
		"## Limits",
		"Text with # not a heading.",
		"### Limits",
		"````yaml",
		"# .github/workflows/x.yml (a comment, not a heading)",
		"```",
		"## Inside a fence: a shorter fence does not close it",
		"````",
		"## Closing #s ##",
		"####### seven is not a heading",
		"#no-space",
		`<a id="custom-anchor"></a>`,
		"~~~",
		"## Tilde fenced",
		"~~~",
		"## Limits",
		"",
	}, "\n")
	got := Anchors([]byte(md))
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"closing-s", "custom-anchor", "limits", "limits-1", "limits-2", "title"}
	if !slices.Equal(keys, want) {
		t.Errorf("Anchors = %q, want %q", keys, want)
	}
}

// writeTree writes files (slash paths relative to dir) and returns dir.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCommentsFindsBadCitations(t *testing.T) {
	t.Parallel()
	// The contract's old citation form, built so that this file's own
	// comments do not hold it.
	old := "SPEC " + "§7"
	tests := []struct {
		name    string
		src     string
		cites   int
		problem []string
	}{
		{"good page and anchor", "package p\n\n// Rules (docs/rules.md#decision-rules).\nvar X = 1\n", 1, nil},
		{"page only", "package p\n\n// See docs/rules.md.\nvar X = 1\n", 1, nil},
		{"repeated heading anchor", "package p\n\n// docs/rules.md#limits-1\nvar X = 1\n", 1, nil},
		{"missing anchor", "package p\n\n// docs/rules.md#welch\nvar X = 1\n", 1,
			[]string{"p.go:3: docs/rules.md has no heading with anchor #welch"}},
		{"missing page", "package p\n\n// docs/nope.md#x\nvar X = 1\n", 1,
			[]string{"p.go:3: docs/nope.md does not exist"}},
		{"old contract citation", "package p\n\n// Rules (" + old + ").\nvar X = 1\n", 0,
			[]string{"p.go:3: cites the product contract by section; cite the docs page that documents it"}},
		{"block comment line", "package p\n\n/*\nfirst\ndocs/rules.md#gone\n*/\nvar X = 1\n", 1,
			[]string{"p.go:5: docs/rules.md has no heading with anchor #gone"}},
		{"section sign on its own line", "package p\n\n// the JSON document of SPEC\n// " + "§" + "9, and more.\nvar X = 1\n", 0,
			[]string{
				"p.go:3: cites the product contract by section; cite the docs page that documents it",
				"p.go:4: cites the product contract by section; cite the docs page that documents it",
			}},
		{"strings are not comments", "package p\n\nvar X = \"docs/nope.md#x " + old + "\"\n", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := writeTree(t, map[string]string{
				"go.mod":                  "module example.com/p\n",
				"docs/rules.md":           "# Rules\n## Decision rules\n## Limits\n## Limits\n",
				"p.go":                    tt.src,
				"testdata/ignored.go":     "package x\n\n// docs/nope.md\n",
				".hidden/also_ignored.go": "package x\n\n// docs/nope.md\n",
			})
			cites, problems, err := Comments(root)
			if err != nil {
				t.Fatal(err)
			}
			if len(cites) != tt.cites {
				t.Errorf("%d citations %v, want %d", len(cites), cites, tt.cites)
			}
			if !slices.Equal(problems, tt.problem) {
				t.Errorf("problems = %q, want %q", problems, tt.problem)
			}
		})
	}
}

func TestLinksFindsBrokenLinks(t *testing.T) {
	t.Parallel()
	root := writeTree(t, map[string]string{
		"README.md": strings.Join([]string{
			"[ok](docs/a.md#section-one) [page](docs/a.md) ![img](docs/pic.png)",
			"[web](https://example.com/x.md#nope) `[code](docs/none.md)`",
			"```",
			"[fenced](docs/none.md)",
			"```",
			"[bad anchor](docs/a.md#section-two) [no page](docs/b.md)",
			"[self](#top) [self bad](#bottom) [png anchor](docs/pic.png#x)",
			"# Top",
		}, "\n"),
		"docs/a.md":    "# A\n## Section one\n[up](../README.md#top)\n[up bad](../README.md#gone)\n",
		"docs/pic.png": "png",
	})
	got, err := Links(root, []string{"README.md", "docs/a.md"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"README.md:6: link docs/a.md#section-two: docs/a.md has no heading with anchor #section-two",
		"README.md:6: link docs/b.md: docs/b.md does not exist",
		"README.md:7: link #bottom: README.md has no heading with anchor #bottom",
		"README.md:7: link docs/pic.png#x: anchor into docs/pic.png, which is not a Markdown page",
		"docs/a.md:4: link ../README.md#gone: README.md has no heading with anchor #gone",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Links =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestRepoComments checks this repository: every docs citation in a Go
// comment names an existing page and heading, and no comment cites the
// old contract.
func TestRepoComments(t *testing.T) {
	t.Parallel()
	root, err := RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	cites, problems, err := Comments(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
	// The comments cite the docs in about thirty places; far fewer means
	// the scan missed them.
	if len(cites) < 25 {
		t.Errorf("found %d docs citations in Go comments, want at least 25: %v", len(cites), cites)
	}
}

// TestRepoLinks checks that every relative link in README.md and docs/
// reaches an existing file and heading, and that the README links the
// reference pages.
func TestRepoLinks(t *testing.T) {
	t.Parallel()
	root, err := RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	files := []string{"README.md"}
	pages, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		files = append(files, "docs/"+filepath.Base(p))
	}
	problems, err := Links(root, files)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"formats", "statistics", "rules", "memo", "cli", "action", "security", "limits", "performance", "README"} {
		if !strings.Contains(string(readme), "](docs/"+page+".md") {
			t.Errorf("README.md does not link docs/%s.md", page)
		}
	}
}
