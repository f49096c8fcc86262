package stats

import (
	"encoding/json"
	"math"
	"os"
	"sync"
	"testing"
)

// Reference values for CUPED, Sequential, SequentialUsersPerArm,
// BenjaminiHochberg and PeekingFalsePositiveRate:
// testdata/stats/vectors_methods.json, written by
// testdata/stats/generate_methods.py (scipy 1.10.1, statsmodels 0.13.5; the
// generator names the reference for each category). Tolerance as near.
const methodsPath = "../../testdata/stats/vectors_methods.json"

// minMethodVectors and methodCategories guard against a truncated file:
// every category must keep at least the cases it holds today.
const minMethodVectors = 307

var methodCategories = map[string]int{
	"cuped": 63, "cuped_proportion": 34, "cuped_ols": 12, "sequential": 53, "sequential_n": 31, "bh": 80, "looks": 34,
}

type methodsFile struct {
	Versions map[string]string `json:"versions"`
	Count    int               `json:"count"`
	Cases    []methodsCase     `json:"cases"`
}

type methodsCase struct {
	ID          string       `json:"id"`
	Category    string       `json:"category"`
	CUPED       *cupedVector `json:"cuped"`
	Sequential  *seqVector   `json:"sequential"`
	SequentialN *seqNVector  `json:"sequential_n"`
	BH          *bhVector    `json:"bh"`
	Looks       *looksVector `json:"looks"`
}

type momentsJSON struct {
	N     int64   `json:"n"`
	SumY  float64 `json:"sum_y"`
	SumYY float64 `json:"sum_yy"`
	SumX  float64 `json:"sum_x"`
	SumXX float64 `json:"sum_xx"`
	SumXY float64 `json:"sum_xy"`
}

func (m momentsJSON) cov() CovMoments {
	return CovMoments{N: m.N, SumY: m.SumY, SumYY: m.SumYY, SumX: m.SumX, SumXX: m.SumXX, SumXY: m.SumXY}
}

type estimateJSON struct {
	Diff    *float64 `json:"diff"`
	SE      *float64 `json:"se"`
	DF      *float64 `json:"df"`
	P       *float64 `json:"p"`
	Low     *float64 `json:"low"`
	High    *float64 `json:"high"`
	OK      bool     `json:"ok"`
	Rel     *float64 `json:"rel"`
	RelSE   *float64 `json:"rel_se"`
	RelLow  *float64 `json:"rel_low"`
	RelHigh *float64 `json:"rel_high"`
	RelOK   bool     `json:"rel_ok"`
}

type summaryJSON struct {
	N    int64   `json:"n"`
	Mean float64 `json:"mean"`
	Var  float64 `json:"var"`
}

type cupedVector struct {
	T                 momentsJSON  `json:"t"`
	C                 momentsJSON  `json:"c"`
	Proportion        bool         `json:"proportion"`
	Alpha             float64      `json:"alpha"`
	Theta             float64      `json:"theta"`
	VarianceReduction float64      `json:"variance_reduction"`
	Adjusted          estimateJSON `json:"adjusted"`
	Unadjusted        estimateJSON `json:"unadjusted"`
	AdjT              summaryJSON  `json:"adj_t"`
	AdjC              summaryJSON  `json:"adj_c"`
	OLSArm            *float64     `json:"ols_arm"`
	OLSArmSE          *float64     `json:"ols_arm_se"`
}

// maxRelErr records the largest relative error seen against the methods
// vectors (absolute error where |want| < 1e-6), for the test log.
var maxRelErr struct {
	sync.Mutex
	v  float64
	id string
}

// methodFloat is checker.float that also records the error.
func methodFloat(c checker, quantity string, got float64, want *float64) {
	c.t.Helper()
	c.float(quantity, got, want)
	if want == nil {
		return
	}
	e := math.Abs(got - *want)
	if math.Abs(*want) >= 1e-6 {
		e /= math.Abs(*want)
	}
	maxRelErr.Lock()
	if e > maxRelErr.v {
		maxRelErr.v, maxRelErr.id = e, c.id+" "+quantity
	}
	maxRelErr.Unlock()
}

var methodsOnce = sync.OnceValues(func() (methodsFile, error) {
	var f methodsFile
	data, err := os.ReadFile(methodsPath)
	if err != nil {
		return f, err
	}
	err = json.Unmarshal(data, &f)
	return f, err
})

