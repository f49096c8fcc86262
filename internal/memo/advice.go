package memo

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/format"
)

// This file generates the memo's Risks & Limitations and Next Actions
// (docs/memo.md#risks-and-limitations, docs/memo.md#next-actions). Each function below
// writes one family of sentences from the numbers it is given, and each
// sentence must be true for them: a function returns nothing when its
// condition does not hold. Strings are plain text; templates escape them.
// Power is never computed for the observed effect (docs/statistics.md#power).

// ---- Risks & Limitations ----

func risks(r decision.Result) []string {
	var out []string
	for _, f := range []func(decision.Result) []string{
		riskNotAnalyzed, riskSRM, riskSmallSample, riskAcknowledged, riskConcluded,
		riskAggregated, riskTests, riskFisher, riskPoisson, riskWelch, riskCIDisagreement,
		riskRelDisagreement, riskPlanNotReached, riskPlanUnderpowered, riskSequential, riskCUPED,
		riskGuardrailMultiplicity, riskInconclusive, riskSecondary, riskLooks, riskSegments,
	} {
		out = append(out, f(r)...)
	}
	return out
}

func analyzed(r decision.Result) bool { return r.Report.Analyzed && len(r.Report.Comparisons) > 0 }

func riskNotAnalyzed(r decision.Result) []string {
	switch {
	case r.Report.Health.Status == analysis.Blocked:
		return []string{"The health check is blocked, so nothing was analyzed: the numbers below the health section are absent, not zero."}
	case r.Report.Experiment.Status == experiment.StatusPlanned:
		return []string{"The experiment is planned: nothing was analyzed yet."}
	}
	return nil
}

func riskSRM(r decision.Result) []string {
	rep := r.Report
	for _, is := range rep.Health.Issues {
		if is.Code == experiment.CodeSRM || is.Code == experiment.CodeSRMSevere {
			p := "p n/a"
			if rep.Health.SRM != nil {
				p = "p = " + fmtP(rep.Health.SRM.PValue)
			}
			return []string{fmt.Sprintf("Sample ratio mismatch over %d arms (%s): users are not split as expected, so the arms may differ in who they contain and every metric may be biased.", len(rep.Arms), p)}
		}
	}
	return nil
}

func riskSmallSample(r decision.Result) []string {
	var out []string
	for _, is := range r.Report.Health.Issues {
		if is.Code == experiment.CodeSmallSample {
			out = append(out, "Small sample: "+Clip(is.Message, capMessage)+".")
		}
	}
	return out
}

// riskAcknowledged reports history findings an amendment turned into
// warnings (docs/rules.md#health-check).
func riskAcknowledged(r decision.Result) []string {
	var out []string
	for _, is := range r.Report.Health.Issues {
		if is.Severity == experiment.SeverityWarning && (is.Code == experiment.CodeDataRewritten || is.Code == experiment.CodePlanChanged) {
			out = append(out, fmt.Sprintf("Acknowledged by the amendment (%s): %s. The evidence is weaker than a test run as first planned.", is.Code, Clip(is.Message, capMessage)))
		}
	}
	return out
}

func riskConcluded(r decision.Result) []string {
	if r.Report.Experiment.Status == experiment.StatusConcluded {
		return []string{"The experiment is concluded: its decision is on record and never fails a check."}
	}
	return nil
}

func riskAggregated(r decision.Result) []string {
	if !analyzed(r) {
		return nil
	}
	return []string{"The input is aggregated per arm (counts and sums, not per-user rows): outliers, novelty and day-of-week effects cannot be checked from it."}
}

func riskTests(r decision.Result) []string {
	if !analyzed(r) {
		return nil
	}
	rep := r.Report
	th := rep.Experiment.Thresholds
	ap := primaryAlpha(rep)
	tests := testsUsed(rep, func(c *analysis.Comparison) []*analysis.Result { return []*analysis.Result{&c.Primary} })
	if n := len(rep.Comparisons); n > 1 {
		return []string{fmt.Sprintf("The primary metric was compared in %d comparisons (%s) at alpha′ %s (alpha %s split by Bonferroni), so its CIs are %s intervals and p adjusted is min(1, %d·p); guardrails are not corrected (a false alarm costs less than a missed harm) and use alpha %s.",
			n, tests, alphaStr(ap), th.Alpha, confidence(ap), n, th.Alpha)}
	}
	return []string{fmt.Sprintf("The primary metric was compared at alpha %s (%s), with %s CIs.", alphaStr(ap), tests, confidence(ap))}
}

// riskFisher says why Fisher's exact test was used: an expected cell of the
// 2×2 table below 5 comes from a small sample, or from a rate near 0% or
// 100% in a sample that is not small (then the sample is not the problem).
func riskFisher(r decision.Result) []string {
	var out []string
	minU := r.Report.Experiment.Thresholds.MinUsers
	for _, c := range r.Report.Comparisons {
		p := &c.Primary
		if p.Test != analysis.TestFisher {
			continue
		}
		arm := Clip(c.Arm, capShort)
		nc, nt := p.ControlUsers, p.TreatmentUsers
		xc, xt := p.ControlValue*float64(nc), p.TreatmentValue*float64(nt)
		pooled := (xc + xt) / float64(nc+nt)
		switch {
		case nc < minU || nt < minU:
			out = append(out, fmt.Sprintf("Arm %s: an expected cell of the primary's 2×2 table is below 5, so Fisher's exact test was used: the sample is small (below min_users %s) and the result is fragile.", arm, format.Count(minU)))
		case pooled == 0 || pooled == 1:
			out = append(out, fmt.Sprintf("Arm %s: every user in both arms has the same outcome (a rate of %s), so Fisher's exact test was used: the rate is degenerate, not the sample small, and the test cannot tell the arms apart.", arm, fmtValue(p.Metric.Kind, pooled)))
		default:
			out = append(out, fmt.Sprintf("Arm %s: the pooled rate %s is so near %s that an expected cell of the primary's 2×2 table is below 5, so Fisher's exact test was used: the result rests on few users in that cell.",
				arm, fmtValue(p.Metric.Kind, pooled), map[bool]string{true: "0%", false: "100%"}[pooled < 0.5]))
		}
	}
	return out
}

