package stats

import (
	"math"

	"gonum.org/v1/gonum/mathext"
)

// Student's t tail and quantile for the Welch test (docs/statistics.md#welch).
//
// gonum's distuv.StudentsT is not used: its Survival passes x = ν/(ν + t²)
// to the incomplete beta, which rebuilds 1 − x and x^(ν/2) from it, so p
// loses about ν·1e-16 relative (2e-7 at ν = 2·10^8, the degrees of freedom
// of 10^8 users per arm, and 8e-6 near t = 0), and its Quantile(1 − α/2)
// computes 1 − (1 − α/2), which loses the digits of small α (a relative error
// of 10 at α = 1e-12, ν = 10^5). The forms below agree with scipy 1.10.1
// (stdtr, stdtrit; cdflib's TOMS 708 incomplete beta) to better than 1e-12
// on the grid in TestStudentT.

// hillMinDF is the ν from which tTwoSided uses Hill's normalising expansion,
// which agrees with scipy's stdtr there to 2e-13 relative for every t.
const hillMinDF = 1e5

// tTwoSided is the two-sided tail P(|T| ≥ |t|) of Student's t with ν > 0
// degrees of freedom, scipy.stats.t.sf(|t|, ν)·2 = 2·stdtr(ν, −|t|).
//
// For ν < hillMinDF it is the regularized incomplete beta
//
//	p = I_x(ν/2, 1/2),          x  = ν/(ν + t²)    (|t| ≥ 0.67, p < 0.5)
//	p = 1 − I_{1−x}(1/2, ν/2),  1 − x = t²/(ν + t²) (|t| < 0.67, p > 0.5)
//
// (Abramowitz and Stegun 26.7.1 with 26.5.27), x and 1 − x each computed
// directly, without cancellation. For ν ≥ hillMinDF it is Hill's expansion
// (Hill, 1970, ACM Algorithm 395):
//
//	a = ν − 1/2,  b = 48a²,  y = a·ln(1 + t²/ν)
//	z = √y·(1 + (y + 3 + (((−0.4y − 3.3)y − 24)y − 85.5)/(0.8y² + 100 + b))/b)
//	p = erfc(z/√2)
//
// with ln(1 + t²/ν) from log1p, which is exact at any ν and in the far tail.
func tTwoSided(t, nu float64) float64 {
	t = math.Abs(t)
	if t == 0 {
		return 1
	}
	if math.IsInf(t, 1) {
		return 0
	}
	if nu >= hillMinDF {
		// ln(1 + t²/ν) = 2 ln(t/√ν) + ln(1 + ν/t²) avoids overflowing t².
		s := t / math.Sqrt(nu)
		var l float64
		if s <= 1 {
			l = math.Log1p(s * s)
		} else {
			l = 2*math.Log(s) + math.Log1p(1/(s*s))
		}
		a := nu - 0.5
		b := 48 * a * a
		y := a * l
		if y > 1e5 { // z > 300: the tail is far below the smallest float64
			return 0
		}
		z := math.Sqrt(y) * (1 + (y+3+(((-0.4*y-3.3)*y-24)*y-85.5)/(0.8*y*y+100+b))/b)
		return math.Erfc(z / math.Sqrt2)
	}
	// x = ν/(ν + t²) and xc = 1 − x = t²/(ν + t²), written with u = √ν/t
	// or s = t/√ν so that neither t² nor ν/t² overflows.
	var x, xc float64
	if s := t / math.Sqrt(nu); s <= 1 {
		x, xc = 1/(1+s*s), s*s/(1+s*s)
	} else {
		u := 1 / s
		x, xc = u*u/(1+u*u), 1/(1+u*u)
	}
	if t < 0.67 {
		return 1 - mathext.RegIncBeta(0.5, nu/2, xc)
	}
	return mathext.RegIncBeta(nu/2, 0.5, x)
}

// cornishFisherMinDF is the ν from which tQuantile uses the Cornish–Fisher
// expansion (when also ν ≥ 25 z², so the series converges fast).
const cornishFisherMinDF = 1000

