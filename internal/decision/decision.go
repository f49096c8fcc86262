// Package decision applies the decision rules of docs/rules.md to an
// analysis Report: rules 2–8 to each comparison (the first match wins),
// rule 1 to the whole experiment, and then the experiment's outcome from
// its comparisons, each with a one-line reason citing its evidence. It also
// decides which results fail a check under --fail-on.
package decision

import (
	"fmt"
	"strings"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/format"
)

// Rule is a decision rule of docs/rules.md#decision-rules, by number.
type Rule int

// The rules, in the order they apply.
const (
	RuleNone              Rule = 0 // not analyzed (planned)
	RuleBlocked           Rule = 1 // health blocked: hold
	RuleSevereGuardrail   Rule = 2 // a severe guardrail: rollback
	RulePrimaryLoss       Rule = 3 // primary significantly against desired: rollback
	RuleSRM               Rule = 4 // SRM warning: hold
	RuleGuardrailWorsened Rule = 5 // a worsened guardrail: hold
	RuleNotReady          Rule = 6 // significant win, but plan, min_users or non-inferiority not met: hold
	RuleLaunch            Rule = 7 // significant win: launch
	RuleNotSignificant    Rule = 8 // primary not significant: hold
)

// HoldKind says what a Hold asks of its reader.
type HoldKind string

// Hold kinds (docs/rules.md#hold-kinds).
const (
	NoHold      HoldKind = ""
	Collect     HoldKind = "collect"     // wait for more data
	Investigate HoldKind = "investigate" // look at a finding
	FixData     HoldKind = "fix_data"    // fix the files
	Stop        HoldKind = "stop"        // the sample is reached: conclude
)

// Verdict is the decision for one comparison.
type Verdict struct {
	Arm      string
	Outcome  experiment.Outcome
	Rule     Rule
	HoldKind HoldKind
	Reason   string
}

// Decision is the outcome for one experiment.
type Decision struct {
	Outcome experiment.Outcome
	// Arm names the launching or rolled-back arm; empty for a Hold and for
	// an experiment that was not analyzed.
	Arm      string
	Rule     Rule
	HoldKind HoldKind
	Reason   string
	// Comparisons holds each comparison's verdict, in CSV order; empty
	// when health is blocked or nothing was analyzed.
	Comparisons []Verdict
	// Index is the comparison the decision took its rule and reason from
	// (the first rolled-back arm, the winner, or the first hold by rule
	// order), an index into Comparisons; -1 when there is none.
	Index int
}

// Result pairs a report with its decision.
type Result struct {
	Report   *analysis.Report
	Decision Decision
	// History is the comparison with the pull request's merge base
	// (docs/review.md); nil when none was made.
	History *History
}

// History is what a pull request changes about one experiment
// (docs/review.md): the decision at its merge base and how often the
// result was looked at.
type History struct {
	// Base is the decision at the merge base; Base.New when the experiment
	// did not exist there; nil when no merge base was compared (a local
	// check without --base counts the looks alone).
	Base *Base
	// Looks counts the commits that changed the data file with data rows
	// in it (docs/review.md#looks); -1 when unknown, with LooksUnknown
	// saying why.
	Looks        int
	LooksUnknown string
}

// Base is an experiment's decision at the merge base.
type Base struct {
	New        bool // absent at the merge base: the other fields are empty
	Outcome    experiment.Outcome
	Arm        string
	Reason     string
	DataSHA256 string
}

// Changed reports whether the pull request changes the decision: a new
// experiment, another outcome, or another launching or rolled-back arm.
func (h *History) Changed(now Decision) bool {
	if h.Base == nil {
		return false
	}
	return h.Base.New || h.Base.Outcome != now.Outcome || h.Base.Arm != now.Arm
}

// Decide applies the rules.
func Decide(r *analysis.Report) Decision {
	e := r.Experiment
	h := r.Health
	if h.Status == analysis.Blocked {
		kind := blockedKind(h.Issues)
		return Decision{Outcome: experiment.Hold, Rule: RuleBlocked, HoldKind: kind, Reason: blockedReason(h), Index: -1}
	}
	if e.Status == experiment.StatusPlanned || !r.Analyzed || len(r.Comparisons) == 0 {
		return Decision{Outcome: experiment.None, Reason: "planned: not analyzed until status is running", Index: -1}
	}
	d := Decision{}
	for i := range r.Comparisons {
		d.Comparisons = append(d.Comparisons, decideComparison(r, i))
	}
	combine(r, &d)
	return d
}

// blockedKind is fix_data when any blocking issue is about the files, else
// investigate (a severe SRM, or a history finding).
func blockedKind(issues []experiment.Issue) HoldKind {
	kind := NoHold
	for _, is := range issues {
		if is.Severity != experiment.SeverityBlocked {
			continue
		}
		switch is.Code {
		case experiment.CodeSRMSevere, experiment.CodeDataRewritten, experiment.CodePlanChanged:
			if kind == NoHold {
				kind = Investigate
			}
		default:
			return FixData
		}
	}
	return kind
}

