// Package doccheck keeps the code's comments and the reference under docs/
// in step. Code comments cite the page and section that documents them,
// such as docs/statistics.md#fisher-exact-test; Comments finds every such
// citation in a tree of Go files and reports the ones whose page or
// heading anchor does not exist, and any comment that still cites the old
// product contract by section number instead of a page. Links reports
// Markdown links between README.md and the docs pages that point at a
// missing file or anchor.
//
// Anchors follow GitHub's rules (Slug): the heading text lower-cased,
// everything but letters, digits, spaces, hyphens and underscores removed,
// spaces turned into hyphens, and -1, -2, ... appended to repeated
// headings. Headings inside fenced code blocks are not headings.
//
// The package has no other users: its test runs both checks on the
// repository under go test ./... (see docs/development.md#docs-and-code-comments).
package doccheck

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// Slug returns GitHub's anchor for a heading's text (without the leading
// #s): inline code marks, emphasis and link targets are dropped, the text
// is lower-cased, every rune that is not a letter, digit, space, '-' or
// '_' is removed and each space becomes '-'.
func Slug(heading string) string {
	s := linkRE.ReplaceAllString(strings.TrimSpace(heading), "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// linkRE matches an inline Markdown link or image, [text](target).
var linkRE = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)

// headingRE matches an ATX heading line; group 2 is its text.
var headingRE = regexp.MustCompile(`^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$`)

// explicitRE matches an HTML anchor, <a id="x"> or <a name="x">.
var explicitRE = regexp.MustCompile(`<a\s+(?:id|name)="([^"]+)"`)

// Anchors returns the anchors of a Markdown document: one per heading
// outside fenced code blocks, numbered as GitHub numbers repeated
// headings, plus every explicit <a id="..."> or <a name="...">.
func Anchors(md []byte) map[string]bool {
	out := make(map[string]bool)
	seen := make(map[string]int)
	for _, l := range prose(md) {
		for _, m := range explicitRE.FindAllStringSubmatch(l.text, -1) {
			out[m[1]] = true
		}
		m := headingRE.FindStringSubmatch(l.text)
		if m == nil {
			continue
		}
		slug := Slug(m[2])
		if n := seen[slug]; n > 0 {
			out[fmt.Sprintf("%s-%d", slug, n)] = true
		} else {
			out[slug] = true
		}
		seen[slug]++
	}
	return out
}

// fenceOf returns the opening fence of a line (its run of three or more
// backticks or tildes), or "".
func fenceOf(t string) string {
	for _, c := range []string{"`", "~"} {
		n := len(t) - len(strings.TrimLeft(t, c))
		if n >= 3 {
			return t[:n]
		}
	}
	return ""
}

// Citation is one docs/<page>.md#anchor reference in a Go comment.
type Citation struct {
	Pos    string // file:line, relative to the root
	Page   string // docs/<page>.md
	Anchor string // without '#'; empty when the citation names a page only
}

// citeRE matches a citation in a comment: docs/ then a page ending in .md,
// and optionally #anchor.
var citeRE = regexp.MustCompile(`\bdocs/([A-Za-z0-9_./-]+?\.md)(?:#([\p{L}\p{N}_-]+))?`)

// contractRE matches a comment line that cites the old product contract,
// a file outside the repository, by its name or by a section sign.
var contractRE = regexp.MustCompile(`\bSPEC\b|§\s*\d`)

// Comments parses every Go file below root (skipping testdata, vendor and
// hidden folders), collects the docs citations in its comments and returns
// them with the problems found: a cited page that does not exist, a cited
// anchor that is not a heading of that page, and a comment citing the old
// contract. Problems are sorted and name file:line.
func Comments(root string) (cites []Citation, problems []string, err error) {
	anchors := make(map[string]map[string]bool) // page → anchors; nil: missing
	pageAnchors := func(page string) map[string]bool {
		if a, ok := anchors[page]; ok {
			return a
		}
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(page)))
		var a map[string]bool
		if err == nil {
			a = Anchors(b)
		}
		anchors[page] = a
		return a
	}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if p != root && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		f, err := parser.ParseFile(fset, p, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, g := range f.Comments {
			for _, c := range g.List {
				first := fset.Position(c.Slash).Line
				// A comment may span lines (/* */): count them.
				for i, text := range strings.Split(c.Text, "\n") {
					at := fmt.Sprintf("%s:%d", rel, first+i)
					if contractRE.MatchString(text) {
						problems = append(problems, at+": cites the product contract by section; cite the docs page that documents it")
					}
					for _, m := range citeRE.FindAllStringSubmatch(text, -1) {
						ci := Citation{Pos: at, Page: "docs/" + path.Clean(m[1]), Anchor: m[2]}
						cites = append(cites, ci)
						a := pageAnchors(ci.Page)
						switch {
						case a == nil:
							problems = append(problems, fmt.Sprintf("%s: %s does not exist", at, ci.Page))
						case ci.Anchor != "" && !a[ci.Anchor]:
							problems = append(problems, fmt.Sprintf("%s: %s has no heading with anchor #%s", at, ci.Page, ci.Anchor))
						}
					}
				}
			}
		}
		return nil
	})
	sort.Strings(problems)
	return cites, problems, err
}

