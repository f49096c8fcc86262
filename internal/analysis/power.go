package analysis

import (
	"fmt"
	"math"

	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/stats"
)

// Power bases (docs/statistics.md#power).
const (
	BasisPlanMDE       = "plan_mde"       // plan.mde sets the effect to detect
	BasisCurrentSample = "current_sample" // no mde: the effect detectable now
)

// FeasibleDays is the longest wait the memo calls feasible.
const FeasibleDays = 90

// Power is the primary metric's sample-size figures for one comparison,
// for 80% power, two-sided at the primary's α′ (docs/statistics.md#power).
// Power is never computed for the observed effect.
type Power struct {
	Basis string
	// MDE is plan.mde (its size) and TargetValue the control value moved by
	// it in the desired direction; null for BasisCurrentSample.
	MDE, TargetValue Value
	// MDEAtCurrent is the relative change detectable with 80% power at the
	// current sample; null when the control value is 0 (MDEAbsAtCurrent
	// then says it in absolute terms).
	MDEAtCurrent, MDEAbsAtCurrent Value
	// MDERequired is what plan.mde needs per arm (control, treatment);
	// null without an mde or when it is undefined.
	MDERequired [2]Value
	// Required is the sample the advice aims at per arm (control,
	// treatment): plan.users_per_arm when the plan sets it, else the mde's
	// requirement, else (BasisCurrentSample) the sample that would halve
	// the minimum detectable effect, four times the current one.
	Required [2]Value
	// FromPlan is true when Required is plan.users_per_arm.
	FromPlan bool
	// Additional is max(0, ⌈required⌉ − observed) per arm.
	Additional [2]int64
	// Days is the whole days the additional users take at the observed
	// (dates known) or planned traffic, the slower arm deciding; null when
	// no traffic rate is known.
	Days Value
	// Reached is true when both arms hold the required sample of the plan
	// or the mde (never for BasisCurrentSample without a plan).
	Reached bool
}

// Feasible reports whether the additional users take at most FeasibleDays,
// and whether that is known.
func (p *Power) Feasible() (feasible, known bool) {
	if !p.Days.OK() {
		return false, false
	}
	return p.Days.V <= FeasibleDays, true
}

// maxUsers caps required samples so that they convert to int64.
const maxUsers = 1e15

func power(e *experiment.Experiment, r *Result, t, c *experiment.Row, w [2]float64) *Power {
	noMDE := undefined("no plan.mde: the minimum detectable effect at the current sample is reported instead")
	pw := &Power{Basis: BasisCurrentSample, MDE: noMDE, TargetValue: noMDE, MDERequired: [2]Value{noMDE, noMDE}}
	alpha := r.Alpha.Float64()
	observed := [2]int64{c.Users, t.Users}
	vc, vt := variances(r, t, c)
	seq := sequentialPower(e)
	pw.MDEAtCurrent = mdeAtCurrent(r, vc, vt, c.Users, t.Users, alpha, seq)
	if !cohen(r, seq) {
		pw.MDEAbsAtCurrent = defined(normalMDE(vc, vt, c.Users, t.Users, alpha, seq))
	} else {
		pw.MDEAbsAtCurrent = undefined("a proportion's detectable change is relative (Cohen's h)")
	}
	if mde := e.Plan.MDE; mde != nil {
		pw.Basis = BasisPlanMDE
		size := math.Abs(*mde)
		pw.MDE = defined(size)
		sign := 1.0
		if r.Metric.Desired == experiment.Decrease {
			sign = -1
		}
		target := r.ControlValue * (1 + sign*size)
		pw.TargetValue = defined(target)
		nc, nt, why := mdeRequirement(r, vc, vt, target, alpha, w, seq)
		if why != "" {
			pw.MDERequired = [2]Value{undefined(why), undefined(why)}
		} else {
			pw.MDERequired = [2]Value{defined(nc), defined(nt)}
		}
	}
	switch {
	case e.Plan.UsersPerArm > 0:
		n := float64(e.Plan.UsersPerArm)
		pw.Required, pw.FromPlan = [2]Value{defined(n), defined(n)}, true
	case pw.Basis == BasisPlanMDE:
		pw.Required = pw.MDERequired
	case seq > 0:
		pw.Required = halvingSample(vc, vt, c.Users, t.Users, alpha, seq)
	default:
		pw.Required = [2]Value{defined(4 * float64(c.Users)), defined(4 * float64(t.Users))}
	}
	if !pw.Required[0].OK() {
		pw.Days = undefined(pw.Required[0].Null)
		return pw
	}
	for i := range pw.Additional {
		pw.Additional[i] = additional(pw.Required[i].V, observed[i])
	}
	pw.Reached = pw.Basis == BasisPlanMDE || pw.FromPlan
	pw.Reached = pw.Reached && pw.Additional[0] == 0 && pw.Additional[1] == 0
	pw.Days = days(e, pw.Additional, observed, w)
	return pw
}

