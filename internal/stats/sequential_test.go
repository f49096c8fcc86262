package stats

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat/distuv"
)

type seqVector struct {
	In struct {
		Diff  float64 `json:"diff"`
		SE    float64 `json:"se"`
		OK    bool    `json:"ok"`
		Rel   float64 `json:"rel"`
		RelSE float64 `json:"rel_se"`
		RelOK bool    `json:"rel_ok"`
	} `json:"in"`
	N       int64    `json:"n"`
	Tuning  float64  `json:"tuning"`
	Alpha   float64  `json:"alpha"`
	P       *float64 `json:"p"`
	Low     *float64 `json:"low"`
	High    *float64 `json:"high"`
	RelLow  *float64 `json:"rel_low"`
	RelHigh *float64 `json:"rel_high"`
}

type seqNVector struct {
	VarC    float64  `json:"var_c"`
	VarT    float64  `json:"var_t"`
	Delta   float64  `json:"delta"`
	Alpha   float64  `json:"alpha"`
	Tuning  float64  `json:"tuning"`
	WC      float64  `json:"wc"`
	WT      float64  `json:"wt"`
	NC      *float64 `json:"nc"`
	NT      *float64 `json:"nt"`
	FixedNC float64  `json:"fixed_nc"`
}

func checkSequential(c checker, v *seqVector) {
	c.t.Helper()
	in := Estimate{Diff: v.In.Diff, SE: v.In.SE, DF: 123, P: 0.5, OK: v.In.OK,
		Rel: v.In.Rel, RelSE: v.In.RelSE, RelOK: v.In.RelOK}
	got := Sequential(in, v.N, v.Tuning, v.Alpha)
	methodFloat(c, "sequential p", got.P, v.P)
	methodFloat(c, "sequential low", got.Low, v.Low)
	methodFloat(c, "sequential high", got.High, v.High)
	if v.In.RelOK {
		methodFloat(c, "sequential rel low", got.RelLow, v.RelLow)
		methodFloat(c, "sequential rel high", got.RelHigh, v.RelHigh)
	}
	if got.DF != 0 || got.Diff != in.Diff || got.SE != in.SE || got.Rel != in.Rel || got.RelSE != in.RelSE ||
		got.OK != in.OK || got.RelOK != in.RelOK {
		c.t.Errorf("%s: Sequential changed a field it must keep: %+v from %+v", c.id, got, in)
	}
}

func checkSequentialN(c checker, v *seqNVector) {
	c.t.Helper()
	nc, nt, ok := SequentialUsersPerArm(v.VarC, v.VarT, v.Delta, v.Alpha, v.Tuning, v.WC, v.WT)
	c.okFlag("sequential users", ok, true)
	methodFloat(c, "sequential n_c", nc, v.NC)
	methodFloat(c, "sequential n_t", nt, v.NT)
	// A confidence sequence always needs more users than the fixed horizon.
	if !(nc > v.FixedNC) {
		c.t.Errorf("%s: sequential n_c %v not above the fixed-horizon %v", c.id, nc, v.FixedNC)
	}
}

// TestSequentialUsersPerArmTwiceFixed checks the sample size against the
// fixed-horizon closed form (z_{1−α/2} + z_{0.8})²·(varC + varT·wc/wt)/δ²:
// with N* between half and twice the final n, the confidence sequence needs
// about twice as many users (1.5 to 2.7 times; the fewest at α = 0.01); and at the root the equation
// δ = (c(n) + z_0.8)·se(n) holds.
func TestSequentialUsersPerArmTwiceFixed(t *testing.T) {
	t.Parallel()
	z8 := mathext.NormalQuantile(0.8)
	for _, tt := range []struct {
		varC, varT, delta, alpha, wc, wt float64
	}{
		{1, 1, 0.05, 0.05, 1, 1},
		{0.0475, 0.05, 0.005, 0.05, 1, 1}, // a 5% rate, +0.5 pp
		{400, 380, -2, 0.01, 0.3, 0.7},
		{2.5, 3, 0.02, 0.1, 2, 1},
	} {
		fixed := math.Pow(-mathext.NormalQuantile(tt.alpha/2)+z8, 2) * (tt.varC + tt.varT*tt.wc/tt.wt) / (tt.delta * tt.delta)
		total := fixed * (1 + tt.wt/tt.wc)
		for _, scale := range []float64{0.5, 1, 2} {
			tuning := scale * total
			nc, nt, ok := SequentialUsersPerArm(tt.varC, tt.varT, tt.delta, tt.alpha, tuning, tt.wc, tt.wt)
			if !ok {
				t.Fatalf("%+v N*=%v: not ok", tt, tuning)
			}
			if r := nc / fixed; !(r > 1.5 && r < 2.7) {
				t.Errorf("%+v N*=%.0f: sequential n_c %.1f is %.3f times the fixed-horizon %.1f, want 1.5 to 2.7",
					tt, tuning, nc, r, fixed)
			}
			if math.Abs(nt-nc*tt.wt/tt.wc) > 1e-9*nt {
				t.Errorf("%+v: n_t %v, want n_c·wt/wc = %v", tt, nt, nc*tt.wt/tt.wc)
			}
			rho2 := sequentialRho2("test", tuning, tt.alpha)
			se := math.Sqrt(tt.varC/nc + tt.varT/nt)
			lhs := (sequentialFactor((nc+nt)*rho2, tt.alpha) + z8) * se
			if math.Abs(lhs-math.Abs(tt.delta)) > 1e-8*math.Abs(tt.delta) {
				t.Errorf("%+v: at the root (c+z)·se = %v, want |δ| = %v", tt, lhs, math.Abs(tt.delta))
			}
		}
	}
}

