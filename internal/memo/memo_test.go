package memo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
)

const marker = "<!-- experimentos:experiments -->"

func TestEscapeMarkdown(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"plain", "Home banner redesign", "Home banner redesign"},
		{"html", "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{"details breakout", "</details>", "&lt;/details&gt;"},
		{"marker spoof", "<!-- experimentos -->", "&lt;!-- experimentos --&gt;"},
		{"entity", "&lt;", "&amp;lt;"},
		{"pipe", "a|b", `a\|b`},
		{"backticks", "`code`", "\\`code\\`"},
		{"emphasis", "*a* _b_ ~c~", `\*a\* \_b\_ \~c\~`},
		{"link", "[x](y)", `\[x\](y)`},
		{"math", "$x$", `\$x\$`},
		{"backslash", `a\b`, `a\\b`},
		{"mention", "@org/team", "@\u200dorg/team"},
		{"bare at", "a @ b", "a @ b"},
		{"email-ish", "me@example.com", "me@\u200dexample.com"},
		{"issue ref", "#123", "\\#\u200d123"},
		{"hash alone", "# x", `\# x`},
		{"newlines", "a\nb\r\nc", "a b c"},
		{"control", "a\x1bb\x00c\x7f", "abc"},
		{"bidi", "a\u202eb", "ab"},
		{"list marker", "- item", `\- item`},
		{"plus marker", "+ item", `\+ item`},
		{"thematic", "---", `\---`},
		{"ordered", "1. first", `1\. first`},
		{"number", "-0.02 pp", "-0.02 pp"},
		{"decimal", "0.05", "0.05"},
		{"version", "1.2.3", "1.2.3"},
		{"trim", "  x  ", "x"},
		{"invalid utf8", "a\xffb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := EscapeMarkdown(tt.in); got != tt.want {
				t.Errorf("EscapeMarkdown(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestClip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"abcdef", 4, "abc…"},
		{"ééééé", 3, "éé…"},
		{"a\nb", 10, "a b"},
	}
	for _, tt := range tests {
		if got := Clip(tt.in, tt.n); got != tt.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
	long := Clip(strings.Repeat("x", 5000), capName)
	if n := utf8.RuneCountInString(long); n != capName {
		t.Errorf("clip to %d gave %d runes", capName, n)
	}
}

// renderings returns every Markdown output of the scenarios: each memo and
// the comment.
func renderings(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	rs := allResults()
	for i, r := range rs {
		var b bytes.Buffer
		if err := Markdown(&b, r, testMeta); err != nil {
			t.Fatal(err)
		}
		out[scenarios[i].name+".md"] = b.String()
	}
	out["comment"] = Comment(marker, rs, testMeta, GitHubCommentLimit)
	out["comment-short"] = Comment(marker, rs, testMeta, 12000)
	return out
}

// cells counts a table row's cells: the | not escaped by a backslash,
// less one (rows start and end with |).
func cells(row string) int {
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

func TestMarkdownTablesKeepTheirShape(t *testing.T) {
	t.Parallel()
	for name, md := range renderings(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			lines := strings.Split(md, "\n")
			inCode, header, tables := false, -1, 0
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
					tables++
					if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "| ---") {
						t.Errorf("line %d: table without a delimiter row: %q", i+1, l)
					}
					continue
				}
				if got := cells(l); got != header {
					t.Errorf("line %d: %d cells, header has %d: %q", i+1, got, header, l)
				}
			}
			if tables == 0 {
				t.Error("no tables found")
			}
		})
	}
}

