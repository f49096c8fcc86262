package memo

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
)

// Seeds for both fuzz targets live in testdata/fuzz/FuzzEscapeMarkdown and
// testdata/fuzz/FuzzComment; these f.Add calls repeat the most hostile of
// them so that a plain `go test` runs them even without the files.
var fuzzSeeds = []string{
	"",
	"Home banner redesign",
	"@org/team please look",
	"</details><details open><summary>x</summary>",
	"<img src=x onerror=alert(1)>",
	"<script>alert(1)</script>",
	"<!-- experimentos:sticky:experiments -->",
	"::add-mask::secret",
	"%0A::error::pwned",
	"\n::set-output name=x::y",
	"  ::stop-commands::tok",
	"\u00a0::warning::nbsp",
	"a | b | c",
	`\| escaped already`,
	"\u202egnp.exe\u202c",
	"a\x00b\xffc\x1b[31m",
	"1. first\r\n---\r\n===",
	"#123 GH-1 @a @ b me@example.com",
	"`code` *b* _i_ [x](javascript:alert(1)) $x$ ~s~",
	"\u2028line\u2029para\u0085next",
}

// mentionRE finds an @ that GitHub would turn into a mention: @ then a
// letter or digit. EscapeMarkdown puts a zero-width joiner in between.
var mentionRE = regexp.MustCompile(`@[A-Za-z0-9]`)

// unescapedPipe reports whether s has a | not escaped by a backslash.
func unescapedPipe(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '|':
			return true
		}
	}
	return false
}

// workflowCommandLine returns the first line of s that the Actions runner
// would read as a workflow command: it trims leading white space
// (.NET's TrimStart) and looks for "::".
func workflowCommandLine(s string) (string, bool) {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimLeftFunc(l, unicode.IsSpace), "::") {
			return l, true
		}
	}
	return "", false
}

// forbiddenRune reports a control character (other than a line feed where
// lines are allowed) or a bidirectional formatting character.
func forbiddenRune(s string, allowLF bool) (rune, bool) {
	for _, r := range s {
		if r == '\n' && allowLF {
			continue
		}
		if unicode.IsControl(r) || isBidi(r) || r == '\u2028' || r == '\u2029' {
			return r, true
		}
	}
	return 0, false
}

func FuzzEscapeMarkdown(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := EscapeMarkdown(in)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q: %q", in, out)
		}
		if strings.ContainsAny(out, "<>\n\r") {
			t.Fatalf("raw <, >, CR or LF out of %q: %q", in, out)
		}
		if unescapedPipe(out) {
			t.Fatalf("unescaped | out of %q: %q", in, out)
		}
		if mentionRE.MatchString(out) {
			t.Fatalf("mention out of %q: %q", in, out)
		}
		if r, bad := forbiddenRune(out, false); bad {
			t.Fatalf("control or bidi character %U out of %q: %q", r, in, out)
		}
		if l, bad := workflowCommandLine(out); bad {
			t.Fatalf("workflow command %q out of %q", l, in)
		}
		// Bounded: the longest expansion is "&amp;" for "&" (5 bytes) and a
		// zero-width joiner after "#" or "@" ("\#" + 3 bytes); invalid bytes
		// become U+FFFD (3 bytes).
		if n, limit := len(out), 6*len(in)+4; n > limit {
			t.Fatalf("%d bytes out of %d in: %q", n, len(in), in)
		}
		// Idempotent in safety: escaping again is still safe (escaped text
		// is sometimes embedded in other escaped text).
		if again := EscapeMarkdown(out); strings.ContainsAny(again, "<>\n\r") || unescapedPipe(again) {
			t.Fatalf("escaping twice broke out: %q", again)
		}
	})
}

// fuzzResult is one experiment whose every user string comes from the
// fuzzer, passed through the real analysis and decision steps.
func fuzzResult(id, name, hyp, owner, label, col, msg string) decision.Result {
	e := newExp("fuzz", conversion(), []arm{
		{"control", 10000, counts("conversions", 1200, "guardrail_error", 35)},
		{"t-" + col, 10050, counts("conversions", 1320, "guardrail_error", 33)}, // a hostile arm name
	}, errorGuard())
	e.ID, e.Path = id, "experiments/"+id
	e.Name, e.Hypothesis, e.Owner = name, hyp, owner
	e.Primary.Label = label
	e.Guardrails[0].Label = col
	e.Issues = append(e.Issues, experiment.Issue{Severity: experiment.SeverityWarning, Code: experiment.CodeEventsPerUser,
		Message: msg, File: "experiments/" + id + "/" + col, Line: 2, Column: col})
	return result(e)
}

