package stats

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestMeanSummaryExact checks MeanSummary's variance against the formula
// evaluated exactly (math/big) on the same float sums, over means up to
// 10^6 standard deviations, where Σx² − (Σx)²/n cancels up to 12 digits and
// the plain float expression is off by more than 1e-6.
func TestMeanSummaryExact(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	naiveOff := 0
	for i := range 2000 {
		n := int64(2 + rng.IntN(1_000_000))
		sd := math.Exp(rng.Float64()*20 - 10)
		mean := sd * math.Pow(10, rng.Float64()*6) * float64(1-2*(i%2))
		sum := mean * float64(n)
		sumSq := sd*sd*float64(n-1) + mean*mean*float64(n)
		// exact = (Σx² − (Σx)²/n)/(n − 1) on the float64 inputs.
		fn := new(big.Rat).SetInt64(n)
		s := new(big.Rat).SetFloat64(sum)
		m := new(big.Rat).Mul(s, s)
		m.Quo(m, fn)
		m.Sub(new(big.Rat).SetFloat64(sumSq), m)
		m.Quo(m, new(big.Rat).SetInt64(n-1))
		want, _ := m.Float64()
		got := MeanSummary(n, sum, sumSq).Var
		if math.Abs(got-want) > 1e-9*math.Abs(want) {
			t.Errorf("MeanSummary(%d, %v, %v).Var = %.17g, exact %.17g", n, sum, sumSq, got, want)
		}
		if naive := (sumSq - sum*sum/float64(n)) / float64(n-1); math.Abs(naive-want) > 1e-6*math.Abs(want) {
			naiveOff++
		}
	}
	if naiveOff == 0 {
		t.Error("no input where the plain float formula loses 1e-6: the test does not exercise cancellation")
	}
	t.Logf("plain float formula off by > 1e-6 on %d of 2000 inputs", naiveOff)
}

// TestMeanSummaryNoise checks that a constant arm (every user at the same
// value, the sums correctly rounded) has variance exactly 0, that naively
// accumulated sums never give a negative variance, and that n < 2 gives 0.
func TestMeanSummaryNoise(t *testing.T) {
	t.Parallel()
	for _, v := range []float64{0.1, 9.99, -2.5, 1e6 + 0.3, 3} {
		for _, n := range []int64{2, 3, 7, 1000, 123_457} {
			// Correctly rounded sums: n·v and n·v² rounded once.
			bv := new(big.Float).SetPrec(2000).SetFloat64(v)
			bn := new(big.Float).SetPrec(2000).SetInt64(n)
			s, _ := new(big.Float).SetPrec(2000).Mul(bn, bv).Float64()
			ss, _ := new(big.Float).SetPrec(2000).Mul(bn, new(big.Float).SetPrec(2000).Mul(bv, bv)).Float64()
			if got := MeanSummary(n, s, ss); got.Var != 0 {
				t.Errorf("MeanSummary of %d users at %v: Var = %g, want 0", n, v, got.Var)
			}
			var ns, nss float64 // naive running sums
			for range n {
				ns += v
				nss += v * v
			}
			if got := MeanSummary(n, ns, nss); got.Var < 0 {
				t.Errorf("MeanSummary of %d users at %v, naive sums: Var = %g, want >= 0", n, v, got.Var)
			}
		}
	}
	if got := MeanSummary(1, 5, 25); got != (Summary{N: 1, Mean: 5}) {
		t.Errorf("MeanSummary(1, 5, 25) = %+v, want {1 5 0}", got)
	}
	if got := MeanSummary(0, 0, 0); got != (Summary{}) {
		t.Errorf("MeanSummary(0, 0, 0) = %+v, want zero", got)
	}
}

func TestRatioSummaryEdges(t *testing.T) {
	t.Parallel()
	// Every user with the same ratio 2.5: variance 0.
	s, ok := RatioSummary(4, 2.5*10, 6.25*(1+4+9+16), 10, 30, 2.5*30)
	if !ok || s.Mean != 2.5 || s.Var != 0 {
		t.Errorf("constant ratio: %+v, %v, want {4 2.5 0}, true", s, ok)
	}
	if _, ok := RatioSummary(3, 1, 1, 0, 2, 0); ok {
		t.Error("Σy = 0: ok = true, want false")
	}
	if s, ok := RatioSummary(1, 3, 9, 2, 4, 6); !ok || s != (Summary{N: 1, Mean: 1.5}) {
		t.Errorf("n = 1: %+v, %v, want {1 1.5 0}, true", s, ok)
	}
}