// eachResult calls f for every result of the first comparison (one per
// metric; every comparison uses the same tests' families).
func metricsOf(r decision.Result) []*analysis.Result {
	if len(r.Report.Comparisons) == 0 {
		return nil
	}
	c := &r.Report.Comparisons[0]
	out := []*analysis.Result{&c.Primary}
	for i := range c.Guardrails {
		out = append(out, &c.Guardrails[i].Result)
	}
	for i := range c.Secondary {
		out = append(out, &c.Secondary[i])
	}
	return out
}

func riskPoisson(r decision.Result) []string {
	var out []string
	for _, res := range metricsOf(r) {
		if res.Test == analysis.TestPoisson {
			out = append(out, fmt.Sprintf("%s counts events per user and is compared by the Poisson rate test, which assumes independent events: users with many events make its p-value too small. A %s_sum_squares column would let Welch's test use their real spread.",
				Clip(res.Metric.Label, capShort), Clip(res.Metric.Name, capShort)))
		}
	}
	return out
}

func riskWelch(r decision.Result) []string {
	for _, res := range metricsOf(r) {
		if res.Test == analysis.TestWelch {
			return []string{"Welch's t-test (mean, ratio and events-with-sum-of-squares metrics) relies on the per-user mean being roughly normal: with heavy-tailed values (a few very large users) and small samples its p-value and CI can be off."}
		}
	}
	return nil
}

// riskCIDisagreement: the absolute CI and the p-value of a proportion or
// events test come from different methods and can disagree in rare tables.
func riskCIDisagreement(r decision.Result) []string {
	var out []string
	for _, c := range r.Report.Comparisons {
		p := &c.Primary
		ex, known := p.CIExcludesZero()
		if !known || !p.PValue.OK() || ex == p.Significant {
			continue
		}
		if ex {
			out = append(out, fmt.Sprintf("Arm %s: the CI of the absolute lift excludes 0 but p = %s is not below %s: the interval and the test disagree, so the result is borderline.", Clip(c.Arm, capShort), fmtP(p.PValue.V), alphaStr(p.Alpha)))
		} else {
			out = append(out, fmt.Sprintf("Arm %s: p = %s is below %s but the CI of the absolute lift includes 0: the interval and the test disagree, so the result is borderline.", Clip(c.Arm, capShort), fmtP(p.PValue.V), alphaStr(p.Alpha)))
		}
	}
	return out
}

// riskRelDisagreement: the delta-method relative CI and the absolute CI
// disagree about zero.
func riskRelDisagreement(r decision.Result) []string {
	var out []string
	for _, c := range r.Report.Comparisons {
		p := &c.Primary
		ex, known := p.CIExcludesZero()
		if !known || !p.RelCILow.OK() || !p.RelCIHigh.OK() {
			continue
		}
		relEx := p.RelCILow.V > 0 || p.RelCIHigh.V < 0
		if relEx == ex {
			continue
		}
		which := map[bool]string{true: "excludes", false: "includes"}
		out = append(out, fmt.Sprintf("Arm %s: the relative CI (%s) %s 0 while the absolute CI (%s) %s it: the delta-method relative interval is an approximation; the decision follows the absolute one.",
			Clip(c.Arm, capShort), ci(p.RelCILow, p.RelCIHigh, format.Rel), which[relEx], ci(p.CILow, p.CIHigh, diffOf(p.Metric.Kind)), which[ex]))
	}
	return out
}

func riskPlanNotReached(r decision.Result) []string {
	rep := r.Report
	plan := rep.Experiment.Plan.UsersPerArm
	if plan == 0 || !analyzed(r) {
		return nil
	}
	short := false
	var parts []string
	for _, a := range rep.Arms {
		parts = append(parts, Clip(a.Name, capShort)+" "+format.Count(a.Users))
		if a.Users < plan {
			short = true
		}
	}
	if !short {
		return nil
	}
	s := fmt.Sprintf("The planned sample of %s users per arm is not reached (%s)", format.Count(plan), strings.Join(parts, ", "))
	if rep.Experiment.Thresholds.Sequential {
		return []string{s + "; the sequential intervals stay valid at an early look, but a Launch waits for the plan."}
	}
	return []string{s + ": looking early at a fixed-horizon test inflates the false-positive rate, so a Launch waits for the plan."}
}

// underpowered returns the figures of the first comparison (or planned
// comparison) whose plan.users_per_arm is below what plan.mde needs.
func underpowered(rep *analysis.Report) (arm string, need int64, ok bool) {
	e := rep.Experiment
	if e.Plan.UsersPerArm == 0 || e.Plan.MDE == nil {
		return "", 0, false
	}
	check := func(a string, pw *analysis.Power) bool {
		n, ok := pw.MDEUsersPerArm()
		if !ok || e.Plan.UsersPerArm >= n {
			return false
		}
		arm, need = a, n
		return true
	}
	for _, c := range rep.Comparisons {
		if check(c.Arm, c.Power) {
			return arm, need, true
		}
	}
	for _, p := range rep.Planned {
		if check(p.Arm, p.Power) {
			return arm, need, true
		}
	}
	return "", 0, false
}

// riskPlanUnderpowered: plan.users_per_arm cannot detect plan.mde with 80%
// power (plan_underpowered).
func riskPlanUnderpowered(r decision.Result) []string {
	arm, need, ok := underpowered(r.Report)
	if !ok {
		return nil
	}
	e := r.Report.Experiment
	return []string{fmt.Sprintf("The plan is underpowered (plan_underpowered): plan.users_per_arm %s is below the %s users per arm that plan.mde %s needs for 80%% power (arm %s), so at the planned horizon a true effect of that size is detected with less than 80%% power.",
		format.Count(e.Plan.UsersPerArm), format.Count(need), format.Share(math.Abs(*e.Plan.MDE)), Clip(arm, capShort))}
}

func riskSequential(r decision.Result) []string {
	if !analyzed(r) || !r.Report.Experiment.Thresholds.Sequential {
		return nil
	}
	if r.Report.Comparisons[0].Primary.Sequential {
		return []string{sequentialSentence(r.Report.Experiment)}
	}
	return []string{"thresholds.sequential is on, but these results are fixed-horizon p-values and intervals: looking at them repeatedly inflates the false-positive rate."}
}

func riskCUPED(r decision.Result) []string {
	var out []string
	if !analyzed(r) {
		return nil
	}
	for _, res := range metricsOf(r) {
		if res.Metric.CUPED && res.CUPED == nil {
			out = append(out, fmt.Sprintf("cuped: true is set for %s, but the pre-period adjustment could not be computed (%s), so its results are n/a.", Clip(res.Metric.Label, capShort), Clip(res.PValue.Null, capMessage)))
		}
	}
	return out
}

