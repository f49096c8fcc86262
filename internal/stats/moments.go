package stats

import (
	"fmt"
	"math"
)

// noiseULPs is how many units of rounding, relative to the largest term, a
// central moment computed from sums may carry before it is taken as 0: the
// sums themselves are rounded (at least once each when read from decimal
// text), so a smaller result is noise, not variance.
const noiseULPs = 16

// MeanSummary is one arm's mean and sample variance from its users n, the
// sum Σx of the per-user values and the sum of their squares Σx²
// (docs/statistics.md#mean-metrics):
//
//	Mean = Σx/n
//	Var  = (Σx² − (Σx)²/n)/(n − 1)
//
// as numpy's np.mean(x) and np.var(x, ddof=1) of the per-user values.
// Σx² − (Σx)²/n is evaluated with the square and the division carried in
// two floats each (math.FMA), so the only error left is that of the sums
// themselves. Var is 0 when n < 2, and when |Σx² − (Σx)²/n| is within
// 16 units of rounding of Σx² (including a negative result): the sums cannot
// resolve a smaller variance, as in an arm where every user has the same
// value. Mean is 0 when n = 0. It panics if n < 0 or a sum is not finite.
func MeanSummary(n int64, sum, sumSquares float64) Summary {
	if n < 0 || !finite(sum) || !finite(sumSquares) {
		panic(fmt.Sprintf("stats: MeanSummary(%d, %v, %v): invalid moments", n, sum, sumSquares))
	}
	if n == 0 {
		return Summary{}
	}
	s := Summary{N: n, Mean: sum / float64(n)}
	if n >= 2 {
		s.Var = centralMoment(n, sumSquares, sum, sum) / float64(n-1)
	}
	return s
}

// centralMoment is Σxy − ΣxΣy/n, with ΣxΣy and the division by n each
// carried as an unevaluated sum of two floats (Dekker's product through
// math.FMA, and the exact remainder of the quotient), so the subtraction
// cancels nothing but the inputs' own rounding. A result within noiseULPs
// units of rounding of the larger term is returned as 0.
func centralMoment(n int64, sxy, sx, sy float64) float64 {
	fn := float64(n)
	hi := sx * sy
	lo := math.FMA(sx, sy, -hi) // ΣxΣy = hi + lo exactly
	q := hi / fn
	r := math.FMA(-q, fn, hi) // hi − q·n exactly
	m := sxy - q - (r+lo)/fn
	if math.IsInf(hi, 0) { // ΣxΣy overflows: divide first
		m = sxy - sx/fn*sy
	}
	scale := math.Max(math.Abs(sxy), math.Abs(q))
	if math.Abs(m) <= noiseULPs*epsilon*scale {
		return 0
	}
	return m
}

// epsilon is the float64 machine epsilon, 2⁻⁵².
const epsilon = 0x1p-52

// RatioSummary is one arm's ratio metric Σx/Σy and the delta-method
// variance of the ratio per user, from the users n and the per-user sums of
// the numerator x, the denominator y, their squares and their product
// (docs/statistics.md#ratio-metrics; gbstats RatioStatistic):
//
//	μx = Σx/n,  μy = Σy/n
//	s_x² = (Σx² − (Σx)²/n)/(n − 1),  s_y² likewise
//	s_xy = (Σxy − ΣxΣy/n)/(n − 1)
//	Mean = Σx/Σy
//	Var  = s_x²/μy² + s_y²·μx²/μy⁴ − 2·s_xy·μx/μy³
//
// (the first-order Taylor expansion of μx/μy; Casella and Berger,
// Statistical Inference, 2nd ed., section 5.5.4). Var equals the sample
// variance, with n − 1, of the per-user linearization (x − Mean·y)/μy, which
// the reference vectors check on simulated users. The moments are computed
// as in MeanSummary; Var is 0 when n < 2, or when it is within 16 units of
// rounding of (Σx² + r²Σy² + 2|rΣxy|)/((n − 1)μy²), r = Mean, the scale at
// which the rounding of the sums reaches it (x proportional to y: every
// user has the same ratio; a negative result is such noise too).
// ok is false when Σy = 0, where the ratio is undefined. It panics if n < 0
// or a sum is not finite.
func RatioSummary(n int64, sumX, sumXX, sumY, sumYY, sumXY float64) (Summary, bool) {
	if n < 0 || !finite(sumX) || !finite(sumXX) || !finite(sumY) || !finite(sumYY) || !finite(sumXY) {
		panic(fmt.Sprintf("stats: RatioSummary(%d, %v, %v, %v, %v, %v): invalid moments",
			n, sumX, sumXX, sumY, sumYY, sumXY))
	}
	if n == 0 || sumY == 0 {
		return Summary{}, false
	}
	s := Summary{N: n, Mean: sumX / sumY}
	if n < 2 {
		return s, true
	}
	fn, d := float64(n), float64(n-1)
	my := sumY / fn
	vx := centralMoment(n, sumXX, sumX, sumX) / d
	vy := centralMoment(n, sumYY, sumY, sumY) / d
	cxy := centralMoment(n, sumXY, sumX, sumY) / d
	// With r = μx/μy: Var = (s_x² + r²·s_y² − 2r·s_xy)/μy², the same three
	// terms as gbstats' form, scaled once by μy² (no μy⁴ to overflow).
	r := s.Mean
	v := (vx + r*r*vy - 2*r*cxy) / (my * my)
	// The rounding of the sums reaches v scaled as the raw sums are.
	scale := (math.Abs(sumXX) + r*r*math.Abs(sumYY) + 2*math.Abs(r*sumXY)) / (d * my * my)
	if v <= noiseULPs*epsilon*scale || !finite(v) {
		// Cancellation noise, or moments beyond float64: no usable variance.
		v = 0
	}
	s.Var = v
	return s, true
}

// finite reports whether v is neither NaN nor ±Inf.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