// variances are the per-user variances of the control and the arm, as the
// metric's test sees them: the adjusted variances of a CUPED metric.
func variances(r *Result, t, c *experiment.Row) (vc, vt float64) {
	m := r.Metric
	switch {
	case r.CUPED != nil:
		return r.CUPED.Variances[0], r.CUPED.Variances[1]
	case m.Kind == experiment.KindProportion:
		return r.ControlValue * (1 - r.ControlValue), r.TreatmentValue * (1 - r.TreatmentValue)
	case m.Kind == experiment.KindEvents && !m.Welch():
		return r.ControlValue, r.TreatmentValue
	case m.Kind == experiment.KindRatio:
		sc, _ := ratioSummary(c.Users, c.Moment(m.Name))
		st, _ := ratioSummary(t.Users, t.Moment(m.Name))
		return sc.Var, st.Var
	}
	sum := func(a *experiment.Row) float64 {
		mo := a.Moment(m.Name)
		if m.Kind == experiment.KindEvents {
			return float64(mo.Count)
		}
		return mo.Sum.Float64()
	}
	sc := stats.MeanSummary(c.Users, sum(c), c.Moment(m.Name).SumSquares.Float64())
	st := stats.MeanSummary(t.Users, sum(t), t.Moment(m.Name).SumSquares.Float64())
	return sc.Var, st.Var
}

// mdeAtCurrent is the relative change in the desired direction detectable
// with 80% power at the current sample (by Cohen's h for a proportion's
// own test; by the normal approximation, or the confidence sequence when
// seq (N*) is set, otherwise), or why there is none: a control value of 0,
// or a proportion with no rate that far in the desired direction (a control
// rate of 100% cannot rise).
func mdeAtCurrent(r *Result, vc, vt float64, nc, nt int64, alpha, seq float64) Value {
	if r.ControlValue == 0 {
		return undefined("the control value is 0, so a relative change is undefined")
	}
	prop := r.Metric.Kind == experiment.KindProportion
	up := r.Metric.Desired != experiment.Decrease
	if prop && up && r.ControlValue == 1 {
		return undefined("the control rate is 100%, so no increase is possible")
	}
	tooFar := func() Value {
		if up {
			return undefined("no rate up to 100% is detectable with 80% power at the current sample")
		}
		return undefined("no rate down to 0% is detectable with 80% power at the current sample")
	}
	if !cohen(r, seq) {
		d := normalMDE(vc, vt, nc, nt, alpha, seq)
		if prop && ((up && d > 1-r.ControlValue) || (!up && d > r.ControlValue)) {
			return tooFar() // the detectable change leaves [0, 1]
		}
		return defined(d / math.Abs(r.ControlValue))
	}
	if p1, ok := stats.ProportionMDE(r.ControlValue, nc, nt, alpha, up); ok {
		return defined(math.Abs(p1/r.ControlValue - 1))
	}
	return tooFar()
}

// mdeRequirement is the users per arm (control, treatment) that detect a
// move of the control value to target with 80% power, or why there is none.
func mdeRequirement(r *Result, vc, vt, target, alpha float64, w [2]float64, seq float64) (nc, nt float64, why string) {
	if r.ControlValue == 0 {
		return 0, 0, "the control value is 0, so a relative mde sets no effect to detect"
	}
	if r.Metric.Kind == experiment.KindProportion {
		if target <= 0 || target >= 1 {
			return 0, 0, fmt.Sprintf("the planned rate %.4g is outside (0, 1)", target)
		}
		if r.CUPED == nil {
			// The arm's variance at the planned rate, as Cohen's h has it.
			vc, vt = r.ControlValue*(1-r.ControlValue), target*(1-target)
		}
	}
	delta := math.Abs(target - r.ControlValue)
	if seq > 0 {
		nc, nt, ok := stats.SequentialUsersPerArm(vc, vt, delta, alpha, seq, w[0], w[1])
		if !ok {
			return 0, 0, "every user has the same value (variance 0), so any change is detectable at once"
		}
		return nc, nt, ""
	}
	if cohen(r, seq) {
		nc, nt, ok := stats.PowerUsersPerArm(r.ControlValue, target, alpha, w[0], w[1])
		if !ok {
			return 0, 0, "the planned effect is zero at this control rate"
		}
		return nc, nt, ""
	}
	nc, nt, ok := stats.NormalUsersPerArm(vc, vt, delta, alpha, w[0], w[1])
	if !ok {
		return 0, 0, "every user has the same value (variance 0), so any change is detectable at once"
	}
	return nc, nt, ""
}