// riskGuardrailMultiplicity: the chance that at least one of m
// independent two-sided tests at α shows a significant harm by chance is
// 1 − (1 − α/2)^m.
func riskGuardrailMultiplicity(r decision.Result) []string {
	rep := r.Report
	if !analyzed(r) {
		return nil
	}
	m := len(rep.Experiment.Guardrails) * len(rep.Comparisons)
	if m < 2 {
		return nil
	}
	a := rep.Experiment.Thresholds.Alpha.Float64()
	chance := 1 - math.Pow(1-a/2, float64(m))
	return []string{fmt.Sprintf("%d guardrail tests (%d %s × %d %s) each use alpha %s without correction: with no real effect, the chance that at least one shows a significant harm is about %s (1 − (1 − alpha/2)^%d, if independent); a worsened state also needs the harm beyond its margin.",
		m, len(rep.Experiment.Guardrails), plural(len(rep.Experiment.Guardrails), "guardrail", "guardrails"), len(rep.Comparisons), plural(len(rep.Comparisons), "comparison", "comparisons"),
		rep.Experiment.Thresholds.Alpha, format.Share(chance), m)}
}

func riskInconclusive(r decision.Result) []string {
	var out []string
	policy := r.Report.Experiment.Thresholds.GuardrailPolicy
	for _, c := range r.Report.Comparisons {
		for i := range c.Guardrails {
			g := &c.Guardrails[i]
			if g.State != analysis.StateInconclusive {
				continue
			}
			s := fmt.Sprintf("Guardrail %s in arm %s is inconclusive: its CI reaches %s, beyond the worsened margin %s", Clip(g.Metric.Label, capShort), Clip(c.Arm, capShort),
				harmBound(&g.Result), format.Margin(g.Metric.Kind, g.Metric.Worsened, g.WorsenedMargin))
			if policy == experiment.NonInferiority {
				s += "; under guardrail_policy non_inferiority it holds a Launch until the data show it within the margin."
			} else {
				s += "; under guardrail_policy do_no_harm it does not change the decision, but a harm of that size is not ruled out."
			}
			out = append(out, s)
		}
	}
	return out
}

func riskSecondary(r decision.Result) []string {
	n := len(r.Report.Experiment.Secondary)
	if n == 0 || !analyzed(r) {
		return nil
	}
	return []string{fmt.Sprintf("%d secondary %s %s exploratory: tested at alpha %s without correction and never used for the decision; a significant one is a lead to test, not a finding.",
		n, plural(n, "metric", "metrics"), plural(n, "is", "are"), r.Report.Experiment.Thresholds.Alpha)}
}

// ---- Next Actions ----

func actions(r decision.Result) []actionGroup {
	if r.Report.Experiment.Status == experiment.StatusConcluded && r.Decision.Outcome != experiment.None {
		return outcomeActions(r) // on record: no advice, not even about looks
	}
	return append(outcomeActions(r), looksActions(r)...)
}

func outcomeActions(r decision.Result) []actionGroup {
	e := r.Report.Experiment
	if e.Status == experiment.StatusConcluded && r.Decision.Outcome != experiment.None {
		return concludedActions(r)
	}
	switch KindOf(r) {
	case kindLaunch:
		return launchActions(r)
	case kindRollback:
		return rollbackActions(r)
	case kindBlocked:
		return blockedActions(r)
	case kindHold:
		return holdActions(r)
	}
	if e.Status == experiment.StatusPlanned {
		return plannedActions(r)
	}
	return nil
}

func concludedActions(r decision.Result) []actionGroup {
	return []actionGroup{{Title: "On record", Items: []string{
		fmt.Sprintf("The experiment is concluded; its decision (%s) is recorded here. No action is advised.", DecisionWord(r)),
	}}}
}

func plannedActions(r decision.Result) []actionGroup {
	e := r.Report.Experiment
	out := []actionGroup{}
	if g := planningGroup(r.Report); len(g.Items) > 0 {
		out = append(out, g)
	}
	return append(out, actionGroup{Title: "Before analysis", Items: []string{
		"Collect data into " + Clip(e.DataFile, capPath) + ": one row per arm, the control labelled " + Clip(e.Control, capShort) + ".",
		"Set status: running in experiment.yaml so that the experiment is analyzed and gates merges.",
	}})
}

// planningGroup is the planning calculator of a planned experiment: the
// users per arm plan.mde needs at plan.baseline, and the days at
// plan.daily_users (docs/statistics.md#power). Without plan.baseline or
// plan.mde it says what to set.
func planningGroup(rep *analysis.Report) actionGroup {
	e := rep.Experiment
	g := actionGroup{Title: "Sample size the plan needs"}
	if len(rep.Planned) == 0 {
		if e.Plan.Baseline == nil || e.Plan.MDE == nil {
			g.Items = append(g.Items, "Set plan.baseline (the expected control value) and plan.mde (the relative effect to detect) to see the users per arm and, with plan.daily_users, the days the experiment needs.")
		}
		return g
	}
	m := &e.Primary
	k := m.Kind
	for _, pc := range rep.Planned {
		pw := pc.Power
		arm, ctl := Clip(pc.Arm, capShort), Clip(pc.Control, capShort)
		if !pw.MDERequired[0].OK() {
			g.Items = append(g.Items, fmt.Sprintf("Arm %s: plan.mde sets no sample size: %s.", arm, Clip(pw.MDERequired[0].Null, capMessage)))
			continue
		}
		sd := ""
		if e.Plan.BaselineSD != nil && k != experiment.KindProportion {
			sd = ", sd " + plain(*e.Plan.BaselineSD)
		}
		if e.Thresholds.Sequential {
			sd += "; for the confidence sequence of thresholds.sequential"
		}
		g.Items = append(g.Items, fmt.Sprintf("Arm %s: to detect the planned mde of %s relative (%s %s → %s%s) with 80%% power at alpha %s, two-sided, with shares %s / %s, the plan needs about %s %s and %s %s users.",
			arm, format.Share(pw.MDE.V), Clip(m.Label, capShort), fmtValue(k, *e.Plan.Baseline), val(pw.TargetValue, valueOf(k)), sd, alphaStr(pc.Alpha),
			format.Share(pc.Shares[0]), format.Share(pc.Shares[1]),
			format.Count(ceil(pw.MDERequired[0].V)), ctl, format.Count(ceil(pw.MDERequired[1].V)), arm))
		if need, _ := pw.MDEUsersPerArm(); pw.FromPlan {
			if need > e.Plan.UsersPerArm {
				g.Items = append(g.Items, fmt.Sprintf("plan.users_per_arm %s is below that (plan_underpowered): raise it to at least %s, or plan for a larger mde.", format.Count(e.Plan.UsersPerArm), format.Count(need)))
			} else {
				g.Items = append(g.Items, fmt.Sprintf("plan.users_per_arm %s covers it.", format.Count(e.Plan.UsersPerArm)))
			}
		}
		switch {
		case !pw.Days.OK():
			g.Items = append(g.Items, fmt.Sprintf("The days are unknown: %s.", Clip(pw.Days.Null, capMessage)))
		default:
			d := int64(pw.Days.V)
			s := fmt.Sprintf("At plan.daily_users %s, the %s users per arm the advice aims at (%s) take about %s %s",
				format.Count(e.Plan.DailyUsers), format.Count(ceil(max(pw.Required[0].V, pw.Required[1].V))), requiredSource(pw), format.Count(d), plural(int(min(d, 2)), "day", "days"))
			if f, _ := pw.Feasible(); !f {
				s += fmt.Sprintf(": not feasible at this traffic (more than %d days); consider %s.", analysis.FeasibleDays, remedies(m.CUPED))
			} else {
				s += "."
			}
			g.Items = append(g.Items, s)
		}
	}
	return g
}

