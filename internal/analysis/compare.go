package analysis

import (
	"fmt"
	"math"
	"math/big"

	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/stats"
)

// pair is one metric's data for a comparison: the arm t against the
// control c.
type pair struct {
	e      *experiment.Experiment
	m      *experiment.Metric
	t, c   *experiment.Row
	mt, mc experiment.Moments
	alpha  float64
}

// estimators is the analysis side of the metric-kind table
// (docs/statistics.md#tests): the one place that says which test and
// interval compare each kind.
var estimators = map[experiment.Kind]func(p pair, r *Result){
	experiment.KindProportion: proportion,
	experiment.KindEvents:     events,
	experiment.KindMean:       mean,
	experiment.KindRatio:      ratio,
}

// compare computes metric m for arm t against control c at level alpha.
func compare(e *experiment.Experiment, m *experiment.Metric, t, c *experiment.Row, alpha experiment.Decimal) Result {
	p := pair{e: e, m: m, t: t, c: c, mt: t.Moment(m.Name), mc: c.Moment(m.Name), alpha: alpha.Float64()}
	r := Result{Metric: m, Alpha: alpha, ControlUsers: c.Users, TreatmentUsers: t.Users}
	if sign, ok := exactSign(m, p.mt, t.Users, p.mc, c.Users); ok {
		r.Sign = sign
	}
	if m.CUPED {
		cuped(p, &r)
	} else {
		estimators[m.Kind](p, &r)
	}
	if e.Thresholds.Sequential {
		sequential(p, &r)
	}
	if r.Test != TestWelch {
		r.DF = undefined("the test is not a t-test")
	}
	r.PAdjusted = r.PValue
	r.Significant = r.PValue.OK() && alpha.FloatBelow(r.PValue.V)
	return r
}

// exactSign compares the arms' values exactly, as exactValue's would
// compare: counts and fixed sums by integer products, without big.Rat
// (docs/performance.md#segments); false when a ratio's Σy is 0.
func exactSign(m *experiment.Metric, mt experiment.Moments, nt int64, mc experiment.Moments, nc int64) (int, bool) {
	switch {
	case m.Kind == experiment.KindMean:
		return experiment.CmpQuo(mt.Sum, nt, mc.Sum, nc), true
	case m.Kind != experiment.KindRatio && nt > 0 && nc > 0:
		return experiment.CmpFrac(mt.Count, nt, mc.Count, nc), true
	}
	vt, okT := exactValue(m, mt, nt)
	vc, okC := exactValue(m, mc, nc)
	if !okT || !okC {
		return 0, false
	}
	return vt.Cmp(vc), true
}

// exactValue is the metric's value for one arm in rational arithmetic:
// count/users, Σx/users, or Σx/Σy; false when Σy is 0.
func exactValue(m *experiment.Metric, mo experiment.Moments, users int64) (*big.Rat, bool) {
	switch m.Kind {
	case experiment.KindMean:
		return new(big.Rat).Quo(mo.Sum.Rat(), new(big.Rat).SetInt64(users)), true
	case experiment.KindRatio:
		if mo.DenSum.Sign() == 0 {
			return nil, false
		}
		return new(big.Rat).Quo(mo.Sum.Rat(), mo.DenSum.Rat()), true
	}
	return big.NewRat(mo.Count, users), true
}

func rate(x, n int64) float64 { return float64(x) / float64(n) }

// proportion: Fisher's exact test by Cochran's rule, else the pooled
// z-test; Newcombe or Wald CI; delta-method relative CI
// (docs/statistics.md#proportion-metrics).
func proportion(p pair, r *Result) {
	xt, nt, xc, nc := p.mt.Count, p.t.Users, p.mc.Count, p.c.Users
	r.ControlValue, r.TreatmentValue = rate(xc, nc), rate(xt, nt)
	r.AbsLift = defined(r.TreatmentValue - r.ControlValue)
	if stats.UseFisher(xt, nt, xc, nc) {
		r.Test, r.PValue = TestFisher, defined(stats.FisherExact(xt, nt, xc, nc))
	} else if _, pv, ok := stats.ZTest(xt, nt, xc, nc); ok {
		r.Test, r.PValue = TestZ, defined(pv)
	} else {
		r.Test, r.PValue = TestZ, undefined("every user in both arms has the same outcome (pooled variance 0), so the z-test is undefined")
	}
	if p.e.Thresholds.CIMethod == experiment.CIWald {
		if lo, hi, ok := stats.WaldDiff(xt, nt, xc, nc, p.alpha); ok {
			r.CILow, r.CIHigh = defined(lo), defined(hi)
		} else {
			why := "the Wald interval has zero width: both arms are at a rate of 0 or 1"
			r.CILow, r.CIHigh = undefined(why), undefined(why)
		}
	} else {
		lo, hi := stats.NewcombeDiff(xt, nt, xc, nc, p.alpha)
		r.CILow, r.CIHigh = defined(lo), defined(hi)
	}
	rel, lo, hi, relOK, ciOK := stats.RelLift(xt, nt, xc, nc, p.alpha)
	switch {
	case !relOK:
		why := "the control rate is 0, so a relative lift is undefined"
		r.RelLift, r.RelCILow, r.RelCIHigh = undefined(why), undefined(why), undefined(why)
	case !ciOK:
		why := degenerateRates(xt, nt, xc, nc)
		r.RelLift = defined(rel)
		r.RelCILow, r.RelCIHigh = undefined(why), undefined(why)
	default:
		r.RelLift = defined(rel)
		r.RelCILow, r.RelCIHigh = relCI(lo, hi)
	}
}

