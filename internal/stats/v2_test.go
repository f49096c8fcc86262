package stats

import (
	"encoding/json"
	"os"
	"testing"
)

// Reference values for the v2 statistics: testdata/stats/vectors_v2.json,
// written by testdata/stats/generate_v2.py with scipy 1.10.1, statsmodels
// 0.13.5, numpy 1.24.2 and mpmath 1.2.1 (the generator names the reference
// call for each quantity). Tolerance as TestVectors: near.
const vectorsV2Path = "../../testdata/stats/vectors_v2.json"

// minVectorsV2 and categoriesV2 guard against a truncated or emptied file.
const minVectorsV2 = 400

var categoriesV2 = []string{
	"typical", "small", "huge", "zero_var_one", "both_zero_var", "negative",
	"unequal", "alpha", "control_zero", "far_tail", "ratio", "ratio_zero_den",
	"events", "srm", "bonf", "power", "mde", "studentt",
}

type v2File struct {
	Versions map[string]string `json:"versions"`
	Count    int               `json:"count"`
	Cases    []v2Case          `json:"cases"`
}

type v2Case struct {
	ID        string      `json:"id"`
	Category  string      `json:"category"`
	Mean      *v2Arms     `json:"mean"`
	Ratio     *v2Ratio    `json:"ratio"`
	Welch     *v2Estimate `json:"welch"`
	Normal    *v2Estimate `json:"normal"`
	SRM       *srmVector  `json:"srm"`
	Bonf      *v2Bonf     `json:"bonf"`
	Power     *v2Power    `json:"power"`
	MDE       *v2MDE      `json:"mde"`
	PMDE      *v2PMDE     `json:"pmde"`
	StudentT  *v2StudentT `json:"studentt"`
	Undefined []string    `json:"undefined"`
}

type v2Arms struct{ T, C v2MeanArm }

type v2MeanArm struct {
	N          int64    `json:"n"`
	Sum        float64  `json:"sum"`
	SumSquares float64  `json:"sum_squares"`
	Mean       *float64 `json:"mean"`
	Var        *float64 `json:"var"`
	NPMean     *float64 `json:"np_mean"`
	NPVar      *float64 `json:"np_var"`
}

type v2Ratio struct{ T, C v2RatioArm }

type v2RatioArm struct {
	N      int64    `json:"n"`
	SumX   float64  `json:"sum_x"`
	SumXX  float64  `json:"sum_xx"`
	SumY   float64  `json:"sum_y"`
	SumYY  float64  `json:"sum_yy"`
	SumXY  float64  `json:"sum_xy"`
	Mean   *float64 `json:"mean"`
	Var    *float64 `json:"var"`
	LinVar *float64 `json:"lin_var"`
	OK     bool     `json:"ok"`
}

type v2Summary struct {
	N    int64   `json:"n"`
	Mean float64 `json:"mean"`
	Var  float64 `json:"var"`
}

type v2Estimate struct {
	T, C  v2Summary
	Alpha float64 `json:"alpha"`
	estimateJSON
}

type v2Bonf struct {
	PValues  []float64 `json:"pvals"`
	M        int       `json:"m"`
	Adjusted []float64 `json:"adjusted"`
}

type v2Power struct {
	VarC  float64  `json:"var_c"`
	VarT  float64  `json:"var_t"`
	Delta float64  `json:"delta"`
	Alpha float64  `json:"alpha"`
	WC    float64  `json:"wc"`
	WT    float64  `json:"wt"`
	NC    *float64 `json:"nc"`
	NT    *float64 `json:"nt"`
	OK    bool     `json:"ok"`
	SMNC  *float64 `json:"sm_nc"`
}

type v2MDE struct {
	VarC  float64  `json:"var_c"`
	VarT  float64  `json:"var_t"`
	NC    int64    `json:"nc"`
	NT    int64    `json:"nt"`
	Alpha float64  `json:"alpha"`
	Delta *float64 `json:"delta"`
}

type v2PMDE struct {
	PC       float64  `json:"pc"`
	NC       int64    `json:"nc"`
	NT       int64    `json:"nt"`
	Alpha    float64  `json:"alpha"`
	Increase bool     `json:"increase"`
	P1       *float64 `json:"p1"`
	OK       bool     `json:"ok"`
}