func requiredSource(pw *analysis.Power) string {
	if pw.FromPlan {
		return "plan.users_per_arm"
	}
	return "the mde's requirement"
}

// ---- Launch ----

// rampShares are the traffic shares a launch ramps through.
var rampShares = []float64{0.10, 0.25, 0.50, 0.75, 1.00}

func launchActions(r decision.Result) []actionGroup {
	rep := r.Report
	win := Deciding(r)
	if win == nil {
		return nil
	}
	var ramp actionGroup
	if rep.Experiment.Deployment == experiment.DeploymentRolledOut {
		ramp = actionGroup{Title: "Rollout", Items: []string{
			fmt.Sprintf("The change is already rolled out to everyone: no ramp is needed for %s; keep the monitors below running for at least a week.", Clip(win.Arm, capShort)),
		}}
	} else {
		ramp = actionGroup{Title: "Staged rollout", Ordered: true, Items: rampSteps(rep, win)}
	}
	return []actionGroup{ramp, monitorGroup(rep, win)}
}

// rampSteps ramps the winning arm from its current expected share.
func rampSteps(rep *analysis.Report, win *analysis.Comparison) []string {
	arm := Clip(win.Arm, capShort)
	share := rep.Arms[win.Index].ExpectedShare
	var out []string
	var others []string
	for _, c := range rep.Comparisons {
		if c.Arm != win.Arm {
			others = append(others, Clip(c.Arm, capShort))
		}
	}
	if len(others) > 0 {
		out = append(out, fmt.Sprintf("Stop the other treatment %s (%s), giving %s traffic to control, and keep %s at its current %s.",
			plural(len(others), "arm", "arms"), strings.Join(others, ", "), plural(len(others), "its", "their"), arm, format.Share(share)))
	}
	from := share
	for _, s := range rampShares {
		if s <= from+1e-9 {
			continue
		}
		switch {
		case s == 1:
			out = append(out, fmt.Sprintf("Ramp %s from %s to 100%%; keep the monitors for a week, then remove the experiment's code path.", arm, format.Share(from)))
		case s >= 0.5:
			out = append(out, fmt.Sprintf("Ramp %s from %s to %s and hold 7 days, so that every day of the week is covered; check the monitors below.", arm, format.Share(from), format.Share(s)))
		default:
			out = append(out, fmt.Sprintf("Ramp %s from %s to %s and hold 24 hours; check the monitors below.", arm, format.Share(from), format.Share(s)))
		}
		from = s
	}
	return out
}

func monitorGroup(rep *analysis.Report, win *analysis.Comparison) actionGroup {
	g := actionGroup{Title: "Monitor (alert levels)"}
	p := &win.Primary
	k := p.Metric.Kind
	g.Items = append(g.Items, fmt.Sprintf("%s: expect about %s (arm %s); investigate if it returns to the control value %s.",
		Clip(p.Metric.Label, capShort), fmtValue(k, p.TreatmentValue), Clip(win.Arm, capShort), fmtValue(k, p.ControlValue)))
	for i := range win.Guardrails {
		g.Items = append(g.Items, alertLine(&win.Guardrails[i]))
	}
	if len(win.Guardrails) == 0 {
		if rep.Experiment.Deployment == experiment.DeploymentRolledOut {
			g.Items = append(g.Items, "No guardrails are declared: add at least an error-rate guardrail to watch the rolled-out change.")
		} else {
			g.Items = append(g.Items, "No guardrails are declared: add at least an error-rate guardrail before ramping.")
		}
	}
	return g
}

// possible reports whether v is a value the metric's kind can take: rates
// lie in [0, 1], events per user are at least 0.
func possible(k experiment.Kind, v float64) bool {
	switch s := k.Spec(); {
	case s == nil:
		return true
	case s.Unit == experiment.UnitRate:
		return v >= 0 && v <= 1
	case s.Unit == experiment.UnitPerUser:
		return v >= 0
	}
	return true
}

