package memo

import (
	"fmt"
	"math"
	"math/big"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
)

// risks lists what weakens the evidence
// (docs/memo.md#risks-and-limitations), generated from the report.
// Strings are plain text; templates escape them.
func risks(r decision.Result) []string {
	rep := r.Report
	e := rep.Experiment
	th := e.Thresholds
	var out []string
	switch {
	case rep.Health.Status == analysis.Blocked:
		out = append(out, "The health check is blocked, so nothing was analyzed: the numbers below the health section are absent, not zero.")
	case e.Status == experiment.StatusPlanned:
		out = append(out, "The experiment is planned: nothing was analyzed yet.")
	}
	for _, is := range rep.Health.Issues {
		switch is.Code {
		case experiment.CodeSRM, experiment.CodeSRMSevere:
			out = append(out, fmt.Sprintf("Sample ratio mismatch (%s): users are not split as expected, so the arms may differ in who they contain and every metric may be biased.", srmP(rep)))
		case experiment.CodeSmallSample:
			out = append(out, "Small sample: "+Clip(is.Message, capMessage)+".")
		}
	}
	if e.Status == experiment.StatusConcluded {
		out = append(out, "The experiment is concluded: its decision is on record and never fails a check.")
	}
	p := rep.Primary
	if !rep.Analyzed || p == nil {
		return out
	}
	out = append(out, "The input is aggregated per arm: there is no per-user variance, so no CUPED variance reduction, no segment cuts and no check for novelty or day-of-week effects.")
	out = append(out, fmt.Sprintf("The primary metric was tested with %s, two-sided, at alpha %s; the %s CI of the absolute lift is %s, the relative lift's CI uses the delta method.",
		testPhrase(p.Test), th.Alpha, confidence(th.Alpha), ciName(p.CIMethod)))
	if p.Test == analysis.TestFisher {
		out = append(out, "An expected cell of the primary's 2×2 table is below 5, so Fisher's exact test was used: the sample is small and the result is fragile.")
	}
	if ex, known := p.CIExcludesZero(); known && finite(p.PValue) != nil && ex != p.Significant {
		if ex {
			out = append(out, fmt.Sprintf("The CI of the absolute lift excludes 0 but p = %s is not below alpha %s: the interval and the test disagree, so the result is borderline.", fp(p.PValue), th.Alpha))
		} else {
			out = append(out, fmt.Sprintf("p = %s is below alpha %s but the CI of the absolute lift includes 0: the interval and the test disagree, so the result is borderline.", fp(p.PValue), th.Alpha))
		}
	}
	if plan := e.Plan.UsersPerArm; plan > 0 && (p.ControlUsers < plan || p.TreatmentUsers < plan) {
		out = append(out, fmt.Sprintf("The planned sample of %s users per arm is not reached (control %s, treatment %s): looking early inflates the false-positive rate.",
			group(plan), group(p.ControlUsers), group(p.TreatmentUsers)))
	}
	for _, l := range nullLines(p.Nulls) {
		out = append(out, "Primary "+l+".")
	}
	for _, g := range rep.Guardrails {
		label := Clip(g.Label, capShort)
		if g.Type == experiment.MetricEvents {
			out = append(out, fmt.Sprintf("Guardrail %s counts events per user; the Poisson test assumes independent events, so users with many events make its p-value too small.", label))
		}
		if g.Test == analysis.TestFisher {
			out = append(out, fmt.Sprintf("Guardrail %s has few events, so Fisher's exact test was used.", label))
		}
		for _, l := range nullLines(g.Nulls) {
			out = append(out, fmt.Sprintf("Guardrail %s: %s.", label, l))
		}
	}
	if n := len(rep.Guardrails); n > 1 {
		out = append(out, fmt.Sprintf("%d guardrails are each tested at alpha %s with no multiplicity correction: one of them looking worse by chance is more likely than alpha.", n, th.Alpha))
	}
	if pw := p.Power; pw != nil && pw.AdditionalControl != nil && pw.AdditionalDays == nil && r.Decision.Outcome == experiment.Hold {
		out = append(out, "Start and end dates are not both set, so the days needed for more data cannot be estimated.")
	}
	return out
}

