package stats

import (
	"fmt"
	"math"
)

// Bonferroni is the Bonferroni-adjusted p-value of one of m comparisons
// (docs/statistics.md#several-arms; Dunn, 1961):
//
//	p_adjusted = min(1, p·m)
//
// as statsmodels.stats.multitest.multipletests(pvals, method='bonferroni')
// returns it for each p of the m. It panics if p is not in [0, 1] or m < 1.
func Bonferroni(p float64, m int) float64 {
	if !(p >= 0 && p <= 1) || m < 1 {
		panic(fmt.Sprintf("stats: Bonferroni(%v, %d): p not in [0, 1] or m < 1", p, m))
	}
	return math.Min(1, p*float64(m))
}