// alertLine is the monitor for one guardrail: the control value moved by
// the worsened margin on the harm side (alert) and by the severe margin
// (roll back), each only when it is a possible value.
func alertLine(g *analysis.Guardrail) string {
	m := g.Metric
	k := m.Kind
	c := g.ControlValue
	up := m.Desired == experiment.Decrease // a harm is a rise
	level := func(margin float64) float64 {
		if up {
			return c + margin
		}
		return c - margin
	}
	dir := "falls below"
	if up {
		dir = "rises above"
	}
	label := Clip(m.Label, capShort)
	wm, sm := format.Margin(k, m.Worsened, g.WorsenedMargin), format.Margin(k, m.Severe, g.SevereMargin)
	w, s := level(g.WorsenedMargin), level(g.SevereMargin)
	// A level the metric can cross in the harm's direction: a rate cannot
	// rise above 100% or fall below 0, events per user not below 0.
	crossable := func(v float64) bool {
		if !possible(k, v) {
			return false
		}
		bounded := k.Spec() != nil && (k.Spec().Unit == experiment.UnitRate || k.Spec().Unit == experiment.UnitPerUser)
		switch { // compared as printed: 99.9996% prints as 100.00%
		case up && k.Spec() != nil && k.Spec().Unit == experiment.UnitRate:
			return v < 1 && fmtValue(k, v) != fmtValue(k, 1)
		case !up && bounded:
			return v > 0 && fmtValue(k, v) != fmtValue(k, 0)
		}
		return true
	}
	switch {
	case crossable(w) && crossable(s):
		return fmt.Sprintf("%s: alert if it %s %s (control %s, worsened margin %s); roll back if it %s %s (severe margin %s).",
			label, dir, fmtValue(k, w), fmtValue(k, c), wm, dir, fmtValue(k, s), sm)
	case crossable(w):
		return fmt.Sprintf("%s: alert if it %s %s (control %s, worsened margin %s); no possible value lies beyond the severe margin %s, so roll back if the alert persists.",
			label, dir, fmtValue(k, w), fmtValue(k, c), wm, sm)
	}
	move := "fall"
	if up {
		move = "rise"
	}
	return fmt.Sprintf("%s: no possible value lies beyond the worsened margin %s from the control value %s; alert on any sustained %s.",
		label, wm, fmtValue(k, c), move)
}

// ---- Rollback ----

func rollbackActions(r decision.Result) []actionGroup {
	rep := r.Report
	var rolled []string
	for _, v := range r.Decision.Comparisons {
		if v.Outcome == experiment.Rollback {
			rolled = append(rolled, Clip(v.Arm, capShort))
		}
	}
	if len(rolled) == 0 && r.Decision.Arm != "" {
		rolled = []string{Clip(r.Decision.Arm, capShort)}
	}
	arms := strings.Join(rolled, ", ")
	now := actionGroup{Title: "Immediately", Ordered: true}
	if rep.Experiment.Deployment == experiment.DeploymentRolledOut {
		now.Items = []string{
			fmt.Sprintf("Revert or disable the shipped change of %s now: turn its flag off or revert the release that shipped it.", arms),
			"Confirm after the revert that the metrics below return to their control values.",
			"Tell the owner and on-call that the change was reverted, linking this memo.",
		}
	} else {
		now.Items = []string{
			fmt.Sprintf("Set the traffic of %s to 0%% now, giving %s users to control.", arms, plural(len(rolled), "its", "their")),
			"Keep the assignment and logging running so that the recovery shows in the data; do not delete the experiment.",
			"Tell the owner that " + arms + " " + plural(len(rolled), "was", "were") + " stopped, linking this memo.",
		}
	}
	out := []actionGroup{now}
	if hasIssue(rep, experiment.CodeSRM) {
		checks := srmHarmItems(r)
		checks = append(checks, srmChecks()...)
		out = append(out, actionGroup{Title: "Assignment and logging checks (the SRM warning is open)", Items: checks})
	}
	if others := otherArms(r); len(others) > 0 {
		out = append(out, actionGroup{Title: "The other arms", Items: others})
	}
	return append(out, rootCause(r))
}

// srmHarmItems says, for each severe proportion guardrail (or events
// guardrail whose harm is a rise) of a rolled-back arm, how far the sample ratio mismatch is from explaining the harm: the
// rate the users beyond the arm's expected share would need, or, for an arm
// short of users, that even losing only unharmed users could not
// (docs/memo.md#generated-sentences). The bound assumes the expected users
// behave as the control does.
func srmHarmItems(r decision.Result) []string {
	rep := r.Report
	var total int64
	for _, a := range rep.Arms {
		total += a.Users
	}
	var out []string
	for i, v := range r.Decision.Comparisons {
		if v.Outcome != experiment.Rollback || i >= len(rep.Comparisons) {
			continue
		}
		c := &rep.Comparisons[i]
		a := rep.Arms[c.Index]
		exp := a.ExpectedShare * float64(total)
		for gi := range c.Guardrails {
			g := &c.Guardrails[gi]
			if g.State != analysis.StateSevere {
				continue
			}
			if s := srmHarm(g, a, exp); s != "" {
				out = append(out, s)
			}
		}
	}
	if len(out) == 0 {
		out = append(out, "The harm is rolled back first: the SRM makes every metric suspect, but stopping a treatment costs little, while a real harm of this size costs users.")
	}
	return out
}

func srmHarm(g *analysis.Guardrail, a analysis.Arm, exp float64) string {
	m := g.Metric
	events := m.Kind == experiment.KindEvents && m.Desired == experiment.Decrease
	if !(m.Kind == experiment.KindProportion || events) || exp <= 0 || a.Users == 0 {
		return ""
	}
	// Harm-side rates: the share of users with the harmful outcome, or the
	// harmful events per user.
	hc, ht := g.ControlValue, g.TreatmentValue
	word := "rate"
	if events {
		word = "count per user"
	} else if m.Desired == experiment.Increase {
		hc, ht, word = 1-hc, 1-ht, "rate of non-"+Clip(m.Label, capShort)
	}
	show := func(x float64) string { return fmtValue(m.Kind, x) }
	n := float64(a.Users)
	label, arm := Clip(m.Label, capShort), Clip(a.Name, capShort)
	dev := n/exp - 1
	head := fmt.Sprintf("Arm %s holds %s users against the %s its expected share implies (%s); %s moved from %s to %s",
		arm, format.Count(a.Users), format.Count(int64(math.Round(exp))), format.Rel(dev), label, fmtValue(m.Kind, g.ControlValue), fmtValue(m.Kind, g.TreatmentValue))
	tail := " Keep the treatment off while the SRM is investigated."
	switch {
	case math.Abs(n-exp) < 0.5: // this arm holds its share; the mismatch is elsewhere
		return ""
	case n > exp:
		extra := n - exp
		need := (ht*n - hc*exp) / extra
		if need > 1 && !events {
			return head + fmt.Sprintf(": the mismatch cannot explain it even if all %s extra users had the harmful outcome.", format.Count(int64(math.Round(extra)))) + tail
		}
		ratio := ""
		if hc > 0 {
			ratio = fmt.Sprintf(", %s times the control's", strconv.FormatFloat(need/hc, 'f', 1, 64))
		}
		return head + fmt.Sprintf(": for the mismatch alone to explain it, the %s extra users would need a %s of %s%s, if the expected users behave as the control's do.",
			format.Count(int64(math.Round(extra))), word, show(need), ratio) + tail
	default:
		most := hc * exp / n // every lost user unharmed
		if ht > most {
			return head + fmt.Sprintf(": the mismatch cannot explain it, since losing only unharmed users would raise the %s to at most %s.", word, show(most)) + tail
		}
		lost := exp - n
		q := (hc*exp - ht*n) / lost
		return head + fmt.Sprintf(": the mismatch could explain it only if the %s missing users had a %s of %s against the control's %s, if the expected users behave as the control's do; treat the harm as real until it is explained.",
			format.Count(int64(math.Round(lost))), word, show(q), show(hc)) + tail
	}
}

