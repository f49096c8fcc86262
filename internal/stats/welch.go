package stats

import (
	"fmt"
	"math"
)

// Welch is Welch's unequal-variance t-test of the treatment t against the
// control c, two-sided, with its confidence intervals at confidence 1 − α
// (docs/statistics.md#welch; Welch, 1947; Satterthwaite, 1946):
//
//	d  = μ_t − μ_c,  v_i = s_i²/n_i
//	se = √(v_t + v_c)
//	ν  = (v_t + v_c)² / (v_t²/(n_t − 1) + v_c²/(n_c − 1))
//	p  = 2·P(T_ν ≥ |d|/se)
//	CI = d ∓ t_{1−α/2,ν}·se
//
// as scipy.stats.ttest_ind_from_stats(μ_t, s_t, n_t, μ_c, s_c, n_c,
// equal_var=False) (gbstats TwoSidedTTest, difference_type="absolute"),
// and the relative difference with its delta-method interval at the same ν
// (gbstats difference_type="relative"):
//
//	Rel   = d/|μ_c|
//	RelSE = √(s_t²/(n_t μ_c²) + s_c² μ_t²/(n_c μ_c⁴))
//	CI    = Rel ∓ t_{1−α/2,ν}·RelSE
//
// The t tail and quantile are exact to about 1e-12 at any ν, including
// p far below 1e-300 and ν beyond 10^8 (see tTwoSided, tQuantile).
//
// OK is false when an arm has n < 2 or se = 0 (both variances 0); one arm
// with variance 0 is computed, ν then being n − 1 of the other arm, as
// scipy does. RelOK is false when !OK or μ_c = 0. Fields of a false flag are
// zero. It panics if α is not in (0, 1) or a Summary is invalid (N < 0, Var
// < 0, or a field not finite).
func Welch(t, c Summary, alpha float64) Estimate {
	checkSummary("Welch", t)
	checkSummary("Welch", c)
	criticalValue("Welch", alpha) // panics on a bad α even when OK is false
	e, _ := welch(t, c, alpha)
	return e
}

// welch is Welch's test of valid summaries; it also returns the critical
// value t_{1−α/2,ν} of its intervals (0 when !OK), which CUPED's relative
// interval shares.
func welch(t, c Summary, alpha float64) (Estimate, float64) {
	if t.N < 2 || c.N < 2 {
		return Estimate{}, 0
	}
	vt, vc := t.Var/float64(t.N), c.Var/float64(c.N)
	// ν scaled by the larger v, so that neither v² under- nor overflows.
	m := math.Max(vt, vc)
	if !(m > 0) || math.IsInf(m, 0) {
		return Estimate{}, 0
	}
	a, b := vt/m, vc/m
	nu := (a + b) * (a + b) / (a*a/float64(t.N-1) + b*b/float64(c.N-1))
	crit := tQuantile(alpha, nu)
	e := estimate(t, c, vt, vc, nu,
		func(float64) float64 { return crit },
		func(x float64) float64 { return tTwoSided(x, nu) })
	if !e.OK {
		return e, 0
	}
	e.DF = nu
	return e, crit
}

// NormalDiff is the normal-approximation (Wald) comparison of the
// treatment t with the control c at confidence 1 − α: Welch's quantities
// with the normal distribution in place of Student's t,
//
//	se = √(s_t²/n_t + s_c²/n_c)
//	p  = 2(1 − Φ(|d|/se)) = erfc(|d|/(se√2))
//	CI = d ∓ z_{1−α/2}·se,  Rel ∓ z_{1−α/2}·RelSE
//
// with DF = 0. For an events metric, Summary{n, x/n, x/n} (the Poisson
// variance equals the rate) gives the interval d ∓ z·√(x_t/n_t² + x_c/n_c²)
// of docs/statistics.md#events-metrics; for a proportion, Var = p(1 − p)
// gives the unpooled se. The reference is the formula with
// scipy.stats.norm.isf and scipy.special.erfc.
//
// OK is false when an arm has n = 0 or se = 0; RelOK is false also when
// μ_c = 0. It panics as Welch does.
func NormalDiff(t, c Summary, alpha float64) Estimate {
	checkSummary("NormalDiff", t)
	checkSummary("NormalDiff", c)
	z := criticalValue("NormalDiff", alpha)
	if t.N < 1 || c.N < 1 {
		return Estimate{}
	}
	vt, vc := t.Var/float64(t.N), c.Var/float64(c.N)
	return estimate(t, c, vt, vc, 0, func(float64) float64 { return z },
		func(x float64) float64 { return math.Erfc(math.Abs(x) / math.Sqrt2) })
}

// estimate fills an Estimate from the per-arm variances of the means vt, vc,
// the critical value crit(ν) and the two-sided tail of the statistic.
func estimate(t, c Summary, vt, vc, nu float64, crit func(float64) float64, tail func(float64) float64) Estimate {
	se := math.Sqrt(vt + vc)
	d := t.Mean - c.Mean
	if !(se > 0) || !finite(se) || !finite(d) {
		return Estimate{}
	}
	k := crit(nu)
	e := Estimate{Diff: d, SE: se, P: tail(d / se), Low: d - k*se, High: d + k*se, OK: true}
	if c.Mean == 0 {
		return e
	}
	// RelSE = √(v_t + v_c·(μ_t/μ_c)²)/|μ_c|, the formula above with μ_c²
	// factored out so that μ_c⁴ cannot overflow or underflow.
	r := t.Mean / c.Mean
	relSE := math.Sqrt(vt+vc*r*r) / math.Abs(c.Mean)
	rel := d / math.Abs(c.Mean)
	if !finite(relSE) || !finite(rel) {
		return e
	}
	e.Rel, e.RelSE = rel, relSE
	e.RelLow, e.RelHigh = rel-k*relSE, rel+k*relSE
	e.RelOK = true
	return e
}

// checkSummary panics unless s is a valid Summary: N ≥ 0, Var ≥ 0, and
// Mean and Var finite.
func checkSummary(fn string, s Summary) {
	if s.N < 0 || !finite(s.Mean) || !finite(s.Var) || s.Var < 0 {
		panic(fmt.Sprintf("stats: %s: invalid summary %+v", fn, s))
	}
}