func loadMethods(t *testing.T) methodsFile {
	t.Helper()
	f, err := methodsOnce()
	if err != nil {
		t.Fatalf("reference vectors %s: %v", methodsPath, err)
	}
	return f
}

// TestMethodVectors checks every case of vectors_methods.json and that the
// file is whole: at least minMethodVectors cases, the count it states, and
// every category with at least its cases of today.
func TestMethodVectors(t *testing.T) {
	f := loadMethods(t)
	if len(f.Cases) < minMethodVectors {
		t.Fatalf("%s holds %d cases, want at least %d", methodsPath, len(f.Cases), minMethodVectors)
	}
	if f.Count != len(f.Cases) {
		t.Fatalf("%s says count=%d but holds %d cases", methodsPath, f.Count, len(f.Cases))
	}
	per := map[string]int{}
	for _, c := range f.Cases {
		per[c.Category]++
	}
	for cat, n := range methodCategories {
		if per[cat] < n {
			t.Fatalf("%s has %d cases in category %q, want at least %d", methodsPath, per[cat], cat, n)
		}
	}
	for _, vc := range f.Cases {
		t.Run(vc.ID, func(t *testing.T) {
			c := checker{t: t, id: vc.ID}
			checked := false
			if v := vc.CUPED; v != nil {
				checkCUPED(c, v)
				checked = true
			}
			if v := vc.Sequential; v != nil {
				checkSequential(c, v)
				checked = true
			}
			if v := vc.SequentialN; v != nil {
				checkSequentialN(c, v)
				checked = true
			}
			if v := vc.BH; v != nil {
				checkBH(c, v)
				checked = true
			}
			if v := vc.Looks; v != nil {
				checkLooks(c, v)
				checked = true
			}
			if !checked {
				t.Fatalf("%s: case checks nothing", vc.ID)
			}
		})
	}
	t.Logf("%d vectors from %v: %v; max relative error %.3g (%s)",
		len(f.Cases), f.Versions, per, maxRelErr.v, maxRelErr.id)
}

func checkMethodEstimate(c checker, name string, got Estimate, want estimateJSON) {
	c.t.Helper()
	c.okFlag(name, got.OK, want.OK)
	if want.OK && got.OK {
		methodFloat(c, name+" diff", got.Diff, want.Diff)
		methodFloat(c, name+" se", got.SE, want.SE)
		methodFloat(c, name+" df", got.DF, want.DF)
		methodFloat(c, name+" p", got.P, want.P)
		methodFloat(c, name+" low", got.Low, want.Low)
		methodFloat(c, name+" high", got.High, want.High)
	}
	if !got.OK && (got != Estimate{}) {
		c.t.Errorf("%s: %s is not OK but has fields set: %+v", c.id, name, got)
	}
	c.okFlag(name+" rel", got.RelOK, want.RelOK)
	if want.RelOK && got.RelOK {
		methodFloat(c, name+" rel", got.Rel, want.Rel)
		methodFloat(c, name+" rel se", got.RelSE, want.RelSE)
		methodFloat(c, name+" rel low", got.RelLow, want.RelLow)
		methodFloat(c, name+" rel high", got.RelHigh, want.RelHigh)
	}
	if !got.RelOK && (got.Rel != 0 || got.RelSE != 0 || got.RelLow != 0 || got.RelHigh != 0) {
		c.t.Errorf("%s: %s relative is not OK but has fields set: %+v", c.id, name, got)
	}
}