func srmP(rep *analysis.Report) string {
	if rep.Health.SRM == nil {
		return "p n/a"
	}
	return "p = " + fp(&rep.Health.SRM.PValue)
}

// actions lists the next actions by outcome (docs/memo.md#next-actions).
func actions(r decision.Result) []actionGroup {
	rep := r.Report
	e := rep.Experiment
	switch KindOf(r) {
	case kindLaunch:
		return launchActions(rep)
	case kindRollback:
		return rollbackActions(r)
	case kindBlocked:
		return []actionGroup{blockedFixes(rep)}
	case kindHold:
		return holdActions(r)
	}
	if e.Status == experiment.StatusPlanned {
		return []actionGroup{{Title: "Before analysis", Items: []string{
			"Collect data into " + Clip(e.DataFile, capPath) + " (one control and one treatment row).",
			"Set status: running in experiment.yaml so that the experiment is analyzed and gates merges.",
		}}}
	}
	return nil
}

func launchActions(rep *analysis.Report) []actionGroup {
	e := rep.Experiment
	var ramp actionGroup
	if e.Deployment == experiment.DeploymentRolledOut {
		ramp = actionGroup{Title: "Rollout", Items: []string{
			"The change is already rolled out to everyone: no ramp is needed; keep the monitors below running for at least a week.",
		}}
	} else {
		ramp = actionGroup{Title: "Staged rollout", Ordered: true, Items: []string{
			"Ramp the treatment to 5% of traffic and hold 24 hours; check the monitors below.",
			"Ramp to 25% and hold 24 hours.",
			"Ramp to 50% and hold 72 hours, so that a weekend and a weekday are covered.",
			"Ramp to 100%; keep the monitors for a week, then remove the experiment's code path.",
		}}
	}
	mon := actionGroup{Title: "Monitor (alert thresholds)"}
	p := rep.Primary
	mon.Items = append(mon.Items, fmt.Sprintf("%s: expect about %s; investigate if it returns to the control rate %s.",
		Clip(p.Label, capShort), pct(p.TreatmentRate), pct(p.ControlRate)))
	for _, g := range rep.Guardrails {
		mon.Items = append(mon.Items, alertLine(g))
	}
	if len(rep.Guardrails) == 0 {
		mon.Items = append(mon.Items, "No guardrails are declared: add at least an error-rate guardrail before ramping.")
	}
	return []actionGroup{ramp, mon}
}

// alertLine is the monitor for one guardrail: the control rate moved by the
// worsened threshold in the bad direction, and by the severe one.
func alertLine(g analysis.Guardrail) string {
	sign, dir := 1.0, "rises above"
	if g.Desired == experiment.Increase {
		sign, dir = -1, "falls below"
	}
	w := g.ControlRate + sign*g.WorsenedThreshold.Float64()
	s := g.ControlRate + sign*g.SevereThreshold.Float64()
	w, s = math.Max(0, w), math.Max(0, s)
	return fmt.Sprintf("%s: alert if it %s %s (control %s %s the worsened threshold %s); roll back if it %s %s (severe threshold %s).",
		Clip(g.Label, capShort), dir, rateIn(g.Type, w), rateIn(g.Type, g.ControlRate), map[bool]string{true: "+", false: "−"}[sign > 0],
		g.FormatThreshold(g.WorsenedThreshold), dir, rateIn(g.Type, s), g.FormatThreshold(g.SevereThreshold))
}

