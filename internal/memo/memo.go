// Package memo renders decision results for people and machines: the
// one-page Decision Memo (docs/memo.md#memo-sections) as GitHub-flavoured Markdown and as
// a self-contained HTML page, a terminal summary, the JSON document of
// docs/memo.md#json-output (schema_version 2), and the sticky pull
// request comment (docs/action.md#the-sticky-comment).
//
// Markdown is produced with text/template and every user-supplied string
// (names, hypotheses, owners, labels, arm names, column names, issue
// messages, paths) passes through EscapeMarkdown; HTML is produced with
// html/template, which escapes by context, and its inline SVG chart is drawn
// by the template from numbers computed here. Every number is formatted by
// the format package, in its metric kind's unit. Output is deterministic:
// no clock, no map order, so golden files stay stable.
package memo

import (
	"errors"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/format"
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

// DecisionBadge is the result's badge with what the decision names: the
// launching or rolled-back arm ("🟢 Launch b"), or a Hold's kind
// ("🟡 Hold: collect"). The arm is a user string: callers escape it.
func DecisionBadge(r decision.Result) string {
	return KindOf(r).Badge() + decisionSuffix(r)
}

// DecisionReason is the decision's reason as printed after DecisionBadge
// or DecisionWord: a launch or rollback already names its arm there, so
// the reason's own "arm: " prefix (which JSON keeps, to stand alone) is
// dropped ("launch b — Revenue improved …", not "launch b — b: …").
func DecisionReason(r decision.Result) string {
	d := r.Decision
	if d.Arm != "" && (d.Outcome == experiment.Launch || d.Outcome == experiment.Rollback) {
		return strings.TrimPrefix(d.Reason, d.Arm+": ")
	}
	return d.Reason
}

// DecisionWord is DecisionBadge without the emoji ("launch b", "hold: collect").
func DecisionWord(r decision.Result) string {
	return KindOf(r).Word() + decisionSuffix(r)
}

func decisionSuffix(r decision.Result) string {
	d := r.Decision
	switch {
	case d.Arm != "" && (d.Outcome == experiment.Launch || d.Outcome == experiment.Rollback):
		return " " + Clip(d.Arm, capShort)
	case d.Outcome == experiment.Hold && d.HoldKind != decision.NoHold:
		return ": " + string(d.HoldKind)
	}
	return ""
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

func stateBadge(s analysis.GuardrailState) string {
	switch s {
	case analysis.StateSevere:
		return "🛑 severe"
	case analysis.StateWorsened:
		return "⚠️ worsened"
	case analysis.StateInconclusive:
		return "❔ inconclusive"
	}
	return "✅ ok"
}

// Deciding returns the comparison the experiment's decision rests on: the
// launching or rolled-back arm's, else for a Hold the first comparison by
// rule order (ties by CSV order), as docs/rules.md#decision-rules
// picks it; nil when nothing was compared.
func Deciding(r decision.Result) *analysis.Comparison {
	i := r.Decision.Index
	if i < 0 || i >= len(r.Report.Comparisons) {
		return nil
	}
	return &r.Report.Comparisons[i]
}

// ---- numbers (every one through the format package) ----

// finite reports whether x can be printed: a NaN or Inf that slipped
// through upstream prints "n/a", never "NaN".
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// ok reports whether a Value is defined and finite.
func ok(v analysis.Value) bool { return v.OK() && finite(v.V) }

// val renders a defined Value with f, or "n/a".
func val(v analysis.Value, f func(float64) string) string {
	if !ok(v) {
		return "n/a"
	}
	return f(v.V)
}

func fmtValue(k experiment.Kind, x float64) string {
	if !finite(x) {
		return "n/a"
	}
	return format.Value(k, x)
}

func fmtDiff(k experiment.Kind, x float64) string {
	if !finite(x) {
		return "n/a"
	}
	return format.Diff(k, x)
}

func fmtP(x float64) string {
	if !finite(x) {
		return "n/a"
	}
	return format.P(x)
}

func diffOf(k experiment.Kind) func(float64) string {
	return func(x float64) string { return fmtDiff(k, x) }
}

func valueOf(k experiment.Kind) func(float64) string {
	return func(x float64) string { return fmtValue(k, x) }
}

func pOf(v analysis.Value) string { return val(v, fmtP) }

// ci renders an interval "lo to hi" with f, or "n/a".
func ci(lo, hi analysis.Value, f func(float64) string) string {
	if !ok(lo) || !ok(hi) {
		return "n/a"
	}
	return f(lo.V) + " to " + f(hi.V)
}

// liftCI renders a result's absolute lift with its CI in the metric's unit:
// "+1.2 pp (+0.22 pp to +2.05 pp)".
func liftCI(p *analysis.Result) string {
	d := diffOf(p.Metric.Kind)
	s := val(p.AbsLift, d)
	if ok(p.CILow) && ok(p.CIHigh) {
		s += " (" + d(p.CILow.V) + " to " + d(p.CIHigh.V) + ")"
	}
	return s
}

// confidence renders 1 − alpha as a percentage: exactly when it
// terminates ("95%", "97.5%"), else to four significant digits ("98.33%"
// for alpha′ = 0.05/3).
func confidence(alpha experiment.Decimal) string {
	c := new(big.Rat).Sub(big.NewRat(1, 1), alpha.Rat())
	c.Mul(c, big.NewRat(100, 1))
	s := c.FloatString(6)
	if exact := c.FloatString(12); strings.TrimRight(exact, "0") != strings.TrimRight(s, "0") {
		f, _ := c.Float64()
		return strconv.FormatFloat(f, 'g', 4, 64) + "%"
	}
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}

// alphaStr renders a significance level: as written when it is a
// terminating decimal ("0.025"), else to four significant digits
// ("0.01667" for 0.05/3).
func alphaStr(a experiment.Decimal) string {
	s := a.String()
	if strings.Contains(s, "/") {
		return strconv.FormatFloat(a.Float64(), 'g', 4, 64)
	}
	return s
}

// NoChangeComment is the sticky comment (or, without its marker line, the
// summary) for a run in which the pull request changes no experiment, so
// that an earlier memo is not left standing as if current.
func NoChangeComment(marker string, m Meta) string {
	var b strings.Builder
	b.WriteString(marker + "\n### ExperimentOS: no experiment changed\n\nThis pull request changes no experiment")
	if m.Commit != "" {
		b.WriteString(" as of commit " + EscapeMarkdown(ShortSHA(m.Commit)))
	}
	b.WriteString(", so there is nothing to decide.\n")
	if u := runURL(m); u != "" {
		b.WriteString("\n<sub>" + runRef(u) + "</sub>\n")
	}
	return b.String()
}

// ShortSHA is a commit or content hash as the memo prints it: 12 hex
// digits, or any other text cleaned and clipped.
func ShortSHA(s string) string {
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

// testName names a result's test for people.
func testName(t analysis.Test) string {
	switch t {
	case analysis.TestFisher:
		return "Fisher's exact test"
	case analysis.TestPoisson:
		return "exact conditional binomial (Poisson rate) test"
	case analysis.TestWelch:
		return "Welch's t-test"
	case analysis.TestSequential:
		return "asymptotic confidence sequence"
	case analysis.TestZ:
		return "pooled two-proportion z-test"
	}
	return string(t)
}

func ciName(m experiment.CIMethod) string {
	if m == experiment.CIWald {
		return "Wald"
	}
	return "Newcombe (Wilson score)"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