// TestWelchEdges checks the flags and degrees of freedom at the edges.
func TestWelchEdges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		t, c       Summary
		ok, relOK  bool
		df         float64 // checked when > 0
		finiteOnly bool
	}{
		{"control variance 0", Summary{50, 3, 4}, Summary{20, 2, 0}, true, true, 49, false},
		{"treatment variance 0", Summary{50, 3, 0}, Summary{20, 2, 4}, true, true, 19, false},
		{"both variances 0", Summary{50, 3, 0}, Summary{20, 2, 0}, false, false, 0, false},
		{"n = 1", Summary{1, 3, 0}, Summary{20, 2, 4}, false, false, 0, false},
		{"n = 0", Summary{}, Summary{20, 2, 4}, false, false, 0, false},
		{"control mean 0", Summary{10, 3, 4}, Summary{10, 0, 4}, true, false, 18, false},
		{"equal arms", Summary{10, 3, 4}, Summary{10, 3, 4}, true, true, 18, false},
		{"variances 1e-300", Summary{10, 3, 1e-300}, Summary{12, 2, 1e-300}, true, true, 0, true},
		{"variances 1e300", Summary{10, 3, 1e300}, Summary{12, 2, 1e300}, true, true, 0, true},
		{"means 1e308 apart", Summary{10, 1.7e308, 1}, Summary{12, -1.7e308, 1}, false, false, 0, false},
		{"10^9 users", Summary{1e9, 3.0001, 4}, Summary{1e9, 3, 4}, true, true, 0, true},
	}
	for _, tt := range tests {
		for _, f := range []func(Summary, Summary, float64) Estimate{Welch, NormalDiff} {
			e := f(tt.t, tt.c, 0.05)
			if tt.t.N == 1 && e.OK { // NormalDiff accepts n = 1
				continue
			}
			if e.OK != tt.ok || e.RelOK != tt.relOK {
				t.Errorf("%s: OK, RelOK = %v, %v, want %v, %v", tt.name, e.OK, e.RelOK, tt.ok, tt.relOK)
			}
			for _, v := range []float64{e.Diff, e.SE, e.DF, e.P, e.Low, e.High, e.Rel, e.RelSE, e.RelLow, e.RelHigh} {
				if !finite(v) {
					t.Errorf("%s: %+v has a non-finite field", tt.name, e)
				}
			}
			if !(e.P >= 0 && e.P <= 1) {
				t.Errorf("%s: p = %v", tt.name, e.P)
			}
			if !e.OK && e != (Estimate{}) {
				t.Errorf("%s: not OK but %+v", tt.name, e)
			}
			if e.OK && !(e.Low <= e.Diff && e.Diff <= e.High) {
				t.Errorf("%s: CI [%v, %v] misses %v", tt.name, e.Low, e.High, e.Diff)
			}
		}
		if e := Welch(tt.t, tt.c, 0.05); tt.df > 0 && !near(e.DF, tt.df) {
			t.Errorf("%s: Welch DF = %v, want %v", tt.name, e.DF, tt.df)
		}
	}
}

// TestStudentTRoundTrip checks tTwoSided(tQuantile(α, ν), ν) = α across ν
// and α, including the regions where gonum's Quantile fails.
func TestStudentTRoundTrip(t *testing.T) {
	t.Parallel()
	for _, nu := range []float64{1, 1.5, 2, 5, 29.7, 200, 640, 999, 1000, 5e4, 99_999, 1e5, 1e7, 2e8, 1e12} {
		for _, a := range []float64{0.5, 0.1, 0.05, 0.01, 0.05 / 9, 1e-6, 1e-12, 1e-30, 1e-100} {
			q := tQuantile(a, nu)
			if !finite(q) || q <= 0 {
				t.Errorf("tQuantile(%v, %v) = %v", a, nu, q)
				continue
			}
			if p := tTwoSided(q, nu); math.Abs(p-a) > 1e-9*a {
				t.Errorf("tTwoSided(tQuantile(%v, %v) = %v) = %.17g, want %v", a, nu, q, p, a)
			}
		}
	}
	if got := tTwoSided(1e300, 3); got != 0 {
		t.Errorf("tTwoSided(1e300, 3) = %v, want 0", got)
	}
	if got := tTwoSided(0, 3); got != 1 {
		t.Errorf("tTwoSided(0, 3) = %v, want 1", got)
	}
}

