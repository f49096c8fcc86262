package memo

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/format"
)

// view is one memo's content, computed once and shared by the Markdown and
// HTML templates. Its strings are cleaned and capped but NOT escaped: each
// template escapes for its own language. Tables are cells of text, so
// that both templates draw the same rows and every row has its header's
// number of cells.
type view struct {
	Badge string // emoji + word (+ arm or hold kind)
	Word  string // plain word, also a CSS class

	Name, ID, Version, DataSHA string
	Summary                    []field

	Reason   string
	WhyTitle string   // the title of HoldWhy: "Why hold:", "Also flagged:", "On record:"
	HoldWhy  []string // under the decision line: why a hold, and every flagged guardrail
	Rivals   string
	Verdicts *table // one row per comparison; nil with fewer than two

	HealthBadge string
	SRM         string
	Issues      *table

	Analyzed       bool
	NotAnalyzedWhy string
	Primary        *section
	Guardrails     *section
	Secondary      *section
	Bars           string // monospace CI bars of the primary, one per arm

	Risks   []string
	Actions []actionGroup

	Plot *plot // forest plot for HTML; nil when nothing was analyzed

	// Segments holds a table per segment column and SegmentPlots a forest
	// plot per column (HTML); CommentSegments is what the PR comment says
	// instead: the flags and where the tables are (docs/memo.md#segments).
	Segments        []*section
	SegmentPlots    []*plot
	CommentSegments []string
}

// field is one row of the Summary table; several values show one a line.
type field struct {
	Key    string
	Values []string
}

// table is a table of text cells; Align holds "r" for right-aligned
// (numeric) columns.
type table struct {
	Head  []string
	Align []string
	Rows  [][]string
}

// Aligns returns Align padded to one entry per column.
func (t *table) Aligns() []string {
	out := append([]string{}, t.Align...)
	for len(out) < len(t.Head) {
		out = append(out, "")
	}
	return out[:len(t.Head)]
}

// AlignAt is column i's alignment.
func (t *table) AlignAt(i int) string { return t.Aligns()[min(i, len(t.Head)-1)] }

// section is one block of the Evidence: a title, a table and notes
// (undefined values with their reason, the analysis' notes).
type section struct {
	Title string
	Intro string
	Table *table
	Notes []string
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
		Badge:    DecisionBadge(r),
		Word:     k.Word(),
		Name:     Clip(e.Name, capName),
		ID:       Clip(e.ID, capShort),
		Version:  Clip(m.Version, 64),
		DataSHA:  ShortSHA(e.DataSHA256),
		Reason:   Clip(DecisionReason(r), capMessage),
		Analyzed: rep.Analyzed && len(rep.Comparisons) > 0,
	}
	if v.Name == "" {
		v.Name = v.ID
	}
	if v.Version == "" {
		v.Version = "unknown"
	}
	v.Summary = summaryFields(r, m, v)
	v.WhyTitle, v.HoldWhy = decisionNotes(r)
	if rivals := decision.RivalsInsideCI(r); len(rivals) > 0 {
		v.Rivals = rivalsLine(r, rivals)
	}
	v.Verdicts = verdictTable(r)

	h := rep.Health
	v.HealthBadge = HealthBadge(h.Status)
	v.SRM = srmLine(rep)
	v.Issues = issueTable(h.Issues)

	switch {
	case h.Status == analysis.Blocked:
		v.NotAnalyzedWhy = "the health check is blocked, so no metric can be trusted"
	case e.Status == experiment.StatusPlanned:
		v.NotAnalyzedWhy = "the experiment is planned (set status: running once data is collected)"
	default:
		v.NotAnalyzedWhy = "no data"
	}
	if v.Analyzed {
		v.Primary = primarySection(rep)
		v.Bars = ciBars(rep)
		v.Guardrails = guardrailSection(rep)
		v.Secondary = secondarySection(rep)
		v.Plot = newPlot(rep)
		v.Segments = segmentSections(rep)
		v.SegmentPlots = segmentPlots(rep)
		v.CommentSegments = commentSegments(rep, m)
	}
	v.Risks = risks(r)
	v.Actions = actions(r)
	tidyP(v.HoldWhy)
	tidyP(v.Risks)
	for i := range v.Actions {
		tidyP(v.Actions[i].Items)
	}
	return v
}

