package memo

import (
	"fmt"
	"slices"
	"strings"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
)

// view is one memo's content, computed once and shared by the Markdown and
// HTML templates. Its strings are cleaned and capped but NOT escaped: each
// template escapes for its own language.
type view struct {
	Badge string // emoji + word
	Word  string // plain word, also a CSS class

	Name, ID, Path, Status, Deployment  string
	Hypothesis, Owner, Period, Variants string
	PrimaryMetric                       string
	GuardrailList                       []string
	DataFile, DataSHA, Commit, Version  string
	Thresholds                          string

	Reason  string
	HoldWhy string

	HealthBadge string
	SRM         string
	Issues      []issueView

	Analyzed       bool
	NotAnalyzedWhy string
	Primary        *primaryView
	Guards         []guardView
	Bars           string // monospace CI bars, one per line

	Risks   []string
	Actions []actionGroup

	Plot *plot // forest plot for HTML; nil when nothing was analyzed
}

type issueView struct {
	Badge, Severity, Code, Location, Message string
}

type primaryView struct {
	Label, Metric, Desired string
	Arms                   []armRow
	Abs, Rel, P, Test      string
	Verdict                string
	Nulls                  []string // "rel_lift: n/a — reason"
}

type armRow struct{ Arm, Users, Count, Rate string }

type guardView struct {
	Label, Metric, Type, Desired  string
	Control, Treatment, Delta, P  string
	Test, Badge, Word, Thresholds string
}

type actionGroup struct {
	Title   string
	Ordered bool
	Items   []string
}

func newView(r decision.Result, m Meta) *view {
	rep := r.Report
	e := rep.Experiment
	k := KindOf(r)
	v := &view{
		Badge: k.Badge(), Word: k.Word(),
		Name:       Clip(e.Name, capName),
		ID:         Clip(e.ID, capShort),
		Path:       Clip(e.Path, capPath),
		Status:     Clip(string(e.Status), capShort),
		Deployment: Clip(string(e.Deployment), capShort),
		Hypothesis: Clip(e.Hypothesis, capHypothesis),
		Owner:      Clip(e.Owner, capShort),
		DataFile:   Clip(e.DataFile, capPath),
		DataSHA:    shortSHA(e.DataSHA256),
		Commit:     shortSHA(m.Commit),
		Version:    Clip(m.Version, 64),
		Reason:     Clip(r.Decision.Reason, capMessage),
		Analyzed:   rep.Analyzed && rep.Primary != nil,
	}
	if v.Name == "" {
		v.Name = v.ID
	}
	if v.Version == "" {
		v.Version = "unknown"
	}
	v.Period = period(e)
	sh := e.Split.Shares()
	v.Variants = fmt.Sprintf("control %.4g%% · treatment %.4g%% (weights %g/%g)", fnum(sh[0]*100), fnum(sh[1]*100), fnum(e.Split.Control), fnum(e.Split.Treatment))
	v.PrimaryMetric = metricDesc(e.Primary)
	for _, g := range e.Guardrails {
		v.GuardrailList = append(v.GuardrailList, guardDesc(g))
	}
	th := e.Thresholds
	v.Thresholds = fmt.Sprintf("alpha %s (%s confidence) · SRM warning p < %s · SRM blocked p < %s · min users %d per arm · CI %s",
		th.Alpha, confidence(th.Alpha), th.SRMWarningP, th.SRMBlockedP, th.MinUsers, ciName(th.CIMethod))
	if plan := e.Plan; plan.UsersPerArm > 0 || plan.MDE != nil {
		var parts []string
		if plan.UsersPerArm > 0 {
			parts = append(parts, fmt.Sprintf("%s users per arm", group(plan.UsersPerArm)))
		}
		if plan.MDE != nil {
			parts = append(parts, fmt.Sprintf("MDE %.4g%% relative", fnum(*plan.MDE*100)))
		}
		v.Thresholds += " · plan: " + strings.Join(parts, ", ")
	}
	v.HoldWhy = holdWhy(r)

	h := rep.Health
	v.HealthBadge = HealthBadge(h.Status)
	if s := h.SRM; s != nil {
		v.SRM = fmt.Sprintf("chi-square %.4g, p = %s (users control %s / treatment %s; expected %.4g%% / %.4g%%)",
			fnum(s.Chi2), fp(&s.PValue), group(s.Users[0]), group(s.Users[1]), fnum(s.ExpectedShare[0]*100), fnum(s.ExpectedShare[1]*100))
	} else {
		v.SRM = "n/a (no data rows were read)"
	}
	for _, is := range orderedIssues(h.Issues) {
		b := "⚠️"
		if is.Severity == experiment.SeverityBlocked {
			b = "⛔"
		}
		loc := Clip(is.Location(), capPath)
		if loc == "" {
			loc = "—"
		}
		v.Issues = append(v.Issues, issueView{Badge: b, Severity: string(is.Severity), Code: Clip(is.Code, capShort),
			Location: loc, Message: Clip(is.Message, capMessage)})
	}

	switch {
	case h.Status == analysis.Blocked:
		v.NotAnalyzedWhy = "the health check is blocked, so no metric can be trusted"
	case e.Status == experiment.StatusPlanned:
		v.NotAnalyzedWhy = "the experiment is planned (set status: running once data is collected)"
	default:
		v.NotAnalyzedWhy = "no data"
	}
	if v.Analyzed {
		v.Primary = newPrimary(rep.Primary, th)
		v.Bars = ciBars(rep.Primary)
		for _, g := range rep.Guardrails {
			v.Guards = append(v.Guards, newGuard(g))
		}
		v.Plot = newPlot(rep)
	}
	v.Risks = risks(r)
	v.Actions = actions(r)
	return v
}

