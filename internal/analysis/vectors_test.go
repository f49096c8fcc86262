package analysis

import (
	"encoding/json"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/experimentos/experimentos/internal/experiment"
)

// The CUPED and sequential results as Analyze wires them, against
// testdata/stats/vectors_analysis.json (written by
// testdata/stats/generate_analysis.py, which names the reference of each
// category). Tolerance: 1e-6 relative, 1e-12 absolute below 1e-6.

const analysisVectors = "../../testdata/stats/vectors_analysis.json"

// minAnalysisVectors and analysisCategories guard the file: it may grow, but
// a file that shrinks or loses a category fails.
const minAnalysisVectors = 87

var analysisCategories = map[string]int{
	"cuped_mean": 10, "cuped_proportion": 6, "cuped_sequential": 4,
	"sequential_proportion": 13, "sequential_events": 10, "sequential_events_welch": 6,
	"sequential_mean": 12, "sequential_ratio": 8, "power_cuped": 6, "power_sequential": 12,
}

type vecArm struct {
	Users         int64  `json:"users"`
	Count         int64  `json:"count"`
	Sum           string `json:"sum"`
	SumSquares    string `json:"sum_squares"`
	DenSum        string `json:"den_sum"`
	DenSumSquares string `json:"den_sum_squares"`
	SumProduct    string `json:"sum_product"`
	PreSum        string `json:"pre_sum"`
	PreSumSquares string `json:"pre_sum_squares"`
	PreSumProduct string `json:"pre_sum_product"`
}

type vecResult struct {
	AbsLift   *float64 `json:"abs_lift"`
	CILow     *float64 `json:"ci_low"`
	CIHigh    *float64 `json:"ci_high"`
	PValue    *float64 `json:"p_value"`
	RelLift   *float64 `json:"rel_lift"`
	RelCILow  *float64 `json:"rel_ci_low"`
	RelCIHigh *float64 `json:"rel_ci_high"`
	DF        *float64 `json:"df"`
}

type vecCase struct {
	ID         string   `json:"id"`
	Category   string   `json:"category"`
	Kind       string   `json:"kind"`
	Welch      bool     `json:"welch"`
	Alpha      float64  `json:"alpha"`
	Sequential bool     `json:"sequential"`
	Tuning     int64    `json:"tuning"`
	PlanMDE    *float64 `json:"plan_mde"`
	Arms       []vecArm `json:"arms"`
	OLSArm     *float64 `json:"ols_arm"`
	Expect     struct {
		Theta             *float64   `json:"theta"`
		VarianceReduction *float64   `json:"variance_reduction"`
		VarC              *float64   `json:"var_c"`
		VarT              *float64   `json:"var_t"`
		Adjusted          *vecResult `json:"adjusted"`
		Unadjusted        *vecResult `json:"unadjusted"`
		Result            *vecResult `json:"result"`
		RequiredC         *float64   `json:"required_c"`
		RequiredT         *float64   `json:"required_t"`
		MDEAtCurrent      *float64   `json:"mde_at_current"`
	} `json:"expect"`
}

func decOr0(s string) experiment.Decimal {
	if s == "" {
		return experiment.Decimal{}
	}
	return experiment.MustDecimal(s)
}

// vecExperiment builds the two-arm experiment of a case: control first.
func vecExperiment(t *testing.T, c *vecCase) *experiment.Experiment {
	t.Helper()
	kind := experiment.Kind(c.Kind)
	m := experiment.Metric{Name: "m", Label: "m", Kind: kind, Desired: experiment.Increase, Columns: map[experiment.Role]string{}}
	for _, s := range kind.Spec().Columns {
		if !s.Optional || c.Welch {
			m.Columns[s.Role] = "m_" + string(s.Role)
		}
	}
	if c.Arms[0].PreSum != "" {
		m.CUPED = true
	}
	var rows []experiment.Row
	for i, a := range c.Arms {
		mo := experiment.Moments{Count: a.Count, Sum: decOr0(a.Sum), SumSquares: decOr0(a.SumSquares),
			DenSum: decOr0(a.DenSum), DenSumSquares: decOr0(a.DenSumSquares), SumProduct: decOr0(a.SumProduct),
			PreSum: decOr0(a.PreSum), PreSumSquares: decOr0(a.PreSumSquares), PreSumProduct: decOr0(a.PreSumProduct)}
		name := "control"
		if i > 0 {
			name = "treatment"
		}
		rows = append(rows, row(name, a.Users, i+2, map[string]experiment.Moments{"m": mo}))
	}
	e := exp(m, rows...)
	// The split as observed: SRM is not what these cases test.
	e.Split = map[string]float64{"control": float64(c.Arms[0].Users), "treatment": float64(c.Arms[1].Users)}
	e.Thresholds.Alpha = experiment.MustDecimal(strconv.FormatFloat(c.Alpha, 'g', -1, 64))
	e.Thresholds.Sequential = c.Sequential
	e.Thresholds.SequentialTuning = c.Tuning
	e.Thresholds.MinUsers = 1
	if c.PlanMDE != nil {
		mde := *c.PlanMDE
		e.Plan.MDE = &mde
	}
	return e
}

// vecNear checks one quantity: a null reference needs a null value.
func vecNear(t *testing.T, id, what string, got Value, want *float64) {
	t.Helper()
	if want == nil {
		if got.OK() {
			t.Errorf("%s: %s = %v, want null", id, what, got.V)
		}
		return
	}
	if !got.OK() {
		t.Errorf("%s: %s is null (%s), want %.12g", id, what, got.Null, *want)
		return
	}
	if !nearRel(got.V, *want) {
		t.Errorf("%s: %s = %.12g, want %.12g (rel err %.3g)", id, what, got.V, *want, math.Abs(got.V-*want)/math.Abs(*want))
	}
}

