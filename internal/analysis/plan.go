package analysis

import (
	"fmt"
	"math"
	"sort"

	"github.com/experimentos/experimentos/internal/experiment"
)

// PlannedComparison is the planning calculator's figures for one arm
// against the control of a planned experiment, before any data exists
// (docs/statistics.md#power): the users per arm plan.mde needs from
// plan.baseline (and plan.baseline_sd), at the primary's α′ and the
// expected split, and the days they take at plan.daily_users.
type PlannedComparison struct {
	Arm, Control string
	// Shares are the expected traffic shares (control, arm).
	Shares [2]float64
	// Alpha is the primary's α′ = α/(k − 1).
	Alpha experiment.Decimal
	Power *Power
}

// planned returns the planning figures of a planned experiment with
// plan.baseline and plan.mde, one per non-control arm; nil otherwise. The
// arms are the data's when rows were read, else the split's labels, else a
// control and one treatment arm with equal shares.
func planned(e *experiment.Experiment, arms []Arm) []PlannedComparison {
	if e.Plan.Baseline == nil || e.Plan.MDE == nil {
		return nil
	}
	names, shares, ctl := plannedArms(e, arms)
	k := int64(len(names))
	if k < 2 {
		return nil
	}
	alpha := e.Thresholds.Alpha.DivInt(k - 1)
	var out []PlannedComparison
	for i := range names {
		if i == ctl {
			continue
		}
		w := [2]float64{shares[ctl], shares[i]}
		if !(w[0] > 0 && w[1] > 0) {
			continue
		}
		out = append(out, PlannedComparison{Arm: names[i], Control: names[ctl], Shares: w, Alpha: alpha,
			Power: plannedPower(e, &e.Primary, alpha, w)})
	}
	return out
}

// plannedArms names the arms, their expected shares and the control's index.
func plannedArms(e *experiment.Experiment, arms []Arm) (names []string, shares []float64, ctl int) {
	if len(arms) > 0 {
		for i, a := range arms {
			names, shares = append(names, a.Name), append(shares, a.ExpectedShare)
			if a.Control {
				ctl = i
			}
		}
		return names, shares, ctl
	}
	control := e.Control
	if control == "" {
		control = "control"
	}
	if len(e.Split) < 2 {
		return []string{control, "treatment"}, []float64{0.5, 0.5}, 0
	}
	names = append(names, control)
	var rest []string
	for name := range e.Split {
		if name != control {
			rest = append(rest, name)
		}
	}
	sort.Strings(rest)
	names = append(names, rest...)
	total := 0.0
	for _, n := range names {
		total += e.Split[n]
	}
	for _, n := range names {
		shares = append(shares, e.Split[n]/total)
	}
	return names, shares, 0
}

// plannedPower is the requirement of plan.mde at plan.baseline: the
// control value is the baseline, and both arms' per-user variance is
// plan.baseline_sd² (a proportion's follows from its rate by Cohen's h; an
// events metric without baseline_sd is taken as Poisson, variance = rate).
func plannedPower(e *experiment.Experiment, m *experiment.Metric, alpha experiment.Decimal, w [2]float64) *Power {
	base := *e.Plan.Baseline
	size := math.Abs(*e.Plan.MDE)
	sign := 1.0
	if m.Desired == experiment.Decrease {
		sign = -1
	}
	noSample := undefined("no data yet: the planned experiment has no current sample")
	pw := &Power{Basis: BasisPlanMDE, MDE: defined(size), TargetValue: defined(base * (1 + sign*size)),
		MDEAtCurrent: noSample, MDEAbsAtCurrent: noSample}
	r := &Result{Metric: m, Alpha: alpha, ControlValue: base, TreatmentValue: base}
	var v float64
	switch {
	case m.Kind == experiment.KindProportion:
		v = base * (1 - base)
	case e.Plan.BaselineSD != nil:
		v = *e.Plan.BaselineSD * *e.Plan.BaselineSD
	case m.Kind == experiment.KindEvents:
		v = base
	default:
		why := fmt.Sprintf("a %s primary needs plan.baseline_sd (the expected per-user standard deviation) for its sample size", m.Kind)
		pw.MDERequired = [2]Value{undefined(why), undefined(why)}
	}
	if pw.MDERequired[0].Null == "" {
		nc, nt, why := mdeRequirement(r, v, v, pw.TargetValue.V, alpha.Float64(), w, sequentialPower(e))
		if why != "" {
			pw.MDERequired = [2]Value{undefined(why), undefined(why)}
		} else {
			pw.MDERequired = [2]Value{defined(nc), defined(nt)}
		}
	}
	if n := e.Plan.UsersPerArm; n > 0 {
		pw.Required, pw.FromPlan = [2]Value{defined(float64(n)), defined(float64(n))}, true
	} else {
		pw.Required = pw.MDERequired
	}
	if !pw.Required[0].OK() {
		pw.Days = undefined(pw.Required[0].Null)
		return pw
	}
	for i := range pw.Additional {
		pw.Additional[i] = additional(pw.Required[i].V, 0)
	}
	if e.Plan.DailyUsers <= 0 {
		pw.Days = undefined("no traffic rate is known: set plan.daily_users")
		return pw
	}
	perDay := [2]float64{float64(e.Plan.DailyUsers) * w[0], float64(e.Plan.DailyUsers) * w[1]}
	pw.Days = daysAt(pw.Additional, perDay)
	return pw
}

// plannedIssues returns plan_underpowered for a planned experiment whose
// plan.users_per_arm is below what its mde needs at plan.baseline.
func plannedIssues(e *experiment.Experiment, ps []PlannedComparison) []experiment.Issue {
	cmps := make([]Comparison, len(ps))
	for i, p := range ps {
		cmps[i] = Comparison{Arm: p.Arm, Control: p.Control, Power: p.Power}
	}
	return planIssues(e, cmps)
}