// tidyP rewrites "p = <1e-300" (a p-value too small to represent, as
// format.P prints it) as "p < 1e-300" in generated sentences.
func tidyP(lines []string) {
	for i, s := range lines {
		lines[i] = strings.ReplaceAll(s, "p = <", "p < ")
	}
}

// ---- Summary ----

func summaryFields(r decision.Result, m Meta, v *view) []field {
	rep := r.Report
	e := rep.Experiment
	one := func(k, s string) field { return field{Key: k, Values: []string{s}} }
	or := func(s, dflt string) string {
		if s == "" {
			return dflt
		}
		return s
	}
	fs := []field{
		one("Experiment", v.Name),
		one("ID", v.ID+" ("+Clip(e.Path, capPath)+")"),
		one("Status", Clip(string(e.Status), capShort)+", deployment: "+Clip(string(e.Deployment), capShort)),
		one("Hypothesis", or(Clip(e.Hypothesis, capHypothesis), "—")),
		one("Owner", or(Clip(e.Owner, capShort), "—")),
		one("Period", period(e)),
		one("Arms (expected split)", armsLine(rep)),
		one("Primary metric", metricDesc(&e.Primary)),
	}
	sec := field{Key: "Secondary metrics (exploratory)"}
	for i := range e.Secondary {
		sec.Values = append(sec.Values, metricDesc(&e.Secondary[i]))
	}
	if len(sec.Values) == 0 {
		sec.Values = []string{"none"}
	}
	gs := field{Key: "Guardrails"}
	for i := range e.Guardrails {
		gs.Values = append(gs.Values, guardDesc(rep, &e.Guardrails[i]))
	}
	if len(gs.Values) == 0 {
		gs.Values = []string{"none"}
	}
	fs = append(fs, sec, gs)
	data := Clip(e.DataFile, capPath) + " · sha256 " + or(v.DataSHA, "n/a") + " · commit " + or(ShortSHA(m.Commit), "unknown")
	fs = append(fs, one("Data", data), one("Tool", "ExperimentOS "+v.Version), one("Thresholds", thresholdsLine(rep)))
	if a := Clip(e.Amendment, capMessage); a != "" {
		fs = append(fs, one("Amendment", a))
	}
	return append(fs, historyFields(r)...)
}

// armsLine lists the arms with their expected shares: from the data when
// it was read, else from the split as written.
func armsLine(rep *analysis.Report) string {
	e := rep.Experiment
	var parts []string
	for _, a := range rep.Arms {
		s := Clip(a.Name, capShort)
		if a.Control {
			s += " (control)"
		}
		parts = append(parts, s+" "+format.Share(a.ExpectedShare))
	}
	if len(parts) > 0 {
		return strings.Join(parts, " · ")
	}
	if c := e.Control; c != "" {
		return Clip(c, capShort) + " (control); the other arms come from the data"
	}
	return "from the data (none read)"
}

func metricDesc(m *experiment.Metric) string {
	label := Clip(m.Label, capShort)
	name := Clip(m.Name, capShort)
	s := name
	if label != "" && label != name {
		s = label + " (" + name + ")"
	}
	s += ", " + string(m.Kind)
	if m.Kind == experiment.KindRatio {
		s += " " + Clip(m.Numerator, capShort) + "/" + Clip(m.Denominator, capShort)
	}
	if m.Kind == experiment.KindEvents && m.Welch() {
		s += " with sum of squares (Welch)"
	}
	s += ", desired: " + string(m.Desired)
	if m.CUPED {
		s += ", cuped: true"
	}
	return s
}

