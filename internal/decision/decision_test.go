package decision

import (
	"strings"
	"testing"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/experiment"
)

func ptr[T any](v T) *T { return &v }

// report builds an analyzed report: control 1000/10000, treatment per args.
func report(xt int64, p float64, guardrails ...analysis.Guardrail) *analysis.Report {
	e := &experiment.Experiment{
		ID: "x", Name: "X", Status: experiment.StatusRunning,
		Split:      experiment.Split{Control: 50, Treatment: 50},
		Thresholds: experiment.DefaultThresholds(),
		Primary:    experiment.Metric{Column: "conversions", Label: "Conversion", Desired: experiment.Increase},
	}
	pr := &analysis.Primary{
		Metric: "conversions", Label: "Conversion", Desired: experiment.Increase, Test: analysis.TestZ,
		ControlUsers: 10000, TreatmentUsers: 10000, ControlCount: 1000, TreatmentCount: xt,
		ControlRate: 0.1, TreatmentRate: float64(xt) / 10000, PValue: &p,
	}
	pr.AbsLift = pr.TreatmentRate - pr.ControlRate
	return &analysis.Report{
		Experiment: e, Analyzed: true,
		Health:  analysis.Health{Status: analysis.Healthy, SRM: &analysis.SRM{PValue: 0.5}},
		Primary: pr, Guardrails: guardrails,
	}
}

func guard(worsened, severe bool) analysis.Guardrail {
	return analysis.Guardrail{Metric: "guardrail_error", Label: "Errors", Type: experiment.MetricProportion,
		Delta: 0.002, PValue: ptr(0.01), Worsened: worsened, Severe: severe,
		WorsenedThreshold: experiment.MustDecimal("0.001"), SevereThreshold: experiment.MustDecimal("0.003")}
}