// mdLinkRE matches an inline link or image target, ](target) or
// ](target "title").
var mdLinkRE = regexp.MustCompile(`\]\(<?([^)\s>]*)>?(?:\s+"[^"]*")?\)`)

// Links checks the relative links of the Markdown files (paths relative
// to root) outside code blocks and inline code: each target file must
// exist, and an anchor into a Markdown file (or into the same file, for
// "#anchor") must be one of its headings. Absolute URLs are not checked.
func Links(root string, files []string) ([]string, error) {
	var problems []string
	cache := make(map[string]map[string]bool)
	anchorsOf := func(p string) (map[string]bool, error) {
		if a, ok := cache[p]; ok {
			return a, nil
		}
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
		if err != nil {
			return nil, err
		}
		a := Anchors(b)
		cache[p] = a
		return a, nil
	}
	for _, file := range files {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(file)))
		if err != nil {
			return nil, err
		}
		for _, l := range prose(b) {
			for _, m := range mdLinkRE.FindAllStringSubmatch(stripCode(l.text), -1) {
				target := m[1]
				if target == "" || strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				at := fmt.Sprintf("%s:%d", file, l.n)
				p, anchor, _ := strings.Cut(target, "#")
				dest := file
				if p != "" {
					dest = path.Join(path.Dir(file), p)
				}
				fi, err := os.Stat(filepath.Join(root, filepath.FromSlash(dest)))
				if err != nil {
					problems = append(problems, fmt.Sprintf("%s: link %s: %s does not exist", at, target, dest))
					continue
				}
				if anchor == "" {
					continue
				}
				if fi.IsDir() || !strings.HasSuffix(dest, ".md") {
					problems = append(problems, fmt.Sprintf("%s: link %s: anchor into %s, which is not a Markdown page", at, target, dest))
					continue
				}
				a, err := anchorsOf(dest)
				if err != nil {
					return nil, err
				}
				if !a[anchor] {
					problems = append(problems, fmt.Sprintf("%s: link %s: %s has no heading with anchor #%s", at, target, dest, anchor))
				}
			}
		}
	}
	sort.Strings(problems)
	return problems, nil
}

// line is one line of a Markdown file and its 1-based number.
type line struct {
	n    int
	text string
}

// prose returns the lines of md outside fenced code blocks (``` or ~~~
// fences, closed by a fence of the same character at least as long).
func prose(md []byte) []line {
	var out []line
	fence := ""
	for i, text := range strings.Split(string(md), "\n") {
		t := strings.TrimLeft(text, " ")
		if fence != "" {
			if strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]+" \t") == "" {
				fence = ""
			}
			continue
		}
		if f := fenceOf(t); f != "" {
			fence = f
			continue
		}
		out = append(out, line{i + 1, strings.TrimSuffix(text, "\r")})
	}
	return out
}

// codeSpanRE matches an inline code span.
var codeSpanRE = regexp.MustCompile("`+[^`]*`+")

// stripCode removes inline code spans, whose brackets are not links.
func stripCode(s string) string { return codeSpanRE.ReplaceAllString(s, "") }

// RepoRoot walks up from dir to the folder holding go.mod.
func RepoRoot(dir string) (string, error) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if fi, err := os.Stat(filepath.Join(d, "go.mod")); err == nil && fi.Mode().IsRegular() {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("doccheck: no go.mod above %s", dir)
		}
		d = parent
	}
}
