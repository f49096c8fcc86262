// Package portfolio renders the index of every experiment (`experimentos
// index`): one page, one table row per experiment with its name, id,
// owner, period, status, health, decision, primary lift with CI and
// p-value, and links to its memos. Markdown suits experiments/README.md on
// GitHub; HTML is one self-contained page with an inline SVG mini forest
// plot per row (the lift's CI against zero), no scripts, no external
// requests and print CSS.
//
// Markdown is rendered with text/template and every user-supplied string
// passes through memo.EscapeMarkdown; HTML with html/template. Output is
// deterministic (no clock), so golden files stay stable.
package portfolio

import (
	"cmp"
	_ "embed"
	"fmt"
	htmltemplate "html/template"
	"io"
	"math"
	"net/url"
	"slices"
	"strings"
	"sync"
	"text/template"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/format"
	"github.com/experimentos/experimentos/internal/memo"
)

// Options configure the index.
type Options struct {
	// Meta names the tool version (and commit, when known) in the footer.
	Meta memo.Meta
	// MemoBase prefixes each memo link: <MemoBase><id>/memo.md (Markdown)
	// or memo.html (HTML). Empty means links relative to the index, as
	// `check --out DIR` lays memos out beside DIR/index.html.
	MemoBase string
	// Title heads the page; default "Experiments".
	Title string
}

// row is one experiment as the templates show it. Strings are raw: the
// Markdown template escapes them, html/template escapes by context.
type row struct {
	ID, Name, Owner, Period, Status string
	Health, HealthWord              string // badge with emoji (Markdown), plain word (HTML and class)
	Decision, DecisionWord, Reason  string
	DecisionText                    string // without emoji, for HTML: no font needed
	Arm, Lift, CI, P                string // the deciding comparison's arm and primary; "" when not analyzed
	MemoMD, MemoHTML                string
	Plot                            *miniPlot
}

// page is the whole index.
type page struct {
	Title, Summary, Footer string
	Rows                   []row
}

// Length caps, in runes, so that one long name cannot break the table.
const (
	capName   = 120
	capShort  = 80
	capReason = 300
)

func build(rs []decision.Result, opts Options) page {
	rs = Sort(rs)
	p := page{Title: cmp.Or(opts.Title, "Experiments")}
	counts := map[string]int{}
	for _, r := range rs {
		e := r.Report.Experiment
		kind := memo.KindOf(r)
		word := kind.Word()
		counts[word]++
		rw := row{
			ID:           memo.Clip(e.ID, capShort),
			Name:         memo.Clip(cmp.Or(e.Name, e.ID), capName),
			Owner:        memo.Clip(e.Owner, capShort),
			Period:       period(e),
			Status:       string(cmp.Or(e.Status, experiment.StatusRunning)),
			Health:       memo.HealthBadge(r.Report.Health.Status),
			HealthWord:   string(r.Report.Health.Status),
			Decision:     memo.DecisionBadge(r),
			DecisionWord: word,
			DecisionText: strings.TrimSpace(strings.TrimPrefix(memo.DecisionBadge(r), strings.Fields(kind.Badge())[0])),
			Reason:       memo.Clip(memo.DecisionReason(r), capReason),
			MemoMD:       memoLink(opts.MemoBase, e.ID, "memo.md"),
			MemoHTML:     memoLink(opts.MemoBase, e.ID, "memo.html"),
		}
		if c := memo.Deciding(r); c != nil && r.Report.Analyzed {
			pr := &c.Primary
			k := pr.Metric.Kind
			rw.Arm = memo.Clip(c.Arm, capShort)
			rw.Lift = diff(k, pr.AbsLift)
			if ok(pr.RelLift) {
				rw.Lift += " (" + format.Rel(pr.RelLift.V) + ")"
			}
			if ok(pr.CILow) && ok(pr.CIHigh) {
				rw.CI = diff(k, pr.CILow) + " to " + diff(k, pr.CIHigh)
			}
			if ok(pr.PValue) {
				rw.P = format.P(pr.PValue.V)
			}
			rw.Plot = newMiniPlot(pr, word)
		}
		p.Rows = append(p.Rows, rw)
	}
	var parts []string
	for _, w := range []string{"launch", "hold", "blocked", "rollback", "none"} {
		if n := counts[w]; n > 0 {
			label := w
			if w == "none" {
				label = "not analyzed"
			}
			parts = append(parts, fmt.Sprintf("%d %s", n, label))
		}
	}
	noun := "experiments"
	if len(rs) == 1 {
		noun = "experiment"
	}
	p.Summary = fmt.Sprintf("%d %s", len(rs), noun)
	if len(parts) > 0 {
		p.Summary += ": " + strings.Join(parts, ", ")
	}
	p.Footer = "ExperimentOS " + cmp.Or(opts.Meta.Version, "dev")
	if c := opts.Meta.Commit; c != "" {
		p.Footer += " · commit " + memo.Clip(c, 40)
	}
	return p
}