type v2StudentT struct {
	Nu    float64  `json:"nu"`
	T     *float64 `json:"t"`
	P     *float64 `json:"p"`
	Alpha *float64 `json:"alpha"`
	Q     *float64 `json:"q"`
	QMP   *float64 `json:"q_mp"`
}

func TestVectorsV2(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(vectorsV2Path)
	if err != nil {
		t.Fatalf("read reference vectors: %v", err)
	}
	var f v2File
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("parse %s: %v", vectorsV2Path, err)
	}
	if len(f.Cases) < minVectorsV2 {
		t.Fatalf("%s holds %d cases, want at least %d", vectorsV2Path, len(f.Cases), minVectorsV2)
	}
	if f.Count != len(f.Cases) {
		t.Fatalf("%s says count=%d but holds %d cases", vectorsV2Path, f.Count, len(f.Cases))
	}
	perCategory := map[string]int{}
	for _, c := range f.Cases {
		perCategory[c.Category]++
	}
	for _, cat := range categoriesV2 {
		if perCategory[cat] == 0 {
			t.Fatalf("%s has no case in category %q", vectorsV2Path, cat)
		}
	}
	t.Logf("%d vectors from %v: %v", len(f.Cases), f.Versions, perCategory)

	for _, vc := range f.Cases {
		t.Run(vc.ID, func(t *testing.T) {
			t.Parallel()
			c := checker{t: t, id: vc.ID}
			checked := false
			var st, sc *Summary // summaries computed from sums, for Welch
			if v := vc.Mean; v != nil {
				checked = true
				st, sc = checkMeanArm(c, "t", v.T), checkMeanArm(c, "c", v.C)
			}
			if v := vc.Ratio; v != nil {
				checked = true
				st, sc = checkRatioArm(c, "t", v.T), checkRatioArm(c, "c", v.C)
			}
			if v := vc.Welch; v != nil {
				checked = true
				tt, cc := Summary(v.T), Summary(v.C)
				if st != nil && sc != nil {
					tt, cc = *st, *sc
				}
				checkEstimate(c, "welch", Welch(tt, cc, v.Alpha), v, true)
			}
			if v := vc.Normal; v != nil {
				checked = true
				checkEstimate(c, "normal", NormalDiff(Summary(v.T), Summary(v.C), v.Alpha), v, false)
			}
			if v := vc.SRM; v != nil {
				checked = true
				chi2, p, df := ChiSquareGOF(v.Observed, v.Shares)
				c.float("srm chi2", chi2, v.Chi2)
				c.float("srm p", p, v.P)
				if df != len(v.Observed)-1 {
					t.Errorf("%s: srm df = %d, want %d", vc.ID, df, len(v.Observed)-1)
				}
			}
			if v := vc.Bonf; v != nil {
				checked = true
				for i, p := range v.PValues {
					c.float("bonferroni", Bonferroni(p, v.M), &v.Adjusted[i])
				}
			}
			if v := vc.Power; v != nil {
				checked = true
				checkNormalPower(c, v)
			}
			if v := vc.MDE; v != nil {
				checked = true
				d := NormalMDE(v.VarC, v.VarT, v.NC, v.NT, v.Alpha)
				c.float("mde delta", d, v.Delta)
			}
			if v := vc.PMDE; v != nil {
				checked = true
				checkPMDE(c, v)
			}
			if v := vc.StudentT; v != nil {
				checked = true
				if v.T != nil {
					c.float("t tail", tTwoSided(*v.T, v.Nu), v.P)
				} else {
					q := tQuantile(*v.Alpha, v.Nu)
					c.float("t quantile", q, v.Q)
					c.float("t quantile (mpmath)", q, v.QMP)
				}
			}
			if !checked {
				t.Fatalf("%s: case checks nothing", vc.ID)
			}
		})
	}
}

// looseAbove checks a closed form against statsmodels' solver, which adds
// the far tail (so it can only come out lower) and solves to about 1e-7.
func (c checker) looseAbove(quantity string, got float64, sm *float64) {
	c.t.Helper()
	if sm == nil || *sm == 0 {
		return
	}
	if d := (got - *sm) / *sm; d < -1e-6 || d > 1e-3 {
		c.t.Errorf("%s: %s = %.9g, statsmodels %.9g (rel diff %.3g, want in [-1e-6, 1e-3])",
			c.id, quantity, got, *sm, d)
	}
}

