package stats_test

import (
	"fmt"

	"github.com/experimentos/experimentos/internal/stats"
)

// CUPED on a mean metric whose pre-period value explains much of its
// variance: the adjusted interval is narrower than the plain Welch one.
func ExampleCUPED() {
	moments := func(y, x []float64) stats.CovMoments {
		m := stats.CovMoments{N: int64(len(y))}
		for i := range y {
			m.SumY += y[i]
			m.SumYY += y[i] * y[i]
			m.SumX += x[i]
			m.SumXX += x[i] * x[i]
			m.SumXY += x[i] * y[i]
		}
		return m
	}
	t := moments([]float64{12, 15, 9, 20, 14, 17, 11, 16}, []float64{10, 13, 8, 17, 12, 14, 10, 13})
	c := moments([]float64{10, 14, 8, 18, 11, 13, 9, 15}, []float64{10, 14, 8, 18, 11, 13, 9, 15})
	r := stats.CUPED(t, c, false, 0.05)
	fmt.Printf("theta %.3f, variance reduction %.0f%%\n", r.Theta, 100*r.VarianceReduction)
	fmt.Printf("unadjusted %.3f [%.3f, %.3f] p = %.3f\n", r.Unadjusted.Diff, r.Unadjusted.Low, r.Unadjusted.High, r.Unadjusted.P)
	fmt.Printf("adjusted   %.3f [%.3f, %.3f] p = %.2g\n", r.Adjusted.Diff, r.Adjusted.Low, r.Adjusted.High, r.Adjusted.P)
	// Output:
	// theta 1.095, variance reduction 98%
	// unadjusted 2.000 [-1.705, 5.705] p = 0.266
	// adjusted   2.137 [1.587, 2.687] p = 4.5e-06
}

// A sequential interval is wider than the fixed-horizon one, and its
// p-value larger, in exchange for staying valid at every look.
func ExampleSequential() {
	fixed := stats.Estimate{Diff: 0.004, SE: 0.0015, DF: 0, P: 0.00766, Low: 0.00106, High: 0.00694, OK: true}
	seq := stats.Sequential(fixed, 40_000, 40_000, 0.05)
	fmt.Printf("fixed      [%.5f, %.5f] p = %.4f\n", fixed.Low, fixed.High, fixed.P)
	fmt.Printf("sequential [%.5f, %.5f] p = %.4f\n", seq.Low, seq.High, seq.P)
	// Output:
	// fixed      [0.00106, 0.00694] p = 0.0077
	// sequential [-0.00055, 0.00855] p = 0.1271
}

// The false-positive rate of a 5% test looked at after every push.
func ExamplePeekingFalsePositiveRate() {
	for _, k := range []int{1, 2, 5, 20} {
		fmt.Printf("%2d looks: %.1f%%\n", k, 100*stats.PeekingFalsePositiveRate(k, 0.05))
	}
	// Output:
	//  1 looks: 5.0%
	//  2 looks: 8.3%
	//  5 looks: 14.2%
	// 20 looks: 24.8%
}

// q-values of five comparisons, in their original order.
func ExampleBenjaminiHochberg() {
	fmt.Printf("%.3f\n", stats.BenjaminiHochberg([]float64{0.01, 0.04, 0.03, 0.005, 0.5}))
	// Output:
	// [0.025 0.050 0.050 0.025 0.500]
}
