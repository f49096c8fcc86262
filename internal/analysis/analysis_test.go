package analysis

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/experimentos/experimentos/internal/experiment"
)

// within compares floats at the statistics' tolerance: 1e-9 relative.
func within(got, want float64) bool {
	return math.Abs(got-want) <= 1e-9*math.Max(1, math.Abs(want))
}

func dec(s string) experiment.Decimal { return experiment.MustDecimal(s) }

func metric(name string, k experiment.Kind, roles ...experiment.Role) experiment.Metric {
	m := experiment.Metric{Name: name, Label: name, Kind: k, Desired: experiment.Increase, Columns: map[experiment.Role]string{}}
	for _, r := range roles {
		m.Columns[r] = name + "_" + string(r)
	}
	return m
}

func row(arm string, users int64, line int, moments map[string]experiment.Moments) experiment.Row {
	return experiment.Row{Arm: arm, Users: users, Line: line}.WithMoments(moments)
}

func exp(primary experiment.Metric, rows ...experiment.Row) *experiment.Experiment {
	e := &experiment.Experiment{ID: "x", Name: "x", Status: experiment.StatusRunning, Control: rows[0].Arm,
		DataFile: "x/results.csv", ConfigFile: "x/experiment.yaml",
		Thresholds: experiment.DefaultThresholds(), Primary: primary,
		Data: &experiment.Data{Arms: rows, Rows: rows, Columns: map[string]int{"users": 2}}}
	return e
}

// TestMean checks Welch's test end to end on per-user values small enough
// to verify by hand: control {1,2,3,4}, treatment {2,3,4,5}.
// scipy.stats.ttest_ind([2,3,4,5], [1,2,3,4], equal_var=False).pvalue =
// 0.3153335962012296; ν = 6; the CI half-width t(0.975, 6)·√(5/6) =
// 2.233714693016456.
func TestMean(t *testing.T) {
	t.Parallel()
	m := metric("rev", experiment.KindMean, experiment.RoleSum, experiment.RoleSumSquares)
	e := exp(m,
		row("control", 4, 2, map[string]experiment.Moments{"rev": {Sum: dec("10"), SumSquares: dec("30")}}),
		row("treatment", 4, 3, map[string]experiment.Moments{"rev": {Sum: dec("14"), SumSquares: dec("54")}}))
	e.Thresholds.MinUsers = 1
	r := Analyze(e)
	p := r.Comparisons[0].Primary
	if p.Test != TestWelch || p.ControlValue != 2.5 || p.TreatmentValue != 3.5 || !within(p.AbsLift.V, 1) {
		t.Errorf("values: %+v", p)
	}
	if !within(p.PValue.V, 0.3153335962012296) || !within(p.DF.V, 6) {
		t.Errorf("p = %v, df = %v", p.PValue, p.DF)
	}
	if !within(p.CIHigh.V-1, 2.233714693016456) || !within(1-p.CILow.V, 2.233714693016456) {
		t.Errorf("CI = [%v, %v]", p.CILow.V, p.CIHigh.V)
	}
	if !within(p.RelLift.V, 0.4) || p.Sign != 1 || !p.Improved() || p.Significant {
		t.Errorf("rel %v sign %d improved %v significant %v", p.RelLift, p.Sign, p.Improved(), p.Significant)
	}
}

// TestRatio checks the delta-method ratio on per-user data: numerators
// x_c = {10,0,20,30}, y_c = {1,0,2,2}; x_t = {15,5,25,30}, y_t = {1,1,2,2}.
// The per-user linearisation (x − r·y)/μ_y (numpy, ddof=1) gives variances
// 11.946666666666667 and 12.962962962962964; Welch then gives
// se = 2.4954773906824737, ν = 5.990029083569929, p = 0.8478266183935967.
func TestRatio(t *testing.T) {
	t.Parallel()
	m := experiment.Metric{Name: "aov", Label: "AOV", Kind: experiment.KindRatio, Desired: experiment.Increase, Numerator: "rev", Denominator: "orders"}
	e := exp(m,
		row("control", 4, 2, map[string]experiment.Moments{"aov": {Sum: dec("60"), SumSquares: dec("1400"), DenSum: dec("5"), DenSumSquares: dec("9"), SumProduct: dec("110")}}),
		row("treatment", 4, 3, map[string]experiment.Moments{"aov": {Sum: dec("75"), SumSquares: dec("1775"), DenSum: dec("6"), DenSumSquares: dec("10"), SumProduct: dec("130")}}))
	e.Thresholds.MinUsers = 1
	p := Analyze(e).Comparisons[0].Primary
	if p.ControlValue != 12 || p.TreatmentValue != 12.5 || !within(p.AbsLift.V, 0.5) {
		t.Errorf("values %v %v %v", p.ControlValue, p.TreatmentValue, p.AbsLift)
	}
	if !within(p.PValue.V, 0.8478266183935967) || !within(p.DF.V, 5.990029083569929) {
		t.Errorf("p = %v, df = %v", p.PValue, p.DF)
	}
	// A denominator summing to 0 leaves the ratio undefined, with a reason.
	*e.Data.Arms[1].Lookup("aov") = experiment.Moments{Sum: dec("5"), SumSquares: dec("25")}
	p = Analyze(e).Comparisons[0].Primary
	if p.PValue.OK() || !strings.Contains(p.PValue.Null, "orders sums to 0 in arm treatment") {
		t.Errorf("p = %+v, want null naming the arm", p.PValue)
	}
}

