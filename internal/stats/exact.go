package stats

import (
	"fmt"
	"math"
	"math/bits"
)

// FisherExact is the two-sided p-value of Fisher's exact test on the 2x2
// table [[xt, nt-xt], [xc, nc-xc]] (Fisher, 1922): with the margins fixed,
// the top-left cell X is hypergeometric,
//
//	P(X = k) = C(nt, k) C(nc, n-k) / C(N, n),  n = xt + xc, N = nt + nc,
//
// and p is the total probability of the tables no more probable than the
// observed one, P(X = k) <= P(X = xt) * (1 + 1e-14), summed over the observed
// tail and the opposite tail. This follows scipy.stats.fisher_exact of scipy
// 1.10.1 exactly, including its rules: p = 1 when a column total is 0 or when
// the observed table is as probable as the mode (relative 1e-14), and the
// relative tie tolerance gamma = 1 + 1e-14 (not the 1 + 1e-7 of R and of
// scipy's binomtest). Exact ties (equal arms, or equal column totals) are
// computed bitwise-symmetrically, so they are always counted.
//
// The pmf is Loader's saddle-point form (see logHypergeom), exact to about
// 1e-14 at 10^8 users, where log-gamma differences lose six digits. Each
// tail is summed in log space outward from its first term, away from the
// mode, and stops when the remaining terms, bounded by a geometric series
// (the pmf is log-concave), cannot change the sum: the work is O(sd + log N)
// whatever N is.
func FisherExact(xt, nt, xc, nc int64) float64 {
	checkCounts("FisherExact", xt, nt, xc, nc)
	h := hypergeom{N: nt + nc, K: nt, n: xt + xc}
	if h.n == 0 || h.n == h.N {
		return 1 // a column total is 0: every table is the observed one
	}
	lo, hi := h.support()
	x := xt
	mode := h.mode()
	lx := h.logPMF(x)
	lm := h.logPMF(mode)
	// scipy: |pexact - pmode| / max(pexact, pmode) <= 1e-14 gives p = 1. Two
	// adjacent modes are recognised exactly, in integers.
	if x == mode || (x == mode-1 && h.adjacentTie(x)) || -math.Expm1(lx-lm) <= fisherTol {
		return 1
	}
	thr := lx + math.Log1p(fisherTol)
	var p float64
	if x < mode {
		// Opposite tail: the first k above the mode no more probable than x.
		k := firstBelow(mode+1, hi, func(k int64) bool { return h.logPMF(k) <= thr })
		p = math.Exp(tailLogSum(h, x, lo, -1))
		if k <= hi {
			p += math.Exp(tailLogSum(h, k, hi, +1))
		}
	} else {
		// Opposite tail: the last k below the mode no more probable than x.
		k := lastBelow(lo, mode-1, func(k int64) bool { return h.logPMF(k) <= thr })
		p = math.Exp(tailLogSum(h, x, hi, +1))
		if k >= lo {
			p += math.Exp(tailLogSum(h, k, lo, -1))
		}
	}
	return min(p, 1)
}

// fisherTol is scipy 1.10.1's relative tolerance in fisher_exact
// (epsilon = 1e-14, gamma = 1 + epsilon).
const fisherTol = 1e-14

// binomTol is scipy 1.10.1's relative tolerance in binomtest (rerr = 1 + 1e-7).
const binomTol = 1e-7

// BinomTest is the two-sided p-value of the exact binomial test of k
// successes in n trials against success probability p (Clopper and Pearson's
// "minimum likelihood" two-sided rule): the sum of P(X = j) over the j no
// more probable than k, P(X = j) <= P(X = k) * (1 + 1e-7), X ~ Binomial(n, p),
//
// as scipy.stats.binomtest(k, n, p).pvalue of scipy 1.10.1: p = 1 when
// k == p*n (in floating point); otherwise the observed tail (j <= k, or j >= k)
// plus the tail on the other side of p*n, searched from ceil(p*n) up or from
// floor(p*n) down, with the relative tie tolerance 1 + 1e-7. The pmf is
// Loader's saddle-point form and the tails are summed outward as in
// FisherExact, so the cost is O(sqrt(n p (1-p)) + log n).
// It panics unless n > 0, 0 <= k <= n and 0 <= p <= 1.
func BinomTest(k, n int64, p float64) float64 {
	if n <= 0 || k < 0 || k > n || !(p >= 0 && p <= 1) {
		panic(fmt.Sprintf("stats: BinomTest: invalid k=%d n=%d p=%v", k, n, p))
	}
	np := p * float64(n)
	if float64(k) == np {
		return 1
	}
	if p == 0 || p == 1 {
		return 0 // all the mass is at 0 or n, and k is elsewhere
	}
	b := binomial{n: n, p: p, q: 1 - p}
	thr := b.logPMF(k) + math.Log1p(binomTol)
	var pv float64
	if float64(k) < np {
		j := firstBelow(int64(math.Ceil(np)), n, func(j int64) bool { return b.logPMF(j) <= thr })
		pv = math.Exp(tailLogSum(b, k, 0, -1))
		if j <= n {
			pv += math.Exp(tailLogSum(b, j, n, +1))
		}
	} else {
		j := lastBelow(0, int64(math.Floor(np)), func(j int64) bool { return b.logPMF(j) <= thr })
		pv = math.Exp(tailLogSum(b, k, n, +1))
		if j >= 0 {
			pv += math.Exp(tailLogSum(b, j, 0, -1))
		}
	}
	return min(pv, 1)
}