func checkCUPED(c checker, v *cupedVector) {
	c.t.Helper()
	tm, cm := v.T.cov(), v.C.cov()
	theta := CUPEDTheta(tm, cm, v.Proportion)
	methodFloat(c, "theta", theta, &v.Theta)
	r := CUPED(tm, cm, v.Proportion, v.Alpha)
	if r.Theta != theta {
		c.t.Errorf("%s: CUPED theta %v != CUPEDTheta %v", c.id, r.Theta, theta)
	}
	methodFloat(c, "variance reduction", r.VarianceReduction, &v.VarianceReduction)
	checkMethodEstimate(c, "adjusted", r.Adjusted, v.Adjusted)
	checkMethodEstimate(c, "unadjusted", r.Unadjusted, v.Unadjusted)
	for _, arm := range []struct {
		name      string
		got, want Summary
	}{
		{"adjusted t", r.AdjT, Summary(v.AdjT)},
		{"adjusted c", r.AdjC, Summary(v.AdjC)},
	} {
		if arm.got.N != arm.want.N {
			c.t.Errorf("%s: %s N = %d, want %d", c.id, arm.name, arm.got.N, arm.want.N)
		}
		methodFloat(c, arm.name+" mean", arm.got.Mean, &arm.want.Mean)
		methodFloat(c, arm.name+" var", arm.got.Var, &arm.want.Var)
	}
	if v.OLSArm != nil {
		// The OLS arm coefficient uses the within-arm slope, CUPED the pooled
		// θ: close on large samples, not equal.
		if d := math.Abs(r.Adjusted.Diff-*v.OLSArm) / math.Abs(*v.OLSArm); !(d <= 1e-3) {
			c.t.Errorf("%s: CUPED diff %.10g, OLS arm coefficient %.10g (rel diff %.3g, want <= 1e-3)",
				c.id, r.Adjusted.Diff, *v.OLSArm, d)
		}
		if d := math.Abs(r.Adjusted.SE-*v.OLSArmSE) / *v.OLSArmSE; !(d <= 0.01) {
			c.t.Errorf("%s: CUPED se %.10g, OLS se %.10g (rel diff %.3g, want <= 0.01)",
				c.id, r.Adjusted.SE, *v.OLSArmSE, d)
		}
	}
}

// moments builds CovMoments from per-user values.
func moments(y, x []float64) CovMoments {
	m := CovMoments{N: int64(len(y))}
	for i := range y {
		m.SumY += y[i]
		m.SumYY += y[i] * y[i]
		m.SumX += x[i]
		m.SumXX += x[i] * x[i]
		m.SumXY += x[i] * y[i]
	}
	return m
}

// TestCUPEDProperties checks what the adjustment must do whatever the data:
// θ = 0 gives the plain Welch test, a covariate that explains Y reduces the
// variance, and an uninformative covariate leaves the result unadjusted.
func TestCUPEDProperties(t *testing.T) {
	t.Parallel()
	// Y = 2X + small noise: θ near 2 and most of the variance removed.
	yt := []float64{2.1, 4.0, 6.2, 7.9, 10.1, 12.0}
	xt := []float64{1, 2, 3, 4, 5, 6}
	yc := []float64{1.9, 4.1, 5.8, 8.0, 9.9}
	xc := []float64{1, 2, 3, 4, 5}
	r := CUPED(moments(yt, xt), moments(yc, xc), false, 0.05)
	if math.Abs(r.Theta-2) > 0.05 {
		t.Errorf("theta = %v, want about 2", r.Theta)
	}
	if !(r.VarianceReduction > 0.95 && r.VarianceReduction < 1) {
		t.Errorf("variance reduction = %v, want in (0.95, 1)", r.VarianceReduction)
	}
	if !(r.Adjusted.SE < r.Unadjusted.SE) {
		t.Errorf("adjusted se %v not below unadjusted %v", r.Adjusted.SE, r.Unadjusted.SE)
	}
	// The unadjusted comparison is Welch on Y: the same as θ = 0 by hand.
	u := r.Unadjusted
	if want := 7.05 - 5.94; math.Abs(u.Diff-want) > 1e-12 {
		t.Errorf("unadjusted diff = %v, want %v", u.Diff, want)
	}
	// A constant covariate carries no information: θ = 0, no reduction.
	r = CUPED(moments(yt, []float64{3, 3, 3, 3, 3, 3}), moments(yc, []float64{3, 3, 3, 3, 3}), false, 0.05)
	if r.Theta != 0 || r.VarianceReduction != 0 || r.Adjusted != r.Unadjusted {
		t.Errorf("constant covariate: theta %v, reduction %v, adjusted %+v != unadjusted %+v",
			r.Theta, r.VarianceReduction, r.Adjusted, r.Unadjusted)
	}
	// Y exactly linear in X: the adjusted variance is 0, not rounding noise.
	r = CUPED(moments([]float64{3, 5, 7, 9}, []float64{1, 2, 3, 4}), moments([]float64{1, 3, 5}, []float64{0, 1, 2}), false, 0.05)
	if r.Adjusted.OK || r.AdjT.Var != 0 || r.AdjC.Var != 0 {
		t.Errorf("exact linear Y: adjusted %+v, variances %v %v, want not OK and 0", r.Adjusted, r.AdjT.Var, r.AdjC.Var)
	}
}