func TestChiSquareGOFArms(t *testing.T) {
	t.Parallel()
	chi2, p, df := ChiSquareGOF([]int64{0, 0, 0, 0}, []float64{1, 2, 3, 4})
	if chi2 != 0 || p != 1 || df != 3 {
		t.Errorf("no users: (%v, %v, %v), want (0, 1, 3)", chi2, p, df)
	}
	// Shares need not be normalised: 1:1:2 and 0.25:0.25:0.5 agree bitwise
	// up to rounding.
	c1, p1, _ := ChiSquareGOF([]int64{260, 240, 500}, []float64{1, 1, 2})
	c2, p2, _ := ChiSquareGOF([]int64{260, 240, 500}, []float64{0.25, 0.25, 0.5})
	if !near(c1, c2) || !near(p1, p2) || !near(c1, 0.8) {
		t.Errorf("shares 1:1:2 give (%v, %v), 0.25:0.25:0.5 give (%v, %v); want chi2 0.8", c1, p1, c2, p2)
	}
}

func TestNormalPowerUndefined(t *testing.T) {
	t.Parallel()
	for _, in := range [][6]float64{
		{4, 4, 0, 0.05, 1, 1},           // δ = 0
		{0, 0, 1, 0.05, 1, 1},           // no variance
		{-1, 4, 1, 0.05, 1, 1},          // negative variance
		{4, 4, 1, 1, 1, 1},              // α out of range
		{4, 4, 1, 0.05, 0, 1},           // weight 0
		{4, 4, math.NaN(), 0.05, 1, 1},  // NaN
		{4, 4, 1e-300, 0.05, 1, 1},      // n overflows
		{4, 4, 1, 0.05, 1, math.Inf(1)}, // infinite weight
	} {
		if _, _, ok := NormalUsersPerArm(in[0], in[1], in[2], in[3], in[4], in[5]); ok {
			t.Errorf("NormalUsersPerArm%v: ok = true, want false", in)
		}
	}
	for _, tt := range []struct {
		pc     float64
		nc, nt int64
		inc    bool
	}{{0, 100, 100, false}, {1, 100, 100, true}, {0.999, 50, 50, true}, {-0.1, 100, 100, true}, {0.5, 0, 100, true}} {
		if _, ok := ProportionMDE(tt.pc, tt.nc, tt.nt, 0.05, tt.inc); ok {
			t.Errorf("ProportionMDE(%v, %d, %d, increase=%v): ok = true, want false", tt.pc, tt.nc, tt.nt, tt.inc)
		}
	}
	// The MDE and the sample size are inverses.
	d := NormalMDE(9, 16, 5000, 7000, 0.01)
	nc, nt, ok := NormalUsersPerArm(9, 16, d, 0.01, 5000, 7000)
	if !ok || !near(nc, 5000) || !near(nt, 7000) {
		t.Errorf("NormalUsersPerArm at NormalMDE = %v: (%v, %v, %v), want (5000, 7000, true)", d, nc, nt, ok)
	}
}

// TestPanicsV2 checks that invalid arguments are reported as programmer errors.
func TestPanicsV2(t *testing.T) {
	t.Parallel()
	good := Summary{N: 10, Mean: 1, Var: 1}
	for name, f := range map[string]func(){
		"mean n < 0":         func() { MeanSummary(-1, 0, 0) },
		"mean NaN":           func() { MeanSummary(3, math.NaN(), 1) },
		"ratio Inf":          func() { RatioSummary(3, 1, math.Inf(1), 1, 1, 1) },
		"welch var < 0":      func() { Welch(Summary{N: 10, Mean: 1, Var: -1}, good, 0.05) },
		"welch alpha 0":      func() { Welch(good, good, 0) },
		"welch alpha 0, n=1": func() { Welch(Summary{N: 1}, good, 0) },
		"normal NaN mean":    func() { NormalDiff(Summary{N: 10, Mean: math.NaN()}, good, 0.05) },
		"normal alpha 1":     func() { NormalDiff(good, good, 1) },
		"bonferroni p > 1":   func() { Bonferroni(1.5, 2) },
		"bonferroni m = 0":   func() { Bonferroni(0.5, 0) },
		"bonferroni NaN":     func() { Bonferroni(math.NaN(), 2) },
		"srm one arm":        func() { ChiSquareGOF([]int64{5}, []float64{1}) },
		"srm lengths":        func() { ChiSquareGOF([]int64{5, 6}, []float64{1, 1, 1}) },
		"srm negative":       func() { ChiSquareGOF([]int64{5, -6, 1}, []float64{1, 1, 1}) },
		"srm overflow":       func() { ChiSquareGOF([]int64{math.MaxInt64, 1}, []float64{1, 1}) },
		"mde n = 0":          func() { NormalMDE(1, 1, 0, 10, 0.05) },
		"mde alpha":          func() { NormalMDE(1, 1, 10, 10, 2) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		})
	}
}