func TestSequentialUsersPerArmInvalid(t *testing.T) {
	t.Parallel()
	for _, in := range [][7]float64{
		{0, 0, 1, 0.05, 5000, 1, 1},
		{-1, 1, 1, 0.05, 5000, 1, 1},
		{math.NaN(), 1, 1, 0.05, 5000, 1, 1},
		{1, math.Inf(1), 1, 0.05, 5000, 1, 1},
		{1, 1, 0, 0.05, 5000, 1, 1},
		{1, 1, math.NaN(), 0.05, 5000, 1, 1},
		{1, 1, 1, 0, 5000, 1, 1},
		{1, 1, 1, 1, 5000, 1, 1},
		{1, 1, 1, 0.05, 0, 1, 1},
		{1, 1, 1, 0.05, math.Inf(1), 1, 1},
		{1, 1, 1, 0.05, 5000, 0, 1},
		{1, 1, 1, 0.05, 5000, 1, math.NaN()},
		{1e10, 1e10, 1e-10, 0.05, 5000, 1, 1}, // beyond 1e15 users
	} {
		if nc, nt, ok := SequentialUsersPerArm(in[0], in[1], in[2], in[3], in[4], in[5], in[6]); ok {
			t.Errorf("SequentialUsersPerArm%v = %v, %v, ok, want not ok", in, nc, nt)
		}
	}
}

// TestSequentialNotOK checks that an Estimate without a standard error is
// passed through with DF = 0.
func TestSequentialNotOK(t *testing.T) {
	t.Parallel()
	got := Sequential(Estimate{DF: 7}, 10, 5000, 0.05)
	if got != (Estimate{}) {
		t.Errorf("Sequential(not OK) = %+v, want the zero Estimate", got)
	}
	// The relative interval is left alone when it is not OK.
	got = Sequential(Estimate{Diff: 1, SE: 0.5, OK: true}, 100, 5000, 0.05)
	if got.RelLow != 0 || got.RelHigh != 0 || !(got.High > got.Low) {
		t.Errorf("Sequential without a relative difference = %+v", got)
	}
}

func TestSequentialPanics(t *testing.T) {
	t.Parallel()
	e := Estimate{Diff: 1, SE: 1, OK: true}
	for name, f := range map[string]func(){
		"alpha 0":      func() { Sequential(e, 10, 5000, 0) },
		"alpha NaN":    func() { Sequential(e, 10, 5000, math.NaN()) },
		"tuning 0":     func() { Sequential(e, 10, 0, 0.05) },
		"tuning Inf":   func() { Sequential(e, 10, math.Inf(1), 0.05) },
		"tuning NaN":   func() { Sequential(e, 10, math.NaN(), 0.05) },
		"n = 0":        func() { Sequential(e, 0, 5000, 0.05) },
		"n < 0 not ok": func() { Sequential(Estimate{}, -1, 5000, 0.05) },
		"MDE nc 0":     func() { SequentialMDE(1, 1, 0, 10, 0.05, 5000) },
		"MDE var < 0":  func() { SequentialMDE(-1, 1, 10, 10, 0.05, 5000) },
		"MDE var NaN":  func() { SequentialMDE(math.NaN(), 1, 10, 10, 0.05, 5000) },
		"MDE alpha 1":  func() { SequentialMDE(1, 1, 10, 10, 1, 5000) },
		"MDE tuning 0": func() { SequentialMDE(1, 1, 10, 10, 0.05, 0) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		})
	}
}