// guardDesc describes a guardrail with its margins as written and, for a
// relative margin, in the unit at the control value.
func guardDesc(rep *analysis.Report, m *experiment.Metric) string {
	w, s := m.Worsened.String(), m.Severe.String()
	if g := firstGuardrail(rep, m); g != nil {
		w = format.Margin(m.Kind, m.Worsened, g.WorsenedMargin)
		s = format.Margin(m.Kind, m.Severe, g.SevereMargin)
	} else {
		if !m.Worsened.Relative {
			w = format.Margin(m.Kind, m.Worsened, 0)
		}
		if !m.Severe.Relative {
			s = format.Margin(m.Kind, m.Severe, 0)
		}
	}
	return fmt.Sprintf("%s; worsened beyond %s, severe beyond %s", metricDesc(m), w, s)
}

// firstGuardrail returns the first comparison's result for guardrail m.
func firstGuardrail(rep *analysis.Report, m *experiment.Metric) *analysis.Guardrail {
	if len(rep.Comparisons) == 0 {
		return nil
	}
	for i := range rep.Comparisons[0].Guardrails {
		if g := &rep.Comparisons[0].Guardrails[i]; g.Metric == m || g.Metric.Name == m.Name {
			return g
		}
	}
	return nil
}

// primaryAlpha is α′, the primary's level: α/(k − 1) over k arms.
func primaryAlpha(rep *analysis.Report) experiment.Decimal {
	if len(rep.Comparisons) > 0 {
		return rep.Comparisons[0].Primary.Alpha
	}
	a := rep.Experiment.Thresholds.Alpha
	if k := int64(len(rep.Arms)); k > 2 {
		return a.DivInt(k - 1)
	}
	return a
}

func thresholdsLine(rep *analysis.Report) string {
	e := rep.Experiment
	th := e.Thresholds
	parts := []string{fmt.Sprintf("alpha %s", th.Alpha)}
	if k := len(rep.Arms); k > 2 {
		ap := primaryAlpha(rep)
		parts = append(parts, fmt.Sprintf("primary alpha′ %s (alpha split by Bonferroni over %d comparisons; %s CIs), guardrails and secondary metrics at alpha (%s CIs)",
			alphaStr(ap), k-1, confidence(ap), confidence(th.Alpha)))
	} else {
		parts = append(parts, confidence(th.Alpha)+" CIs")
	}
	parts = append(parts,
		fmt.Sprintf("SRM warning p < %s, blocked p < %s", th.SRMWarningP, th.SRMBlockedP),
		fmt.Sprintf("min users %s per arm", format.Count(th.MinUsers)),
		"proportion CI "+ciName(th.CIMethod))
	if th.Sequential {
		s := fmt.Sprintf("sequential: on (tuned for N* = %s users", format.Count(analysis.SequentialTuning(e)))
		switch {
		case th.SequentialTuning > 0:
			s += ")"
		case e.Plan.UsersPerArm > 0:
			s += ", 2 × plan.users_per_arm)"
		default:
			s += ", the default)"
		}
		parts = append(parts, s)
	} else {
		parts = append(parts, "sequential: off")
	}
	policy := th.GuardrailPolicy
	if policy == "" {
		policy = experiment.DoNoHarm
	}
	parts = append(parts, "guardrail_policy: "+string(policy))
	if p := planLine(e.Plan); p != "" {
		parts = append(parts, "plan: "+p)
	}
	return strings.Join(parts, " · ")
}