// The hostile scenario's strings must appear only escaped in Markdown.
func TestMarkdownNeutralisesUserStrings(t *testing.T) {
	t.Parallel()
	forbidden := []string{"<script", "</script", "@org", "#123", "\x1b", "<b>", "second line\n"}
	// A backtick or link bracket not escaped by a backslash, outside the
	// code fences the memo writes itself.
	unescaped := regexp.MustCompile("(^|[^\\\\])(`[^`]|\\]\\(javascript)")
	for name, md := range renderings(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, f := range forbidden {
				if strings.Contains(md, f) {
					t.Errorf("raw %q in output", f)
				}
			}
			for _, l := range strings.Split(md, "\n") {
				if !strings.HasPrefix(l, "```") && unescaped.MatchString(l) {
					t.Errorf("unescaped backtick or link in %q", l)
				}
			}
			if got := strings.Count(md, "<!--"); name == "comment" || name == "comment-short" {
				if got != 1 {
					t.Errorf("%d HTML comments, want only the marker", got)
				}
			} else if got != 0 {
				t.Errorf("%d HTML comments in a memo", got)
			}
			if open, closed := strings.Count(md, "<details"), strings.Count(md, "</details>"); open != closed {
				t.Errorf("<details> %d opened, %d closed", open, closed)
			}
		})
	}
	var b bytes.Buffer
	if err := Markdown(&b, result(scenarioNamed("hostile")), testMeta); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", `\|`, "\\`rm -rf\\`", "&lt;/details&gt;", "@\u200dorg/team", "&lt;!-- experimentos --&gt;", "\\#\u200d123", "hypot…"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("hostile memo lacks escaped form %q", want)
		}
	}
}

func scenarioNamed(name string) *experiment.Experiment {
	for _, s := range scenarios {
		if s.name == name {
			return s.exp()
		}
	}
	panic("no scenario " + name)
}

func TestMarkdownSectionsInOrder(t *testing.T) {
	t.Parallel()
	for i, r := range allResults() {
		var b bytes.Buffer
		if err := Markdown(&b, r, testMeta); err != nil {
			t.Fatal(err)
		}
		last := -1
		for _, h := range []string{"## 1. Summary", "## 2. Decision", "## 3. Evidence", "### Health", "### Primary", "### Guardrails", "## 4. Risks & Limitations", "## 5. Next Actions"} {
			j := strings.Index(b.String(), "\n"+h)
			if j <= last {
				t.Errorf("%s: section %q missing or out of order", scenarios[i].name, h)
			}
			last = j
		}
	}
}

func TestCommentMarkerAndOrder(t *testing.T) {
	t.Parallel()
	rs := allResults()
	for _, limit := range []int{GitHubCommentLimit, 12000, 4000, 1500} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			t.Parallel()
			body := Comment(marker, rs, testMeta, limit)
			if first, _, _ := strings.Cut(body, "\n"); first != marker {
				t.Errorf("first line %q, want the marker", first)
			}
			if n := strings.Count(body, marker); n != 1 {
				t.Errorf("marker appears %d times", n)
			}
			if n := runeLen(body); n > limit {
				t.Errorf("%d characters, limit %d", n, limit)
			}
			if !strings.Contains(body, "| Experiment | Health | Decision | Primary lift [CI] | p |") {
				t.Error("overview header missing")
			}
		})
	}
	// Worst first: both rollbacks, then the blocked hold, then the holds.
	body := Comment(marker, rs, testMeta, GitHubCommentLimit)
	order := []string{"new-checkout", "pricing/four-way", "search-ranking", "checkout-copy", "home-banner", "onboarding-tour"}
	last := -1
	for _, id := range order {
		j := strings.Index(body, "("+EscapeMarkdown(id)+") |")
		if j <= last {
			t.Errorf("overview row for %s missing or out of order", id)
		}
		last = j
	}
	// Every memo is there, in full or (shortened to fit) as one line.
	if n := strings.Count(body, "<details") + strings.Count(body, "\n- "+"🔴") + strings.Count(body, "\n- "+"🟡") +
		strings.Count(body, "\n- "+"🟢") + strings.Count(body, "\n- "+"⛔") + strings.Count(body, "\n- "+"⚪"); n != len(rs) {
		t.Errorf("%d memos in details or one-liners, want %d", n, len(rs))
	}
}

// manyResults makes n distinct experiments, alternating outcomes.
func manyResults(n int) []decision.Result {
	out := make([]decision.Result, n)
	for i := range out {
		e := scenarios[i%len(scenarios)].exp()
		e.ID = fmt.Sprintf("team-%03d/%s", i, e.ID)
		e.Name = fmt.Sprintf("Experiment %03d: %s", i, e.Name)
		out[i] = result(e)
	}
	return out
}