// otherArms says what the arms that do not roll back would do on their
// own: the experiment's outcome waits for the rollback.
func otherArms(r decision.Result) []string {
	var out []string
	for i, v := range r.Decision.Comparisons {
		if v.Outcome == experiment.Rollback {
			continue
		}
		word := string(v.Outcome)
		if v.HoldKind != decision.NoHold {
			word += " (" + string(v.HoldKind) + ")"
		}
		s := fmt.Sprintf("Arm %s would %s on its own comparison (rule %d): %s.", Clip(v.Arm, capShort), word, v.Rule, Clip(strings.TrimPrefix(v.Reason, v.Arm+": "), capMessage))
		if i < len(r.Report.Comparisons) {
			c := &r.Report.Comparisons[i]
			for gi := range c.Guardrails {
				if g := &c.Guardrails[gi]; g.Flagged() && v.Rule != decision.RuleGuardrailWorsened {
					s += fmt.Sprintf(" Its guardrail %s is %s (%s): look at it as well.", Clip(g.Metric.Label, capShort), g.State, val(g.AbsLift, diffOf(g.Metric.Kind)))
				}
			}
		}
		out = append(out, s+" Re-run the check once the rollback is done before acting on it.")
	}
	return out
}

func rootCause(r decision.Result) actionGroup {
	rep := r.Report
	rc := actionGroup{Title: "Root-cause checklist"}
	for i, v := range r.Decision.Comparisons {
		if v.Outcome != experiment.Rollback || i >= len(rep.Comparisons) {
			continue
		}
		c := &rep.Comparisons[i]
		for gi := range c.Guardrails {
			g := &c.Guardrails[gi]
			if g.Flagged() {
				k := g.Metric.Kind
				rc.Items = append(rc.Items, fmt.Sprintf("Guardrail %s (%s) moved %s in arm %s (%s vs control %s, p = %s): find which code path of %s causes it.",
					Clip(g.Metric.Label, capShort), g.State, val(g.AbsLift, diffOf(k)), Clip(c.Arm, capShort), fmtValue(k, g.TreatmentValue), fmtValue(k, g.ControlValue), pOf(g.PValue), Clip(c.Arm, capShort)))
			}
		}
		if v.Rule == decision.RulePrimaryLoss {
			p := &c.Primary
			rc.Items = append(rc.Items, fmt.Sprintf("%s moved against the desired direction in arm %s (%s, p = %s): check whether %s breaks a step of the flow it measures.",
				Clip(p.Metric.Label, capShort), Clip(c.Arm, capShort), val(p.AbsLift, diffOf(p.Metric.Kind)), pOf(p.PValue), Clip(c.Arm, capShort)))
		}
	}
	rc.Items = append(rc.Items,
		"Check error logs, crash reports and latency for the rolled-back code path since the start.",
		"Check whether the effect is concentrated in one platform, browser, app version or country.",
		"Check the arm's logging: a double-logged or missing event looks like a metric change.",
		"Once done, write down the cause and set status: concluded in experiment.yaml; re-test behind a new experiment id.",
	)
	return rc
}

// ---- Blocked (rule 1) ----

func blockedActions(r decision.Result) []actionGroup {
	rep := r.Report
	title := "Data fixes, each at its location"
	if r.Decision.HoldKind == decision.Investigate {
		title = "Findings to investigate, each at its location"
	}
	g := actionGroup{Title: title, Ordered: true}
	srmSevere := false
	for _, is := range orderedIssues(rep.Health.Issues) {
		if is.Severity != experiment.SeverityBlocked {
			continue
		}
		g.Items = append(g.Items, issueFix(is))
		if is.Code == experiment.CodeSRMSevere {
			srmSevere = true
		}
	}
	g.Items = append(g.Items, "Re-run the check after the fixes; nothing is analyzed until the health check passes.")
	out := []actionGroup{g}
	if srmSevere {
		out = append(out, actionGroup{Title: "Assignment and logging checks", Ordered: true, Items: srmChecks()})
	}
	return out
}

// issueFix is one blocking issue as a fix at its location.
func issueFix(is experiment.Issue) string {
	loc := Clip(is.Location(), capPath)
	if loc == "" {
		loc = "(no location)"
	}
	s := fmt.Sprintf("%s: %s (%s)", loc, Clip(is.Message, capMessage), Clip(is.Code, capShort))
	if is.Code == experiment.CodeDataRewritten || is.Code == experiment.CodePlanChanged {
		s += "; if the change is intended, say why in amendment: (it then becomes a warning), else restore the earlier files"
	}
	return s + "."
}

func srmChecks() []string {
	return []string{
		"Check that the split in experiment.yaml matches the assignment service's configuration for every arm.",
		"Compare daily users per arm to find the day the mismatch began, and the releases around it.",
		"Check that every arm logs exposure at the same point: a redirect, crash or slow page in one arm loses users before they are counted.",
		"Check bot and internal-traffic filtering, which may remove users from one arm only.",
		"Once fixed, restart the experiment: data collected under a broken split cannot be repaired.",
	}
}

// ---- Hold ----

// holdActions gives one group per hold kind among the comparisons, the
// experiment's own kind first, so that every arm's verdict has its step.
func holdActions(r decision.Result) []actionGroup {
	kinds := []decision.HoldKind{r.Decision.HoldKind}
	for _, k := range []decision.HoldKind{decision.Investigate, decision.Collect, decision.Stop} {
		if k != r.Decision.HoldKind {
			kinds = append(kinds, k)
		}
	}
	var out []actionGroup
	for _, k := range kinds {
		switch k {
		case decision.Investigate:
			out = append(out, investigateActions(r)...)
		case decision.Collect:
			out = append(out, collectActions(r)...)
		case decision.Stop:
			out = append(out, stopActions(r)...)
		}
	}
	return out
}