func planLine(p experiment.Plan) string {
	var parts []string
	if p.UsersPerArm > 0 {
		parts = append(parts, format.Count(p.UsersPerArm)+" users per arm")
	}
	if p.MDE != nil {
		parts = append(parts, "mde "+format.Share(abs(*p.MDE))+" relative")
	}
	if p.Baseline != nil {
		parts = append(parts, "baseline "+strconv.FormatFloat(*p.Baseline, 'g', 4, 64))
	}
	if p.BaselineSD != nil {
		parts = append(parts, "baseline sd "+strconv.FormatFloat(*p.BaselineSD, 'g', 4, 64))
	}
	if p.DailyUsers > 0 {
		parts = append(parts, format.Count(p.DailyUsers)+" users per day")
	}
	return strings.Join(parts, ", ")
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
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

// ---- Decision ----

// decisionNotes is the list under the decision line and its title. A Hold
// says at the top what it asks of the reader and what would change it; every
// outcome names each worsened or severe guardrail whichever rule decided,
// and a Rollback an open SRM warning; a concluded experiment's memo records
// the decision instead of asking for anything (docs/memo.md#generated-sentences).
func decisionNotes(r decision.Result) (title string, lines []string) {
	rep := r.Report
	flagged := flaggedLines(rep)
	if r.Decision.Rule == decision.RuleSevereGuardrail && len(flagged) > 0 && firstSevere(rep, r.Decision.Index) {
		flagged = flagged[1:] // the reason names it
	}
	flagged = append(flagged, segmentFlags(rep)...)
	if rep.Experiment.Status == experiment.StatusConcluded && r.Decision.Outcome != experiment.None {
		lines = append(lines, fmt.Sprintf("concluded: the decision (%s) is on record; no action is advised", DecisionWord(r)))
		return "On record:", append(lines, flagged...)
	}
	if r.Decision.Outcome != experiment.Hold {
		lines = flagged
		if r.Decision.Outcome == experiment.Rollback && hasIssue(rep, experiment.CodeSRM) {
			lines = append(lines, fmt.Sprintf("sample ratio mismatch, p = %s: the split is off, so every metric is suspect; the rollback comes first because stopping a treatment costs little, and the SRM checks are under Next Actions",
				fmtP(rep.Health.SRM.PValue)))
		}
		if len(lines) == 0 {
			return "", nil
		}
		return "Also flagged:", lines
	}
	switch r.Decision.HoldKind {
	case decision.FixData:
		lines = append(lines, "fix the data: the files fail the health check, so nothing was analyzed; the decision is taken once the fixes under Next Actions are made")
	case decision.Investigate:
		switch r.Decision.Rule {
		case decision.RuleSRM:
			lines = append(lines, "investigate: users are not split as expected, so no metric can be trusted yet; the decision is taken again once the cause is found and fixed")
		case decision.RuleGuardrailWorsened:
			lines = append(lines, "investigate: a guardrail worsened beyond its margin; the hold lifts once its cause is found and fixed and a re-test shows it within the margin")
		default:
			lines = append(lines, "investigate: a blocking finding needs a person before the result can be trusted; the decision is taken once it is resolved")
		}
	case decision.Collect:
		if r.Decision.Rule == decision.RuleNotReady {
			lines = append(lines, "collect more data: the primary metric improved, but the launch conditions (the plan's sample, min_users, or a guardrail shown within its margin) are not met yet; it launches once they are, if the result holds")
		} else {
			if c := Deciding(r); c != nil && c.Power != nil && (c.Power.FromPlan || c.Power.Basis == analysis.BasisPlanMDE) {
				lines = append(lines, "collect more data: the primary metric is not significant; the hold ends when it becomes significant, or turns to stop once the required sample is reached without it")
			} else {
				lines = append(lines, "collect more data: the primary metric is not significant; the hold ends when it becomes significant (without plan.mde or plan.users_per_arm no sample size ends the test: set plan.mde to get one)")
			}
		}
	case decision.Stop:
		lines = append(lines, "stop: the required sample is reached and the primary metric did not move significantly; more data is not the answer: conclude the experiment")
	}
	return "Why hold:", append(lines, flagged...)
}

// firstSevere reports whether the first flagged guardrail of the report is
// the first severe guardrail of comparison i: the one rule 2's reason names.
func firstSevere(rep *analysis.Report, i int) bool {
	for ci, c := range rep.Comparisons {
		for gi := range c.Guardrails {
			if g := &c.Guardrails[gi]; g.Flagged() {
				return ci == i && g.State == analysis.StateSevere
			}
		}
	}
	return false
}

func hasIssue(rep *analysis.Report, code string) bool {
	for _, is := range rep.Health.Issues {
		if is.Code == code {
			return true
		}
	}
	return false
}

// flaggedLines names each worsened or severe guardrail of every comparison.
func flaggedLines(rep *analysis.Report) []string {
	var out []string
	for _, c := range rep.Comparisons {
		for i := range c.Guardrails {
			g := &c.Guardrails[i]
			if !g.Flagged() {
				continue
			}
			mg, margin := g.StateMargin()
			out = append(out, fmt.Sprintf("guardrail %s %s in arm %s: %s against control (%s vs %s), beyond the %s margin %s, p = %s",
				Clip(g.Metric.Label, capShort), g.State, Clip(c.Arm, capShort), val(g.AbsLift, diffOf(g.Metric.Kind)),
				fmtValue(g.Metric.Kind, g.TreatmentValue), fmtValue(g.Metric.Kind, g.ControlValue),
				g.State, format.Margin(g.Metric.Kind, mg, margin), pOf(g.PValue)))
		}
	}
	return out
}

func rivalsLine(r decision.Result, rivals []string) string {
	win := Deciding(r)
	names := make([]string, len(rivals))
	for i, a := range rivals {
		names[i] = Clip(a, capShort)
	}
	return fmt.Sprintf("%s %s also launch on their own, and their estimates lie inside %s's CI (%s): the data do not tell %s apart from %s, so %s wins on its point estimate alone.",
		plural(len(rivals), "Arm", "Arms"), strings.Join(names, ", "), Clip(r.Decision.Arm, capShort),
		ci(win.Primary.CILow, win.Primary.CIHigh, diffOf(win.Primary.Metric.Kind)),
		plural(len(rivals), "it", "them"), Clip(r.Decision.Arm, capShort), Clip(r.Decision.Arm, capShort))
}

func verdictTable(r decision.Result) *table {
	vs := r.Decision.Comparisons
	if len(vs) < 2 {
		return nil
	}
	t := &table{Head: []string{"Arm", "Verdict", "Rule", "Reason"}, Align: []string{"", "", "r", ""}}
	for _, v := range vs {
		word := string(v.Outcome)
		if v.HoldKind != decision.NoHold {
			word += ": " + string(v.HoldKind)
		}
		t.Rows = append(t.Rows, []string{Clip(v.Arm, capShort), word, strconv.Itoa(int(v.Rule)), Clip(strings.TrimPrefix(v.Reason, v.Arm+": "), capMessage)})
	}
	return t
}

// ---- Health ----

func srmLine(rep *analysis.Report) string {
	s := rep.Health.SRM
	if s == nil {
		return "n/a (no data rows were read)"
	}
	var users, exp []string
	for i, a := range rep.Arms {
		if i < len(s.Users) {
			users = append(users, Clip(a.Name, capShort)+" "+format.Count(s.Users[i]))
		}
		if i < len(s.ExpectedShare) {
			exp = append(exp, format.Share(s.ExpectedShare[i]))
		}
	}
	return fmt.Sprintf("chi-square %s on %d df over %d arms, p = %s (users %s; expected %s)",
		plain(s.Chi2), s.DF, len(rep.Arms), fmtP(s.PValue), strings.Join(users, " · "), strings.Join(exp, " / "))
}

// plain renders a statistic that has no unit (chi-square) as the format
// package renders plain values.
func plain(x float64) string { return fmtValue(experiment.KindMean, x) }

func issueTable(issues []experiment.Issue) *table {
	if len(issues) == 0 {
		return nil
	}
	t := &table{Head: []string{"Severity", "Code", "Location", "Issue"}}
	for _, is := range orderedIssues(issues) {
		b := "⚠️ "
		if is.Severity == experiment.SeverityBlocked {
			b = "⛔ "
		}
		loc := Clip(is.Location(), capPath)
		if loc == "" {
			loc = "—"
		}
		t.Rows = append(t.Rows, []string{b + string(is.Severity), Clip(is.Code, capShort), loc, Clip(is.Message, capMessage)})
	}
	return t
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

// ---- Evidence ----

// notes collects a section's notes in order, each once, and the undefined
// values by reason so that each reason is given once.
type notes struct {
	lines  []string
	seen   map[string]bool
	reason []string
	where  map[string][]string
}

func (n *notes) add(s string) {
	if n.seen == nil {
		n.seen = map[string]bool{}
	}
	if s != "" && !n.seen[s] {
		n.seen[s] = true
		n.lines = append(n.lines, s)
	}
}

// null records the undefined values of a result under their reasons.
func (n *notes) null(where string, r *analysis.Result, fields ...string) {
	if n.where == nil {
		n.where = map[string][]string{}
	}
	vals := map[string]analysis.Value{
		"abs lift": r.AbsLift, "CI": r.CILow, "rel lift": r.RelLift, "rel CI": r.RelCILow,
		"p": r.PValue, "p adjusted": r.PAdjusted, "df": r.DF,
	}
	var missing []string
	byReason := map[string][]string{}
	for _, f := range fields {
		v := vals[f]
		if v.OK() {
			continue
		}
		if _, ok := byReason[v.Null]; !ok {
			missing = append(missing, v.Null)
		}
		byReason[v.Null] = append(byReason[v.Null], f)
	}
	for _, why := range missing {
		if _, ok := n.where[why]; !ok {
			n.reason = append(n.reason, why)
		}
		n.where[why] = append(n.where[why], where+" "+strings.Join(byReason[why], ", "))
	}
}

func (n *notes) all() []string {
	out := append([]string{}, n.lines...)
	for _, why := range n.reason {
		out = append(out, fmt.Sprintf("n/a (%s): %s.", strings.Join(n.where[why], "; "), Clip(why, capMessage)))
	}
	return out
}

func testCell(r *analysis.Result) string {
	s := string(r.Test)
	if r.CUPED != nil {
		s += " (CUPED)"
	}
	if r.DF.OK() {
		s += ", df " + strconv.FormatFloat(r.DF.V, 'f', 1, 64)
	}
	return s
}

func verdictCell(r *analysis.Result) string {
	switch {
	case !r.PValue.OK():
		return "undefined"
	case r.Significant && r.Improved():
		return "significant, desired direction"
	case r.Significant && r.Harmed():
		return "significant, against desired"
	case r.Significant:
		return "significant, no change"
	}
	return "not significant"
}

// primarySection is one table of the primary metric, a row per arm: its
// users and value and, for each compared arm, the lifts with CIs, p (and
// the Bonferroni-adjusted p with more than two arms), the test and the
// verdict at α′.
func primarySection(rep *analysis.Report) *section {
	e := rep.Experiment
	m := &e.Primary
	k := len(rep.Arms)
	ap := primaryAlpha(rep)
	conf := confidence(ap)
	s := &section{Title: fmt.Sprintf("Primary: %s (%s, desired %s)", Clip(m.Label, capShort), m.Kind, m.Desired)}
	head := []string{"Arm", "Users", "Value", "Abs lift", conf + " CI", "Rel lift", conf + " CI (rel)", "p"}
	align := []string{"", "r", "r", "r", "r", "r", "r", "r"}
	if k > 2 {
		head = append(head, "p adjusted")
		align = append(align, "r")
	}
	head = append(head, "Test", "Verdict at "+alphaStr(ap))
	align = append(align, "", "")
	t := &table{Head: head, Align: align}
	var n notes
	ctl := rep.Comparisons[0].Primary
	for _, a := range rep.Arms {
		if !a.Control {
			continue
		}
		row := []string{Clip(a.Name, capShort) + " (control)", format.Count(a.Users), fmtValue(m.Kind, ctl.ControlValue)}
		for len(row) < len(head) {
			row = append(row, "—")
		}
		t.Rows = append(t.Rows, row)
	}
	for _, c := range rep.Comparisons {
		p := &c.Primary
		d := diffOf(m.Kind)
		row := []string{Clip(c.Arm, capShort), format.Count(p.TreatmentUsers), fmtValue(m.Kind, p.TreatmentValue),
			val(p.AbsLift, d), ci(p.CILow, p.CIHigh, d), val(p.RelLift, format.Rel), ci(p.RelCILow, p.RelCIHigh, format.Rel), pOf(p.PValue)}
		if k > 2 {
			row = append(row, pOf(p.PAdjusted))
		}
		row = append(row, testCell(p), verdictCell(p))
		t.Rows = append(t.Rows, row)
		if p.Note != "" {
			n.add(Clip(p.Note, capMessage) + ".")
		}
		n.add(cupedSentence("arm "+Clip(c.Arm, capShort), p))
		n.null("arm "+Clip(c.Arm, capShort), p, "abs lift", "CI", "rel lift", "rel CI", "p")
	}
	s.Table = t
	s.Intro = fmt.Sprintf("Each arm against %s; tests: %s.", controlName(rep), testsUsed(rep, func(c *analysis.Comparison) []*analysis.Result { return []*analysis.Result{&c.Primary} }))
	s.Notes = n.all()
	return s
}

func controlName(rep *analysis.Report) string {
	for _, a := range rep.Arms {
		if a.Control {
			return Clip(a.Name, capShort)
		}
	}
	return "control"
}

// testsUsed names the distinct tests of the picked results, two-sided.
func testsUsed(rep *analysis.Report, pick func(*analysis.Comparison) []*analysis.Result) string {
	var names []string
	seen := map[string]bool{}
	for i := range rep.Comparisons {
		for _, r := range pick(&rep.Comparisons[i]) {
			if n := testName(r.Test); !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	return strings.Join(names, ", ") + ", two-sided"
}

// guardrailSection is one table, a row per guardrail and compared arm.
func guardrailSection(rep *analysis.Report) *section {
	e := rep.Experiment
	s := &section{Title: "Guardrails"}
	if len(e.Guardrails) == 0 {
		s.Intro = "No guardrails declared."
		return s
	}
	conf := confidence(e.Thresholds.Alpha)
	t := &table{
		Head:  []string{"Guardrail", "Arm", "Control", "Arm value", "Delta", conf + " CI", "p", "Test", "Margins (worsened / severe)", "State"},
		Align: []string{"", "", "r", "r", "r", "r", "r", "", "", ""},
	}
	var n notes
	for gi := range e.Guardrails {
		for _, c := range rep.Comparisons {
			if gi >= len(c.Guardrails) {
				continue
			}
			g := &c.Guardrails[gi]
			m := g.Metric
			d := diffOf(m.Kind)
			t.Rows = append(t.Rows, []string{
				Clip(m.Label, capShort), Clip(c.Arm, capShort),
				fmtValue(m.Kind, g.ControlValue), fmtValue(m.Kind, g.TreatmentValue),
				val(g.AbsLift, d), ci(g.CILow, g.CIHigh, d), pOf(g.PValue), testCell(&g.Result),
				format.Margin(m.Kind, m.Worsened, g.WorsenedMargin) + " / " + format.Margin(m.Kind, m.Severe, g.SevereMargin),
				stateBadge(g.State),
			})
			if g.SignificantHarm && g.State == analysis.StateOK {
				n.add(fmt.Sprintf("%s in arm %s: the harm is significant (p = %s < %s) but %s is within the worsened margin %s, so the guardrail is ok.",
					Clip(m.Label, capShort), Clip(c.Arm, capShort), pOf(g.PValue), alphaStr(g.Alpha), val(g.AbsLift, d), format.Margin(m.Kind, m.Worsened, g.WorsenedMargin)))
			}
			if g.State == analysis.StateInconclusive {
				n.add(fmt.Sprintf("%s in arm %s is inconclusive: the CI reaches %s on the harm side, beyond the worsened margin %s, so the data cannot rule out a harm that large.",
					Clip(m.Label, capShort), Clip(c.Arm, capShort), harmBound(&g.Result), format.Margin(m.Kind, m.Worsened, g.WorsenedMargin)))
			}
			if g.Note != "" {
				n.add(Clip(m.Label, capShort) + ": " + Clip(g.Note, capMessage) + ".")
			}
			n.add(cupedSentence(Clip(m.Label, capShort)+" in arm "+Clip(c.Arm, capShort), &g.Result))
			n.null(Clip(m.Label, capShort)+" arm "+Clip(c.Arm, capShort), &g.Result, "abs lift", "CI", "p")
		}
	}
	s.Intro = fmt.Sprintf("Tested at alpha %s without multiplicity correction (%s). A guardrail is worsened when the harm is significant and beyond its worsened margin, severe beyond its severe margin, inconclusive when its CI cannot rule out a harm beyond the worsened margin.",
		e.Thresholds.Alpha, testsUsed(rep, func(c *analysis.Comparison) []*analysis.Result {
			out := make([]*analysis.Result, len(c.Guardrails))
			for i := range c.Guardrails {
				out[i] = &c.Guardrails[i].Result
			}
			return out
		}))
	s.Table = t
	s.Notes = n.all()
	return s
}

// harmBound is the CI's bound on the harm side, in the unit.
func harmBound(r *analysis.Result) string {
	b := r.CILow
	if r.Metric.Desired == experiment.Decrease {
		b = r.CIHigh
	}
	if !ok(b) {
		return "an unknown value"
	}
	return fmtDiff(r.Metric.Kind, b.V)
}

// secondarySection is one table, a row per secondary metric and arm.
func secondarySection(rep *analysis.Report) *section {
	e := rep.Experiment
	if len(e.Secondary) == 0 {
		return nil
	}
	conf := confidence(e.Thresholds.Alpha)
	s := &section{Title: "Secondary metrics (exploratory)",
		Intro: fmt.Sprintf("Exploratory: each tested at alpha %s without correction; they never decide.", e.Thresholds.Alpha)}
	t := &table{
		Head:  []string{"Metric", "Arm", "Control", "Arm value", "Abs lift", conf + " CI", "Rel lift", conf + " CI (rel)", "p", "Test"},
		Align: []string{"", "", "r", "r", "r", "r", "r", "r", "r", ""},
	}
	var n notes
	for si := range e.Secondary {
		for _, c := range rep.Comparisons {
			if si >= len(c.Secondary) {
				continue
			}
			r := &c.Secondary[si]
			m := r.Metric
			d := diffOf(m.Kind)
			t.Rows = append(t.Rows, []string{
				Clip(m.Label, capShort) + " (" + string(m.Kind) + ")", Clip(c.Arm, capShort),
				fmtValue(m.Kind, r.ControlValue), fmtValue(m.Kind, r.TreatmentValue),
				val(r.AbsLift, d), ci(r.CILow, r.CIHigh, d), val(r.RelLift, format.Rel), ci(r.RelCILow, r.RelCIHigh, format.Rel),
				pOf(r.PValue), testCell(r),
			})
			if r.Note != "" {
				n.add(Clip(m.Label, capShort) + ": " + Clip(r.Note, capMessage) + ".")
			}
			n.add(cupedSentence(Clip(m.Label, capShort)+" in arm "+Clip(c.Arm, capShort), r))
			n.null(Clip(m.Label, capShort)+" arm "+Clip(c.Arm, capShort), r, "abs lift", "CI", "rel lift", "rel CI", "p")
		}
	}
	s.Table = t
	s.Notes = n.all()
	return s
}