func TestComment300ExperimentsFits(t *testing.T) {
	t.Parallel()
	rs := manyResults(300)
	body := Comment(marker, rs, testMeta, GitHubCommentLimit)
	if n := runeLen(body); n > GitHubCommentLimit {
		t.Fatalf("%d characters > %d", n, GitHubCommentLimit)
	}
	if !strings.HasPrefix(body, marker+"\n") {
		t.Error("marker is not the first line")
	}
	if !strings.Contains(body, "| Experiment | Health | Decision | Primary lift [CI] | p |\n| --- | --- | --- | --- | --- |\n") {
		t.Error("overview header missing")
	}
	for i := range rs {
		if !strings.Contains(body, fmt.Sprintf("Experiment %03d:", i)) {
			t.Errorf("overview row %d missing", i)
		}
	}
	if !strings.Contains(body, "more in the run: [workflow run]("+testMeta.RunURL+")") {
		t.Error("no link to the rest")
	}
}

// Whatever the limit, the body fits; the overview survives as long as the
// marker, header and table header fit.
func TestCommentAlwaysWithinLimit(t *testing.T) {
	t.Parallel()
	rs := manyResults(40)
	full := runeLen(Comment(marker, rs, testMeta, 1<<30))
	for limit := 1; limit <= full+10; limit += 1 + limit/7 {
		body := Comment(marker, rs, testMeta, limit)
		if n := runeLen(body); n > limit {
			t.Fatalf("limit %d: %d characters", limit, n)
		}
		if limit >= 1000 && !strings.HasPrefix(body, marker+"\n") {
			t.Fatalf("limit %d: marker lost", limit)
		}
		if limit >= 1000 && !strings.Contains(body, "| Experiment | Health |") {
			t.Fatalf("limit %d: overview header lost", limit)
		}
	}
	hundreds := manyResults(900)
	body := Comment(marker, hundreds, Meta{}, GitHubCommentLimit)
	if n := runeLen(body); n > GitHubCommentLimit {
		t.Fatalf("900 experiments: %d characters", n)
	}
	if !strings.Contains(body, "more experiments, not listed here") {
		t.Error("900 experiments: the overview was not truncated with a count")
	}
}

func TestCommentEmpty(t *testing.T) {
	t.Parallel()
	body := Comment(marker, nil, testMeta, GitHubCommentLimit)
	if !strings.HasPrefix(body, marker+"\n") || !strings.Contains(body, "No experiments") {
		t.Errorf("empty comment:\n%s", body)
	}
}

// ---- HTML ----

