package stats

import (
	"fmt"
	"math"
)

// CovMoments is one arm's sufficient statistics for CUPED: its users N and,
// over them, the sums of the metric Y, of Y², of the pre-period covariate X,
// of X² and of the products XY (docs/statistics.md#cuped). For a proportion
// metric Y and X are 0/1, so SumYY == SumY and SumXX == SumX.
type CovMoments struct {
	N                               int64
	SumY, SumYY, SumX, SumXX, SumXY float64
}

// CUPEDResult is a CUPED comparison of the treatment with the control.
//
// Adjusted is the Welch comparison of the adjusted means (the one to report);
// Unadjusted is the same computation with θ = 0, i.e. the plain Welch
// comparison of the Y means with the same variance forms. AdjT and AdjC are
// the arms' adjusted summaries (mean μ_Y − θμ_X, variance
// s_Y² + θ²s_X² − 2θs_XY), e.g. for a sequential interval or a sample size.
// VarianceReduction is 1 − se²_adjusted/se²_unadjusted, 0 unless both are OK;
// it is negative when the pooled θ makes an arm's variance larger.
type CUPEDResult struct {
	Theta             float64
	VarianceReduction float64
	Adjusted          Estimate
	Unadjusted        Estimate
	AdjT, AdjC        Summary
}

// cupedArm is one arm's means, variances and covariance of (Y, X).
type cupedArm struct {
	n              float64
	muY, muX       float64
	varY, varX, cv float64
}

// moments returns the arm's means, variances and covariance: with n − 1 for
// a mean metric (s² = (Σy² − (Σy)²/n)/(n − 1), s_xy = (Σxy − ΣyΣx/n)/(n − 1)),
// and in the proportion forms with n (p(1 − p), Σxy/n − ΣyΣx/n²) for a
// proportion metric, as gbstats SampleMeanStatistic and ProportionStatistic.
// A variance that rounding makes negative is 0. With n = 1 a mean metric's
// variances are 0 (the Welch test then reports !OK).
func (m CovMoments) moments(proportion bool) cupedArm {
	n := float64(m.N)
	a := cupedArm{n: n, muY: m.SumY / n, muX: m.SumX / n}
	if proportion {
		a.varY = a.muY * (1 - a.muY)
		a.varX = a.muX * (1 - a.muX)
		a.cv = m.SumXY/n - m.SumY*m.SumX/(n*n)
	} else if m.N > 1 {
		a.varY = (m.SumYY - m.SumY*m.SumY/n) / (n - 1)
		a.varX = (m.SumXX - m.SumX*m.SumX/n) / (n - 1)
		a.cv = (m.SumXY - m.SumY*m.SumX/n) / (n - 1)
	}
	a.varY = max(a.varY, 0)
	a.varX = max(a.varX, 0)
	return a
}

// check panics unless the moments are valid: N >= 1, finite sums, and for a
// proportion metric 0 <= SumY, SumX <= N.
func (m CovMoments) check(fn string, proportion bool) {
	if m.N < 1 {
		panic(fmt.Sprintf("stats: %s: arm with %d users", fn, m.N))
	}
	for _, s := range [...]float64{m.SumY, m.SumYY, m.SumX, m.SumXX, m.SumXY} {
		if math.IsNaN(s) || math.IsInf(s, 0) {
			panic(fmt.Sprintf("stats: %s: sum %v is not finite", fn, s))
		}
	}
	n := float64(m.N)
	if proportion && !(m.SumY >= 0 && m.SumY <= n && m.SumX >= 0 && m.SumX <= n) {
		panic(fmt.Sprintf("stats: %s: proportion sums y=%v x=%v outside [0, %d]", fn, m.SumY, m.SumX, m.N))
	}
}

// CUPEDTheta is the CUPED coefficient of Deng, Xu, Kohavi and Walker (2013)
// over the pooled pair of arms, as gbstats compute_theta
// (docs/statistics.md#cuped):
//
//	pooled sums: n = n_t + n_c, Σy = Σy_t + Σy_c, ... (every sum added)
//	θ = Cov(Y, X) / Var(X)
//
// with Var and Cov from n − 1 for a mean metric and in the proportion forms
// (p(1 − p), Σxy/n − ΣyΣx/n²) for a proportion metric. θ is 0 when the pooled
// variance of X or of Y is 0. It panics on invalid moments (N < 1, a sum not
// finite, or for a proportion a sum outside [0, N]).
func CUPEDTheta(t, c CovMoments, proportion bool) float64 {
	t.check("CUPEDTheta", proportion)
	c.check("CUPEDTheta", proportion)
	return cupedTheta(t, c, proportion)
}