// Sort orders results for the index: running first, then concluded, then
// planned; within a status the worst decision first (rollback, blocked
// hold, hold, launch, not analyzed), then by id.
func Sort(rs []decision.Result) []decision.Result {
	out := slices.Clone(rs)
	slices.SortStableFunc(out, func(a, b decision.Result) int {
		return cmp.Or(
			cmp.Compare(statusRank(a.Report.Experiment.Status), statusRank(b.Report.Experiment.Status)),
			cmp.Compare(memo.KindOf(b), memo.KindOf(a)),
			strings.Compare(a.Report.Experiment.ID, b.Report.Experiment.ID),
		)
	})
	return out
}

func statusRank(s experiment.Status) int {
	switch s {
	case experiment.StatusConcluded:
		return 1
	case experiment.StatusPlanned:
		return 2
	}
	return 0 // running, and an unreadable experiment.yaml, which gates like running
}

func period(e *experiment.Experiment) string {
	const day = "2006-01-02"
	switch {
	case !e.Start.IsZero() && !e.End.IsZero():
		return e.Start.Format(day) + " – " + e.End.Format(day)
	case !e.Start.IsZero():
		return "from " + e.Start.Format(day)
	case !e.End.IsZero():
		return "until " + e.End.Format(day)
	}
	return ""
}

// memoLink is base + id + "/" + file, with the id's segments escaped as a
// URL path (an id that breaks the naming rule is still listed, blocked).
func memoLink(base, id, file string) string {
	segs := strings.Split(id, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return base + strings.Join(segs, "/") + "/" + file
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func ok(v analysis.Value) bool { return v.OK() && finite(v.V) }

// diff renders a defined difference in the metric's unit, or "n/a".
func diff(k experiment.Kind, v analysis.Value) string {
	if !ok(v) {
		return "n/a"
	}
	return format.Diff(k, v.V)
}

// ---- Markdown ----

//go:embed templates/index.md.tmpl
var mdTmpl string

// mdTemplate is parsed on first use, not at start-up, which every other
// command would pay for (docs/performance.md#start-up).
var mdTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("index.md").Funcs(template.FuncMap{
		"md": memo.EscapeMarkdown,
		// mdURL keeps a link target inside its parentheses.
		"mdURL": func(s string) string {
			return strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E", "\n", "").Replace(s)
		},
	}).Parse(mdTmpl))
})

// Markdown writes the index as GitHub-flavoured Markdown.
func Markdown(w io.Writer, rs []decision.Result, opts Options) error {
	if err := valid(rs); err != nil {
		return err
	}
	return mdTemplate().Execute(w, build(rs, opts))
}

// ---- HTML ----

//go:embed templates/index.html.tmpl
var htmlTmpl string

// htmlTemplate is parsed on first use, like mdTemplate.
var htmlTemplate = sync.OnceValue(func() *htmltemplate.Template {
	return htmltemplate.Must(htmltemplate.New("index.html").Parse(htmlTmpl))
})

// HTML writes the index as one self-contained HTML page.
func HTML(w io.Writer, rs []decision.Result, opts Options) error {
	if err := valid(rs); err != nil {
		return err
	}
	return htmlTemplate().Execute(w, build(rs, opts))
}

func valid(rs []decision.Result) error {
	for i, r := range rs {
		if r.Report == nil || r.Report.Experiment == nil {
			return fmt.Errorf("portfolio: result %d has no report or experiment", i)
		}
	}
	return nil
}

// ---- the mini forest plot ----

// Mini plot geometry, in SVG user units.
const (
	miniW    = 170.0
	miniH    = 26.0
	miniMid  = miniW / 2
	miniHalf = 70.0 // the largest |value| sits this far from zero
)

// miniPlot is one row's lift CI against zero, on a scale symmetric about
// zero so that zero is always the centre line. Numbers only come from here.
type miniPlot struct {
	W, H, Zero     string
	Lo, Hi, Point  string
	HasCI          bool
	Class, Title   string
	Y, CapT, CapB  string
	ScaleL, ScaleR string // the end labels, in the metric's unit
}

func newMiniPlot(p *analysis.Result, word string) *miniPlot {
	if !ok(p.AbsLift) {
		return nil
	}
	m := math.Abs(p.AbsLift.V)
	hasCI := ok(p.CILow) && ok(p.CIHigh)
	if hasCI {
		m = max(m, math.Abs(p.CILow.V), math.Abs(p.CIHigh.V))
	}
	if m == 0 {
		m = 0.001
	}
	k := p.Metric.Kind
	x := func(v float64) string { return f1(miniMid + v/m*miniHalf) }
	pl := &miniPlot{
		W: f1(miniW), H: f1(miniH), Zero: f1(miniMid), Y: f1(miniH / 2),
		CapT: f1(miniH/2 - 5), CapB: f1(miniH/2 + 5),
		Point: x(p.AbsLift.V), HasCI: hasCI, Class: word,
		ScaleL: format.Diff(k, -m), ScaleR: format.Diff(k, m),
	}
	pl.Title = "lift " + format.Diff(k, p.AbsLift.V)
	if hasCI {
		pl.Lo, pl.Hi = x(p.CILow.V), x(p.CIHigh.V)
		pl.Title += ", CI " + format.Diff(k, p.CILow.V) + " to " + format.Diff(k, p.CIHigh.V) + "; zero is the vertical line"
	}
	return pl
}

func f1(v float64) string { return fmt.Sprintf("%.1f", v) }
