// Package memo renders decision results for people and machines: the
// one-page Decision Memo (docs/memo.md#memo-sections) as GitHub-flavoured
// Markdown and as a self-contained HTML page, a terminal summary, the JSON
// document (docs/memo.md#json-output), and the sticky pull request comment
// (docs/action.md#the-sticky-comment).
//
// Markdown is produced with text/template and every user-supplied string
// (names, hypotheses, owners, labels, column names, issue messages, paths)
// passes through EscapeMarkdown; HTML is produced with html/template, which
// escapes by context, and its inline SVG chart is drawn by the template
// from numbers computed here. Output is deterministic: no clock, no map
// order, so golden files stay stable.
package memo

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
)

// Meta describes the run that produced the results.
type Meta struct {
	// Version is the tool's version, shown in every memo.
	Version string
	// Commit is the commit the data was read at: a pull request's head SHA
	// when known (not the merge commit). Empty when unknown.
	Commit string
	// RunURL links to the workflow run that holds the full memos and
	// results.json ("the rest" when the PR comment is shortened). Only
	// http(s) URLs are linked; empty means no link.
	RunURL string
}

var errNoReport = errors.New("memo: result has no report or experiment")

func check(r decision.Result) error {
	if r.Report == nil || r.Report.Experiment == nil {
		return errNoReport
	}
	return nil
}

// Kind is the presentation class of a result: the outcome, with a Hold on
// blocked health told apart. Kinds order from not analyzed (lowest) to
// rollback (highest), so a descending sort puts the worst first.
type Kind int

const (
	kindNone Kind = iota
	kindLaunch
	kindHold
	kindBlocked
	kindRollback
)

// KindOf classifies a result.
func KindOf(r decision.Result) Kind {
	switch r.Decision.Outcome {
	case experiment.Rollback:
		return kindRollback
	case experiment.Hold:
		if r.Report != nil && r.Report.Health.Status == analysis.Blocked {
			return kindBlocked
		}
		return kindHold
	case experiment.Launch:
		return kindLaunch
	}
	return kindNone
}

// Badge is the emoji and word shown for a result's decision.
func (k Kind) Badge() string {
	switch k {
	case kindRollback:
		return "🔴 Rollback"
	case kindBlocked:
		return "⛔ Hold (blocked)"
	case kindHold:
		return "🟡 Hold"
	case kindLaunch:
		return "🟢 Launch"
	}
	return "⚪ Not analyzed"
}

// Label is Badge without its emoji, for pages that colour the badge
// instead (and read the same where no emoji font is installed).
func (k Kind) Label() string {
	_, label, _ := strings.Cut(k.Badge(), " ")
	return label
}

// Word is the plain decision word for terminals and CSS classes.
func (k Kind) Word() string {
	switch k {
	case kindRollback:
		return "rollback"
	case kindBlocked:
		return "blocked"
	case kindHold:
		return "hold"
	case kindLaunch:
		return "launch"
	}
	return "none"
}

// WorstFirst returns the results ordered rollback, blocked hold, hold,
// launch, not analyzed; ties keep their input order. The comment, the job
// summary and the annotations all use this order.
func WorstFirst(rs []decision.Result) []decision.Result {
	out := slices.Clone(rs)
	slices.SortStableFunc(out, func(a, b decision.Result) int { return int(KindOf(b)) - int(KindOf(a)) })
	return out
}

// HealthBadge renders a health status with its emoji badge, as the memo
// and the portfolio index show it.
func HealthBadge(s analysis.HealthStatus) string {
	switch s {
	case analysis.Blocked:
		return "⛔ blocked"
	case analysis.Warning:
		return "⚠️ warning"
	}
	return "✅ healthy"
}

func guardBadge(g analysis.Guardrail) string {
	switch {
	case g.Severe:
		return "🛑 severe"
	case g.Worsened:
		return "⚠️ worsened"
	}
	return "✅ ok"
}

func guardWord(g analysis.Guardrail) string {
	switch {
	case g.Severe:
		return "severe"
	case g.Worsened:
		return "worsened"
	}
	return "ok"
}

// ---- number formatting (numbers only ever come from code) ----