var (
	htmlAllowedTags = map[string]bool{
		"html": true, "head": true, "meta": true, "title": true, "style": true, "body": true, "main": true,
		"header": true, "section": true, "footer": true, "h1": true, "h2": true, "h3": true, "p": true,
		"span": true, "strong": true, "table": true, "thead": true, "tbody": true, "tr": true, "th": true,
		"td": true, "br": true, "ul": true, "ol": true, "li": true, "figure": true,
		"svg": true, "g": true, "text": true, "rect": true, "line": true, "circle": true,
	}
	htmlVoid     = map[string]bool{"meta": true, "br": true}
	htmlAttrs    = map[string]bool{"lang": true, "charset": true, "name": true, "content": true, "class": true, "id": true, "scope": true, "viewbox": true, "role": true, "aria-label": true, "x": true, "y": true, "x1": true, "y1": true, "x2": true, "y2": true, "cx": true, "cy": true, "r": true, "width": true, "height": true, "font-size": true, "text-anchor": true}
	htmlAttrRE   = regexp.MustCompile(`^\s+([a-zA-Z][a-zA-Z0-9-]*)="([^"<]*)"`)
	htmlTagNameR = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9]*`)
)

// checkHTML is a small strict tokenizer for our own output: every tag is
// from an allow-list with allow-listed, double-quoted attributes, elements
// nest properly, text holds no raw < or >, and <style> holds no URL or
// import. A user string that escaped html/template would break one of
// these.
func checkHTML(t *testing.T, doc string) {
	t.Helper()
	if !strings.HasPrefix(doc, "<!DOCTYPE html>\n") {
		t.Fatal("no doctype")
	}
	s := strings.TrimPrefix(doc, "<!DOCTYPE html>\n")
	var stack []string
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			i = len(s)
		}
		if text := s[:i]; strings.ContainsAny(text, ">") {
			t.Fatalf("raw > in text %q", text)
		}
		s = s[i:]
		if s == "" {
			break
		}
		if strings.HasPrefix(s, "<!") {
			t.Fatalf("comment or declaration in body: %.40q", s)
		}
		closing := strings.HasPrefix(s, "</")
		s = strings.TrimPrefix(strings.TrimPrefix(s, "</"), "<")
		name := htmlTagNameR.FindString(s)
		if name == "" {
			t.Fatalf("raw < in text before %.40q", s)
		}
		lname := strings.ToLower(name)
		if !htmlAllowedTags[lname] {
			t.Fatalf("element <%s> not allowed", name)
		}
		s = s[len(name):]
		if closing {
			if !strings.HasPrefix(s, ">") {
				t.Fatalf("malformed </%s", name)
			}
			s = s[1:]
			if len(stack) == 0 || stack[len(stack)-1] != lname {
				t.Fatalf("</%s> closes %v", name, stack)
			}
			stack = stack[:len(stack)-1]
			continue
		}
		for {
			m := htmlAttrRE.FindStringSubmatch(s)
			if m == nil {
				break
			}
			a := strings.ToLower(m[1])
			if !htmlAttrs[a] {
				t.Fatalf("attribute %s on <%s> not allowed", a, name)
			}
			if strings.Contains(strings.ToLower(m[2]), "javascript:") || strings.Contains(m[2], "//") {
				t.Fatalf("attribute %s=%q", a, m[2])
			}
			s = s[len(m[0]):]
		}
		switch {
		case strings.HasPrefix(s, "/>"):
			s = s[2:]
		case strings.HasPrefix(s, ">"):
			s = s[1:]
			if lname == "style" {
				end := strings.Index(s, "</style>")
				if end < 0 {
					t.Fatal("unterminated style")
				}
				css := strings.ToLower(s[:end])
				for _, bad := range []string{"url(", "@import", "//", "expression("} {
					if strings.Contains(css, bad) {
						t.Fatalf("style contains %q", bad)
					}
				}
				s = s[end:]
			}
			if !htmlVoid[lname] {
				stack = append(stack, lname)
			}
		default:
			t.Fatalf("malformed tag <%s: %.40q", name, s)
		}
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed elements %v", stack)
	}
}

func TestHTMLIsSelfContainedAndEscaped(t *testing.T) {
	t.Parallel()
	urlRE := regexp.MustCompile(`(?i)(src|href|xlink:href|action)\s*=|url\(|https?:|//`)
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := HTML(&b, result(sc.exp()), testMeta); err != nil {
				t.Fatal(err)
			}
			doc := b.String()
			checkHTML(t, doc)
			if strings.Contains(strings.ToLower(doc), "<script") {
				t.Error("<script in HTML")
			}
			if m := urlRE.FindString(doc); m != "" {
				t.Errorf("external reference %q in HTML", m)
			}
			for _, f := range []string{"<script>alert", "</details>", "<!-- experimentos", "\x1b", "<b>results"} {
				if strings.Contains(doc, f) {
					t.Errorf("raw %q in HTML", f)
				}
			}
			if !strings.Contains(doc, "@media print") || !strings.Contains(doc, "<svg") != (sc.name == "blocked" || sc.name == "planned") {
				t.Error("missing print styles or forest plot")
			}
		})
	}
	var b bytes.Buffer
	if err := HTML(&b, result(scenarioNamed("hostile")), testMeta); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("hostile name not shown escaped")
	}
}

// ---- JSON ----

