package stats_test

import (
	"fmt"

	"github.com/experimentos/experimentos/internal/stats"
)

// A primary metric: Cochran's rule picks the test, and the Newcombe interval
// gives the range of the absolute lift. The figures agree with statsmodels'
// proportions_ztest (p = 0.058258) and confint_proportions_2indep
// (-0.000213, 0.012222).
func Example() {
	xt, nt := int64(560), int64(10_000) // treatment: conversions, users
	xc, nc := int64(500), int64(10_000) // control

	var p float64
	if stats.UseFisher(xt, nt, xc, nc) {
		p = stats.FisherExact(xt, nt, xc, nc)
	} else {
		_, p, _ = stats.ZTest(xt, nt, xc, nc)
	}
	lo, hi := stats.NewcombeDiff(xt, nt, xc, nc, 0.05)
	rel, rlo, rhi, _, _ := stats.RelLift(xt, nt, xc, nc, 0.05)
	fmt.Printf("z-test p = %.4f\n", p)
	fmt.Printf("abs lift 95%% CI [%.5f, %.5f]\n", lo, hi)
	fmt.Printf("rel lift %.3f, 95%% CI [%.3f, %.3f]\n", rel, rlo, rhi)
	// Output:
	// z-test p = 0.0583
	// abs lift 95% CI [-0.00021, 0.01222]
	// rel lift 0.120, 95% CI [-0.011, 0.251]
}

// A small sample: an expected cell is below 5, so Fisher's exact test is used.
// This is the table of scipy.stats.fisher_exact's docstring, [[8, 2], [1, 5]].
func ExampleFisherExact() {
	xt, nt, xc, nc := int64(8), int64(10), int64(1), int64(6)
	fmt.Println(stats.UseFisher(xt, nt, xc, nc))
	fmt.Printf("%.4f\n", stats.FisherExact(xt, nt, xc, nc))
	// Output:
	// true
	// 0.0350
}

// Sample-ratio mismatch: 50,600 against 49,400 users where 50/50 was planned.
func ExampleChiSquareGOF() {
	chi2, p, df := stats.ChiSquareGOF([]int64{50_600, 49_400}, []float64{0.5, 0.5})
	fmt.Printf("chi2 = %.1f, df = %d, p = %.2g\n", chi2, df, p)
	// Output:
	// chi2 = 14.4, df = 1, p = 0.00015
}

// Users per arm to detect a 10% relative lift on a 5% baseline, 50/50 split
// (31217.5 by the same formula with scipy.stats.norm.ppf).
func ExamplePowerUsersPerArm() {
	nc, nt, _ := stats.PowerUsersPerArm(0.05, 0.055, 0.05, 0.5, 0.5)
	fmt.Printf("%.0f %.0f\n", nc, nt)
	// Output:
	// 31217 31217
}

// A mean metric (revenue per user) from the sums a results.csv carries:
// users, Σx and Σx² per arm, compared by Welch's t-test. scipy.stats.
// ttest_ind_from_stats on the same moments gives p = 0.024651.
func ExampleWelch() {
	c := stats.MeanSummary(10_000, 251_000, 16_301_000) // mean 25.1, sd ≈ 31.6
	t := stats.MeanSummary(10_200, 266_220, 17_147_342)
	e := stats.Welch(t, c, 0.05)
	fmt.Printf("diff %.2f, 95%% CI [%.2f, %.2f], df %.0f, p = %.4f\n", e.Diff, e.Low, e.High, e.DF, e.P)
	fmt.Printf("rel %+.1f%%, 95%% CI [%+.1f%%, %+.1f%%]\n", 100*e.Rel, 100*e.RelLow, 100*e.RelHigh)
	// Output:
	// diff 1.00, 95% CI [0.13, 1.87], df 20190, p = 0.0247
	// rel +4.0%, 95% CI [+0.4%, +7.5%]
}

// A ratio metric (revenue per session): the per-user sums of the numerator
// x, the denominator y, their squares and their product give the ratio and
// the delta-method variance of it per user (gbstats RatioStatistic's
// formula gives 2.6 and 6.35135 on the same sums).
func ExampleRatioSummary() {
	s, ok := stats.RatioSummary(1_000, 5_200, 61_000, 2_000, 6_500, 15_300)
	fmt.Println(ok)
	fmt.Printf("ratio %.2f, per-user variance %.3f\n", s.Mean, s.Var)
	_, ok = stats.RatioSummary(10, 3, 9, 0, 0, 0) // no sessions at all
	fmt.Println(ok)
	// Output:
	// true
	// ratio 2.60, per-user variance 6.351
	// false
}
