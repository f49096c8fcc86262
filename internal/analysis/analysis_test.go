package analysis

import (
	"math"
	"testing"
	"time"

	"github.com/experimentos/experimentos/internal/experiment"
)

// exp builds a running experiment with one guardrail column g.
func exp(nc, xc, gc, nt, xt, gt int64, gtype experiment.MetricType) *experiment.Experiment {
	return &experiment.Experiment{
		ID: "x", Path: "experiments/x", Name: "X", Status: experiment.StatusRunning,
		DataFile:   "experiments/x/results.csv",
		Split:      experiment.Split{Control: 50, Treatment: 50},
		Thresholds: experiment.DefaultThresholds(),
		Primary:    experiment.Metric{Column: "conversions", Label: "Conversion", Desired: experiment.Increase, Type: experiment.MetricProportion},
		Guardrails: []experiment.Metric{{Column: "g", Label: "G", Desired: experiment.Decrease, Type: gtype,
			Worsened: experiment.MustDecimal("0.001"), Severe: experiment.MustDecimal("0.003")}},
		Data: &experiment.Data{
			Control:   experiment.Arm{Users: nc, Counts: map[string]int64{"conversions": xc, "g": gc}, Line: 2},
			Treatment: experiment.Arm{Users: nt, Counts: map[string]int64{"conversions": xt, "g": gt}, Line: 3},
			Columns:   map[string]int{"variant": 1, "users": 2, "conversions": 3, "g": 4},
		},
	}
}

// Thresholds are compared exactly. Each "at threshold" case is one where the
// float delta lands just above the threshold (4/3000 − 7/3000 evaluates to
// 0.0010000000000000002) while the rational delta equals it, so a float
// comparison would wrongly call it beyond. The p-values noted per case are
// statsmodels 0.13.5 proportions_ztest([x_t, x_c], [n, n]); every case has
// at least 5 expected events per cell, so the z-test is the one used.
func TestGuardrailThresholdIsExact(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		n, gc, gt        int64
		worsened, severe bool
	}{
		// 4 vs 7 of 3000: z p = 0.365, delta exactly 0.001.
		{"delta exactly at worsened threshold, not significant", 3000, 4, 7, false, false},
		// 4 vs 8 of 3000: z p = 0.248, delta 0.00133 > 0.001.
		{"beyond worsened threshold", 3000, 4, 8, true, false},
		{"improvement never worsens", 3000, 40, 10, false, false},
		{"zero delta never worsens", 3000, 25, 25, false, false},
		// 18 vs 39 of 7000: z p = 0.0053, delta exactly 0.003.
		{"delta exactly at severe threshold, significant", 7000, 18, 39, true, false},
		// 18 vs 40 of 7000: z p = 0.0038, delta 0.00314 > 0.003.
		{"beyond severe threshold and significant", 7000, 18, 40, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := Analyze(exp(tt.n, tt.n/10, tt.gc, tt.n, tt.n/10, tt.gt, experiment.MetricProportion))
			if len(r.Guardrails) != 1 {
				t.Fatalf("guardrails = %d, want 1", len(r.Guardrails))
			}
			g := r.Guardrails[0]
			if g.Worsened != tt.worsened || g.Severe != tt.severe {
				t.Errorf("worsened, severe = %v, %v; want %v, %v (delta %v, p %v)", g.Worsened, g.Severe, tt.worsened, tt.severe, g.Delta, *g.PValue)
			}
		})
	}
}

func TestSevereNeedsSignificance(t *testing.T) {
	t.Parallel()
	// A tiny sample: 1 of 50 vs 4 of 50 is a 6 pp move, far beyond 0.3 pp,
	// but Fisher's p is 0.362 (scipy.stats.fisher_exact): worsened, not severe.
	r := Analyze(exp(50, 10, 1, 50, 10, 4, experiment.MetricProportion))
	g := r.Guardrails[0]
	if g.Test != TestFisher {
		t.Errorf("test = %s, want fisher", g.Test)
	}
	if !g.Worsened || g.Severe {
		t.Errorf("worsened, severe = %v, %v; want true, false (p %v)", g.Worsened, g.Severe, *g.PValue)
	}
}

func TestHealth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		nc, nt     int64
		minUsers   int64
		wantStatus HealthStatus
		wantCodes  []string
		wantLines  []int
	}{
		{"balanced", 10000, 10050, 100, Healthy, nil, nil},
		// chi2 = 12.195, p = 4.79e-4 (scipy.stats.chisquare([10000, 10500])).
		{"srm warning", 10000, 10500, 100, Warning, []string{experiment.CodeSRM}, []int{2}},
		// chi2 = 29.28, p = 6.27e-8 (scipy.stats.chisquare([10000, 10780])).
		{"srm severe", 10000, 10780, 100, Blocked, []string{experiment.CodeSRMSevere}, []int{2}},
		{"small samples", 60, 90, 100, Warning, []string{experiment.CodeSmallSample, experiment.CodeSmallSample}, []int{2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := exp(tt.nc, tt.nc/10, 0, tt.nt, tt.nt/10, 0, experiment.MetricProportion)
			e.Thresholds.MinUsers = tt.minUsers
			r := Analyze(e)
			if r.Health.Status != tt.wantStatus {
				t.Errorf("status = %s, want %s (srm p %v)", r.Health.Status, tt.wantStatus, r.Health.SRM.PValue)
			}
			if len(r.Health.Issues) != len(tt.wantCodes) {
				t.Fatalf("issues = %v, want codes %v", r.Health.Issues, tt.wantCodes)
			}
			for i, is := range r.Health.Issues {
				if is.Code != tt.wantCodes[i] || is.Line != tt.wantLines[i] || is.File != e.DataFile || is.Column != "users" || is.Col != 2 {
					t.Errorf("issue %d = %+v, want code %s at line %d column users", i, is, tt.wantCodes[i], tt.wantLines[i])
				}
			}
			if (r.Health.Status == Blocked) == r.Analyzed {
				t.Errorf("analyzed = %v with status %s", r.Analyzed, r.Health.Status)
			}
		})
	}
}