// TestSequentialSimulation runs 2,000 A/A experiments (no effect), each
// looked at 20 times. At every look each arm gains m users, whose sum and
// sum of squares are drawn exactly (the sum ~ Normal(mμ, mσ²), the squares
// about the batch mean ~ σ²χ²(m − 1)); the look's Welch estimate is computed
// from the cumulative aggregates and passed through Sequential. Stopping at
// the first look with p < α must reject no more often than α plus three
// standard errors, while the fixed-horizon p-value looked at 20 times
// rejects far more often: above 2α and within three standard errors of
// PeekingFalsePositiveRate(20, α) (the Welch t at ν in the thousands is
// nearly the z-test that rate is for).
func TestSequentialSimulation(t *testing.T) {
	t.Parallel()
	const (
		experiments = 2000
		looks       = 20
		m           = 250 // users per arm per look
		mu, sigma   = 5.0, 3.0
		alpha       = 0.05
	)
	rng := rand.New(rand.NewPCG(20240612, 7))
	chi := distuv.ChiSquared{K: m - 1, Src: rng}
	tuning := float64(2 * looks * m) // N* = the final total sample
	var seqRejects, fixedRejects int
	for range experiments {
		var sum, sumSq [2]float64
		seqDone, fixedDone := false, false
		for k := 1; k <= looks; k++ {
			for arm := range 2 {
				s := m*mu + sigma*math.Sqrt(m)*rng.NormFloat64()
				ss := sigma*sigma*chi.Rand() + s*s/m
				sum[arm] += s
				sumSq[arm] += ss
			}
			n := float64(k * m)
			var arms [2]Summary
			for arm := range 2 {
				mean := sum[arm] / n
				arms[arm] = Summary{N: int64(k * m), Mean: mean, Var: (sumSq[arm] - sum[arm]*sum[arm]/n) / (n - 1)}
			}
			e := Welch(arms[1], arms[0], alpha)
			if !e.OK {
				t.Fatalf("look %d: Welch not OK: %+v", k, arms)
			}
			if !fixedDone && e.P < alpha {
				fixedDone = true
				fixedRejects++
			}
			if !seqDone && Sequential(e, int64(2*k*m), tuning, alpha).P < alpha {
				seqDone = true
				seqRejects++
			}
		}
	}
	seqRate := float64(seqRejects) / experiments
	fixedRate := float64(fixedRejects) / experiments
	se := math.Sqrt(alpha * (1 - alpha) / experiments)
	if seqRate > alpha+3*se {
		t.Errorf("sequential: rejected %.4f of A/A experiments over %d looks, want <= %.4f", seqRate, looks, alpha+3*se)
	}
	peek := PeekingFalsePositiveRate(looks, alpha)
	peekSE := math.Sqrt(peek * (1 - peek) / experiments)
	if !(fixedRate > 2*alpha) || math.Abs(fixedRate-peek) > 3*peekSE {
		t.Errorf("fixed horizon: rejected %.4f over %d looks, want > %.2f and within %.4f of %.4f",
			fixedRate, looks, 2*alpha, 3*peekSE, peek)
	}
	t.Logf("A/A rejections over %d looks: sequential %.4f, fixed horizon %.4f (Armitage %.4f)",
		looks, seqRate, fixedRate, peek)
}

func BenchmarkSequential(b *testing.B) {
	e := Estimate{Diff: 0.02, SE: 0.01, OK: true, Rel: 0.1, RelSE: 0.05, RelOK: true}
	for b.Loop() {
		sink = Sequential(e, 200_000, 5000, 0.05).P
	}
}

func BenchmarkSequentialUsersPerArm(b *testing.B) {
	for b.Loop() {
		nc, _, _ := SequentialUsersPerArm(1, 1.1, 0.02, 0.05, 5000, 1, 1)
		sink = nc
	}
}

// TestSequentialMDEInverse: the effect SequentialMDE detects at a sample is
// the effect whose SequentialUsersPerArm, at the same split, is that sample;
// and it exceeds the fixed-horizon NormalMDE, the price of looking often.
func TestSequentialMDEInverse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		varC, varT    float64
		nc, nt        int64
		alpha, tuning float64
	}{
		{1, 1, 1000, 1000, 0.05, 5000},
		{0.09, 0.1, 20000, 20000, 0.05, 40000},
		{250, 400, 3000, 7000, 0.01, 10000},
		{2.5, 2.4, 50, 60, 0.1, 100000},
	}
	for _, tt := range tests {
		d := SequentialMDE(tt.varC, tt.varT, tt.nc, tt.nt, tt.alpha, tt.tuning)
		nc, nt, ok := SequentialUsersPerArm(tt.varC, tt.varT, d, tt.alpha, tt.tuning, float64(tt.nc), float64(tt.nt))
		if !ok || math.Abs(nc-float64(tt.nc)) > 1e-6*float64(tt.nc) || math.Abs(nt-float64(tt.nt)) > 1e-6*float64(tt.nt) {
			t.Errorf("%+v: SequentialMDE %v needs %v, %v users, want %d, %d", tt, d, nc, nt, tt.nc, tt.nt)
		}
		if fixed := NormalMDE(tt.varC, tt.varT, tt.nc, tt.nt, tt.alpha); !(d > fixed) {
			t.Errorf("%+v: sequential MDE %v not above the fixed-horizon %v", tt, d, fixed)
		}
	}
	if got := SequentialMDE(0, 0, 10, 10, 0.05, 5000); got != 0 {
		t.Errorf("zero variances: %v, want 0", got)
	}
}
