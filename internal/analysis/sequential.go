package analysis

import (
	"fmt"

	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/stats"
)

// DefaultSequentialTuning is N* when neither thresholds.sequential_tuning
// nor plan.users_per_arm sets it (docs/statistics.md#sequential-tests).
const DefaultSequentialTuning = 5000

// SequentialTuning is N*, the total users of two arms the confidence
// sequence is tuned for: thresholds.sequential_tuning when set, else
// 2 × plan.users_per_arm when the plan sets it, else
// DefaultSequentialTuning (docs/statistics.md#sequential-tests).
func SequentialTuning(e *experiment.Experiment) int64 {
	switch {
	case e.Thresholds.SequentialTuning > 0:
		return e.Thresholds.SequentialTuning
	case e.Plan.UsersPerArm > 0:
		return 2 * e.Plan.UsersPerArm
	}
	return DefaultSequentialTuning
}

// sequentialFixedEstimate is the fixed-horizon estimate whose point
// estimate and standard errors the confidence sequence widens
// (docs/statistics.md#sequential-tests): the one the kind's estimator made
// (Welch's for mean, ratio and events-with-squares metrics, the normal
// approximation with se √(x_t/n_t² + x_c/n_c²) for Poisson events), and
// for a proportion the normal approximation with the unpooled se
// √(p_t(1−p_t)/n_t + p_c(1−p_c)/n_c). ok is false for a result without
// one: a ratio whose denominator sums to 0.
func sequentialFixedEstimate(p pair, r *Result) (stats.Estimate, bool) {
	if p.m.Kind == experiment.KindProportion {
		pt, pc := r.TreatmentValue, r.ControlValue
		return stats.NormalDiff(stats.Summary{N: p.t.Users, Mean: pt, Var: pt * (1 - pt)}, stats.Summary{N: p.c.Users, Mean: pc, Var: pc * (1 - pc)}, p.alpha), true
	}
	if r.fixed == nil {
		return stats.Estimate{}, false
	}
	return *r.fixed, true
}

// sequential replaces the result's p-value and intervals, relative included,
// by those of the asymptotic confidence sequence at the result's own level
// (docs/statistics.md#sequential-tests); the test is then `sequential`. A
// CUPED result's adjusted and unadjusted comparisons both become
// sequential.
func sequential(p pair, r *Result) {
	n := p.t.Users + p.c.Users
	tuning := float64(SequentialTuning(p.e))
	seq := func(e stats.Estimate) stats.Estimate { return stats.Sequential(e, n, tuning, p.alpha) }
	r.Test, r.Sequential = TestSequential, true
	if cu := r.CUPED; cu != nil {
		cupedFill(p, r, seq(cu.adjusted), seq(cu.unadjusted))
		return
	}
	if p.m.CUPED {
		return // the adjustment could not be computed: its nulls and reason stand
	}
	est, ok := sequentialFixedEstimate(p, r)
	if !ok {
		return // no estimate (a ratio's denominator sums to 0): the nulls and their reason stand
	}
	if p.m.Kind == experiment.KindProportion && stats.UseFisher(p.mt.Count, p.t.Users, p.mc.Count, p.c.Users) {
		r.Note = "Cochran's rule would call for Fisher's exact test (an expected cell of the 2×2 table is below 5), which has no sequential form: the asymptotic confidence sequence is approximate at so few events"
		r.smallCells = true
	}
	fromEstimate(r, seq(est), p, true)
}

// sequentialIssues raises small_sample for each proportion result whose
// sequential interval stands in for Fisher's exact test
// (docs/statistics.md#sequential-tests).
func sequentialIssues(e *experiment.Experiment, cmps []Comparison) []experiment.Issue {
	var out []experiment.Issue
	add := func(arm string, line int, r *Result) {
		if !r.smallCells {
			return
		}
		col := r.Metric.Columns[experiment.RoleCount]
		out = append(out, experiment.Issue{Severity: experiment.SeverityWarning, Code: experiment.CodeSmallSample,
			File: e.DataFile, Line: line, Column: col, Col: e.Data.Columns[col],
			Message: fmt.Sprintf("metric %s, arm %s: an expected cell of the 2×2 table against the control is below 5, where Fisher's exact test would apply; the sequential interval is asymptotic and only approximate here", r.Metric.Name, arm)})
	}
	for ci := range cmps {
		c := &cmps[ci]
		line := e.Data.Arms[c.Index].Line
		add(c.Arm, line, &c.Primary)
		for gi := range c.Guardrails {
			add(c.Arm, line, &c.Guardrails[gi].Result)
		}
		for si := range c.Secondary {
			add(c.Arm, line, &c.Secondary[si])
		}
	}
	return out
}
