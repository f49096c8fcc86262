// Package stats is the pure maths of ExperimentOS: the sample-ratio-mismatch
// test over k arms, the two-proportion z-test, Fisher's exact test,
// confidence intervals for the difference and the relative lift of two
// rates, the exact test of two Poisson rates, the moments of mean and ratio
// metrics (MeanSummary, RatioSummary), Welch's t-test and the normal
// comparison of two such summaries (Welch, NormalDiff), the Bonferroni
// correction, and the sample size and minimum detectable effect for 80%
// power.
//
// Every function is a pure function of its arguments and matches a named
// reference implementation (docs/statistics.md) to a relative error of 1e-6;
// the reference values live in testdata/stats/vectors.json and
// vectors_v2.json, produced by testdata/stats/generate.py and generate_v2.py
// with scipy 1.10.1 and statsmodels 0.13.5.
//
// Counts are int64. A pair (x, n) is valid when n > 0 and 0 <= x <= n; the
// functions panic on invalid counts, which is a programmer error (the loader
// rejects such data before it reaches this package). Where a reference is
// undefined (NaN or a zero-width interval) the function says so with an ok
// result instead; no function returns NaN or Inf for valid input.
package stats

import (
	"fmt"
	"math"
	"math/bits"

	"gonum.org/v1/gonum/mathext"
)

// ChiSquareGOF is Pearson's chi-square goodness-of-fit test of k ≥ 2
// observed counts against expected shares, with k − 1 degrees of freedom
// (docs/statistics.md#srm; Pearson, 1900):
//
//	e_i  = shares_i / \sum_j shares_j * \sum_j observed_j
//	chi2 = \sum_i (observed_i - e_i)^2 / e_i
//	p    = P(X >= chi2),  X ~ ChiSquared(k - 1)
//
// as scipy.stats.chisquare(observed, f_exp=total*shares/sum(shares)). Shares
// need not sum to 1; they are normalised. When every count is 0 there is
// nothing to test and ChiSquareGOF returns (0, 1, k − 1).
// It panics if the slices differ in length or hold fewer than 2 arms, a
// count is negative, the total overflows int64, or a share is not a positive
// finite number.
func ChiSquareGOF(observed []int64, shares []float64) (chi2, p float64, df int) {
	if len(observed) != len(shares) || len(observed) < 2 {
		panic(fmt.Sprintf("stats: ChiSquareGOF: %d counts against %d shares, want the same k >= 2",
			len(observed), len(shares)))
	}
	var total int64
	for _, o := range observed {
		if o < 0 {
			panic(fmt.Sprintf("stats: negative count in ChiSquareGOF(%v)", observed))
		}
		if total > math.MaxInt64-o {
			panic(fmt.Sprintf("stats: ChiSquareGOF(%v): total overflows int64", observed))
		}
		total += o
	}
	var sum float64
	for _, s := range shares {
		if !(s > 0) || math.IsInf(s, 0) {
			panic(fmt.Sprintf("stats: share %v in ChiSquareGOF is not a positive finite number", s))
		}
		sum += s
	}
	df = len(observed) - 1
	if total == 0 {
		return 0, 1, df
	}
	ft := float64(total)
	for i, o := range observed {
		e := shares[i] / sum * ft
		d := float64(o) - e
		chi2 += d * d / e
	}
	// The chi-square survival function is the regularized upper
	// incomplete gamma Q(df/2, χ²/2).
	return chi2, mathext.GammaIncRegComp(float64(df)/2, chi2/2), df
}

// UseFisher reports whether Cochran's rule sends the 2x2 table
// [[xt, nt-xt], [xc, nc-xc]] to Fisher's exact test: true when any expected
// cell R_i*C_j/N is below 5 (Cochran, 1954). The smallest expected cell is
// min(nt, nc) * min(xt+xc, N-xt-xc) / N, compared exactly in 128-bit integers.
func UseFisher(xt, nt, xc, nc int64) bool {
	checkCounts("UseFisher", xt, nt, xc, nc)
	n := nt + nc
	x := xt + xc
	hi, lo := bits.Mul64(uint64(min(nt, nc)), uint64(min(x, n-x)))
	fhi, flo := bits.Mul64(5, uint64(n))
	return hi < fhi || (hi == fhi && lo < flo)
}