func TestJSONDocument(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	rs := allResults()
	if err := JSON(&b, rs, testMeta); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	requireKeys(t, "document", doc, "schema_version", "version", "commit", "experiments", "summary")
	if got, want := doc["schema_version"], 2.0; got != want {
		t.Errorf("schema_version = %v", got)
	}
	requireKeys(t, "summary", doc["summary"].(map[string]any), "launch", "hold", "rollback", "blocked", "not_analyzed")
	exps := doc["experiments"].([]any)
	if len(exps) != len(rs) {
		t.Fatalf("%d experiments", len(exps))
	}
	resultKeys := []string{"metric", "type", "test", "control_value", "treatment_value", "abs_lift", "rel_lift",
		"ci_low", "ci_high", "rel_ci_low", "rel_ci_high", "p_value", "p_adjusted", "significant", "df", "cuped", "sequential",
		"label", "desired", "null_reasons"}
	for i, x := range exps {
		e := x.(map[string]any)
		name := scenarios[i].name
		requireKeys(t, name, e, "id", "path", "name", "status", "data_file", "data_sha256", "arms", "health", "comparisons", "decision", "power", "thresholds", "deployment")
		requireKeys(t, name+" decision", e["decision"].(map[string]any), "outcome", "arm", "rule", "hold_kind", "reason")
		h := e["health"].(map[string]any)
		requireKeys(t, name+" health", h, "status", "srm", "issues")
		if srm, ok := h["srm"].(map[string]any); ok {
			requireKeys(t, name+" srm", srm, "chi2", "p_value", "df", "expected_share", "users")
			if got, want := len(srm["users"].([]any)), len(e["arms"].([]any)); got != want {
				t.Errorf("%s: srm users %d, arms %d", name, got, want)
			}
		}
		for _, a := range e["arms"].([]any) {
			requireKeys(t, name+" arm", a.(map[string]any), "name", "control", "users", "expected_share")
		}
		for _, is := range h["issues"].([]any) {
			requireKeys(t, name+" issue", is.(map[string]any), "severity", "code", "message", "file", "line", "column")
		}
		cmps := e["comparisons"].([]any)
		analyzed := name != "blocked" && name != "planned"
		if (len(cmps) > 0) != analyzed {
			t.Errorf("%s: %d comparisons, analyzed %v", name, len(cmps), analyzed)
		}
		if want := len(e["arms"].([]any)) - 1; analyzed && len(cmps) != want {
			t.Errorf("%s: %d comparisons, want %d", name, len(cmps), want)
		}
		for _, c := range cmps {
			c := c.(map[string]any)
			requireKeys(t, name+" comparison", c, "arm", "control", "primary", "guardrails", "secondary", "decision")
			requireKeys(t, name+" primary", c["primary"].(map[string]any), resultKeys...)
			for _, g := range c["guardrails"].([]any) {
				requireKeys(t, name+" guardrail", g.(map[string]any), "metric", "type", "test", "control_value", "treatment_value",
					"delta", "ci_low", "ci_high", "p_value", "state", "worsened", "severe", "inconclusive")
			}
			for _, s := range c["secondary"].([]any) {
				requireKeys(t, name+" secondary", s.(map[string]any), resultKeys...)
			}
			requireKeys(t, name+" comparison decision", c["decision"].(map[string]any), "outcome", "rule", "reason", "hold_kind")
		}
		d := e["decision"].(map[string]any)
		kind, _ := d["hold_kind"].(string)
		wantPower := e["status"] == "running" && (kind == "collect" || kind == "stop")
		if p, ok := e["power"].(map[string]any); ok != wantPower {
			t.Errorf("%s: power present %v, want %v (hold kind %q)", name, ok, wantPower, kind)
		} else if ok {
			requireKeys(t, name+" power", p, "basis", "mde", "target_value", "mde_at_current_sample", "required_per_arm", "additional_per_arm", "days", "feasible")
		}
		if d["outcome"] != "hold" && d["hold_kind"] != nil {
			t.Errorf("%s: hold_kind %v on a %v", name, d["hold_kind"], d["outcome"])
		}
	}
	fisher := exps[scenarioIndex("small-fisher")].(map[string]any)["comparisons"].([]any)[0].(map[string]any)["primary"].(map[string]any)
	if fisher["rel_lift"] != nil || fisher["test"] != "fisher" {
		t.Errorf("zero control rate: rel_lift %v, test %v", fisher["rel_lift"], fisher["test"])
	}
	if why, _ := fisher["null_reasons"].(map[string]any)["rel_lift"].(string); !strings.Contains(why, "control rate is 0") {
		t.Errorf("null_reasons.rel_lift = %q", why)
	}
	abc := exps[scenarioIndex("abc-revenue")].(map[string]any)
	if d := abc["decision"].(map[string]any); d["outcome"] != "launch" || d["arm"] != "b" || d["rule"] != 7.0 {
		t.Errorf("abc decision = %v, want launch b by rule 7", d)
	}
	four := exps[scenarioIndex("four-arm-rollback")].(map[string]any)
	if d := four["decision"].(map[string]any); d["outcome"] != "rollback" || d["arm"] != "b" || d["rule"] != 2.0 {
		t.Errorf("four-arm decision = %v, want rollback b by rule 2", d)
	}
}

func scenarioIndex(name string) int {
	for i, s := range scenarios {
		if s.name == name {
			return i
		}
	}
	panic("no scenario " + name)
}

