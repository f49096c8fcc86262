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