func TestPlannedAndMissingDataAreNotAnalyzed(t *testing.T) {
	t.Parallel()
	e := exp(100, 10, 0, 100, 10, 0, experiment.MetricProportion)
	e.Status = experiment.StatusPlanned
	if r := Analyze(e); r.Analyzed || r.Primary != nil {
		t.Errorf("planned experiment analyzed: %+v", r)
	}
	e = exp(100, 10, 0, 100, 10, 0, experiment.MetricProportion)
	e.Data = nil
	e.Issues = []experiment.Issue{{Severity: experiment.SeverityBlocked, Code: experiment.CodeUnreadable}}
	if r := Analyze(e); r.Analyzed || r.Health.Status != Blocked || r.Health.SRM != nil {
		t.Errorf("missing data: analyzed=%v status=%s", r.Analyzed, r.Health.Status)
	}
}

func TestUndefinedStatisticsAreNullWithReason(t *testing.T) {
	t.Parallel()
	// Both arms at rate 0: z undefined, relative lift undefined.
	r := Analyze(exp(5000, 0, 0, 5000, 0, 0, experiment.MetricProportion))
	p := r.Primary
	if p.RelLift != nil || p.RelCILow != nil || p.Nulls["rel_lift"] == "" || p.Nulls["rel_ci_low"] == "" {
		t.Errorf("rel lift = %v, nulls %v; want null with reasons", p.RelLift, p.Nulls)
	}
	// Both rates 0 makes every expected conversion cell 0 < 5: Fisher, p = 1.
	if p.Test != TestFisher || p.PValue == nil || *p.PValue != 1 {
		t.Errorf("test %s p %v, want fisher p = 1", p.Test, p.PValue)
	}
	// Everyone converts in large arms with wald: zero-width interval.
	e := exp(5000, 5000, 0, 5000, 5000, 0, experiment.MetricProportion)
	e.Thresholds.CIMethod = experiment.CIWald
	p = Analyze(e).Primary
	if p.CILow != nil || p.Nulls["ci_low"] == "" {
		t.Errorf("wald CI = %v, want null with reason", p.CILow)
	}
	for _, v := range []*float64{p.RelLift, p.RelCILow, p.PValue} {
		if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0)) {
			t.Errorf("non-finite statistic %v", *v)
		}
	}
	// Events guardrail with no events in either arm: p null.
	g := Analyze(exp(5000, 100, 0, 5000, 120, 0, experiment.MetricEvents)).Guardrails[0]
	if g.Test != TestPoisson || g.PValue != nil || g.Nulls["p_value"] == "" || g.Worsened {
		t.Errorf("events guardrail = %+v, want poisson with null p", g)
	}
}

func TestPower(t *testing.T) {
	t.Parallel()
	e := exp(8000, 2480, 0, 8040, 2560, 0, experiment.MetricProportion)
	e.Start = mustDate(t, "2026-11-10")
	e.End = mustDate(t, "2026-11-23")
	mde := 0.05
	e.Plan.MDE = &mde
	pw := Analyze(e).Primary.Power
	if pw.Basis != "plan" || math.Abs(pw.TargetRate-0.31*1.05) > 1e-15 {
		t.Fatalf("power basis %s target %v", pw.Basis, pw.TargetRate)
	}
	if pw.RequiredControl == nil || pw.AdditionalControl == nil || pw.AdditionalDays == nil {
		t.Fatalf("power = %+v, want required, additional and days", pw)
	}
	if got, want := *pw.AdditionalControl, int64(math.Ceil(*pw.RequiredControl))-8000; got != want {
		t.Errorf("additional control = %d, want %d", got, want)
	}
	// 14 days at 8000/14 control users a day (the slower arm, per user needed).
	wantDays := math.Max(float64(*pw.AdditionalControl)/(8000.0/14), float64(*pw.AdditionalTreatment)/(8040.0/14))
	if math.Abs(*pw.AdditionalDays-wantDays) > 1e-9 {
		t.Errorf("days = %v, want %v", *pw.AdditionalDays, wantDays)
	}
	// Zero observed effect: power undefined with a reason.
	pw = Analyze(exp(8000, 800, 0, 8000, 800, 0, experiment.MetricProportion)).Primary.Power
	if pw.RequiredControl != nil || pw.Reason == "" {
		t.Errorf("zero-effect power = %+v, want nil with reason", pw)
	}
}

func mustDate(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