func TestDecide(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		mutate     func(*analysis.Report)
		xt         int64
		p          float64
		guardrails []analysis.Guardrail
		want       experiment.Outcome
		rule       int
		reason     string // a fragment the reason must contain
	}{
		{name: "launch", xt: 1100, p: 0.01, want: experiment.Launch, rule: 7, reason: "p = 0.01 < 0.05"},
		{name: "launch with healthy guardrail", xt: 1100, p: 0.01, guardrails: []analysis.Guardrail{guard(false, false)}, want: experiment.Launch, rule: 7},
		{name: "blocked health holds", xt: 1100, p: 0.01, want: experiment.Hold, rule: 1, reason: "bad_value at f.csv:3",
			mutate: func(r *analysis.Report) {
				r.Health.Status = analysis.Blocked
				r.Health.Issues = []experiment.Issue{{Severity: experiment.SeverityBlocked, Code: "bad_value", File: "f.csv", Line: 3}}
			}},
		{name: "blocked beats severe guardrail", xt: 900, p: 0.001, guardrails: []analysis.Guardrail{guard(true, true)}, want: experiment.Hold, rule: 1,
			mutate: func(r *analysis.Report) { r.Health.Status = analysis.Blocked }},
		{name: "severe SRM names p", xt: 1100, p: 0.01, want: experiment.Hold, rule: 1, reason: "severe SRM, p = 2.1e-06",
			mutate: func(r *analysis.Report) {
				r.Health.Status = analysis.Blocked
				r.Health.SRM.PValue = 2.1e-6
				r.Health.Issues = []experiment.Issue{{Severity: experiment.SeverityBlocked, Code: experiment.CodeSRMSevere}}
			}},
		{name: "SRM warning holds a win", xt: 1100, p: 0.01, want: experiment.Hold, rule: 2, reason: "SRM p = 0.0004 < 0.001",
			mutate: func(r *analysis.Report) {
				r.Health.Status = analysis.Warning
				r.Health.SRM.PValue = 0.0004
				r.Health.Issues = []experiment.Issue{{Severity: experiment.SeverityWarning, Code: experiment.CodeSRM}}
			}},
		{name: "small-sample warning alone does not hold", xt: 1100, p: 0.01, want: experiment.Launch, rule: 7,
			mutate: func(r *analysis.Report) {
				r.Health.Status = analysis.Warning
				r.Health.Issues = []experiment.Issue{{Severity: experiment.SeverityWarning, Code: experiment.CodeSmallSample}}
			}},
		{name: "severe guardrail rolls back a win", xt: 1100, p: 0.01, guardrails: []analysis.Guardrail{guard(true, true)}, want: experiment.Rollback, rule: 3, reason: "Errors worsened severely"},
		{name: "severe guardrail rolls back a flat result", xt: 1000, p: 0.9, guardrails: []analysis.Guardrail{guard(true, true)}, want: experiment.Rollback, rule: 3},
		{name: "significant loss rolls back", xt: 900, p: 0.001, want: experiment.Rollback, rule: 4, reason: "against the desired direction"},
		{name: "significant loss with worsened guardrail still rolls back", xt: 900, p: 0.001, guardrails: []analysis.Guardrail{guard(true, false)}, want: experiment.Rollback, rule: 4},
		{name: "worsened guardrail holds a win", xt: 1100, p: 0.01, guardrails: []analysis.Guardrail{guard(false, false), guard(true, false)}, want: experiment.Hold, rule: 5, reason: "guardrail Errors +0.20 pp worsened"},
		{name: "plan not reached holds a win", xt: 1100, p: 0.01, want: experiment.Hold, rule: 6, reason: "plan needs 20000 users per arm",
			mutate: func(r *analysis.Report) { r.Experiment.Plan.UsersPerArm = 20000 }},
		{name: "plan reached exactly launches", xt: 1100, p: 0.01, want: experiment.Launch, rule: 7,
			mutate: func(r *analysis.Report) { r.Experiment.Plan.UsersPerArm = 10000 }},
		{name: "not significant holds", xt: 1010, p: 0.6, want: experiment.Hold, rule: 8, reason: "p = 0.6 ≥ 0.05"},
		{name: "p exactly at alpha is not significant", xt: 1100, p: 0.05, want: experiment.Hold, rule: 8},
		{name: "p just below alpha is significant", xt: 1100, p: 0.049999999999, want: experiment.Launch, rule: 7},
		{name: "p exactly at a custom alpha", xt: 1100, p: 0.1, want: experiment.Hold, rule: 8,
			mutate: func(r *analysis.Report) { r.Experiment.Thresholds.Alpha = experiment.MustDecimal("0.1") }},
		{name: "undefined p holds", xt: 1100, p: 0, want: experiment.Hold, rule: 8, reason: "p-value undefined (pooled variance is 0)",
			mutate: func(r *analysis.Report) {
				r.Primary.PValue = nil
				r.Primary.Nulls = map[string]string{"p_value": "pooled variance is 0"}
			}},
		{name: "decrease desired: a fall launches", xt: 900, p: 0.001, want: experiment.Launch, rule: 7,
			mutate: func(r *analysis.Report) { r.Primary.Desired = experiment.Decrease }},
		{name: "decrease desired: a rise rolls back", xt: 1100, p: 0.001, want: experiment.Rollback, rule: 4,
			mutate: func(r *analysis.Report) { r.Primary.Desired = experiment.Decrease }},
		{name: "planned is not analyzed", xt: 1100, p: 0.01, want: experiment.None, rule: 0,
			mutate: func(r *analysis.Report) {
				r.Experiment.Status = experiment.StatusPlanned
				r.Analyzed, r.Primary = false, nil
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := report(tt.xt, tt.p, tt.guardrails...)
			if tt.mutate != nil {
				tt.mutate(r)
			}
			d := Decide(r)
			if got, want := d.Outcome, tt.want; got != want {
				t.Errorf("outcome = %q, want %q (reason %q)", got, want, d.Reason)
			}
			if got, want := d.Rule, tt.rule; got != want {
				t.Errorf("rule = %d, want %d (reason %q)", got, want, d.Reason)
			}
			if !strings.Contains(d.Reason, tt.reason) {
				t.Errorf("reason %q does not contain %q", d.Reason, tt.reason)
			}
			if strings.ContainsAny(d.Reason, "\n\r") || d.Reason == "" {
				t.Errorf("reason %q is not one line", d.Reason)
			}
		})
	}
}