// holding returns the comparisons whose verdict is a hold of kind k.
func holding(r decision.Result, k decision.HoldKind) []int {
	var out []int
	for i, v := range r.Decision.Comparisons {
		if v.Outcome == experiment.Hold && v.HoldKind == k && i < len(r.Report.Comparisons) {
			out = append(out, i)
		}
	}
	return out
}

func investigateActions(r decision.Result) []actionGroup {
	var out []actionGroup
	idx := holding(r, decision.Investigate)
	srm := false
	inv := actionGroup{Title: "Investigate the worsened guardrails"}
	gain := false
	for _, i := range idx {
		if r.Decision.Comparisons[i].Rule == decision.RuleSRM {
			srm = true // its worsened guardrails, if any, are listed too
		}
		c := &r.Report.Comparisons[i]
		gain = gain || c.Primary.Significant && c.Primary.Improved()
		for gi := range c.Guardrails {
			g := &c.Guardrails[gi]
			if g.State != analysis.StateWorsened {
				continue
			}
			k := g.Metric.Kind
			inv.Items = append(inv.Items, fmt.Sprintf("%s in arm %s: %s vs control %s (%s, beyond the worsened margin %s, p = %s): find what in %s drives it, and whether it is concentrated in one platform or page.",
				Clip(g.Metric.Label, capShort), Clip(c.Arm, capShort), fmtValue(k, g.TreatmentValue), fmtValue(k, g.ControlValue), val(g.AbsLift, diffOf(k)),
				format.Margin(k, g.Metric.Worsened, g.WorsenedMargin), pOf(g.PValue), Clip(c.Arm, capShort)))
		}
		inv.Items = append(inv.Items, segmentInvestigate(r.Report, i)...)
	}
	if srm {
		out = append(out, actionGroup{Title: "Assignment and logging checks", Ordered: true, Items: srmChecks()})
	}
	if len(inv.Items) > 0 {
		if gain {
			inv.Items = append(inv.Items, "Decide with the owner whether the primary gain is worth the guardrail cost, or fix the cause and re-test.")
		} else {
			inv.Items = append(inv.Items, "Fix the cause and re-test: the primary metric shows no significant gain to weigh against the harm.")
		}
		out = append(out, inv)
	}
	return out
}

func collectActions(r decision.Result) []actionGroup {
	idx := holding(r, decision.Collect)
	if len(idx) == 0 {
		return nil
	}
	g := actionGroup{Title: "Collect more data"}
	for _, i := range idx {
		g.Items = append(g.Items, collectItems(r, i)...)
	}
	return []actionGroup{g}
}

// collectItems says what one comparison held for more data still needs.
func collectItems(r decision.Result, i int) []string {
	rep := r.Report
	e := rep.Experiment
	c := &rep.Comparisons[i]
	v := r.Decision.Comparisons[i]
	arm := Clip(c.Arm, capShort)
	var out []string
	if v.Rule == decision.RuleNotReady {
		out = append(out, notReadyItems(rep, c)...)
	}
	pw := c.Power
	if pw == nil {
		return append(out, fmt.Sprintf("Arm %s: no sample-size figures are available.", arm))
	}
	out = append(out, requiredSentence(rep, c, pw))
	if need, ok := pw.MDEUsersPerArm(); pw.FromPlan && ok {
		if need > e.Plan.UsersPerArm {
			out = append(out, fmt.Sprintf("The plan is underpowered: its mde of %s needs about %s users per arm for 80%% power, more than plan.users_per_arm %s; raise plan.users_per_arm or accept less power (amendment: records the change).",
				format.Share(pw.MDE.V), format.Count(need), format.Count(e.Plan.UsersPerArm)))
		}
	}
	if pw.Required[0].OK() {
		out = append(out, daysSentence(e, c, pw))
	}
	if v.Rule == decision.RuleNotReady && pw.FromPlan && (pw.Additional[0] > 0 || pw.Additional[1] > 0) {
		out = append(out, fmt.Sprintf("Do not launch %s on this early look: the decision is taken again when the plan is reached.", arm))
	}
	return out
}

// notReadyItems names what rule 6 waits for besides the plan: arms below
// min_users and, under non_inferiority, inconclusive guardrails.
func notReadyItems(rep *analysis.Report, c *analysis.Comparison) []string {
	e := rep.Experiment
	var out []string
	minU := e.Thresholds.MinUsers
	for _, a := range []analysis.Arm{armNamed(rep, c.Control), rep.Arms[c.Index]} {
		if a.Users < minU {
			out = append(out, fmt.Sprintf("Arm %s has %s users, below min_users %s: it needs %s more before %s can launch.",
				Clip(a.Name, capShort), format.Count(a.Users), format.Count(minU), format.Count(minU-a.Users), Clip(c.Arm, capShort)))
		}
	}
	if e.Thresholds.GuardrailPolicy == experiment.NonInferiority {
		for gi := range c.Guardrails {
			g := &c.Guardrails[gi]
			if g.State == analysis.StateInconclusive {
				out = append(out, fmt.Sprintf("Guardrail %s in arm %s is not yet shown within its margin %s (its CI reaches %s): more data narrows the interval (guardrail_policy non_inferiority).",
					Clip(g.Metric.Label, capShort), Clip(c.Arm, capShort), format.Margin(g.Metric.Kind, g.Metric.Worsened, g.WorsenedMargin), harmBound(&g.Result)))
			}
		}
	}
	return out
}

func armNamed(rep *analysis.Report, name string) analysis.Arm {
	for _, a := range rep.Arms {
		if a.Name == name {
			return a
		}
	}
	return analysis.Arm{Name: name}
}