func nearRel(got, want float64) bool {
	d := math.Abs(got - want)
	if math.Abs(want) < 1e-6 {
		return d <= 1e-12
	}
	return d <= 1e-6*math.Abs(want)
}

func vecCheckResult(t *testing.T, id string, r *Result, w *vecResult, withDF bool) {
	t.Helper()
	vecNear(t, id, "abs lift", r.AbsLift, w.AbsLift)
	vecNear(t, id, "ci low", r.CILow, w.CILow)
	vecNear(t, id, "ci high", r.CIHigh, w.CIHigh)
	vecNear(t, id, "p", r.PValue, w.PValue)
	vecNear(t, id, "rel lift", r.RelLift, w.RelLift)
	vecNear(t, id, "rel ci low", r.RelCILow, w.RelCILow)
	vecNear(t, id, "rel ci high", r.RelCIHigh, w.RelCIHigh)
	if withDF {
		vecNear(t, id, "df", r.DF, w.DF)
	}
}

// TestAnalysisVectors runs every case of vectors_analysis.json through
// Analyze and checks the primary's CUPED, sequential and power figures.
func TestAnalysisVectors(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(analysisVectors)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Count int       `json:"count"`
		Cases []vecCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) < minAnalysisVectors || f.Count != len(f.Cases) {
		t.Fatalf("%s holds %d cases (count %d), want at least %d", analysisVectors, len(f.Cases), f.Count, minAnalysisVectors)
	}
	per := map[string]int{}
	for _, c := range f.Cases {
		per[c.Category]++
	}
	for cat, n := range analysisCategories {
		if per[cat] < n {
			t.Fatalf("%s has %d cases in category %q, want at least %d", analysisVectors, per[cat], cat, n)
		}
	}
	for i := range f.Cases {
		c := &f.Cases[i]
		t.Run(c.ID, func(t *testing.T) {
			rep := Analyze(vecExperiment(t, c))
			if !rep.Analyzed {
				t.Fatalf("not analyzed: %+v", rep.Health.Issues)
			}
			p := &rep.Comparisons[0].Primary
			wantTest := TestWelch
			if c.Sequential {
				wantTest = TestSequential
			}
			checked := 0
			if x := c.Expect.Adjusted; x != nil {
				if p.CUPED == nil {
					t.Fatalf("no CUPED block")
				}
				if p.Test != wantTest || p.Sequential != c.Sequential {
					t.Errorf("test %s sequential %v, want %s", p.Test, p.Sequential, wantTest)
				}
				vecNear(t, c.ID, "theta", defined(p.CUPED.Theta), c.Expect.Theta)
				vecNear(t, c.ID, "variance reduction", defined(p.CUPED.VarianceReduction), c.Expect.VarianceReduction)
				vecNear(t, c.ID, "adjusted var c", defined(p.CUPED.Variances[0]), c.Expect.VarC)
				vecNear(t, c.ID, "adjusted var t", defined(p.CUPED.Variances[1]), c.Expect.VarT)
				vecCheckResult(t, c.ID, p, x, !c.Sequential)
				u := c.Expect.Unadjusted
				vecNear(t, c.ID, "unadjusted abs lift", p.CUPED.AbsLift, u.AbsLift)
				vecNear(t, c.ID, "unadjusted ci low", p.CUPED.CILow, u.CILow)
				vecNear(t, c.ID, "unadjusted ci high", p.CUPED.CIHigh, u.CIHigh)
				vecNear(t, c.ID, "unadjusted p", p.CUPED.PValue, u.PValue)
				if c.OLSArm != nil {
					if d := math.Abs(p.AbsLift.V-*c.OLSArm) / math.Abs(*c.OLSArm); !(d <= 1e-3) {
						t.Errorf("CUPED estimate %.10g, OLS arm coefficient %.10g: rel diff %.3g > 1e-3", p.AbsLift.V, *c.OLSArm, d)
					}
				}
				if p.ControlValue != c.floatSum(0) || p.TreatmentValue != c.floatSum(1) {
					t.Errorf("values %v, %v are not the observed means", p.ControlValue, p.TreatmentValue)
				}
				checked++
			}
			if x := c.Expect.Result; x != nil {
				if p.Test != TestSequential || !p.Sequential || p.DF.OK() {
					t.Errorf("test %s sequential %v df %v, want sequential without df", p.Test, p.Sequential, p.DF)
				}
				vecCheckResult(t, c.ID, p, x, false)
				checked++
			}
			if c.Expect.RequiredC != nil {
				pw := rep.Comparisons[0].Power
				vecNear(t, c.ID, "required c", pw.MDERequired[0], c.Expect.RequiredC)
				vecNear(t, c.ID, "required t", pw.MDERequired[1], c.Expect.RequiredT)
				vecNear(t, c.ID, "mde at current", pw.MDEAtCurrent, c.Expect.MDEAtCurrent)
				if c.Expect.Theta != nil {
					vecNear(t, c.ID, "theta", defined(p.CUPED.Theta), c.Expect.Theta)
				}
				checked++
			}
			if checked == 0 {
				t.Fatal("case checks nothing")
			}
		})
	}
}

// floatSum is arm i's observed value: count or sum over users.
func (c *vecCase) floatSum(i int) float64 {
	a := c.Arms[i]
	if c.Kind == string(experiment.KindProportion) {
		return float64(a.Count) / float64(a.Users)
	}
	return decOr0(a.Sum).Float64() / float64(a.Users)
}