func requireKeys(t *testing.T, what string, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("%s: key %q missing", what, k)
		}
	}
}

// A report carrying NaN and Inf (a bug upstream) renders them as null and
// n/a, never as NaN, in every format.
func TestNonFiniteNeverPrinted(t *testing.T) {
	t.Parallel()
	nan, inf := math.NaN(), math.Inf(1)
	rep := analysis.Analyze(scenarioNamed("launch"))
	p := &rep.Comparisons[0].Primary
	p.AbsLift, p.ControlValue = analysis.Value{V: nan}, inf
	p.CILow, p.RelLift, p.PValue = analysis.Value{V: nan}, analysis.Value{V: inf}, analysis.Value{V: nan}
	rep.Health.SRM.Chi2, rep.Health.SRM.PValue = nan, nan
	rep.Comparisons[0].Guardrails[0].AbsLift = analysis.Value{V: nan}
	rep.Comparisons[0].Guardrails[0].PValue = analysis.Value{V: nan}
	r := decision.Result{Report: rep, Decision: decision.Decision{Outcome: experiment.Hold, Rule: 8, HoldKind: decision.Collect, Reason: "undefined",
		Comparisons: []decision.Verdict{{Arm: "treatment", Outcome: experiment.Hold, Rule: 8, HoldKind: decision.Collect}}}}

	var j, md, h, txt bytes.Buffer
	if err := JSON(&j, []decision.Result{r}, testMeta); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Experiments []struct {
			Comparisons []struct {
				Primary struct {
					AbsLift *float64 `json:"abs_lift"`
					PValue  *float64 `json:"p_value"`
				} `json:"primary"`
			} `json:"comparisons"`
		} `json:"experiments"`
	}
	if err := json.Unmarshal(j.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if pr := doc.Experiments[0].Comparisons[0].Primary; pr.AbsLift != nil || pr.PValue != nil {
		t.Errorf("abs_lift %v, p_value %v: want null", pr.AbsLift, pr.PValue)
	}
	if err := Markdown(&md, r, testMeta); err != nil {
		t.Fatal(err)
	}
	if err := HTML(&h, r, testMeta); err != nil {
		t.Fatal(err)
	}
	if err := Text(&txt, []decision.Result{r}, testMeta, false); err != nil {
		t.Fatal(err)
	}
	c := Comment(marker, []decision.Result{r}, testMeta, GitHubCommentLimit)
	for name, out := range map[string]string{"json": j.String(), "md": md.String(), "html": h.String(), "text": txt.String(), "comment": c} {
		for _, bad := range []string{"NaN", "Inf"} {
			if strings.Contains(out, bad) {
				t.Errorf("%s output contains %s", name, bad)
			}
		}
	}
	checkHTML(t, h.String())
}

// ---- Text ----

func TestText(t *testing.T) {
	t.Parallel()
	rs := allResults()
	tests := []struct {
		name  string
		color bool
	}{{"plain", false}, {"color", true}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := Text(&b, rs, testMeta, tt.color); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if got := strings.Contains(out, "\x1b["); got != tt.color {
				t.Errorf("ANSI present = %v, want %v", got, tt.color)
			}
			if strings.Contains(out, "line\x1b") {
				t.Error("a user string's escape sequence reached the terminal")
			}
			lines := strings.Split(out, "\n")
			if !strings.HasPrefix(stripANSI(lines[0]), "ID ") {
				t.Errorf("header %q", lines[0])
			}
			// Aligned: the DECISION column starts at the same rune offset in
			// every table row.
			col := strings.Index(stripANSI(lines[0]), "DECISION")
			for _, l := range lines[1 : len(rs)+1] {
				l = stripANSI(l)
				if w := []rune(l); len(w) < col || w[col-1] != ' ' || w[col] == ' ' {
					t.Errorf("misaligned row %q", l)
				}
			}
			if !strings.Contains(out, "experiments/search-ranking/results.csv:3:2 (users)") {
				t.Error("issue location missing")
			}
		})
	}
}

var ansiRE = regexp.MustCompile("\x1b\\[[0-9;]*m")

func stripANSI(s string) string { return ansiRE.ReplaceAllString(s, "") }

// ---- pieces ----

