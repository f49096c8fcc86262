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