func TestFailOn(t *testing.T) {
	t.Parallel()
	result := func(o experiment.Outcome, h analysis.HealthStatus, s experiment.Status) Result {
		return Result{
			Report:   &analysis.Report{Experiment: &experiment.Experiment{Status: s}, Health: analysis.Health{Status: h}},
			Decision: Decision{Outcome: o},
		}
	}
	tests := []struct {
		failOn string
		r      Result
		want   bool
	}{
		{"blocked,rollback", result(experiment.Rollback, analysis.Healthy, experiment.StatusRunning), true},
		{"blocked,rollback", result(experiment.Hold, analysis.Blocked, experiment.StatusRunning), true},
		{"blocked,rollback", result(experiment.Hold, analysis.Warning, experiment.StatusRunning), false},
		{"blocked,rollback", result(experiment.Launch, analysis.Healthy, experiment.StatusRunning), false},
		{"blocked,rollback", result(experiment.Rollback, analysis.Healthy, experiment.StatusConcluded), false},
		{"blocked,rollback", result(experiment.Hold, analysis.Blocked, experiment.StatusPlanned), true},
		{"hold", result(experiment.Hold, analysis.Healthy, experiment.StatusRunning), true},
		{" Hold , ROLLBACK ", result(experiment.Rollback, analysis.Healthy, experiment.StatusRunning), true},
		{"rollback", result(experiment.Hold, analysis.Blocked, experiment.StatusRunning), false},
		{"none", result(experiment.Rollback, analysis.Blocked, experiment.StatusRunning), false},
		{"", result(experiment.Rollback, analysis.Blocked, experiment.StatusRunning), false},
	}
	for _, tt := range tests {
		f, err := ParseFailOn(tt.failOn)
		if err != nil {
			t.Fatalf("ParseFailOn(%q): %v", tt.failOn, err)
		}
		if got := f.Fails(tt.r); got != tt.want {
			t.Errorf("ParseFailOn(%q).Fails(%s, %s, %s) = %v, want %v", tt.failOn,
				tt.r.Decision.Outcome, tt.r.Report.Health.Status, tt.r.Report.Experiment.Status, got, tt.want)
		}
	}
	if _, err := ParseFailOn("blocked,launch"); err == nil || !strings.Contains(err.Error(), `"launch"`) {
		t.Errorf("ParseFailOn(blocked,launch) error = %v, want one naming launch", err)
	}
}

func TestSummarizeAndWorst(t *testing.T) {
	t.Parallel()
	mk := func(o experiment.Outcome, h analysis.HealthStatus) Result {
		return Result{Report: &analysis.Report{Experiment: &experiment.Experiment{}, Health: analysis.Health{Status: h}}, Decision: Decision{Outcome: o}}
	}
	rs := []Result{mk(experiment.Launch, analysis.Healthy), mk(experiment.Hold, analysis.Blocked),
		mk(experiment.Hold, analysis.Warning), mk(experiment.None, analysis.Healthy)}
	got := Summarize(rs)
	want := Summary{Launch: 1, Hold: 2, Blocked: 1, NotAnalyzed: 1}
	if got != want {
		t.Errorf("Summarize = %+v, want %+v", got, want)
	}
	if got := Worst(rs); got != experiment.Hold {
		t.Errorf("Worst = %q, want hold", got)
	}
	if got := Worst(append(rs, mk(experiment.Rollback, analysis.Healthy))); got != experiment.Rollback {
		t.Errorf("Worst = %q, want rollback", got)
	}
	if got := Worst(nil); got != experiment.None {
		t.Errorf("Worst(nil) = %q, want none", got)
	}
}