func TestCIBar(t *testing.T) {
	t.Parallel()
	f := func(x float64) *float64 { return &x }
	tests := []struct {
		name      string
		x         float64
		lo, hi    *float64
		verdict   string
		mustHave  string
		zeroShown bool
	}{
		{"positive", 0.011, f(0.002), f(0.02), "excludes 0", "●", true},
		{"straddles", 0.005, f(-0.008), f(0.02), "includes 0", "┼", true},
		{"negative", -0.01, f(-0.02), f(-0.001), "excludes 0", "●", true},
		{"no CI", 0.01, nil, nil, "CI n/a", "●", true},
		{"zero", 0, nil, nil, "CI n/a", "●", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			vals := []float64{tt.x}
			if tt.lo != nil {
				vals = append(vals, *tt.lo, *tt.hi)
			}
			a, z := barSpan(vals)
			bar, verdict := ciBar(tt.x, tt.lo, tt.hi, a, z)
			if verdict != tt.verdict {
				t.Errorf("verdict %q, want %q", verdict, tt.verdict)
			}
			if n := utf8.RuneCountInString(bar); n != barWidth {
				t.Errorf("width %d", n)
			}
			if !strings.Contains(bar, tt.mustHave) {
				t.Errorf("bar %q lacks %q", bar, tt.mustHave)
			}
			if tt.zeroShown && !strings.ContainsAny(bar, "|┼├┤") {
				t.Errorf("bar %q has no zero mark", bar)
			}
		})
	}
	for _, r := range allResults() {
		if !r.Report.Analyzed {
			continue
		}
		bars := ciBars(r.Report)
		if got, want := strings.Count(bars, "\n"), len(r.Report.Comparisons); got != want {
			t.Errorf("%s: %d bar lines, want one per comparison (%d)", r.Report.Experiment.ID, got, want)
		}
		for _, l := range strings.Split(bars, "\n") {
			if n := utf8.RuneCountInString(l); n > 60 {
				t.Errorf("bar line %d wide: %q", n, l)
			}
		}
	}
}

func TestRisksFlagCIDisagreement(t *testing.T) {
	t.Parallel()
	r := result(scenarioNamed("launch"))
	p := &r.Report.Comparisons[0].Primary
	// the CI includes 0 although p < alpha
	p.CILow, p.CIHigh = analysis.Value{V: -0.0001}, analysis.Value{V: 0.02}
	found := false
	for _, s := range risks(r) {
		if strings.Contains(s, "disagree") {
			found = true
		}
	}
	if !found {
		t.Errorf("no disagreement risk in %q", risks(r))
	}
}

func TestNextActions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		scenario string
		want     []string
	}{
		{"launch", []string{"from 50% to 75%", "from 75% to 100%", "Error rate: alert if it rises above 0.45%", "roll back if it rises above 0.65%"}},
		{"abc-revenue", []string{"Stop the other treatment arm (c)", "Ramp b from 33.3% to 50%", "Average order value: alert if it falls below 49"}},
		{"hold-power", []string{"43,031 more control and 43,021 more treatment users", "151 more days: not feasible at this traffic", "CUPED"}},
		{"events-welch", []string{"four times the current sample", "42 more days"}},
		{"hold-stop", []string{"rules out", "status: concluded"}},
		{"four-arm-rollback", []string{"Set the traffic of b to 0%", "Arm c would launch on its own comparison (rule 7)", "status: concluded"}},
		{"latency-guardrail", []string{"Page latency (ms) in arm treatment: 445 vs control 420", "primary gain is worth"}},
		{"concluded", []string{"No action is advised"}},
		{"hold-srm", []string{"assignment service", "exposure"}},
		{"blocked", []string{"experiments/search-ranking/results.csv:3:2 (users)", "experiments/search-ranking/experiment.yaml:12:1 (thresold)"}},
		{"rollback-rolled-out", []string{"Revert or disable the shipped change", "Root-cause checklist"}},
		{"plan-not-reached", []string{"The plan sets 30,000 users per arm", "20,000 more control", "28 more days"}},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := Markdown(&b, result(scenarioNamed(tt.scenario)), testMeta); err != nil {
				t.Fatal(err)
			}
			_, actions, _ := strings.Cut(b.String(), "## 5. Next Actions")
			for _, w := range tt.want {
				if !strings.Contains(actions, EscapeMarkdown(w)) && !strings.Contains(actions, w) {
					t.Errorf("next actions lack %q:\n%s", w, actions)
				}
			}
		})
	}
	e := scenarioNamed("rollback-rolled-out")
	e.Deployment = experiment.DeploymentExperiment
	var b bytes.Buffer
	if err := Markdown(&b, result(e), testMeta); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Set the traffic of treatment to 0%") {
		t.Error("experiment deployment: no traffic-to-0% step")
	}
}