// orderedIssues lists blocking issues first, keeping their order otherwise.
func orderedIssues(in []experiment.Issue) []experiment.Issue {
	out := make([]experiment.Issue, 0, len(in))
	for _, sev := range []experiment.Severity{experiment.SeverityBlocked, experiment.SeverityWarning} {
		for _, is := range in {
			if is.Severity == sev {
				out = append(out, is)
			}
		}
	}
	for _, is := range in {
		if is.Severity != experiment.SeverityBlocked && is.Severity != experiment.SeverityWarning {
			out = append(out, is)
		}
	}
	return out
}

func period(e *experiment.Experiment) string {
	const layout = "2006-01-02"
	switch {
	case !e.Start.IsZero() && !e.End.IsZero():
		s := e.Start.Format(layout) + " → " + e.End.Format(layout)
		switch d := e.Days(); {
		case d == 1:
			s += " (1 day)"
		case d > 1:
			s += fmt.Sprintf(" (%d days)", d)
		}
		return s
	case !e.Start.IsZero():
		return "from " + e.Start.Format(layout) + " (no end date)"
	case !e.End.IsZero():
		return "until " + e.End.Format(layout) + " (no start date)"
	}
	return "not set"
}

func metricDesc(m experiment.Metric) string {
	label := Clip(m.Label, capShort)
	col := Clip(m.Column, capShort)
	if label == "" || label == col {
		return fmt.Sprintf("%s, desired: %s", col, m.Desired)
	}
	return fmt.Sprintf("%s (%s), desired: %s", label, col, m.Desired)
}

func guardDesc(m experiment.Metric) string {
	unit := "pp"
	w, s := fmt.Sprintf("%.4g", fnum(m.Worsened.Float64()*100)), fmt.Sprintf("%.4g", fnum(m.Severe.Float64()*100))
	if m.Type == experiment.MetricEvents {
		unit, w, s = "events/user", m.Worsened.String(), m.Severe.String()
	}
	return fmt.Sprintf("%s, %s; worsened beyond %s %s, severe beyond %s %s", metricDesc(m), m.Type, w, unit, s, unit)
}