// finite replaces NaN and ±Inf, which must never be printed, by nil.
func finite(p *float64) *float64 {
	if p == nil || math.IsNaN(*p) || math.IsInf(*p, 0) {
		return nil
	}
	return p
}

func fp(p *float64) string {
	if p = finite(p); p == nil {
		return "n/a"
	}
	return analysis.FormatP(*p)
}

// fnum formats like float64 but prints "n/a" for NaN and ±Inf, so that a
// non-finite value that slipped through can never be printed as NaN.
type fnum float64

// Format implements fmt.Formatter.
func (x fnum) Format(f fmt.State, verb rune) {
	v := float64(x)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		io.WriteString(f, "n/a")
		return
	}
	io.WriteString(f, fmt.Sprintf(fmt.FormatString(f, verb), v))
}

func ppNum(x float64) string { return fmt.Sprintf("%+.2f", fnum(x*100)) }

func pct(x float64) string { return fmt.Sprintf("%.2f%%", fnum(x*100)) }

func relPct(x float64) string { return fmt.Sprintf("%+.2f%%", fnum(x*100)) }

// fmtPP is analysis.FormatPP, "n/a" when not finite.
func fmtPP(x float64) string {
	if finite(&x) == nil {
		return "n/a"
	}
	return analysis.FormatPP(x)
}

// fmtDelta is the guardrail's FormatDelta, "n/a" when not finite.
func fmtDelta(g analysis.Guardrail) string {
	if finite(&g.Delta) == nil {
		return "n/a"
	}
	return g.FormatDelta()
}

func rateIn(t experiment.MetricType, x float64) string {
	if t == experiment.MetricEvents {
		return fmt.Sprintf("%.4g/user", fnum(x))
	}
	return pct(x)
}

// group renders an integer with thousands separators.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// confidence renders 1 − alpha as a percentage ("95%"), exactly.
func confidence(alpha experiment.Decimal) string {
	c := new(big.Rat).Sub(big.NewRat(1, 1), alpha.Rat())
	c.Mul(c, big.NewRat(100, 1))
	s := c.FloatString(6)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}

// NoChangeComment is the sticky comment (or, without its marker line, the
// summary) for a run in which the pull request changes no experiment, so
// that an earlier memo is not left standing as if current.
func NoChangeComment(marker string, m Meta) string {
	var b strings.Builder
	b.WriteString(marker + "\n### ExperimentOS: no experiment changed\n\nThis pull request changes no experiment")
	if m.Commit != "" {
		b.WriteString(" as of commit " + EscapeMarkdown(shortSHA(m.Commit)))
	}
	b.WriteString(", so there is nothing to decide.\n")
	if u := runURL(m); u != "" {
		b.WriteString("\n<sub>" + runRef(u) + "</sub>\n")
	}
	return b.String()
}

func shortSHA(s string) string {
	s = cleanText(s)
	if len(s) > 12 && isHex(s) {
		return s[:12]
	}
	return Clip(s, 64)
}

func isHex(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return s != ""
}

// runURL returns m.RunURL when it is a plain http(s) URL safe to put in a
// Markdown link, else "".
func runURL(m Meta) string {
	u := m.RunURL
	if !(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) || len(u) > 2000 {
		return ""
	}
	for _, c := range u {
		if c <= ' ' || c == 0x7f || strings.ContainsRune(`<>()[]"'\`+"`", c) || c > 0x7e {
			return ""
		}
	}
	return u
}

func testName(t analysis.Test) string {
	switch t {
	case analysis.TestFisher:
		return "Fisher's exact test"
	case analysis.TestPoisson:
		return "exact conditional binomial (Poisson rate) test"
	}
	return "pooled two-proportion z-test"
}

// testPhrase is testName with its article, for running text.
func testPhrase(t analysis.Test) string {
	if t == analysis.TestFisher {
		return testName(t)
	}
	return "the " + testName(t)
}

func ciName(m experiment.CIMethod) string {
	if m == experiment.CIWald {
		return "Wald"
	}
	return "Newcombe (Wilson score)"
}

// sortedKeys returns a map's keys in order, for deterministic output.
func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