func cupedTheta(t, c CovMoments, proportion bool) float64 {
	pooled := CovMoments{
		N:     t.N + c.N,
		SumY:  t.SumY + c.SumY,
		SumYY: t.SumYY + c.SumYY,
		SumX:  t.SumX + c.SumX,
		SumXX: t.SumXX + c.SumXX,
		SumXY: t.SumXY + c.SumXY,
	}.moments(proportion)
	if !(pooled.varX > 0 && pooled.varY > 0) {
		return 0
	}
	return pooled.cv / pooled.varX
}

// CUPED compares the treatment t with the control c on a metric Y adjusted
// by its pre-period covariate X (Deng, Xu, Kohavi and Walker, 2013), as
// gbstats RegressionAdjustedStatistic with theta=None
// (docs/statistics.md#cuped). With θ = CUPEDTheta(t, c, proportion), per arm
//
//	adjusted mean      m_i  = μ_Y,i − θ μ_X,i
//	adjusted variance  v_i  = s²_Y,i + θ² s²_X,i − 2θ s_XY,i
//
// (moments as CUPEDTheta's, per arm), and then Welch's test on (m_i, v_i, n_i)
// (docs/statistics.md#mean-metrics; the package's Welch): d = m_t − m_c,
// se = √(v_t/n_t + v_c/n_c), Welch–Satterthwaite ν, p = 2 sf_t(|d|/se; ν),
// CI = d ± t_{1−α/2,ν} se. The relative difference is over the unadjusted
// control mean, rel = d/|μ_Y,c|, with gbstats
// frequentist_variance_relative_cuped
//
//	se_rel² = v_t/(n_t μ²_Y,c)
//	        + (s²_Y,c μ²_Y,t/μ²_Y,c − 2θ s_XY,c μ_Y,t/μ_Y,c + θ² s²_X,c)/(n_c μ²_Y,c)
//
// and CI = rel ± t_{1−α/2,ν} se_rel. The test is Welch's even for a
// proportion metric. An adjusted variance below 1e-12 of s²_Y + θ²s²_X is
// rounding noise (Y exactly linear in X) and is taken as 0.
//
// Adjusted.OK is false when an arm has fewer than 2 users or se = 0;
// RelOK is false also when μ_Y,c = 0 or se_rel is 0 or overflows. It panics on invalid
// moments (see CUPEDTheta) or alpha outside (0, 1).
func CUPED(t, c CovMoments, proportion bool, alpha float64) CUPEDResult {
	t.check("CUPED", proportion)
	c.check("CUPED", proportion)
	if !(alpha > 0 && alpha < 1) {
		panic(fmt.Sprintf("stats: CUPED: alpha %v is not in (0, 1)", alpha))
	}
	theta := cupedTheta(t, c, proportion)
	at, ac := t.moments(proportion), c.moments(proportion)
	r := CUPEDResult{Theta: theta}
	r.Adjusted, r.AdjT, r.AdjC = cupedCompare(at, ac, t.N, c.N, theta, alpha)
	r.Unadjusted, _, _ = cupedCompare(at, ac, t.N, c.N, 0, alpha)
	if r.Adjusted.OK && r.Unadjusted.OK {
		r.VarianceReduction = 1 - (r.Adjusted.SE*r.Adjusted.SE)/(r.Unadjusted.SE*r.Unadjusted.SE)
	}
	return r
}

// cupedCompare is CUPED's comparison at a given θ.
func cupedCompare(at, ac cupedArm, nt, nc int64, theta, alpha float64) (Estimate, Summary, Summary) {
	adjVar := func(a cupedArm) float64 {
		v := a.varY + theta*theta*a.varX - 2*theta*a.cv
		if v <= 1e-12*(a.varY+theta*theta*a.varX) {
			return 0
		}
		return v
	}
	st := Summary{N: nt, Mean: at.muY - theta*at.muX, Var: adjVar(at)}
	sc := Summary{N: nc, Mean: ac.muY - theta*ac.muX, Var: adjVar(ac)}
	e, crit := welch(st, sc, alpha)
	// The relative fields are CUPED's own, over the unadjusted control mean.
	e.Rel, e.RelSE, e.RelLow, e.RelHigh, e.RelOK = 0, 0, 0, 0, false
	if !e.OK || ac.muY == 0 {
		return e, st, sc
	}
	// Divided by |μ_Y,c| twice rather than by μ²_Y,c, which can underflow.
	absC := math.Abs(ac.muY)
	ratio := at.muY / ac.muY
	relVarC := ac.varY*ratio*ratio - 2*theta*ac.cv*ratio + theta*theta*ac.varX
	relVar := st.Var/at.n/absC/absC + max(relVarC, 0)/ac.n/absC/absC
	if !(relVar > 0) || math.IsInf(relVar, 0) {
		return e, st, sc
	}
	e.Rel = e.Diff / absC
	e.RelSE = math.Sqrt(relVar)
	e.RelLow, e.RelHigh = e.Rel-crit*e.RelSE, e.Rel+crit*e.RelSE
	e.RelOK = true
	return e, st, sc
}