func TestNilReport(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := Markdown(&b, decision.Result{}, testMeta); err == nil {
		t.Error("Markdown: want an error for a result without a report")
	}
	if err := JSON(&b, []decision.Result{{}}, testMeta); err == nil {
		t.Error("JSON: want an error for a result without a report")
	}
}

func BenchmarkMarkdown(b *testing.B) {
	r := result(scenarioNamed("launch"))
	for b.Loop() {
		if err := Markdown(discard{}, r, testMeta); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSON(b *testing.B) {
	rs := manyResults(100)
	for b.Loop() {
		if err := JSON(discard{}, rs, testMeta); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkComment300(b *testing.B) {
	rs := manyResults(300)
	for b.Loop() {
		_ = Comment(marker, rs, testMeta, GitHubCommentLimit)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// No memo computes power for the observed effect, and no memo tells the
// reader to stop because of it (docs/statistics.md#power).
func TestNoPostHocPower(t *testing.T) {
	t.Parallel()
	for name, md := range renderings(t) {
		for _, bad := range []string{"observed effect", "already has 80% power", "Consider stopping"} {
			if strings.Contains(md, bad) {
				t.Errorf("%s: post-hoc power sentence %q", name, bad)
			}
		}
	}
}

// A Hold names every worsened or severe guardrail at the top, whichever
// rule decided; a Launch names its arm, a Rollback the rolled-back arm.
func TestDecisionSectionNamesArmsAndGuardrails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		scenario string
		want     []string
	}{
		{"latency-guardrail", []string{"**🟡 Hold: investigate**", "guardrail Page latency (ms) worsened in arm treatment: +25 against control (445 vs 420), beyond the worsened margin 5% of control (21)"}},
		{"abc-revenue", []string{"**🟢 Launch b**", "| c | hold: collect | 8 |"}},
		{"four-arm-rollback", []string{"**🔴 Rollback b**", "| c | launch | 7 |", "| d | hold: collect | 8 |"}},
		{"blocked", []string{"fix\\_data"}},
		{"hold-stop", []string{"**🟡 Hold: stop**"}},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := Markdown(&b, result(scenarioNamed(tt.scenario)), testMeta); err != nil {
			t.Fatal(err)
		}
		dec, _, _ := strings.Cut(b.String(), "## 3. Evidence")
		for _, w := range tt.want {
			if !strings.Contains(dec, w) {
				t.Errorf("%s: decision section lacks %q:\n%s", tt.scenario, w, dec)
			}
		}
	}
}

// The JSON power block is the deciding comparison's, keyed by arm name.
func TestJSONPowerBlock(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := JSON(&b, []decision.Result{result(scenarioNamed("hold-power"))}, testMeta); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Experiments []struct {
			Power struct {
				Basis      string           `json:"basis"`
				MDE        float64          `json:"mde"`
				Required   map[string]int64 `json:"required_per_arm"`
				Additional map[string]int64 `json:"additional_per_arm"`
				Days       *int64           `json:"days"`
				Feasible   *bool            `json:"feasible"`
			} `json:"power"`
		} `json:"experiments"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	pw := doc.Experiments[0].Power
	// 47,031 per arm: statsmodels NormalIndPower().solve_power(effect_size=
	// proportion_effectsize(0.126, 0.12), alpha=0.05, power=0.8), rounded up.
	if pw.Basis != "plan_mde" || math.Abs(pw.MDE-0.05) > 1e-12 || pw.Required["control"] != 47031 || pw.Required["treatment"] != 47031 ||
		pw.Additional["control"] != 43031 || pw.Additional["treatment"] != 43021 {
		t.Errorf("power = %+v", pw)
	}
	if pw.Days == nil || *pw.Days != 151 || pw.Feasible == nil || *pw.Feasible {
		t.Errorf("days %v feasible %v, want 151 and false", pw.Days, pw.Feasible)
	}
}
