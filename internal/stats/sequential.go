package stats

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mathext"
)

// Sequential replaces the p-value and the confidence intervals of a
// fixed-horizon Estimate by those of the asymptotic confidence sequence of
// Waudby-Smith, Arbour, Sinha, Kennedy and Ramdas (2023, "Time-uniform
// central limit theory and asymptotic confidence sequences",
// arXiv 2103.06476, eq. 9, 155, 161), as gbstats SequentialTwoSidedTTest
// (docs/statistics.md#sequential). With n = n_c + n_t users, N* = tuning,
// d = e.Diff and se = e.SE:
//
//	ρ²        = (−2 ln α + ln(−2 ln α + 1)) / N*
//	c(n)      = √n · √(2(nρ² + 1) ln(√(nρ² + 1)/α) / (n²ρ²))
//	CI        = d ± c(n)·se,  relative: Rel ± c(n)·RelSE
//	p         = min(1, √(nρ² + 1) · exp(−ρ² n (d/se)² / (2(nρ² + 1))))
//
// p is computed in log space, so it underflows only below 1e-308. The
// interval holds with probability 1 − α at every n simultaneously, so the
// result may be looked at after every new batch of data. DF is 0 (the
// interval is not a t interval); Diff, SE, Rel, RelSE and the ok flags are
// kept. An Estimate that is not OK is returned with DF = 0 and otherwise
// unchanged; its relative fields are replaced only when RelOK.
//
// It panics if alpha is not in (0, 1), tuning is not a positive finite
// number or n < 1.
func Sequential(e Estimate, n int64, tuning, alpha float64) Estimate {
	rho2 := sequentialRho2("Sequential", tuning, alpha)
	if n < 1 {
		panic(fmt.Sprintf("stats: Sequential: n = %d users", n))
	}
	e.DF = 0
	if !e.OK {
		return e
	}
	u := float64(n) * rho2
	c := sequentialFactor(u, alpha)
	e.Low, e.High = e.Diff-c*e.SE, e.Diff+c*e.SE
	z := e.Diff / e.SE
	logP := 0.5*math.Log1p(u) - u*z*z/(2*(u+1))
	e.P = math.Exp(min(logP, 0))
	if e.RelOK {
		e.RelLow, e.RelHigh = e.Rel-c*e.RelSE, e.Rel+c*e.RelSE
	}
	return e
}

// sequentialRho2 is ρ² = (−2 ln α + ln(−2 ln α + 1)) / N*.
func sequentialRho2(fn string, tuning, alpha float64) float64 {
	if !(alpha > 0 && alpha < 1) {
		panic(fmt.Sprintf("stats: %s: alpha %v is not in (0, 1)", fn, alpha))
	}
	if !(tuning > 0) || math.IsInf(tuning, 0) {
		panic(fmt.Sprintf("stats: %s: tuning %v is not a positive finite number", fn, tuning))
	}
	l := -2 * math.Log(alpha)
	return (l + math.Log(l+1)) / tuning
}

// sequentialFactor is c(n) = half-width/se as a function of u = nρ²:
// √n·√(2(u + 1) ln(√(u + 1)/α)/(n²ρ²)) = √(2(u + 1)(ln(1 + u)/2 − ln α)/u).
func sequentialFactor(u, alpha float64) float64 {
	return math.Sqrt(2 * (u + 1) * (0.5*math.Log1p(u) - math.Log(alpha)) / u)
}

// SequentialUsersPerArm is the number of control users n_c (and n_t =
// n_c·wt/wc treatment users) at which a confidence sequence of Sequential
// detects an absolute difference delta with power 0.8 (docs/statistics.md#sample-size):
// the root of
//
//	|δ| = (c(n) + z_{0.8}) · se(n),  n = n_c + n_t,  se(n) = √(varC/n_c + varT/n_t)
//
// with c(n) the half-width factor of Sequential at α and N* = tuning, found
// by bisection to a relative 1e-9 (the left side falls monotonically in n_c).
// It is about twice the fixed-horizon n_c = (z_{1−α/2} + z_{0.8})²·(varC +
// varT·wc/wt)/δ² for N* near the final n. ok is false when an input is out
// of range (variances negative, both 0 or not finite; delta 0 or not finite;
// alpha outside (0, 1); tuning or a weight not positive and finite) or the
// root is beyond 1e15 users.
func SequentialUsersPerArm(varC, varT, delta, alpha, tuning, wc, wt float64) (nc, nt float64, ok bool) {
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch {
	case !(varC >= 0 && varT >= 0 && varC+varT > 0) || !finite(varC) || !finite(varT):
		return 0, 0, false
	case !(delta != 0) || !finite(delta):
		return 0, 0, false
	case !(alpha > 0 && alpha < 1):
		return 0, 0, false
	case !(tuning > 0) || !finite(tuning):
		return 0, 0, false
	case !(wc > 0 && wt > 0) || !finite(wc) || !finite(wt):
		return 0, 0, false
	}
	rho2 := sequentialRho2("SequentialUsersPerArm", tuning, alpha)
	z8 := mathext.NormalQuantile(0.8)
	ratio := wt / wc
	d := math.Abs(delta)
	// excess(nc) > 0 while n_c is too small.
	excess := func(nc float64) float64 {
		nt := nc * ratio
		se := math.Sqrt(varC/nc + varT/nt)
		return (sequentialFactor((nc+nt)*rho2, alpha)+z8)*se - d
	}
	lo, hi := 0.0, 1.0
	for excess(hi) > 0 {
		lo, hi = hi, 2*hi
		if hi > 1e15 {
			return 0, 0, false
		}
	}
	if lo == 0 {
		// The root is below one user: halve down to a bracket.
		lo = hi / 2
		for excess(lo) <= 0 {
			hi, lo = lo, lo/2
			if lo < 1e-300 {
				return 0, 0, false
			}
		}
	}
	for hi-lo > 1e-9*hi {
		mid := lo + (hi-lo)/2
		if excess(mid) > 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	nc = lo + (hi-lo)/2
	return nc, nc * ratio, true
}

// SequentialMDE is the minimum detectable effect of a confidence sequence of
// Sequential at the current sample: the absolute change δ > 0 it detects
// with power 0.8 when the arms have nc and nt users and per-user variances
// varC and varT (docs/statistics.md#sample-size; the inverse of
// SequentialUsersPerArm at the current split):
//
//	δ = (c(n) + z_{0.8})·√(varC/nc + varT/nt),  n = nc + nt
//
// with c(n) the half-width factor of Sequential at α and N* = tuning. It is
// 0 when both variances are 0. It panics if nc or nt < 1, a variance is
// negative or not finite, α is not in (0, 1) or tuning is not a positive
// finite number.
func SequentialMDE(varC, varT float64, nc, nt int64, alpha, tuning float64) float64 {
	if nc < 1 || nt < 1 || !(varC >= 0 && varT >= 0) || !finite(varC) || !finite(varT) {
		panic(fmt.Sprintf("stats: SequentialMDE(%v, %v, %d, %d): invalid sample", varC, varT, nc, nt))
	}
	rho2 := sequentialRho2("SequentialMDE", tuning, alpha)
	c := sequentialFactor(float64(nc+nt)*rho2, alpha)
	return (c + mathext.NormalQuantile(0.8)) * math.Sqrt(varC/float64(nc)+varT/float64(nt))
}