// TestProportionUnchanged pins version 1's numbers for a two-arm count
// experiment: 1200/10000 vs 1320/10050 (the z-test and Newcombe values of
// statsmodels 0.13.5, as in testdata/stats/vectors.json's typical cases).
func TestProportionUnchanged(t *testing.T) {
	t.Parallel()
	m := metric("conversions", experiment.KindProportion)
	m.Columns[experiment.RoleCount] = "conversions"
	e := exp(m,
		row("control", 10000, 2, map[string]experiment.Moments{"conversions": {Count: 1200}}),
		row("treatment", 10050, 3, map[string]experiment.Moments{"conversions": {Count: 1320}}))
	r := Analyze(e)
	p := r.Comparisons[0].Primary
	// statsmodels proportions_ztest([1320, 1200], [10050, 10000]) and
	// confint_proportions_2indep(1320, 10050, 1200, 10000, method='newcomb').
	if p.Test != TestZ || !within(p.PValue.V, 0.015408448386682386) {
		t.Errorf("test %s p %v", p.Test, p.PValue)
	}
	if !within(p.CILow.V, 0.00216590649721635) || !within(p.CIHigh.V, 0.020520834047070127) {
		t.Errorf("CI = [%.17g, %.17g]", p.CILow.V, p.CIHigh.V)
	}
	if p.DF.OK() || p.PAdjusted != p.PValue {
		t.Errorf("df %+v (want null), p_adjusted %+v (want = p with two arms)", p.DF, p.PAdjusted)
	}
	if s := r.Health.SRM; s.DF != 1 || !within(s.PValue, 0.7240042702094154) {
		t.Errorf("srm = %+v", s)
	}
}

func TestHealthKArms(t *testing.T) {
	t.Parallel()
	m := metric("c", experiment.KindProportion)
	m.Columns[experiment.RoleCount] = "c"
	mk := func(users ...int64) *experiment.Experiment {
		var rows []experiment.Row
		for i, u := range users {
			rows = append(rows, row(string(rune('a'+i)), u, i+2, map[string]experiment.Moments{"c": {Count: u / 10}}))
		}
		return exp(m, rows...)
	}
	tests := []struct {
		name  string
		users []int64
		codes []string
		lines []int
	}{
		{"balanced", []int64{10000, 10050, 9980}, nil, nil},
		{"SRM warning", []int64{10000, 10000, 10500}, []string{"srm"}, []int{2}},
		{"severe SRM", []int64{10000, 10000, 12000}, []string{"srm_severe"}, []int{2}},
		{"small arm", []int64{10000, 10000, 50}, []string{"srm_severe", "small_sample"}, []int{2, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := Analyze(mk(tt.users...))
			if r.Health.SRM.DF != len(tt.users)-1 {
				t.Errorf("df = %d", r.Health.SRM.DF)
			}
			if len(r.Health.Issues) != len(tt.codes) {
				t.Fatalf("issues %v, want %v", r.Health.Issues, tt.codes)
			}
			for i, is := range r.Health.Issues {
				if is.Code != tt.codes[i] || is.Line != tt.lines[i] || is.Column != "users" || is.Col != 2 {
					t.Errorf("issue %d = %+v, want %s at line %d", i, is, tt.codes[i], tt.lines[i])
				}
			}
			if len(tt.codes) > 0 && tt.codes[0] == "srm" && !strings.Contains(r.Health.Issues[0].Message, "a 10000, b 10000, c 10500") {
				t.Errorf("message does not list every arm: %s", r.Health.Issues[0].Message)
			}
		})
	}
}