// PoissonRateTest is the exact conditional test of equal event rates per
// user (Przyborowski and Wilenski, 1940): given xt + xc events in total, xt
// is Binomial(xt + xc, nt / (nt + nc)) under the null, so
//
//	p = BinomTest(xt, xt + xc, nt / (nt + nc))
//
// as scipy.stats.binomtest(xt, xt + xc, nt / (nt + nc)).pvalue. Event counts
// may exceed the users. ok is false when xt + xc == 0 (nothing to compare).
// It panics unless nt, nc > 0 and xt, xc >= 0.
func PoissonRateTest(xt, nt, xc, nc int64) (p float64, ok bool) {
	if nt <= 0 || nc <= 0 || xt < 0 || xc < 0 {
		panic(fmt.Sprintf("stats: PoissonRateTest: invalid counts xt=%d nt=%d xc=%d nc=%d", xt, nt, xc, nc))
	}
	if xt+xc == 0 {
		return 0, false
	}
	return BinomTest(xt, xt+xc, float64(nt)/float64(nt+nc)), true
}

// firstBelow returns the least k in [lo, hi] with below(k), or hi+1 if none;
// below must be monotone (false then true) on [lo, hi].
func firstBelow(lo, hi int64, below func(int64) bool) int64 {
	end := hi + 1
	for lo < end {
		mid := lo + (end-lo)/2
		if below(mid) {
			end = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// lastBelow returns the greatest k in [lo, hi] with below(k), or lo-1 if none;
// below must be monotone (true then false) on [lo, hi].
func lastBelow(lo, hi int64, below func(int64) bool) int64 {
	start := lo - 1
	for start < hi {
		mid := hi - (hi-start)/2
		if below(mid) {
			start = mid
		} else {
			hi = mid - 1
		}
	}
	return start
}

// discrete is a log-concave distribution on the integers that can step its
// pmf by ratios.
type discrete interface {
	logPMF(k int64) float64
	// ratio returns P(k+dir) / P(k) for dir = +1 or -1.
	ratio(k, dir int64) float64
}

// tailLogSum returns log \sum P(k) for k from start to end inclusive,
// stepping by dir (+1 or -1) away from the mode. Terms are taken relative to
// P(start) by the ratio recurrence; since the ratios shrink away from the
// mode, the rest of the tail after a term t with ratio r is below
// t r / (1 - r), and the sum stops once that cannot change it.
func tailLogSum(d discrete, start, end, dir int64) float64 {
	sum, term := 1.0, 1.0
	for k := start; k != end; k += dir {
		r := d.ratio(k, dir)
		term *= r
		sum += term
		if r < 1 && term*r <= 0x1p-60*sum*(1-r) {
			break
		}
	}
	return d.logPMF(start) + math.Log(sum)
}

// hypergeom is the law of the top-left cell of a 2x2 table with row totals
// K and N-K and column totals n and N-n.
type hypergeom struct{ N, K, n int64 }

func (h hypergeom) support() (lo, hi int64) {
	return max(0, h.n-(h.N-h.K)), min(h.n, h.K)
}

// mode is floor((n+1)(K+1)/(N+2)), computed exactly.
func (h hypergeom) mode() int64 {
	hi, lo := bits.Mul64(uint64(h.n+1), uint64(h.K+1))
	q, _ := bits.Div64(hi, lo, uint64(h.N+2))
	return int64(q)
}

// adjacentTie reports whether P(k+1) == P(k) exactly, that is
// (K-k)(n-k) == (k+1)(N-K-n+k+1).
func (h hypergeom) adjacentTie(k int64) bool {
	ah, al := bits.Mul64(uint64(h.K-k), uint64(h.n-k))
	bh, bl := bits.Mul64(uint64(k+1), uint64(h.N-h.K-h.n+k+1))
	return ah == bh && al == bl
}

func (h hypergeom) ratio(k, dir int64) float64 {
	if dir > 0 {
		return float64(h.K-k) * float64(h.n-k) / (float64(k+1) * float64(h.N-h.K-h.n+k+1))
	}
	return float64(k) * float64(h.N-h.K-h.n+k) / (float64(h.K-k+1) * float64(h.n-k+1))
}

// logPMF is log P(X = k) by Loader's (2000) decomposition, as R's dhyper:
//
//	P(k) = b(k; K, p) b(n-k; N-K, p) / b(n; N, p),  p = n/N,
//
// with b the binomial pmf in saddle-point form (logBinom). The sum of the
// first two terms is commutative, so equal row totals give bitwise-equal
// P(k) and P(n-k).
func (h hypergeom) logPMF(k int64) float64 {
	lo, hi := h.support()
	if k < lo || k > hi {
		return math.Inf(-1)
	}
	p := float64(h.n) / float64(h.N)
	q := float64(h.N-h.n) / float64(h.N)
	return (logBinom(k, h.K, p, q) + logBinom(h.n-k, h.N-h.K, p, q)) - logBinom(h.n, h.N, p, q)
}

// binomial is Binomial(n, p) with q = 1 - p, 0 < p < 1.
type binomial struct {
	n    int64
	p, q float64
}

func (b binomial) logPMF(k int64) float64 { return logBinom(k, b.n, b.p, b.q) }

func (b binomial) ratio(k, dir int64) float64 {
	if dir > 0 {
		return float64(b.n-k) / float64(k+1) * (b.p / b.q)
	}
	return float64(k) / float64(b.n-k+1) * (b.q / b.p)
}

// logBinom is log of the binomial pmf C(n, k) p^k q^(n-k) in the
// saddle-point form of Loader, "Fast and Accurate Computation of Binomial
// Probabilities" (2000), as R's dbinom_raw:
//
//	log b = stirlerr(n) - stirlerr(k) - stirlerr(n-k) - bd0(k, np) - bd0(n-k, nq)
//	        - log(2 pi k (n-k) / n) / 2
//
// accurate to a few ulps of its largest term at any n; C(n, k) by log-gamma
// differences would lose about six digits at n = 10^8. The two-term sums are
// formed in a fixed order so that p == q gives log b(k) == log b(n-k) bitwise.
func logBinom(k, n int64, p, q float64) float64 {
	switch {
	case k < 0 || k > n:
		return math.Inf(-1)
	case p == 0:
		if k == 0 {
			return 0
		}
		return math.Inf(-1)
	case q == 0:
		if k == n {
			return 0
		}
		return math.Inf(-1)
	case n == 0:
		return 0
	}
	fn := float64(n)
	if k == 0 {
		if p < 0.1 {
			return -bd0(fn, fn*q) - fn*p
		}
		return fn * math.Log(q)
	}
	if k == n {
		if q < 0.1 {
			return -bd0(fn, fn*p) - fn*q
		}
		return fn * math.Log(p)
	}
	fk, fm := float64(k), float64(n-k)
	lc := stirlerr(n) - (stirlerr(k) + stirlerr(n-k)) - (bd0(fk, fn*p) + bd0(fm, fn*q))
	m := min(fk, fm)
	lf := math.Log(2*math.Pi) + math.Log(m) + math.Log1p(-m/fn)
	return lc - 0.5*lf
}

// stirlerrSmall holds stirlerr(n) = log n! - log(sqrt(2 pi n) (n/e)^n) for
// n = 0..15 (computed with mpmath at 40 digits; n = 0 is unused).
var stirlerrSmall = [16]float64{
	0,
	0.08106146679532725821967026,
	0.04134069595540929409382208,
	0.02767792568499833914878929,
	0.02079067210376509311152277,
	0.01664469118982119216319487,
	0.01387612882307074799874573,
	0.01189670994589177009505572,
	0.01041126526197209649747857,
	0.009255462182712732917728637,
	0.008330563433362871256469319,
	0.007573675487951840794972024,
	0.006942840107209529865664153,
	0.006408994188004207068439631,
	0.005951370112758847735624416,
	0.00555473355196280137103869,
}

// stirlerr is the error of Stirling's formula for log n!, from the table for
// n <= 15 and the asymptotic series 1/(12n) - 1/(360n^3) + ... beyond, with
// as many terms as R's nmath/stirlerr.c uses for each range of n.
func stirlerr(n int64) float64 {
	const (
		s0 = 1.0 / 12
		s1 = 1.0 / 360
		s2 = 1.0 / 1260
		s3 = 1.0 / 1680
		s4 = 1.0 / 1188
	)
	if n <= 15 {
		return stirlerrSmall[n]
	}
	x := float64(n)
	nn := x * x
	switch {
	case n > 500:
		return (s0 - s1/nn) / x
	case n > 80:
		return (s0 - (s1-s2/nn)/nn) / x
	case n > 35:
		return (s0 - (s1-(s2-s3/nn)/nn)/nn) / x
	default:
		return (s0 - (s1-(s2-(s3-s4/nn)/nn)/nn)/nn) / x
	}
}

// bd0 is the deviance term x log(x/np) + np - x, by the series in
// v = (x-np)/(x+np) when x is near np so that no digits cancel (Loader, 2000).
func bd0(x, np float64) float64 {
	if math.Abs(x-np) < 0.1*(x+np) {
		v := (x - np) / (x + np)
		s := (x - np) * v
		if math.Abs(s) < math.SmallestNonzeroFloat64 {
			return s
		}
		ej := 2 * x * v
		v *= v
		for j := 1; j < 1000; j++ {
			ej *= v
			s1 := s + ej/float64(2*j+1)
			if s1 == s {
				return s1
			}
			s = s1
		}
	}
	return x*math.Log(x/np) + np - x
}
