package analysis

import (
	"cmp"
	"math"

	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/stats"
)

// CUPED is the pre-period adjustment of a result whose metric has
// `cuped: true` (docs/statistics.md#cuped): θ pooled over the comparison's
// two arms, the variance reduction 1 − se²_adjusted/se²_unadjusted, and the
// same comparison without the adjustment, at the same level and, with
// thresholds.sequential, as a confidence sequence too, so that the two
// intervals compare like for like.
type CUPED struct {
	Theta             float64
	VarianceReduction float64
	// The unadjusted comparison: θ = 0 with the same variance forms.
	AbsLift, CILow, CIHigh, PValue Value
	RelLift, RelCILow, RelCIHigh   Value
	// Variances are the adjusted per-user variances s_Y² + θ²s_X² − 2θs_XY
	// of the control and the arm, which power and days use
	// (docs/statistics.md#power).
	Variances [2]float64
	// adjusted and unadjusted are the fixed-horizon estimates, kept for the
	// sequential interval.
	adjusted, unadjusted stats.Estimate
}

// Narrower is 1 − width_adjusted/width_unadjusted of the absolute interval:
// how much narrower the adjustment made it (negative when wider), and
// whether both intervals exist.
func (c *CUPED) Narrower(r *Result) (float64, bool) {
	if !r.CILow.OK() || !r.CIHigh.OK() || !c.CILow.OK() || !c.CIHigh.OK() {
		return 0, false
	}
	u := c.CIHigh.V - c.CILow.V
	if !(u > 0) {
		return 0, false
	}
	return 1 - (r.CIHigh.V-r.CILow.V)/u, true
}

// covMoments is one arm's (Y, X) sums for stats.CUPED: a proportion's Y is
// 0/1, so Σy² is its count.
func covMoments(m *experiment.Metric, mo experiment.Moments, users int64) stats.CovMoments {
	c := stats.CovMoments{N: users, SumX: mo.PreSum.Float64(), SumXX: mo.PreSumSquares.Float64(), SumXY: mo.PreSumProduct.Float64()}
	if m.Kind == experiment.KindProportion {
		c.SumY, c.SumYY = float64(mo.Count), float64(mo.Count)
	} else {
		c.SumY, c.SumYY = mo.Sum.Float64(), mo.SumSquares.Float64()
	}
	return c
}

// cupedValid reports whether stats.CUPED accepts the moments: finite sums
// and, for a proportion, Σy and Σx within [0, users]. The loader refuses
// anything else (docs/formats.md#cuped-columns); this keeps a hand-built
// Experiment from panicking.
func cupedValid(c stats.CovMoments, proportion bool) bool {
	for _, s := range [...]float64{c.SumY, c.SumYY, c.SumX, c.SumXX, c.SumXY} {
		if math.IsNaN(s) || math.IsInf(s, 0) {
			return false
		}
	}
	n := float64(c.N)
	return c.N >= 1 && (!proportion || (c.SumY >= 0 && c.SumY <= n && c.SumX >= 0 && c.SumX <= n))
}

// cuped compares a mean or proportion metric adjusted by its pre-period
// covariate: θ pooled over the pair, Welch's test on the adjusted means and
// variances (the test is welch even for a proportion), and the relative
// lift over the unadjusted control mean with gbstats' relative CUPED
// variance (docs/statistics.md#cuped). control_value and treatment_value
// stay the observed ones.
func cuped(p pair, r *Result) {
	prop := p.m.Kind == experiment.KindProportion
	mt, mc := covMoments(p.m, p.mt, p.t.Users), covMoments(p.m, p.mc, p.c.Users)
	r.ControlValue, r.TreatmentValue = mc.SumY/float64(mc.N), mt.SumY/float64(mt.N)
	r.Test = TestWelch
	if !cupedValid(mt, prop) || !cupedValid(mc, prop) {
		why := "the pre-period moments are not valid for CUPED"
		nullAll(r, why)
		return
	}
	res := stats.CUPED(mt, mc, prop, p.alpha)
	if !finite(res.Theta) || !finite(res.VarianceReduction) || !finite(res.AdjT.Var) || !finite(res.AdjC.Var) {
		nullAll(r, "the sums are too large to adjust in floating point (a product of two sums overflows)")
		return
	}
	cu := &CUPED{Theta: res.Theta, VarianceReduction: res.VarianceReduction,
		Variances: [2]float64{res.AdjC.Var, res.AdjT.Var},
		adjusted:  res.Adjusted, unadjusted: res.Unadjusted}
	r.CUPED = cu
	cupedFill(p, r, res.Adjusted, res.Unadjusted)
}

// cupedFill sets the result from the adjusted estimate and the CUPED block
// from the unadjusted one (fixed-horizon or sequential).
func cupedFill(p pair, r *Result, adj, unadj stats.Estimate) {
	why := noSE(p)
	setEst := func(e stats.Estimate, abs, lo, hi, pv, rel, rlo, rhi *Value) {
		if !e.OK {
			*abs = defined(r.TreatmentValue - r.ControlValue)
			*lo, *hi, *pv = undefined(why), undefined(why), undefined(why)
		} else {
			*abs, *lo, *hi, *pv = defined(e.Diff), defined(e.Low), defined(e.High), defined(e.P)
		}
		*rel, *rlo, *rhi = relative(e, r.ControlValue, abs.V, why)
	}
	var df Value
	setEst(adj, &r.AbsLift, &r.CILow, &r.CIHigh, &r.PValue, &r.RelLift, &r.RelCILow, &r.RelCIHigh)
	if adj.OK && adj.DF > 0 {
		df = defined(adj.DF)
	} else {
		df = undefined(why)
	}
	r.DF = df
	cu := r.CUPED
	setEst(unadj, &cu.AbsLift, &cu.CILow, &cu.CIHigh, &cu.PValue, &cu.RelLift, &cu.RelCILow, &cu.RelCIHigh)
	if r.AbsLift.OK() {
		r.Sign = cmp.Compare(r.AbsLift.V, 0)
	}
}

// nullAll makes every statistic of r undefined for the same reason.
func nullAll(r *Result, why string) {
	r.AbsLift, r.RelLift = undefined(why), undefined(why)
	r.CILow, r.CIHigh, r.RelCILow, r.RelCIHigh = undefined(why), undefined(why), undefined(why), undefined(why)
	r.PValue, r.DF = undefined(why), undefined(why)
}

// cupedBeyond reports whether a CUPED guardrail's adjusted difference lies
// beyond the margin (in floating point: the adjusted difference is not a
// ratio of the decimals as written).
func cupedBeyond(g *Guardrail, mg experiment.Margin) bool {
	if !g.AbsLift.OK() {
		return false
	}
	return math.Abs(g.AbsLift.V) > marginValue(mg, g.ControlValue)
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