func checkMeanArm(c checker, arm string, v v2MeanArm) *Summary {
	c.t.Helper()
	s := MeanSummary(v.N, v.Sum, v.SumSquares)
	if s.N != v.N {
		c.t.Errorf("%s: %s: MeanSummary N = %d, want %d", c.id, arm, s.N, v.N)
	}
	c.float(arm+" mean", s.Mean, v.Mean)
	c.float(arm+" var", s.Var, v.Var)
	if v.NPMean != nil {
		c.float(arm+" mean (np.mean)", s.Mean, v.NPMean)
	}
	if v.NPVar != nil {
		c.float(arm+" var (np.var ddof=1)", s.Var, v.NPVar)
	}
	return &s
}

func checkRatioArm(c checker, arm string, v v2RatioArm) *Summary {
	c.t.Helper()
	s, ok := RatioSummary(v.N, v.SumX, v.SumXX, v.SumY, v.SumYY, v.SumXY)
	c.okFlag(arm+" ratio", ok, v.OK)
	if !v.OK {
		return nil
	}
	c.float(arm+" ratio", s.Mean, v.Mean)
	c.float(arm+" ratio var", s.Var, v.Var)
	if v.LinVar != nil {
		c.float(arm+" ratio var (linearization)", s.Var, v.LinVar)
	}
	return &s
}

func checkEstimate(c checker, test string, e Estimate, v *v2Estimate, t bool) {
	c.t.Helper()
	c.okFlag(test, e.OK, v.OK)
	c.okFlag(test+" rel", e.RelOK, v.RelOK)
	if !v.OK {
		if e != (Estimate{}) {
			c.t.Errorf("%s: %s: not OK but fields set: %+v", c.id, test, e)
		}
		return
	}
	c.float(test+" diff", e.Diff, v.Diff)
	c.float(test+" se", e.SE, v.SE)
	if t {
		c.float(test+" df", e.DF, v.DF)
	} else if e.DF != 0 {
		c.t.Errorf("%s: %s df = %v, want 0", c.id, test, e.DF)
	}
	c.float(test+" p", e.P, v.P)
	c.float(test+" low", e.Low, v.Low)
	c.float(test+" high", e.High, v.High)
	if !v.RelOK {
		return
	}
	c.float(test+" rel", e.Rel, v.Rel)
	c.float(test+" rel se", e.RelSE, v.RelSE)
	c.float(test+" rel low", e.RelLow, v.RelLow)
	c.float(test+" rel high", e.RelHigh, v.RelHigh)
}

func checkNormalPower(c checker, v *v2Power) {
	c.t.Helper()
	nc, nt, ok := NormalUsersPerArm(v.VarC, v.VarT, v.Delta, v.Alpha, v.WC, v.WT)
	c.okFlag("normal power", ok, v.OK)
	if !v.OK {
		return
	}
	c.float("normal power n_c", nc, v.NC)
	c.float("normal power n_t", nt, v.NT)
	c.looseAbove("normal power n_c", nc, v.SMNC)
}

func checkPMDE(c checker, v *v2PMDE) {
	c.t.Helper()
	p1, ok := ProportionMDE(v.PC, v.NC, v.NT, v.Alpha, v.Increase)
	c.okFlag("proportion mde", ok, v.OK)
	if !v.OK {
		return
	}
	c.float("proportion mde p1", p1, v.P1)
	// The inverse: PowerUsersPerArm at (pc, p1) with the weights nc:nt
	// needs exactly the sample the MDE was computed for.
	if p1 != v.PC {
		nc, nt, ok := PowerUsersPerArm(v.PC, p1, v.Alpha, float64(v.NC), float64(v.NT))
		want, wantT := float64(v.NC), float64(v.NT)
		if !ok {
			c.t.Errorf("%s: PowerUsersPerArm at the MDE: ok = false", c.id)
		} else {
			c.float("power at the mde n_c", nc, &want)
			c.float("power at the mde n_t", nt, &wantT)
		}
	}
}