func rollbackActions(r decision.Result) []actionGroup {
	rep := r.Report
	e := rep.Experiment
	now := actionGroup{Title: "Immediately", Ordered: true}
	if e.Deployment == experiment.DeploymentRolledOut {
		now.Items = []string{
			"Revert or disable the shipped change now: turn its flag off or revert the release that shipped it.",
			"Confirm after the revert that the metrics below return to their control rates.",
			"Tell the owner and on-call that the change was reverted, linking this memo.",
		}
	} else {
		now.Items = []string{
			"Set the treatment's traffic to 0% now, so every user gets control.",
			"Keep the assignment and logging running so that the recovery shows in the data; do not delete the experiment.",
			"Tell the owner that the experiment was stopped, linking this memo.",
		}
	}
	rc := actionGroup{Title: "Root-cause checklist"}
	for _, g := range rep.Guardrails {
		if g.Severe {
			rc.Items = append(rc.Items, fmt.Sprintf("Guardrail %s moved %s (treatment %s vs control %s, p = %s): find which code path in the treatment causes it.",
				Clip(g.Label, capShort), fmtDelta(g), rateIn(g.Type, g.TreatmentRate), rateIn(g.Type, g.ControlRate), fp(g.PValue)))
		}
	}
	if r.Decision.Rule == 4 && rep.Primary != nil {
		p := rep.Primary
		rc.Items = append(rc.Items, fmt.Sprintf("%s moved against the desired direction (%s): check whether the treatment breaks a step of the flow it measures.",
			Clip(p.Label, capShort), fmtPP(p.AbsLift)))
	}
	rc.Items = append(rc.Items,
		"Check error logs, crash reports and latency for the treatment's code path since the start.",
		"Check whether the effect is concentrated in one platform, browser, app version or country.",
		"Check the treatment's logging: a double-logged or missing event looks like a metric change.",
		"Write down the cause and the fix before re-testing; re-test behind a new experiment id.",
	)
	return []actionGroup{now, rc}
}

func blockedFixes(rep *analysis.Report) actionGroup {
	g := actionGroup{Title: "Data fixes, each at its location", Ordered: true}
	for _, is := range orderedIssues(rep.Health.Issues) {
		loc := Clip(is.Location(), capPath)
		if loc == "" {
			loc = "(no location)"
		}
		g.Items = append(g.Items, fmt.Sprintf("%s: %s (%s, %s)", loc, Clip(is.Message, capMessage), is.Severity, Clip(is.Code, capShort)))
	}
	for _, is := range rep.Health.Issues {
		if is.Code == experiment.CodeSRMSevere {
			g.Items = append(g.Items, srmChecks()...)
			break
		}
	}
	g.Items = append(g.Items, "Re-run the check after the fixes; nothing is analyzed until the health check passes.")
	return g
}

func srmChecks() []string {
	return []string{
		"Check that the split in experiment.yaml matches the assignment service's configuration.",
		"Compare daily users per arm to find the day the mismatch began, and the releases around it.",
		"Check that both arms log exposure at the same point: a redirect, crash or slow page in one arm loses users before they are counted.",
		"Check bot and internal-traffic filtering, which may remove users from one arm only.",
		"Once fixed, restart the experiment: data collected under a broken split cannot be repaired.",
	}
}