// degenerateRates says why the delta-method variance of a relative lift of
// two rates is 0: every user in each arm has the same outcome.
func degenerateRates(xt, nt, xc, nc int64) string {
	state := func(x, n int64) string {
		if x == 0 {
			return "0%"
		}
		return "100%"
	}
	return fmt.Sprintf("both arms' rates are degenerate (treatment %s, control %s), so the delta-method variance is 0", state(xt, nt), state(xc, nc))
}

// events: the exact conditional binomial test of two Poisson rates, a Wald
// CI of the rate difference and its relative CI; with a sum-of-squares
// column, Welch's test on the per-user counts instead
// (docs/statistics.md#events-metrics).
func events(p pair, r *Result) {
	xt, nt, xc, nc := p.mt.Count, p.t.Users, p.mc.Count, p.c.Users
	r.ControlValue, r.TreatmentValue = rate(xc, nc), rate(xt, nt)
	if p.m.Welch() {
		st := stats.MeanSummary(nt, float64(xt), p.mt.SumSquares.Float64())
		sc := stats.MeanSummary(nc, float64(xc), p.mc.SumSquares.Float64())
		r.Test = TestWelch
		r.Note = "compared by Welch's test on per-user counts, since the sum of squares shows their spread; the Poisson test would assume no overdispersion"
		fromEstimate(r, stats.Welch(st, sc, p.alpha), p, true)
		return
	}
	r.Test = TestPoisson
	if pv, ok := stats.PoissonRateTest(xt, nt, xc, nc); ok {
		r.PValue = defined(pv)
	} else {
		r.PValue = undefined("no events in either arm")
	}
	st := stats.Summary{N: nt, Mean: r.TreatmentValue, Var: r.TreatmentValue}
	sc := stats.Summary{N: nc, Mean: r.ControlValue, Var: r.ControlValue}
	fromEstimate(r, stats.NormalDiff(st, sc, p.alpha), p, false)
}

// mean: Welch's t-test with Welch–Satterthwaite degrees of freedom
// (docs/statistics.md#mean-metrics).
func mean(p pair, r *Result) {
	st := stats.MeanSummary(p.t.Users, p.mt.Sum.Float64(), p.mt.SumSquares.Float64())
	sc := stats.MeanSummary(p.c.Users, p.mc.Sum.Float64(), p.mc.SumSquares.Float64())
	r.ControlValue, r.TreatmentValue = sc.Mean, st.Mean
	r.Test = TestWelch
	fromEstimate(r, stats.Welch(st, sc, p.alpha), p, true)
}

// ratio: the delta-method per-user variance of Σx/Σy, then Welch's test
// (docs/statistics.md#ratio-metrics).
func ratio(p pair, r *Result) {
	r.Test = TestWelch
	st, okT := ratioSummary(p.t.Users, p.mt)
	sc, okC := ratioSummary(p.c.Users, p.mc)
	r.ControlValue, r.TreatmentValue = sc.Mean, st.Mean
	if !okT || !okC {
		arm := p.c.Arm
		if !okT {
			arm = p.t.Arm
		}
		nullAll(r, fmt.Sprintf("the denominator %s sums to 0 in arm %s, so its ratio is undefined", p.m.Denominator, arm))
		return
	}
	fromEstimate(r, stats.Welch(st, sc, p.alpha), p, true)
}

func ratioSummary(n int64, m experiment.Moments) (stats.Summary, bool) {
	return stats.RatioSummary(n, m.Sum.Float64(), m.SumSquares.Float64(),
		m.DenSum.Float64(), m.DenSumSquares.Float64(), m.SumProduct.Float64())
}

// fromEstimate copies a normal or t-based estimate into r; withP takes its
// p-value too (Welch), otherwise the kind's own test set it. The estimate
// is kept for the sequential interval, which widens it.
func fromEstimate(r *Result, est stats.Estimate, p pair, withP bool) {
	r.fixed = &est
	r.AbsLift = defined(r.TreatmentValue - r.ControlValue)
	if !est.OK {
		why := noSE(p)
		r.CILow, r.CIHigh = undefined(why), undefined(why)
		if withP {
			r.PValue, r.DF = undefined(why), undefined(why)
		}
	} else {
		r.CILow, r.CIHigh = defined(est.Low), defined(est.High)
		if withP {
			r.PValue, r.DF = defined(est.P), defined(est.DF)
		}
	}
	r.RelLift, r.RelCILow, r.RelCIHigh = relative(est, r.ControlValue, r.AbsLift.V, noSE(p))
}

// relative is the relative lift of est over the control value and its
// interval; abs is the absolute lift, and why says why an estimate without
// a standard error has no interval.
func relative(est stats.Estimate, control, abs float64, why string) (rel, lo, hi Value) {
	switch {
	case control == 0:
		w := "the control value is 0, so a relative lift is undefined"
		return undefined(w), undefined(w), undefined(w)
	case !est.RelOK:
		return defined(abs / math.Abs(control)), undefined(why), undefined(why)
	}
	lo, hi = relCI(est.RelLow, est.RelHigh)
	return defined(est.Rel), lo, hi
}

// noSE says why a comparison has no standard error.
func noSE(p pair) string {
	for _, a := range []*experiment.Row{p.t, p.c} {
		if a.Users < 2 && p.m.Welch() {
			return fmt.Sprintf("arm %s has fewer than 2 users, so its variance is undefined", a.Arm)
		}
	}
	return "every user in both arms has the same value (variance 0), so the standard error is 0"
}

// relCI is the relative interval, or nulls when its lower bound would
// fall below −100%, where a relative change has no meaning
// (docs/statistics.md#relative-lift).
func relCI(lo, hi float64) (Value, Value) {
	if lo < -1 {
		why := "the delta-method interval's lower bound falls below −100%, so the relative interval is not meaningful; read the absolute interval"
		return undefined(why), undefined(why)
	}
	return defined(lo), defined(hi)
}
