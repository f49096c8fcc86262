package stats

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// BenjaminiHochberg returns the Benjamini–Hochberg (1995) q-values of m
// p-values, in their original order (docs/statistics.md#false-discovery-rate):
// with p_(1) <= ... <= p_(m) the sorted p-values,
//
//	q_(i) = min(1, min_{j >= i} p_(j)·m/j)
//
// (the step-up adjustment), as statsmodels.stats.multitest.multipletests(p,
// method='fdr_bh')[1]. Rejecting every hypothesis with q <= α controls the
// false discovery rate at α for independent or positively dependent tests.
// Tied p-values get equal q-values. An empty input gives an empty result.
// It panics if a p-value is not in [0, 1].
func BenjaminiHochberg(p []float64) []float64 {
	m := len(p)
	order := make([]int, m)
	for i, v := range p {
		if !(v >= 0 && v <= 1) {
			panic(fmt.Sprintf("stats: BenjaminiHochberg: p-value %v is not in [0, 1]", v))
		}
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(p[a], p[b]) })
	q := make([]float64, m)
	running := math.Inf(1)
	for k := m - 1; k >= 0; k-- {
		i := order[k]
		running = min(running, p[i]*float64(m)/float64(k+1))
		q[i] = min(running, 1)
	}
	return q
}
