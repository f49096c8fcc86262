package load

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// sameTree reports where a and b differ in what the loader reads of a
// node tree (everything but comments), or "" when they do not.
func sameTree(a, b *yaml.Node, at string) string {
	if a.Kind != b.Kind || a.Tag != b.Tag || a.Value != b.Value || a.Style != b.Style ||
		a.Line != b.Line || a.Column != b.Column || a.Anchor != b.Anchor || (a.Alias == nil) != (b.Alias == nil) ||
		len(a.Content) != len(b.Content) {
		return fmt.Sprintf("%s: got kind %d tag %q value %q style %d at %d:%d with %d children; yaml.v3: kind %d tag %q value %q style %d at %d:%d with %d children",
			at, a.Kind, a.Tag, a.Value, a.Style, a.Line, a.Column, len(a.Content), b.Kind, b.Tag, b.Value, b.Style, b.Line, b.Column, len(b.Content))
	}
	for i := range a.Content {
		if d := sameTree(a.Content[i], b.Content[i], fmt.Sprintf("%s/%d", at, i)); d != "" {
			return d
		}
	}
	return ""
}

// checkBlockYAML parses b both ways and fails when the subset parser
// accepts b but builds another tree than yaml.v3, or accepts what yaml.v3
// refuses. It reports whether the subset parser accepted b.
func checkBlockYAML(t *testing.T, name string, b []byte) bool {
	t.Helper()
	if mayHoldDocuments(b) {
		return false // the loader never asks the subset parser
	}
	got, ok := parseBlockYAML(b)
	if !ok {
		return false
	}
	var want yaml.Node
	if err := yaml.Unmarshal(b, &want); err != nil {
		t.Fatalf("%s: accepted, but yaml.v3 refuses it: %v\n%s", name, err, b)
	}
	if d := sameTree(got, &want, "doc"); d != "" {
		t.Fatalf("%s: %s\n%s", name, d, b)
	}
	return true
}

// blockAccepted are documents in the subset: each must be accepted and
// give yaml.v3's tree.
var blockAccepted = []string{
	"name: Home banner\n",
	"name: Home banner",
	"# a comment\n\nname: x  # trailing\nprimary:\n  metric: conversions\n  label: Checkout conversion\n",
	"guardrails:\n  - metric: guardrail_error\n    label: Error rate\n  - {metric: aov, type: ratio, worsened_threshold: 2%, severe_threshold: 10%}\n",
	"guardrails:\n- metric: a\n- metric: b\nowner: team\n",
	"list:\n  - a\n  - 'it''s'\n  - \"quoted: yes\"\n  - -0.5\n  - 1e-3\n",
	"split: {control: 50, treatment: 50}\nsegments: [platform, country]\narms: []\nempty: {}\n",
	"thresholds:\n  alpha: 0.05\n  srm_blocked_p: 0.0001\n  sequential: true\n  min_users: 1_000\n",
	"start: 2026-11-01\nend: 2026-11-14\nhex: 0x1F\nnull1: ~\nnull2: null\nno:\nyes: True\n",
	"name: Café — déjà vu ✓\nlabel: \"é\"\nf: {a: [1, 2], b: 'q''s', c: é}\n",
	"a:\n  b:\n    c:\n      - d: 1\n        e: [x, {y: z}]\n",
	"hypothesis: The change lifts checkout, by 2% (or more) [roughly]\n",
	"a: b#not-a-comment\nc: d # a comment\nurl: http://example.com/x\n",
	"x: {a: \"1\", b: '2', c: [ ], d: { }}\n",
	"  # indented comment\nk: v\n   \n",
	"k: 'single \"double\" inside'\nj: \"single 'inside'\"\n",
	"k: [a b, c  d]   # comment\n",
	"k:   spaced value   \n",
	"k: 1\nk: 2\n",
	"k:\n",
	"k:    # only a comment\nl: 1\n",
	"seq:\n  -   wide\n  -   {a: 1}\n",
	"entries:\n  - name: a\n    items:\n      - 1\n      - 2\n  - name: b\n",
	"- a\n- b\n",
	"- a:\n  - x\n  b: 1\n",
	"- a:\n    b: 1\n  c: 2\n- d\n",
	"k: {a: é, b: x}\nl: [é, x, 'é', y, \"✓\", z]\n",
}

// blockDeclined are documents outside the subset, left to yaml.v3.
var blockDeclined = []string{
	"",
	"# only a comment\n",
	"<<: x\n",
	"plain\n",
	"  k: indented root\n",
	"a: &x 1\nb: *x\n",
	"a: !!str 1\n",
	"text: |\n  line one\n  line two\n",
	"text: >\n  folded\n",
	"name: a long\n  continued plain scalar\n",
	"name: \"escaped \\\" quote\"\n",
	"name: \"two\n  lines\"\n",
	"k: [a,\n  b]\n",
	"k: {a:1}\n",
	"k: [a, b, ]\n",
	"k: [a, , b]\n",
	"\"quoted key\": 1\n",
	"? complex\n: key\n",
	"k: v\r\n",
	"k:\tv\n",
	"\ufeffk: v\n",
	"k: a: b\n",
	"k: - a\n",
	"k: @at\n",
	"k: `tick\n",
	"k: 'x' y\n",
	"k: 'x'#c\n",
	"a: 1\n- b\n",
	"a:\n  - x\n   - y\n",
	"a:\n  b: 1\n c: 2\n",
	"k: v\u0085w\n",
	"k: \x00\n",
	"k: [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]\n",
	"seq:\n  -\n  - a\n",
	"seq:\n  - - a\n",
	"k: {a: }\n",
}

func TestParseBlockYAMLMatchesYAMLv3(t *testing.T) {
	for i, d := range blockAccepted {
		if !checkBlockYAML(t, fmt.Sprintf("blockAccepted[%d]", i), []byte(d)) {
			t.Errorf("blockAccepted[%d] was declined:\n%s", i, d)
		}
	}
	for i, d := range blockDeclined {
		if _, ok := parseBlockYAML([]byte(d)); ok {
			t.Errorf("blockDeclined[%d] was accepted:\n%q", i, d)
		}
	}
	// Every YAML file committed in the repository (examples, bad inputs,
	// fixtures): accepted ones must equal yaml.v3's tree.
	files := repositoryYAML(t)
	accepted := 0
	for p, b := range files {
		if checkBlockYAML(t, p, b) {
			accepted++
		}
	}
	t.Logf("%d of %d YAML files in the subset", accepted, len(files))
	if accepted < 50 {
		t.Fatalf("only %d YAML files below the repository are in the subset", accepted)
	}
}

// repositoryYAML returns every YAML file below the repository, by path.
func repositoryYAML(tb testing.TB) map[string][]byte {
	out := map[string][]byte{}
	err := filepath.WalkDir(filepath.Join("..", ".."), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[p] = b
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// FuzzParseBlockYAML: whatever the subset parser accepts, yaml.v3 parses
// to the same tree.
func FuzzParseBlockYAML(f *testing.F) {
	for _, d := range append(blockAccepted, blockDeclined...) {
		f.Add([]byte(d))
	}
	for _, b := range repositoryYAML(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkBlockYAML(t, "input", b)
	})
}