// TestCUPEDFinite checks that no result is NaN or Inf at the edges.
func TestCUPEDFinite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		t, c       CovMoments
		proportion bool
	}{
		{"one user each", CovMoments{N: 1, SumY: 3, SumYY: 9, SumX: 1, SumXX: 1, SumXY: 3}, CovMoments{N: 1, SumY: 1, SumYY: 1}, false},
		{"all zero", CovMoments{N: 10}, CovMoments{N: 10}, false},
		{"proportion all zero", CovMoments{N: 10}, CovMoments{N: 12}, true},
		{"proportion all one", CovMoments{N: 5, SumY: 5, SumYY: 5, SumX: 5, SumXX: 5, SumXY: 5}, CovMoments{N: 4, SumY: 4, SumYY: 4, SumX: 4, SumXX: 4, SumXY: 4}, true},
		{"tiny variances", CovMoments{N: 4, SumY: 4e-200, SumYY: 1e-300, SumX: 1, SumXX: 1}, CovMoments{N: 4, SumY: 3e-200, SumYY: 1e-300, SumX: 1, SumXX: 1}, false},
		{"cancellation", CovMoments{N: 3, SumY: 3e8, SumYY: 3e16, SumX: 3, SumXX: 3, SumXY: 3e8}, CovMoments{N: 3, SumY: 3e8, SumYY: 3e16 - 1, SumX: 3, SumXX: 3, SumXY: 3e8}, false},
		{"huge", CovMoments{N: 1e12, SumY: 1e13, SumYY: 2e14, SumX: 5e12, SumXX: 5e13, SumXY: 6e13}, CovMoments{N: 1e12, SumY: 1.0001e13, SumYY: 2e14, SumX: 5e12, SumXX: 5e13, SumXY: 6e13}, false},
	}
	for _, tt := range tests {
		r := CUPED(tt.t, tt.c, tt.proportion, 0.05)
		vals := []float64{r.Theta, r.VarianceReduction, r.AdjT.Mean, r.AdjT.Var, r.AdjC.Mean, r.AdjC.Var}
		for _, e := range []Estimate{r.Adjusted, r.Unadjusted} {
			vals = append(vals, e.Diff, e.SE, e.DF, e.P, e.Low, e.High, e.Rel, e.RelSE, e.RelLow, e.RelHigh)
			if e.OK && !(e.P >= 0 && e.P <= 1 && e.SE > 0) {
				t.Errorf("%s: OK estimate with p %v, se %v", tt.name, e.P, e.SE)
			}
		}
		for _, v := range vals {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("%s: CUPED = %+v has a non-finite value", tt.name, r)
				break
			}
		}
	}
}

func TestCUPEDPanics(t *testing.T) {
	t.Parallel()
	ok := CovMoments{N: 3, SumY: 1, SumYY: 1, SumX: 2, SumXX: 2, SumXY: 1}
	for name, f := range map[string]func(){
		"no users":          func() { CUPED(CovMoments{}, ok, false, 0.05) },
		"negative users":    func() { CUPEDTheta(ok, CovMoments{N: -1}, false) },
		"NaN sum":           func() { CUPED(CovMoments{N: 2, SumY: math.NaN()}, ok, false, 0.05) },
		"Inf sum":           func() { CUPEDTheta(ok, CovMoments{N: 2, SumXY: math.Inf(1)}, false) },
		"proportion y > n":  func() { CUPED(CovMoments{N: 2, SumY: 3, SumYY: 3}, ok, true, 0.05) },
		"proportion x < 0":  func() { CUPEDTheta(ok, CovMoments{N: 2, SumX: -1}, true) },
		"alpha 0":           func() { CUPED(ok, ok, false, 0) },
		"alpha 1":           func() { CUPED(ok, ok, false, 1) },
		"alpha NaN":         func() { CUPED(ok, ok, false, math.NaN()) },
		"proportion y NaN ": func() { CUPED(ok, CovMoments{N: 2, SumY: math.NaN()}, true, 0.05) },
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

func BenchmarkCUPED(b *testing.B) {
	t := CovMoments{N: 100_000, SumY: 1_002_000, SumYY: 12_540_000, SumX: 900_000, SumXX: 10_100_000, SumXY: 10_500_000}
	c := CovMoments{N: 100_000, SumY: 1_000_000, SumYY: 12_500_000, SumX: 901_000, SumXX: 10_120_000, SumXY: 10_480_000}
	for b.Loop() {
		sink = CUPED(t, c, false, 0.05).Adjusted.P
	}
}