// ZTest is the pooled two-proportion z-test, two-sided:
//
//	p_i = x_i / n_i,  p = (xt + xc) / (nt + nc)
//	z   = (pt - pc) / sqrt(p (1-p) (1/nt + 1/nc))
//	p   = 2 (1 - Phi(|z|)) = erfc(|z| / sqrt 2)
//
// as statsmodels.stats.proportion.proportions_ztest([xt, xc], [nt, nc]).
// ok is false when the pooled variance is 0 (both arms at rate 0, or both at
// rate 1), where the reference returns NaN.
func ZTest(xt, nt, xc, nc int64) (z, p float64, ok bool) {
	checkCounts("ZTest", xt, nt, xc, nc)
	pt := float64(xt) / float64(nt)
	pc := float64(xc) / float64(nc)
	pooled := float64(xt+xc) / float64(nt+nc)
	v := pooled * (1 - pooled) * (1/float64(nt) + 1/float64(nc))
	if !(v > 0) {
		return 0, 0, false
	}
	z = (pt - pc) / math.Sqrt(v)
	// Two-sided normal tail via erfc: exact in the far tail, where
	// 1 - erf (what distuv.Normal.Survival computes) loses all digits.
	return z, math.Erfc(math.Abs(z) / math.Sqrt2), true
}

// NewcombeDiff is Newcombe's hybrid score interval (method 10 of Newcombe,
// 1998) for pt - pc at confidence 1-alpha, built from the Wilson score
// interval [l_i, u_i] of each arm:
//
//	lo = (pt - pc) - sqrt((pt - l_t)^2 + (u_c - pc)^2)
//	hi = (pt - pc) + sqrt((u_t - pt)^2 + (pc - l_c)^2)
//
// as statsmodels.stats.proportion.confint_proportions_2indep(xt, nt, xc, nc,
// compare='diff', method='newcomb', alpha=alpha). The Wilson bounds are not
// clipped, as in statsmodels: at x = 0 or x = n they equal 0 or 1 up to
// rounding. The interval is always defined; it panics if alpha is not in (0, 1).
func NewcombeDiff(xt, nt, xc, nc int64, alpha float64) (lo, hi float64) {
	checkCounts("NewcombeDiff", xt, nt, xc, nc)
	crit := criticalValue("NewcombeDiff", alpha)
	pt := float64(xt) / float64(nt)
	pc := float64(xc) / float64(nc)
	lt, ut := wilson(xt, nt, crit)
	lc, uc := wilson(xc, nc, crit)
	diff := pt - pc
	lo = diff - math.Sqrt((pt-lt)*(pt-lt)+(uc-pc)*(uc-pc))
	hi = diff + math.Sqrt((pc-lc)*(pc-lc)+(ut-pt)*(ut-pt))
	return lo, hi
}

// wilson is the Wilson (1927) score interval for x/n with critical value crit,
// in the operation order of statsmodels' proportion_confint(method='wilson').
func wilson(x, n int64, crit float64) (lo, hi float64) {
	q := float64(x) / float64(n)
	fn := float64(n)
	crit2 := crit * crit
	denom := 1 + crit2/fn
	center := (q + crit2/(2*fn)) / denom
	dist := crit * math.Sqrt(q*(1-q)/fn+crit2/(4*(fn*fn)))
	dist /= denom
	return center - dist, center + dist
}

// WaldDiff is the Wald interval for pt - pc at confidence 1-alpha:
//
//	(pt - pc) -/+ z_{1-alpha/2} sqrt(pt (1-pt)/nt + pc (1-pc)/nc)
//
// as statsmodels.stats.proportion.confint_proportions_2indep(xt, nt, xc, nc,
// compare='diff', method='wald', alpha=alpha). ok is false when the interval
// has zero width (each arm at rate 0 or 1, so the variance is 0).
// It panics if alpha is not in (0, 1).
func WaldDiff(xt, nt, xc, nc int64, alpha float64) (lo, hi float64, ok bool) {
	checkCounts("WaldDiff", xt, nt, xc, nc)
	z := criticalValue("WaldDiff", alpha)
	pt := float64(xt) / float64(nt)
	pc := float64(xc) / float64(nc)
	v := pt*(1-pt)/float64(nt) + pc*(1-pc)/float64(nc)
	d := z * math.Sqrt(v)
	lo, hi = (pt-pc)-d, (pt-pc)+d
	if hi-lo == 0 {
		return 0, 0, false
	}
	return lo, hi, true
}