func newPrimary(p *analysis.Primary, th experiment.Thresholds) *primaryView {
	conf := confidence(th.Alpha)
	pv := &primaryView{
		Label: Clip(p.Label, capShort), Metric: Clip(p.Metric, capShort), Desired: string(p.Desired),
		Arms: []armRow{
			{"control", group(p.ControlUsers), group(p.ControlCount), pct(p.ControlRate)},
			{"treatment", group(p.TreatmentUsers), group(p.TreatmentCount), pct(p.TreatmentRate)},
		},
		Test: testName(p.Test) + ", two-sided",
	}
	pv.Abs = fmtPP(p.AbsLift)
	if lo, hi := finite(p.CILow), finite(p.CIHigh); lo != nil && hi != nil {
		pv.Abs += fmt.Sprintf(" (%s CI %s to %s pp)", conf, ppNum(*lo), ppNum(*hi))
	} else {
		pv.Abs += " (CI n/a)"
	}
	if rel := finite(p.RelLift); rel != nil {
		pv.Rel = relPct(*rel)
		if lo, hi := finite(p.RelCILow), finite(p.RelCIHigh); lo != nil && hi != nil {
			pv.Rel += fmt.Sprintf(" (%s CI %s to %s)", conf, relPct(*lo), relPct(*hi))
		} else {
			pv.Rel += " (CI n/a)"
		}
	} else {
		pv.Rel = "n/a"
	}
	pv.P = fp(p.PValue)
	switch {
	case finite(p.PValue) == nil:
		pv.Verdict = "undefined"
	case p.Significant:
		pv.Verdict = fmt.Sprintf("significant at alpha %s", th.Alpha)
	default:
		pv.Verdict = fmt.Sprintf("not significant at alpha %s", th.Alpha)
	}
	pv.Nulls = nullLines(p.Nulls)
	return pv
}

func newGuard(g analysis.Guardrail) guardView {
	gv := guardView{
		Label: Clip(g.Label, capShort), Metric: Clip(g.Metric, capShort),
		Type: string(g.Type), Desired: string(g.Desired),
		Control: rateIn(g.Type, g.ControlRate), Treatment: rateIn(g.Type, g.TreatmentRate),
		Delta: fmtDelta(g), P: fp(g.PValue), Test: string(g.Test),
		Badge: guardBadge(g), Word: guardWord(g),
		Thresholds: fmt.Sprintf("%s / %s", g.FormatThreshold(g.WorsenedThreshold), g.FormatThreshold(g.SevereThreshold)),
	}
	if gv.Label == "" {
		gv.Label = gv.Metric
	}
	if reason, ok := g.Nulls["p_value"]; ok && finite(g.PValue) == nil {
		gv.P = "n/a (" + Clip(reason, capShort) + ")"
	}
	return gv
}

// holdWhy names the Kind of evidence behind a Hold, for the top of the memo.
func holdWhy(r decision.Result) string {
	if r.Decision.Outcome != experiment.Hold {
		return ""
	}
	switch r.Decision.Rule {
	case 1:
		return "the data failed the health check; fix the issues listed under Next Actions and re-run"
	case 2:
		return "sample ratio mismatch: the traffic split differs from the expected one, so the metrics may be biased"
	case 5:
		return "the primary metric improved but a guardrail worsened"
	case 6:
		return "the pre-registered sample size is not reached yet: an early peek does not launch"
	case 8:
		return "the primary metric's change is not statistically significant: the evidence is inconclusive"
	}
	return "the evidence does not support a launch or a rollback"
}

// nullKeyOrder is the order statistics are listed in when they are null.
var nullKeyOrder = []string{"p_value", "ci_low", "ci_high", "rel_lift", "rel_ci_low", "rel_ci_high"}

// nullLines says why statistics are null, one line per distinct reason:
// "rel_lift, rel_ci_low, rel_ci_high: n/a because the control rate is 0 …".
func nullLines(nulls map[string]string) []string {
	if len(nulls) == 0 {
		return nil
	}
	keys := []string{}
	for _, k := range nullKeyOrder {
		if _, ok := nulls[k]; ok {
			keys = append(keys, k)
		}
	}
	for _, k := range sortedKeys(nulls) {
		if !slices.Contains(nullKeyOrder, k) {
			keys = append(keys, k)
		}
	}
	var reasons []string
	byReason := map[string][]string{}
	for _, k := range keys {
		r := nulls[k]
		if _, ok := byReason[r]; !ok {
			reasons = append(reasons, r)
		}
		byReason[r] = append(byReason[r], k)
	}
	out := make([]string, 0, len(reasons))
	for _, r := range reasons {
		out = append(out, fmt.Sprintf("%s: n/a because %s", strings.Join(byReason[r], ", "), Clip(r, capMessage)))
	}
	return out
}
