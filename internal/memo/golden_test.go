package memo

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/memo/*.golden from the current output")

// golden compares got with ../../testdata/memo/name, or rewrites it with
// -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("..", "..", "testdata", "memo", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/memo -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test ./internal/memo -update and review the diff.\n got:\n%s", name, got)
	}
}

func TestGoldenMemos(t *testing.T) {
	t.Parallel()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			r := result(sc.exp())
			var md, html bytes.Buffer
			if err := Markdown(&md, r, testMeta); err != nil {
				t.Fatal(err)
			}
			if err := HTML(&html, r, testMeta); err != nil {
				t.Fatal(err)
			}
			golden(t, sc.name+".md.golden", md.Bytes())
			golden(t, sc.name+".html.golden", html.Bytes())
		})
	}
}

func TestGoldenAll(t *testing.T) {
	t.Parallel()
	rs := allResults()
	tests := []struct {
		name   string
		render func(*bytes.Buffer) error
	}{
		{"all.txt.golden", func(b *bytes.Buffer) error { return Text(b, rs, testMeta, false) }},
		{"all.color.txt.golden", func(b *bytes.Buffer) error { return Text(b, rs, testMeta, true) }},
		{"all.json.golden", func(b *bytes.Buffer) error { return JSON(b, rs, testMeta) }},
		{"comment.md.golden", func(b *bytes.Buffer) error {
			b.WriteString(Comment("<!-- experimentos:experiments -->", rs, testMeta, GitHubCommentLimit))
			return nil
		}},
		{"comment-short.md.golden", func(b *bytes.Buffer) error {
			b.WriteString(Comment("<!-- experimentos:experiments -->", rs, testMeta, 12000))
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := tt.render(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, b.Bytes())
		})
	}
}
