package stats

import "testing"

// sink keeps the compiler from discarding benchmarked results.
var sink float64

// BenchmarkFisherExact10M is Fisher's exact test at 10^7 users per arm with
// about 5% conversion and p near 0.05: the requirement is under 5 ms.
func BenchmarkFisherExact10M(b *testing.B) {
	for b.Loop() {
		sink = FisherExact(501_910, 10_000_000, 500_000, 10_000_000)
	}
}

// BenchmarkFisherExact100M is the same at 10^8 users per arm.
func BenchmarkFisherExact100M(b *testing.B) {
	for b.Loop() {
		sink = FisherExact(5_006_041, 100_000_000, 5_000_000, 100_000_000)
	}
}

func BenchmarkZTest(b *testing.B) {
	for b.Loop() {
		z, p, _ := ZTest(5_120, 100_000, 5_000, 100_000)
		sink = z + p
	}
}

func BenchmarkNewcombe(b *testing.B) {
	for b.Loop() {
		lo, hi := NewcombeDiff(5_120, 100_000, 5_000, 100_000, 0.05)
		sink = lo + hi
	}
}

func BenchmarkPoissonRateTest(b *testing.B) {
	for b.Loop() {
		p, _ := PoissonRateTest(250_400, 100_000, 250_000, 100_000)
		sink = p
	}
}

// BenchmarkWelch is one Welch comparison at 10^8 users per arm (the t tail
// by Hill's expansion, the quantile by Cornish–Fisher).
func BenchmarkWelch(b *testing.B) {
	t := MeanSummary(100_000_000, 2_510_300_000, 163_010_000_000)
	c := MeanSummary(99_990_000, 2_509_000_000, 162_900_000_000)
	for b.Loop() {
		sink = Welch(t, c, 0.05).P
	}
}

// BenchmarkWelchSmall is Welch at ν ≈ 30, where the tail is the incomplete
// beta and the quantile a Newton-polished beta inverse.
func BenchmarkWelchSmall(b *testing.B) {
	t, c := Summary{N: 16, Mean: 10.4, Var: 4.1}, Summary{N: 17, Mean: 9.1, Var: 3.2}
	for b.Loop() {
		sink = Welch(t, c, 0.05).P
	}
}

// BenchmarkChiSquareGOF10 is the sample-ratio test of 10 arms.
func BenchmarkChiSquareGOF10(b *testing.B) {
	users := []int64{1_000_210, 999_870, 1_000_400, 998_950, 1_001_030, 999_420, 1_000_090, 1_000_770, 999_310, 999_950}
	shares := []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	for b.Loop() {
		_, p, _ := ChiSquareGOF(users, shares)
		sink = p
	}
}