// requiredSentence states the required sample per arm and what is still
// missing, from the comparison's Power (docs/statistics.md#power).
func requiredSentence(rep *analysis.Report, c *analysis.Comparison, pw *analysis.Power) string {
	p := &c.Primary
	k := p.Metric.Kind
	arm, ctl := Clip(c.Arm, capShort), Clip(c.Control, capShort)
	label := Clip(p.Metric.Label, capShort)
	var why string
	switch {
	case pw.FromPlan:
		why = fmt.Sprintf("The plan sets %s users per arm (plan.users_per_arm)", format.Count(int64(pw.Required[0].V)))
	case pw.Basis == analysis.BasisPlanMDE && pw.Required[0].OK():
		why = fmt.Sprintf("To detect the planned mde of %s relative (%s %s → %s) with 80%% power at alpha %s, two-sided, about %s %s and %s %s users are needed",
			format.Share(pw.MDE.V), label, fmtValue(k, p.ControlValue), val(pw.TargetValue, valueOf(k)), alphaStr(p.Alpha),
			format.Count(ceil(pw.Required[0].V)), ctl, format.Count(ceil(pw.Required[1].V)), arm)
	case pw.Basis == analysis.BasisPlanMDE:
		if !pw.MDEAtCurrent.OK() && (k == experiment.KindProportion || !pw.MDEAbsAtCurrent.OK()) {
			return fmt.Sprintf("Arm %s: the planned mde sets no sample size (%s), and no minimum detectable effect can be stated at the current sample (%s).",
				arm, Clip(pw.Required[0].Null, capMessage), Clip(pw.MDEAtCurrent.Null, capMessage))
		}
		return fmt.Sprintf("Arm %s: the planned mde sets no sample size (%s); at the current sample the test detects %s with 80%% power.",
			arm, Clip(pw.Required[0].Null, capMessage), mdeNow(pw, k))
	case !pw.MDEAtCurrent.OK() && (k == experiment.KindProportion || !pw.MDEAbsAtCurrent.OK()):
		why = fmt.Sprintf("Without plan.mde, and with no minimum detectable effect to state (%s): %s, the sample that halves a minimum detectable effect, is about %s %s and %s %s users",
			Clip(pw.MDEAtCurrent.Null, capMessage), halvingSample(rep, p, pw), format.Count(ceil(pw.Required[0].V)), ctl, format.Count(ceil(pw.Required[1].V)), arm)
	default:
		why = fmt.Sprintf("Without plan.mde: at the current sample the test detects %s with 80%% power at alpha %s; %s, about %s %s and %s %s users, would halve that",
			mdeNow(pw, k), alphaStr(p.Alpha), halvingSample(rep, p, pw), format.Count(ceil(pw.Required[0].V)), ctl, format.Count(ceil(pw.Required[1].V)), arm)
	}
	ac, at := pw.Additional[0], pw.Additional[1]
	if ac == 0 && at == 0 {
		return fmt.Sprintf("Arm %s: %s; both arms already hold it.", arm, why)
	}
	return fmt.Sprintf("Arm %s: %s; still needed: %s more %s and %s more %s users.", arm, why, format.Count(ac), ctl, format.Count(at), arm)
}

// mdeNow is the minimum detectable effect at the current sample.
func mdeNow(pw *analysis.Power, k experiment.Kind) string {
	switch {
	case pw.MDEAtCurrent.OK():
		return "a relative change of " + format.Share(pw.MDEAtCurrent.V)
	case pw.MDEAbsAtCurrent.OK() && k != experiment.KindProportion: // analysis leaves it zero (not null) for proportions
		return "an absolute change of " + strings.TrimPrefix(fmtDiff(k, pw.MDEAbsAtCurrent.V), "+") + " (" + Clip(pw.MDEAtCurrent.Null, capMessage) + ")"
	}
	return "an effect that cannot be stated (" + Clip(pw.MDEAtCurrent.Null, capMessage) + ")"
}

// daysSentence turns the additional users into whole days at the observed
// or planned traffic, and says when that is not feasible.
func daysSentence(e *experiment.Experiment, c *analysis.Comparison, pw *analysis.Power) string {
	if !pw.Days.OK() {
		return fmt.Sprintf("The days this takes are unknown: %s.", Clip(pw.Days.Null, capMessage))
	}
	traffic := "the observed traffic"
	if e.Days() == 0 {
		traffic = "the planned traffic (plan.daily_users)"
	}
	d := int64(pw.Days.V)
	if d == 0 {
		return "No more days are needed for the sample."
	}
	s := fmt.Sprintf("At %s that takes about %s more %s", traffic, format.Count(d), plural(int(min(d, 2)), "day", "days"))
	if feasible, _ := pw.Feasible(); !feasible {
		return s + fmt.Sprintf(": not feasible at this traffic (more than %d days); consider %s.", analysis.FeasibleDays, remedies(c.Primary.CUPED != nil))
	}
	return s + "."
}

func ceil(x float64) int64 {
	if x >= 1e15 {
		return 1e15
	}
	return int64(math.Ceil(x))
}

// stopActions concludes the comparisons whose required sample is reached
// without a significant primary, saying what their interval rules out.
func stopActions(r decision.Result) []actionGroup {
	idx := holding(r, decision.Stop)
	if len(idx) == 0 {
		return nil
	}
	g := actionGroup{Title: "Conclude"}
	for _, i := range idx {
		c := &r.Report.Comparisons[i]
		g.Items = append(g.Items, stopItem(c))
	}
	if r.Decision.HoldKind == decision.Stop {
		g.Items = append(g.Items, "Set status: concluded in experiment.yaml, recording that the primary metric did not move significantly at the required sample.")
	}
	return []actionGroup{g}
}

func stopItem(c *analysis.Comparison) string {
	p := &c.Primary
	k := p.Metric.Kind
	arm := Clip(c.Arm, capShort)
	pw := c.Power
	s := fmt.Sprintf("Arm %s: the required sample", arm)
	if pw != nil && pw.Required[0].OK() {
		s += fmt.Sprintf(" (%s %s, %s %s users)", format.Count(ceil(pw.Required[0].V)), Clip(c.Control, capShort), format.Count(ceil(pw.Required[1].V)), arm)
	}
	s += fmt.Sprintf(" is reached and %s did not move significantly (p = %s", Clip(p.Metric.Label, capShort), pOf(p.PValue))
	if p.PValue.OK() {
		s += " ≥ " + alphaStr(p.Alpha)
	}
	s += ")."
	if !p.CILow.OK() || !p.CIHigh.OK() {
		return s + " Its interval is undefined (" + Clip(p.CILow.Null, capMessage) + "), so nothing is ruled out."
	}
	d := diffOf(k)
	s += fmt.Sprintf(" Its %s CI, %s to %s, rules out (at that level) a difference above %s or below %s",
		confidence(p.Alpha), d(p.CILow.V), d(p.CIHigh.V), d(p.CIHigh.V), d(p.CILow.V))
	if pw != nil && pw.TargetValue.OK() && pw.MDERequired[0].OK() { // a control value of 0 plans no effect
		eff := pw.TargetValue.V - p.ControlValue
		if eff < p.CILow.V || eff > p.CIHigh.V {
			s += fmt.Sprintf(", including the planned effect of %s", d(eff))
		} else {
			s += fmt.Sprintf("; the planned effect of %s still lies inside it", d(eff))
		}
	}
	return s + "."
}