func TestUndefinedWithReasons(t *testing.T) {
	t.Parallel()
	m := metric("c", experiment.KindProportion)
	m.Columns[experiment.RoleCount] = "c"
	// Control rate 0: the relative lift is undefined.
	p := Analyze(exp(m, row("control", 1000, 2, map[string]experiment.Moments{"c": {Count: 0}}),
		row("treatment", 1000, 3, map[string]experiment.Moments{"c": {Count: 30}}))).Comparisons[0].Primary
	if p.RelLift.OK() || !strings.Contains(p.RelLift.Null, "control rate is 0") {
		t.Errorf("rel = %+v", p.RelLift)
	}
	// 60 users, 0 vs 5 converted: the delta-method relative interval
	// would reach below −100% (or the control is 0): never a bound < −1.
	p = Analyze(exp(m, row("control", 60, 2, map[string]experiment.Moments{"c": {Count: 1}}),
		row("treatment", 60, 3, map[string]experiment.Moments{"c": {Count: 4}}))).Comparisons[0].Primary
	if p.RelCILow.OK() && p.RelCILow.V < -1 {
		t.Errorf("relative lower bound %v below −100%%", p.RelCILow.V)
	}
	if !p.RelCILow.OK() && !strings.Contains(p.RelCILow.Null, "below −100%") {
		t.Errorf("rel CI null reason %q", p.RelCILow.Null)
	}
	// Both arms at 100%: a degenerate rate, not a small sample.
	p = Analyze(exp(m, row("control", 500, 2, map[string]experiment.Moments{"c": {Count: 500}}),
		row("treatment", 500, 3, map[string]experiment.Moments{"c": {Count: 500}}))).Comparisons[0].Primary
	if p.RelCILow.OK() || !strings.Contains(p.RelCILow.Null, "degenerate (treatment 100%, control 100%)") {
		t.Errorf("rel CI = %+v", p.RelCILow)
	}
	// Mean metric with no variance in either arm: se = 0.
	mm := metric("v", experiment.KindMean, experiment.RoleSum, experiment.RoleSumSquares)
	p = Analyze(exp(mm, row("control", 10, 2, map[string]experiment.Moments{"v": {Sum: dec("20"), SumSquares: dec("40")}}),
		row("treatment", 10, 3, map[string]experiment.Moments{"v": {Sum: dec("30"), SumSquares: dec("90")}}))).Comparisons[0].Primary
	if p.PValue.OK() || !strings.Contains(p.PValue.Null, "variance 0") || !p.AbsLift.OK() || p.AbsLift.V != 1 {
		t.Errorf("zero variance: p %+v abs %+v", p.PValue, p.AbsLift)
	}
}

func TestPower(t *testing.T) {
	t.Parallel()
	m := metric("c", experiment.KindProportion)
	m.Columns[experiment.RoleCount] = "c"
	base := func() *experiment.Experiment {
		return exp(m, row("control", 8000, 2, map[string]experiment.Moments{"c": {Count: 800}}),
			row("treatment", 8000, 3, map[string]experiment.Moments{"c": {Count: 820}}))
	}
	// A desired decrease applies the mde downwards: 10% → 9.5%.
	e := base()
	e.Primary.Desired = experiment.Decrease
	mde := 0.05
	e.Plan.MDE = &mde
	pw := Analyze(e).Comparisons[0].Power
	if pw.Basis != BasisPlanMDE || !within(pw.TargetValue.V, 0.095) {
		t.Errorf("target = %v, want 0.095", pw.TargetValue)
	}
	// The required sample is the mde's; days are whole, at the observed
	// traffic (14 days), the slower arm deciding.
	e.Start = mustDate("2026-11-01")
	e.End = mustDate("2026-11-14")
	pw = Analyze(e).Comparisons[0].Power
	need := math.Ceil(pw.MDERequired[0].V)
	if pw.Additional[0] != int64(need)-8000 || pw.Days.V != math.Ceil(float64(pw.Additional[0])/(8000.0/14)) || pw.Days.V != math.Trunc(pw.Days.V) {
		t.Errorf("additional %v days %v, want %v and whole days", pw.Additional, pw.Days, int64(need)-8000)
	}
	// plan.users_per_arm is the horizon when set: reached means stop.
	e.Plan.UsersPerArm = 8000
	r := Analyze(e)
	if pw := r.Comparisons[0].Power; !pw.FromPlan || !pw.Reached || pw.Additional != [2]int64{0, 0} {
		t.Errorf("plan reached: %+v", pw)
	}
	// ... and a plan that cannot detect its own mde is flagged.
	if len(r.Health.Issues) != 1 || r.Health.Issues[0].Code != experiment.CodePlanUnderpowered || r.Health.Issues[0].Column != "plan.users_per_arm" {
		t.Errorf("issues = %v, want plan_underpowered", r.Health.Issues)
	}
	// Without an mde: the minimum detectable effect now, and 4× the sample
	// to halve it; never "reached".
	pw = Analyze(base()).Comparisons[0].Power
	if pw.Basis != BasisCurrentSample || pw.MDE.OK() || !pw.MDEAtCurrent.OK() || pw.Required[0].V != 32000 || pw.Reached || pw.Days.OK() {
		t.Errorf("current sample: %+v", pw)
	}
	// Planned traffic: plan.daily_users × share.
	e = base()
	e.Plan.DailyUsers = 1000
	pw = Analyze(e).Comparisons[0].Power
	if want := math.Ceil(float64(pw.Additional[0]) / 500); pw.Days.V != want {
		t.Errorf("days = %v, want %v", pw.Days, want)
	}
}

func mustDate(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}