// decideComparison applies rules 2–8 to comparison ci.
func decideComparison(r *analysis.Report, ci int) Verdict {
	e := r.Experiment
	c := &r.Comparisons[ci]
	v := func(o experiment.Outcome, rule Rule, kind HoldKind, reason string) Verdict {
		return Verdict{Arm: c.Arm, Outcome: o, Rule: rule, HoldKind: kind, Reason: reason}
	}
	p := &c.Primary
	for i := range c.Guardrails {
		if g := &c.Guardrails[i]; g.State == analysis.StateSevere {
			return v(experiment.Rollback, RuleSevereGuardrail, NoHold, fmt.Sprintf("%s: guardrail %s worsened severely: %s (beyond the severe margin %s), %s < %s",
				c.Arm, g.Metric.Label, FormatDiff(&g.Result), FormatMargin(g.Metric, g.Metric.Severe, g.SevereMargin), format.PIs(g.PValue.V), g.Alpha))
		}
	}
	if p.Significant && p.Harmed() {
		return v(experiment.Rollback, RulePrimaryLoss, NoHold, fmt.Sprintf("%s: %s moved significantly against the desired direction (%s): %s",
			c.Arm, p.Metric.Label, p.Metric.Desired, evidence(p)))
	}
	if hasCode(r.Health.Issues, experiment.CodeSRM) {
		return v(experiment.Hold, RuleSRM, Investigate, fmt.Sprintf("SRM %s < %s: the traffic split does not match the expected one",
			format.PIs(r.Health.SRM.PValue), e.Thresholds.SRMWarningP))
	}
	// A guardrail worsened in a segment (q < α) holds for investigation, a
	// severe one too: segment results roll nothing back
	// (docs/rules.md#segments-in-the-decision).
	worse, inSegments := flagged(c), r.SegmentFlags(ci)
	switch {
	case len(worse) > 0 && len(inSegments) > 0:
		return v(experiment.Hold, RuleGuardrailWorsened, Investigate, fmt.Sprintf("%s: guardrail %s worsened beyond its margin with p < %s; and %s",
			c.Arm, strings.Join(worse, ", "), e.Thresholds.Alpha, segmentReason(inSegments, e.Thresholds.Alpha)))
	case len(worse) > 0:
		return v(experiment.Hold, RuleGuardrailWorsened, Investigate, fmt.Sprintf("%s: guardrail %s worsened beyond its margin with p < %s",
			c.Arm, strings.Join(worse, ", "), e.Thresholds.Alpha))
	case len(inSegments) > 0:
		return v(experiment.Hold, RuleGuardrailWorsened, Investigate, fmt.Sprintf("%s: %s",
			c.Arm, segmentReason(inSegments, e.Thresholds.Alpha)))
	}
	if p.Significant && p.Improved() {
		if why := notReady(r, c); why != "" {
			return v(experiment.Hold, RuleNotReady, Collect, fmt.Sprintf("%s: %s improved (%s), but %s", c.Arm, p.Metric.Label, evidence(p), why))
		}
		return v(experiment.Launch, RuleLaunch, NoHold, fmt.Sprintf("%s: %s improved: %s, and no guardrail worsened", c.Arm, p.Metric.Label, evidence(p)))
	}
	kind := Collect
	if c.Power != nil && c.Power.Reached {
		kind = Stop
	}
	switch {
	case !p.PValue.OK():
		return v(experiment.Hold, RuleNotSignificant, kind, fmt.Sprintf("%s: %s p-value undefined (%s)", c.Arm, p.Metric.Label, p.PValue.Null))
	case p.Significant: // significant with a zero difference
		return v(experiment.Hold, RuleNotSignificant, kind, fmt.Sprintf("%s: %s did not change in either direction", c.Arm, p.Metric.Label))
	}
	return v(experiment.Hold, RuleNotSignificant, kind, fmt.Sprintf("%s: %s %s, p = %s ≥ %s, not significant",
		c.Arm, p.Metric.Label, FormatDiff(p), format.P(p.PValue.V), p.Alpha))
}

// flagged lists the labels of the comparison's worsened guardrails.
func flagged(c *analysis.Comparison) []string {
	var out []string
	for i := range c.Guardrails {
		if g := &c.Guardrails[i]; g.State == analysis.StateWorsened {
			out = append(out, fmt.Sprintf("%s %s", g.Metric.Label, FormatDiff(&g.Result)))
		}
	}
	return out
}

// notReady says why a significant win does not launch yet (rule 6), or "".
func notReady(r *analysis.Report, c *analysis.Comparison) string {
	e := r.Experiment
	ctl, arm := r.Arms[indexOf(r.Arms, c.Control)], r.Arms[c.Index]
	if plan := e.Plan.UsersPerArm; plan > 0 && (ctl.Users < plan || arm.Users < plan) {
		return fmt.Sprintf("the plan needs %d users per arm (%s %d, %s %d): an early look does not launch", plan, ctl.Name, ctl.Users, arm.Name, arm.Users)
	}
	if min := e.Thresholds.MinUsers; ctl.Users < min || arm.Users < min {
		return fmt.Sprintf("an arm is below min_users %d (%s %d, %s %d)", min, ctl.Name, ctl.Users, arm.Name, arm.Users)
	}
	if e.Thresholds.GuardrailPolicy == experiment.NonInferiority {
		for i := range c.Guardrails {
			if g := &c.Guardrails[i]; g.State == analysis.StateInconclusive {
				return fmt.Sprintf("guardrail %s is not shown within its margin %s (policy non_inferiority)", g.Metric.Label, FormatMargin(g.Metric, g.Metric.Worsened, g.WorsenedMargin))
			}
		}
	}
	return ""
}