// sequentialPower is N* when the primary's power is for the confidence
// sequence (thresholds.sequential), else 0.
func sequentialPower(e *experiment.Experiment) float64 {
	if !e.Thresholds.Sequential {
		return 0
	}
	return float64(SequentialTuning(e))
}

// cohen reports whether the power figures use Cohen's h: a proportion
// compared by its own test, neither CUPED-adjusted (whose variances are no
// longer p(1 − p)) nor sequential.
func cohen(r *Result, seq float64) bool {
	return r.Metric.Kind == experiment.KindProportion && r.CUPED == nil && seq == 0
}

// normalMDE is the absolute change detectable with 80% power at the
// current sample: by the normal approximation, or for the confidence
// sequence when seq (N*) is set.
func normalMDE(vc, vt float64, nc, nt int64, alpha, seq float64) float64 {
	if seq > 0 {
		return stats.SequentialMDE(vc, vt, nc, nt, alpha, seq)
	}
	return stats.NormalMDE(vc, vt, nc, nt, alpha)
}

// halvingSample is the sample per arm (control, treatment) at which the
// confidence sequence detects half the current minimum detectable effect,
// at the current split: more than four times the current sample, since the
// sequence's half-width factor grows with n.
func halvingSample(vc, vt float64, nc, nt int64, alpha, seq float64) [2]Value {
	d := stats.SequentialMDE(vc, vt, nc, nt, alpha, seq)
	rc, rt, ok := stats.SequentialUsersPerArm(vc, vt, d/2, alpha, seq, float64(nc), float64(nt))
	if !ok {
		why := "every user has the same value (variance 0), so any change is detectable at once"
		return [2]Value{undefined(why), undefined(why)}
	}
	return [2]Value{defined(rc), defined(rt)}
}

// additional is max(0, ⌈required⌉ − observed), saturating for absurd
// requirements so that it never overflows.
func additional(required float64, observed int64) int64 {
	c := math.Ceil(math.Min(required, maxUsers))
	return max(0, int64(c)-observed)
}

// days is the whole days the additional users take per arm: at the observed
// users per day when both dates are set, else at plan.daily_users times the
// arm's share; the slower arm decides.
func days(e *experiment.Experiment, add, observed [2]int64, w [2]float64) Value {
	var perDay [2]float64
	switch n := e.Days(); {
	case n > 0:
		for i := range perDay {
			perDay[i] = float64(observed[i]) / float64(n)
		}
	case e.Plan.DailyUsers > 0:
		for i := range perDay {
			perDay[i] = float64(e.Plan.DailyUsers) * w[i]
		}
	default:
		return undefined("no traffic rate is known: set start and end, or plan.daily_users")
	}
	return daysAt(add, perDay)
}

// daysAt is the whole days the additional users take at perDay users a day
// per arm: the slower arm decides.
func daysAt(add [2]int64, perDay [2]float64) Value {
	worst := 0.0
	for i := range add {
		if add[i] > 0 {
			worst = math.Max(worst, math.Ceil(float64(add[i])/perDay[i]))
		}
	}
	return defined(worst)
}

// MDEUsersPerArm is the users per arm plan.mde needs: the larger arm's
// requirement, rounded up (at most maxUsers); false when it is undefined.
func (p *Power) MDEUsersPerArm() (int64, bool) {
	if p == nil || !p.MDERequired[0].OK() || !p.MDERequired[1].OK() {
		return 0, false
	}
	return int64(math.Ceil(math.Min(math.Max(p.MDERequired[0].V, p.MDERequired[1].V), maxUsers))), true
}

// planIssues returns plan_underpowered when plan.users_per_arm cannot detect
// plan.mde with 80% power in some comparison (docs/rules.md#health-check).
func planIssues(e *experiment.Experiment, cmps []Comparison) []experiment.Issue {
	if e.Plan.UsersPerArm == 0 || e.Plan.MDE == nil {
		return nil
	}
	for _, c := range cmps {
		need, ok := c.Power.MDEUsersPerArm()
		if !ok || e.Plan.UsersPerArm >= need {
			continue
		}
		return []experiment.Issue{{
			Severity: experiment.SeverityWarning, Code: experiment.CodePlanUnderpowered,
			File: e.ConfigFile, Line: e.Plan.Line, Col: e.Plan.Col, Column: "plan.users_per_arm",
			Message: fmt.Sprintf("plan.users_per_arm %d cannot detect plan.mde %g%% with 80%% power: that needs about %d users per arm (arm %s against %s)",
				e.Plan.UsersPerArm, math.Abs(*e.Plan.MDE)*100, need, c.Arm, c.Control),
		}}
	}
	return nil
}
