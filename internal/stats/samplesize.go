package stats

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mathext"
)

// powerZ is z_{1−α/2} + z_{0.8}, the sum of normal quantiles that sets the
// sample size for 80% power, two-sided at level α.
func powerZ(alpha float64) float64 {
	return mathext.NormalQuantile(1-alpha/2) + mathext.NormalQuantile(0.8)
}

// NormalUsersPerArm is the number of users per arm needed to detect an
// absolute change δ in a mean, ratio or events metric with power 0.8,
// two-sided at level α, when users are split wc:wt and the per-user
// variances are varC and varT (docs/statistics.md#power; the normal
// approximation, Chow, Shao and Wang, Sample Size Calculations in Clinical
// Research, 2nd ed., 2008, section 3.2):
//
//	n_c = (z_{1−α/2} + z_{0.8})²·(varC + varT·wc/wt)/δ²
//	n_t = n_c·wt/wc
//
// the sign of δ being ignored. This is statsmodels.stats.power.NormalIndPower
// ().solve_power(effect_size=|δ|·√((1 + wc/wt)/(varC + varT·wc/wt)),
// alpha=α, power=0.8, ratio=wt/wc) without the far-tail term, as in
// PowerUsersPerArm. ok is false when δ = 0, when varC + varT·wc/wt = 0, or
// when an input is out of range (a variance negative or not finite, α not in
// (0, 1), a weight not positive and finite, the result not finite).
func NormalUsersPerArm(varC, varT, delta, alpha, wc, wt float64) (nc, nt float64, ok bool) {
	switch {
	case !(varC >= 0 && varT >= 0) || !finite(varC) || !finite(varT) || !finite(delta):
		return 0, 0, false
	case !(alpha > 0 && alpha < 1):
		return 0, 0, false
	case !(wc > 0 && wt > 0) || !finite(wc) || !finite(wt):
		return 0, 0, false
	}
	v := varC + varT*wc/wt
	if delta == 0 || !(v > 0) {
		return 0, 0, false
	}
	z := powerZ(alpha)
	nc = z * z * v / (delta * delta)
	nt = nc * wt / wc
	if !finite(nc) || !finite(nt) {
		return 0, 0, false
	}
	return nc, nt, true
}

// NormalMDE is the minimum detectable effect of a mean, ratio or events
// metric at the current sample: the absolute change δ > 0 that a two-sided
// test at level α detects with power 0.8 when the arms have nc and nt users
// and per-user variances varC and varT (docs/statistics.md#power; the
// inverse of NormalUsersPerArm):
//
//	δ = (z_{1−α/2} + z_{0.8})·√(varC/nc + varT/nt)
//
// statsmodels' NormalIndPower().solve_power(effect_size=None, nobs1=nc,
// ratio=nt/nc, alpha=α, power=0.8) gives the standardised effect d of which
// δ = d·√(varC/nc + varT/nt)/√(1/nc + 1/nt), up to its far-tail term.
// It is 0 when both variances are 0. It panics if nc or nt < 1, a variance
// is negative or not finite, or α is not in (0, 1).
func NormalMDE(varC, varT float64, nc, nt int64, alpha float64) float64 {
	if nc < 1 || nt < 1 || !(varC >= 0 && varT >= 0) || !finite(varC) || !finite(varT) {
		panic(fmt.Sprintf("stats: NormalMDE(%v, %v, %d, %d): invalid sample", varC, varT, nc, nt))
	}
	criticalValue("NormalMDE", alpha)
	return powerZ(alpha) * math.Sqrt(varC/float64(nc)+varT/float64(nt))
}

// ProportionMDE is the minimum detectable effect of a proportion metric at
// the current sample: the rate p1 above (increase) or below the control rate
// pc that a two-sided test at level α detects with power 0.8 by Cohen's h
// when the arms have nc and nt users (docs/statistics.md#power; Cohen,
// Statistical Power Analysis for the Behavioral Sciences, 2nd ed., 1988,
// chapter 6; the inverse of PowerUsersPerArm):
//
//	h  = (z_{1−α/2} + z_{0.8})·√(1/nc + 1/nt)
//	p1 = sin²(asin(√pc) ± h/2)
//
// statsmodels' NormalIndPower().solve_power(effect_size=None, nobs1=nc,
// ratio=nt/nc, alpha=α, power=0.8) gives the same h up to its far-tail
// term. ok is false when the angle asin(√pc) ± h/2 leaves [0, π/2] (no rate
// that far from pc exists in that direction), or when an input is out of
// range (pc not in [0, 1], α not in (0, 1), nc or nt < 1).
func ProportionMDE(pc float64, nc, nt int64, alpha float64, increase bool) (p1 float64, ok bool) {
	if !(pc >= 0 && pc <= 1) || !(alpha > 0 && alpha < 1) || nc < 1 || nt < 1 {
		return 0, false
	}
	h := powerZ(alpha) * math.Sqrt(1/float64(nc)+1/float64(nt))
	phi := math.Asin(math.Sqrt(pc))
	if increase {
		phi += h / 2
	} else {
		phi -= h / 2
	}
	if !(phi >= 0 && phi <= math.Pi/2) {
		return 0, false
	}
	s := math.Sin(phi)
	return math.Min(1, s*s), true
}