// RelLift is the relative lift of treatment over control and its
// delta-method confidence interval at confidence 1-alpha:
//
//	rel = pt/pc - 1
//	var = var_t/pc^2 + pt^2 var_c/pc^4,  var_i = p_i (1-p_i) / n_i
//	CI  = rel -/+ z_{1-alpha/2} sqrt(var)
//
// (the first-order Taylor expansion of pt/pc; Casella and Berger, Statistical
// Inference, 2nd ed., section 5.5.4). relOK is false when pc == 0; ciOK is
// false when pc == 0 or var == 0. It panics if alpha is not in (0, 1).
func RelLift(xt, nt, xc, nc int64, alpha float64) (rel, lo, hi float64, relOK, ciOK bool) {
	checkCounts("RelLift", xt, nt, xc, nc)
	z := criticalValue("RelLift", alpha)
	if xc == 0 {
		return 0, 0, 0, false, false
	}
	pt := float64(xt) / float64(nt)
	pc := float64(xc) / float64(nc)
	rel = pt/pc - 1
	vt := pt * (1 - pt) / float64(nt)
	vc := pc * (1 - pc) / float64(nc)
	v := vt/(pc*pc) + pt*pt*vc/(pc*pc*pc*pc)
	if !(v > 0) {
		return rel, 0, 0, true, false
	}
	se := math.Sqrt(v)
	return rel, rel - z*se, rel + z*se, true, true
}

// PowerUsersPerArm is the number of users per arm needed to detect the change
// from rate pc to rate p1 with power 0.8, two-sided at level alpha, when
// users are split in the ratio wc:wt (Cohen, Statistical Power Analysis for
// the Behavioral Sciences, 2nd ed., 1988, chapter 6):
//
//	h  = 2 asin(sqrt(p1)) - 2 asin(sqrt(pc))
//	nc = (z_{1-alpha/2} + z_{0.8})^2 (1 + wc/wt) / h^2
//	nt = nc wt / wc
//
// This is statsmodels.stats.power.NormalIndPower().solve_power(effect_size=|h|,
// alpha=alpha, power=0.8, ratio=wt/wc) without the far-tail term, which that
// solver includes and which changes n by far less than one user for the
// alphas in use. ok is false when h == 0 or an input is out of range
// (rates outside [0, 1], alpha outside (0, 1), weights not positive and finite).
func PowerUsersPerArm(pc, p1, alpha, wc, wt float64) (nc, nt float64, ok bool) {
	switch {
	case !(pc >= 0 && pc <= 1 && p1 >= 0 && p1 <= 1):
		return 0, 0, false
	case !(alpha > 0 && alpha < 1):
		return 0, 0, false
	case !(wc > 0 && wt > 0) || math.IsInf(wc, 0) || math.IsInf(wt, 0):
		return 0, 0, false
	}
	h := 2*math.Asin(math.Sqrt(p1)) - 2*math.Asin(math.Sqrt(pc))
	if h == 0 {
		return 0, 0, false
	}
	z := mathext.NormalQuantile(1-alpha/2) + mathext.NormalQuantile(0.8)
	nc = z * z * (1 + wc/wt) / (h * h)
	nt = nc * wt / wc
	if math.IsInf(nc, 0) || math.IsInf(nt, 0) || math.IsNaN(nc) || math.IsNaN(nt) {
		return 0, 0, false
	}
	return nc, nt, true
}

// criticalValue returns z_{1-alpha/2} = -Phi^{-1}(alpha/2), which is
// scipy.stats.norm.isf(alpha/2) as statsmodels uses it.
func criticalValue(fn string, alpha float64) float64 {
	if !(alpha > 0 && alpha < 1) {
		panic(fmt.Sprintf("stats: %s: alpha %v is not in (0, 1)", fn, alpha))
	}
	return -mathext.NormalQuantile(alpha / 2)
}

// checkCounts panics unless both (x, n) pairs are valid: n > 0, 0 <= x <= n.
func checkCounts(fn string, xt, nt, xc, nc int64) {
	if nt <= 0 || nc <= 0 || xt < 0 || xc < 0 || xt > nt || xc > nc {
		panic(fmt.Sprintf("stats: %s: invalid counts xt=%d nt=%d xc=%d nc=%d", fn, xt, nt, xc, nc))
	}
}