// tQuantile is t_{1−α/2, ν}, the upper α/2 point of Student's t with ν > 0
// degrees of freedom, so that tTwoSided(tQuantile(α, ν), ν) = α:
// scipy.stats.t.isf(α/2, ν) = −stdtrit(ν, α/2).
//
// For large ν (ν ≥ 1000 and ν ≥ 25 z²) it is the Cornish–Fisher expansion
// in the normal quantile z = z_{1−α/2} (Abramowitz and Stegun 26.7.5):
//
//	t = z + g1/ν + g2/ν² + g3/ν³ + g4/ν⁴
//	g1 = (z³ + z)/4
//	g2 = (5z⁵ + 16z³ + 3z)/96
//	g3 = (3z⁷ + 19z⁵ + 17z³ − 15z)/384
//	g4 = (79z⁹ + 776z⁷ + 1482z⁵ − 1920z³ − 945z)/92160
//
// Otherwise it inverts the incomplete beta at α itself (not at 1 − α/2,
// which would lose the digits of a small α): x = I⁻¹_α(ν/2, 1/2),
// t = √(ν(1 − x)/x) (for ν ≥ 1000 the Cornish–Fisher value instead, where
// the inverse fails), then Newton steps on tTwoSided to full precision.
// It panics if α is not in (0, 1).
func tQuantile(alpha, nu float64) float64 {
	z := criticalValue("tQuantile", alpha)
	if nu >= cornishFisherMinDF && nu >= 25*z*z {
		return cornishFisher(z, nu)
	}
	var t float64
	if nu >= cornishFisherMinDF {
		t = cornishFisher(z, nu) // a close start where the beta inverse fails
	} else {
		x := mathext.InvRegIncBeta(nu/2, 0.5, alpha)
		if x <= 0 { // α below what the beta inverse resolves: t overflows
			return math.MaxFloat64
		}
		t = math.Sqrt(nu * (1 - x) / x)
	}
	if p := tTwoSided(t, nu); !(p > 0) || math.IsNaN(t) || math.Abs(math.Log(p)-math.Log(alpha)) > 0.5 {
		t = tBracket(alpha, z, nu) // the start is far off: bisect first
	}
	// Newton on ln p(ln t) = ln α polishes the start to full precision:
	// d ln p/d ln t = −2 t f(t)/p(t), f the density of t. In ln t the tail
	// is nearly linear, so a few steps suffice from either start.
	for range 8 {
		p := tTwoSided(t, nu)
		f := tDensity(t, nu)
		if !(p > 0) || !(f > 0) || math.IsInf(t, 0) {
			break
		}
		step := (math.Log(p) - math.Log(alpha)) * p / (2 * t * f)
		if math.IsNaN(step) || math.IsInf(step, 0) || math.Abs(step) > 1 {
			break
		}
		t *= math.Exp(step)
		if math.Abs(step) < 1e-15 {
			break
		}
	}
	return t
}

// tBracket brackets t_{1−α/2, ν} between z = z_{1−α/2} (Student's t has
// heavier tails than the normal) and a growing upper bound, and bisects in
// ln t until p is within a factor e^0.1 of α.
func tBracket(alpha, z, nu float64) float64 {
	lo, hi := z, 4*z
	for tTwoSided(hi, nu) >= alpha {
		if hi > math.MaxFloat64/1e4 {
			return math.MaxFloat64
		}
		lo, hi = hi, hi*1e4
	}
	for range 200 {
		mid := math.Sqrt(lo) * math.Sqrt(hi)
		p := tTwoSided(mid, nu)
		if p > 0 && math.Abs(math.Log(p)-math.Log(alpha)) < 0.1 {
			return mid
		}
		if p >= alpha {
			lo = mid
		} else {
			hi = mid
		}
	}
	return math.Sqrt(lo) * math.Sqrt(hi)
}

// cornishFisher is the expansion of t_{1−α/2, ν} in z = z_{1−α/2} above.
func cornishFisher(z, nu float64) float64 {
	z2 := z * z
	g1 := (z2 + 1) * z / 4
	g2 := ((5*z2+16)*z2 + 3) * z / 96
	g3 := (((3*z2+19)*z2+17)*z2 - 15) * z / 384
	g4 := ((((79*z2+776)*z2+1482)*z2-1920)*z2 - 945) * z / 92160
	return z + (g1+(g2+(g3+g4/nu)/nu)/nu)/nu
}

// tDensity is the density of Student's t with ν degrees of freedom:
// Γ((ν+1)/2)/(√(νπ) Γ(ν/2)) · (1 + t²/ν)^(−(ν+1)/2).
func tDensity(t, nu float64) float64 {
	lg1, _ := math.Lgamma((nu + 1) / 2)
	lg2, _ := math.Lgamma(nu / 2)
	return math.Exp(lg1 - lg2 - 0.5*math.Log(nu*math.Pi) - (nu+1)/2*math.Log1p(t*t/nu))
}