func holdActions(r decision.Result) []actionGroup {
	rep := r.Report
	e := rep.Experiment
	p := rep.Primary
	var out []actionGroup
	switch r.Decision.Rule {
	case 2:
		out = append(out, actionGroup{Title: "Assignment and logging checks", Ordered: true, Items: srmChecks()})
		return out
	case 5:
		inv := actionGroup{Title: "Investigate the worsened guardrails"}
		for _, g := range rep.Guardrails {
			if g.Worsened {
				inv.Items = append(inv.Items, fmt.Sprintf("%s: treatment %s vs control %s (%s, p = %s): find what in the treatment drives it, and whether it is concentrated in one platform or page.",
					Clip(g.Label, capShort), rateIn(g.Type, g.TreatmentRate), rateIn(g.Type, g.ControlRate), fmtDelta(g), fp(g.PValue)))
			}
		}
		inv.Items = append(inv.Items, "Decide with the owner whether the primary gain is worth the guardrail cost, or fix the cause and re-test.")
		out = append(out, inv)
	case 6:
		plan := e.Plan.UsersPerArm
		item := fmt.Sprintf("Keep running until both arms reach the planned %s users (control needs %s more, treatment %s more).",
			group(plan), group(max(0, plan-p.ControlUsers)), group(max(0, plan-p.TreatmentUsers)))
		if days := e.Days(); days > 0 {
			dc := float64(max(0, plan-p.ControlUsers)) / (float64(p.ControlUsers) / float64(days))
			dt := float64(max(0, plan-p.TreatmentUsers)) / (float64(p.TreatmentUsers) / float64(days))
			item += fmt.Sprintf(" At the observed traffic that is about %s more days.", daysStr(math.Max(dc, dt)))
		}
		out = append(out, actionGroup{Title: "Finish the plan", Items: []string{item, "Do not launch on this peek: the decision is re-taken when the plan is reached."}})
		return out
	}
	if p != nil && p.Power != nil {
		out = append(out, powerActions(e, p))
	}
	return out
}

func powerActions(e *experiment.Experiment, p *analysis.Primary) actionGroup {
	pw := p.Power
	g := actionGroup{Title: "What would settle it"}
	effect := fmt.Sprintf("the observed effect (%s → %s)", pct(p.ControlRate), pct(pw.TargetRate))
	if pw.Basis == "plan" && e.Plan.MDE != nil {
		effect = fmt.Sprintf("the planned MDE of %.4g%% relative (%s → %s)", fnum(*e.Plan.MDE*100), pct(p.ControlRate), pct(pw.TargetRate))
	}
	if pw.AdditionalControl == nil || pw.AdditionalTreatment == nil {
		why := pw.Reason
		if why == "" {
			why = "the required sample size is undefined"
		}
		g.Items = append(g.Items, fmt.Sprintf("No sample size gives 80%% power here: %s. More data alone will not settle it; decide on other grounds or set plan.mde.", Clip(why, capMessage)))
		return g
	}
	ac, at := *pw.AdditionalControl, *pw.AdditionalTreatment
	if ac == 0 && at == 0 {
		g.Items = append(g.Items, fmt.Sprintf("The sample already has 80%% power to detect %s at alpha %s: a non-significant result means the true effect is probably smaller than that. Consider stopping.",
			effect, e.Thresholds.Alpha))
		return g
	}
	item := fmt.Sprintf("To detect %s with 80%% power at alpha %s (two-sided), collect about %s more control users and %s more treatment users",
		effect, e.Thresholds.Alpha, group(ac), group(at))
	if pw.RequiredControl != nil && pw.RequiredTreatment != nil {
		item += fmt.Sprintf(" (%s and %s in total)", group(ceilInt(*pw.RequiredControl)), group(ceilInt(*pw.RequiredTreatment)))
	}
	item += "."
	g.Items = append(g.Items, item)
	if d := finite(pw.AdditionalDays); d != nil {
		g.Items = append(g.Items, fmt.Sprintf("At the observed traffic that takes about %s more days.", daysStr(*d)))
	} else {
		g.Items = append(g.Items, "Set start and end in experiment.yaml to estimate how many days that takes.")
	}
	if pw.Basis == "observed" {
		g.Items = append(g.Items, "The target is the observed effect, which is noisy; set plan.mde to size the test for the smallest effect worth launching.")
	}
	return g
}

func ceilInt(x float64) int64 {
	if x >= math.MaxInt64/2 {
		return math.MaxInt64 / 2
	}
	return int64(math.Ceil(x))
}

func daysStr(d float64) string {
	if d >= 1e6 {
		return "1,000,000+"
	}
	r := new(big.Float).SetFloat64(math.Ceil(d*10) / 10)
	return r.Text('f', 1)
}
