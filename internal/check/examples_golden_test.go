package check

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/experimentos/experimentos/internal/memo"
	"github.com/experimentos/experimentos/internal/portfolio"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/examples-v2-golden")

// TestV2ExampleGoldens renders the memo (Markdown, HTML), the sticky
// comment and the index of the version 2 examples, from their own copy in
// testdata/examples-v2, against golden files: three arms with a mean
// primary and a ratio guardrail, four arms with a rolled-back arm, a
// relative latency margin, a CUPED-adjusted revenue primary, a
// sequential test, and a platform-segmented test whose Android error rate
// holds it (rule 5). Run with -update to rewrite them, and read the
// diff.
func TestV2ExampleGoldens(t *testing.T) {
	t.Parallel()
	results, err := Run(filepath.Join("..", "..", "testdata", "examples-v2"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 6 {
		t.Fatalf("%d results, want the 6 v2 examples", len(results))
	}
	meta := memo.Meta{Version: "test", Commit: "0123456789abcdef0123456789abcdef01234567"}
	golden := map[string][]byte{}
	for _, r := range results {
		name := strings.ReplaceAll(r.Report.Experiment.ID, "/", "__")
		var md, html bytes.Buffer
		if err := memo.Markdown(&md, r, meta); err != nil {
			t.Fatal(err)
		}
		if err := memo.HTML(&html, r, meta); err != nil {
			t.Fatal(err)
		}
		golden[name+".md"], golden[name+".html"] = md.Bytes(), html.Bytes()
		for _, bad := range []string{"<script", "http://", "NaN", "Inf"} {
			if bytes.Contains(html.Bytes(), []byte(bad)) || bytes.Contains(md.Bytes(), []byte(bad)) {
				t.Errorf("%s: the memo contains %q", name, bad)
			}
		}
	}
	golden["comment.md"] = []byte(memo.Comment("<!-- experimentos:sticky:experiments -->", results, meta, 65536))
	var index bytes.Buffer
	if err := portfolio.Markdown(&index, results, portfolio.Options{Meta: meta}); err != nil {
		t.Fatal(err)
	}
	golden["index.md"] = index.Bytes()
	dir := filepath.Join("..", "..", "testdata", "examples-v2-golden")
	for name, got := range golden {
		path := filepath.Join(dir, name+".golden")
		if *update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./internal/check -run TestV2ExampleGoldens -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from its golden file; run with -update and review the diff", name)
		}
	}
}