// commentTags are the only elements the comment and the Markdown memo
// write themselves.
var commentTagRE = regexp.MustCompile(`<(/?)([a-zA-Z!][a-zA-Z0-9-]*)`)

var commentAllowedTags = map[string]bool{"details": true, "summary": true, "sub": true, "br": true}

// checkMarkdownBody holds for any memo or comment: tables keep their
// shape, only the renderer's own tags, no mention, no control character,
// no workflow command at a line start, and (for a comment) the marker only
// as line 1.
func checkMarkdownBody(t *testing.T, body string, isComment bool) {
	t.Helper()
	lines := strings.Split(body, "\n")
	if isComment {
		if lines[0] != marker {
			t.Fatalf("first line %q, want the marker", lines[0])
		}
		if n := strings.Count(body, "<!--"); n != 1 {
			t.Fatalf("%d HTML comments, want only the marker", n)
		}
		if n := strings.Count(body, marker); n != 1 {
			t.Fatalf("marker appears %d times", n)
		}
	} else if strings.Contains(body, "<!--") {
		t.Fatal("HTML comment in a memo")
	}
	header := -1
	inCode := false
	for i, l := range lines {
		if strings.HasPrefix(l, "```") {
			inCode = !inCode
			continue
		}
		if inCode || !strings.HasPrefix(l, "|") {
			header = -1
			continue
		}
		if header < 0 {
			header = cells(l)
			continue
		}
		if got := cells(l); got != header {
			t.Fatalf("line %d: %d cells, header has %d: %q", i+1, got, header, l)
		}
	}
	for _, m := range commentTagRE.FindAllStringSubmatch(body, -1) {
		if m[2] == "!--" || m[2] == "!" {
			continue // the marker, checked above
		}
		if !commentAllowedTags[strings.ToLower(m[2])] {
			t.Fatalf("tag <%s%s> in output", m[1], m[2])
		}
	}
	if open, closed := strings.Count(body, "<details"), strings.Count(body, "</details>"); open != closed {
		t.Fatalf("<details> opened %d, closed %d", open, closed)
	}
	if mentionRE.MatchString(body) {
		t.Fatalf("mention in output: %q", mentionRE.FindString(body))
	}
	if r, bad := forbiddenRune(body, true); bad {
		t.Fatalf("control or bidi character %U in output", r)
	}
	if l, bad := workflowCommandLine(body); bad {
		t.Fatalf("workflow command at a line start: %q", l)
	}
}

func FuzzComment(f *testing.F) {
	for i, s := range fuzzSeeds {
		o := fuzzSeeds[(i+1)%len(fuzzSeeds)]
		f.Add(s, o, s+o, o, s, o, uint16(i*997))
	}
	f.Fuzz(func(t *testing.T, id, name, hyp, owner, label, msg string, limit uint16) {
		rs := []decision.Result{
			fuzzResult(id, name, hyp, owner, label, "guardrail_error", msg),
			fuzzResult(id+"-2", hyp, name, label, owner, msg, id),
		}
		lim := 1500 + int(limit)
		body := Comment(marker, rs, testMeta, lim)
		if n := runeLen(body); n > lim {
			t.Fatalf("comment %d characters, limit %d", n, lim)
		}
		checkMarkdownBody(t, body, true)
		checkMarkdownBody(t, Comment(marker, rs, testMeta, GitHubCommentLimit), true)
		var b bytes.Buffer
		if err := Markdown(&b, rs[0], testMeta); err != nil {
			t.Fatal(err)
		}
		checkMarkdownBody(t, b.String(), false)
		b.Reset()
		if err := HTML(&b, rs[1], testMeta); err != nil {
			t.Fatal(err)
		}
		checkHTML(t, b.String())
	})
}