func indexOf(arms []analysis.Arm, name string) int {
	for i, a := range arms {
		if a.Name == name {
			return i
		}
	}
	return 0
}

func evidence(p *analysis.Result) string {
	s := fmt.Sprintf("%s, %s < %s", FormatDiff(p), format.PIs(p.PValue.V), p.Alpha)
	return s
}

// combine forms the experiment's outcome from its comparisons
// (docs/rules.md#the-experiments-outcome).
func combine(r *analysis.Report, d *Decision) {
	var rolled []Verdict
	d.Index = -1
	for i, v := range d.Comparisons {
		if v.Outcome == experiment.Rollback {
			if d.Index < 0 {
				d.Index = i
			}
			rolled = append(rolled, v)
		}
	}
	if len(rolled) > 0 {
		first := rolled[0]
		d.Outcome, d.Arm, d.Rule = experiment.Rollback, first.Arm, first.Rule
		if len(rolled) == 1 {
			d.Reason = first.Reason
			return
		}
		var parts []string
		for _, v := range rolled {
			parts = append(parts, v.Reason)
		}
		d.Reason = fmt.Sprintf("%d arms roll back: %s", len(rolled), strings.Join(parts, "; "))
		return
	}
	best := -1
	for i, v := range d.Comparisons {
		if v.Outcome != experiment.Launch {
			continue
		}
		if best < 0 || better(&r.Comparisons[i].Primary, &r.Comparisons[best].Primary) {
			best = i
		}
	}
	if best >= 0 {
		v := d.Comparisons[best]
		d.Outcome, d.Arm, d.Rule, d.Reason, d.Index = experiment.Launch, v.Arm, v.Rule, v.Reason, best
		return
	}
	first := 0
	for i, v := range d.Comparisons {
		if v.Rule < d.Comparisons[first].Rule {
			first = i
		}
	}
	v := d.Comparisons[first]
	d.Outcome, d.Rule, d.HoldKind, d.Reason, d.Index = experiment.Hold, v.Rule, v.HoldKind, v.Reason, first
}

// better reports whether a's primary estimate is strictly better than b's
// in the desired direction (a tie keeps the earlier arm).
func better(a, b *analysis.Result) bool {
	if a.Metric.Desired == experiment.Decrease {
		return a.AbsLift.V < b.AbsLift.V
	}
	return a.AbsLift.V > b.AbsLift.V
}

// RivalsInsideCI returns the other launching arms whose primary estimate
// lies inside the winner's CI: the data do not tell them apart.
func RivalsInsideCI(res Result) []string {
	d := res.Decision
	if d.Outcome != experiment.Launch {
		return nil
	}
	var win *analysis.Result
	for i := range res.Report.Comparisons {
		if res.Report.Comparisons[i].Arm == d.Arm {
			win = &res.Report.Comparisons[i].Primary
		}
	}
	if win == nil || !win.CILow.OK() || !win.CIHigh.OK() {
		return nil
	}
	var out []string
	for i, v := range d.Comparisons {
		p := &res.Report.Comparisons[i].Primary
		if v.Outcome == experiment.Launch && v.Arm != d.Arm && p.AbsLift.OK() &&
			p.AbsLift.V >= win.CILow.V && p.AbsLift.V <= win.CIHigh.V {
			out = append(out, v.Arm)
		}
	}
	return out
}

func blockedReason(h analysis.Health) string {
	var first experiment.Issue
	n := 0
	for _, is := range h.Issues {
		if is.Severity == experiment.SeverityBlocked {
			if n == 0 {
				first = is
			}
			n++
		}
	}
	if first.Code == experiment.CodeSRMSevere && h.SRM != nil {
		return fmt.Sprintf("health check blocked: severe SRM, %s", format.PIs(h.SRM.PValue))
	}
	s := fmt.Sprintf("health check blocked: %s", first.Code)
	if loc := first.Location(); loc != "" {
		s += " at " + loc
	}
	if n > 1 {
		s += fmt.Sprintf(" (and %d more blocking %s)", n-1, plural(n-1, "issue", "issues"))
	}
	return s
}

func hasCode(issues []experiment.Issue, code string) bool {
	for _, is := range issues {
		if is.Code == code {
			return true
		}
	}
	return false
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// FormatDiff renders a result's absolute difference in its unit.
func FormatDiff(r *analysis.Result) string {
	if !r.AbsLift.OK() {
		return "n/a"
	}
	return format.Diff(r.Metric.Kind, r.AbsLift.V)
}

// FormatMargin renders a guardrail margin in its metric's unit.
func FormatMargin(m *experiment.Metric, mg experiment.Margin, abs float64) string {
	return format.Margin(m.Kind, mg, abs)
}
