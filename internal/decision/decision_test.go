package decision

import (
	"fmt"
	"strings"
	"testing"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/experiment"
)

// arm is one arm's row: users and a count per proportion metric.
type arm struct {
	name   string
	users  int64
	counts map[string]int64
}

func a(name string, users int64, kv ...any) arm {
	c := map[string]int64{}
	for i := 0; i+1 < len(kv); i += 2 {
		c[kv[i].(string)] = int64(kv[i+1].(int))
	}
	return arm{name, users, c}
}

func prop(name string, desired experiment.Direction) experiment.Metric {
	return experiment.Metric{Name: name, Label: name, Kind: experiment.KindProportion, Desired: desired,
		Columns: map[experiment.Role]string{experiment.RoleCount: name}}
}

func guardrail(name, worsened, severe string) experiment.Metric {
	m := prop(name, experiment.Decrease)
	m.Worsened = margin(worsened)
	m.Severe = margin(severe)
	return m
}

func margin(s string) experiment.Margin {
	if v, ok := strings.CutSuffix(s, "%"); ok {
		return experiment.Margin{Value: experiment.MustDecimal(v).DivInt(100), Relative: true}
	}
	return experiment.Margin{Value: experiment.MustDecimal(s)}
}

// build makes a running experiment with a proportion primary "conversions"
// and the given guardrails; the first arm is the control.
func build(guards []experiment.Metric, arms ...arm) *experiment.Experiment {
	e := &experiment.Experiment{
		ID: "x", Name: "X", Status: experiment.StatusRunning, Control: arms[0].name,
		DataFile: "x/results.csv", ConfigFile: "x/experiment.yaml",
		Thresholds: experiment.DefaultThresholds(),
		Primary:    prop("conversions", experiment.Increase),
		Guardrails: guards,
		Data:       &experiment.Data{Columns: map[string]int{"variant": 1, "users": 2}},
	}
	for i, ar := range arms {
		m := map[string]experiment.Moments{}
		for k, v := range ar.counts {
			m[k] = experiment.Moments{Count: v}
		}
		e.Data.Arms = append(e.Data.Arms, experiment.Row{Arm: ar.name, Users: ar.users, Line: i + 2}.WithMoments(m))
	}
	e.Data.Rows = e.Data.Arms
	return e
}

func decide(e *experiment.Experiment) (*analysis.Report, Decision) {
	r := analysis.Analyze(e)
	return r, Decide(r)
}

var errs = []experiment.Metric{guardrail("errors", "0.001", "0.003")}

func TestRulesPerComparison(t *testing.T) {
	t.Parallel()
	ctl := a("control", 20000, "conversions", 2000, "errors", 100)
	tests := []struct {
		name   string
		e      func() *experiment.Experiment
		rule   Rule
		out    experiment.Outcome
		kind   HoldKind
		reason string
	}{
		{"launch", func() *experiment.Experiment {
			return build(errs, ctl, a("treatment", 20000, "conversions", 2300, "errors", 100))
		}, RuleLaunch, experiment.Launch, NoHold, "improved"},
		{"severe guardrail rolls back a winner", func() *experiment.Experiment {
			return build(errs, ctl, a("treatment", 20000, "conversions", 2300, "errors", 200))
		}, RuleSevereGuardrail, experiment.Rollback, NoHold, "severe margin 0.30 pp"},
		{"severe guardrail rolls back under an SRM warning", func() *experiment.Experiment {
			return build(errs, ctl, a("treatment", 20700, "conversions", 2070, "errors", 207*2))
		}, RuleSevereGuardrail, experiment.Rollback, NoHold, "worsened severely"},
		{"significant loss rolls back", func() *experiment.Experiment {
			return build(errs, ctl, a("treatment", 20000, "conversions", 1700, "errors", 100))
		}, RulePrimaryLoss, experiment.Rollback, NoHold, "against the desired direction"},
		{"SRM warning holds to investigate", func() *experiment.Experiment {
			return build(errs, ctl, a("treatment", 20700, "conversions", 2300, "errors", 100))
		}, RuleSRM, experiment.Hold, Investigate, "SRM p ="},
		{"worsened guardrail holds a winner", func() *experiment.Experiment {
			return build(errs, ctl, a("treatment", 20000, "conversions", 2300, "errors", 150))
		}, RuleGuardrailWorsened, experiment.Hold, Investigate, "guardrail errors +0.25 pp"},
		{"worsened guardrail holds a flat primary", func() *experiment.Experiment {
			return build(errs, ctl, a("treatment", 20000, "conversions", 2000, "errors", 150))
		}, RuleGuardrailWorsened, experiment.Hold, Investigate, "worsened beyond its margin"},
		{"plan not reached", func() *experiment.Experiment {
			e := build(errs, ctl, a("treatment", 20000, "conversions", 2300, "errors", 100))
			e.Plan.UsersPerArm = 30000
			return e
		}, RuleNotReady, experiment.Hold, Collect, "the plan needs 30000 users per arm"},
		{"below min_users", func() *experiment.Experiment {
			e := build(errs, ctl, a("treatment", 20000, "conversions", 2300, "errors", 100))
			e.Thresholds.MinUsers = 25000
			return e
		}, RuleNotReady, experiment.Hold, Collect, "below min_users 25000"},
		{"non-inferiority holds on an inconclusive guardrail", func() *experiment.Experiment {
			e := build(errs, ctl, a("treatment", 20000, "conversions", 2300, "errors", 110))
			e.Thresholds.GuardrailPolicy = experiment.NonInferiority
			return e
		}, RuleNotReady, experiment.Hold, Collect, "not shown within its margin"},
		{"do-no-harm launches with an inconclusive guardrail", func() *experiment.Experiment {
			return build(errs, ctl, a("treatment", 20000, "conversions", 2300, "errors", 110))
		}, RuleLaunch, experiment.Launch, NoHold, "improved"},
		{"not significant collects", func() *experiment.Experiment {
			return build(errs, ctl, a("treatment", 20000, "conversions", 2040, "errors", 100))
		}, RuleNotSignificant, experiment.Hold, Collect, "not significant"},
		{"not significant at the planned sample stops", func() *experiment.Experiment {
			e := build(errs, ctl, a("treatment", 20000, "conversions", 2040, "errors", 100))
			e.Plan.UsersPerArm = 20000
			return e
		}, RuleNotSignificant, experiment.Hold, Stop, "not significant"},
		{"undefined p-value", func() *experiment.Experiment {
			e := build(nil, a("control", 500, "conversions", 0), a("treatment", 500, "conversions", 0))
			e.Primary.Kind = experiment.KindEvents // no events in either arm: no Poisson test
			return e
		}, RuleNotSignificant, experiment.Hold, Collect, "p-value undefined (no events in either arm)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, d := decide(tt.e())
			v := oneVerdict(t, d, tt.rule, tt.out, tt.kind, tt.reason)
			// With two arms the experiment's outcome is its comparison's.
			if d.Outcome != v.Outcome || d.Rule != v.Rule || d.HoldKind != v.HoldKind || d.Reason != v.Reason {
				t.Errorf("experiment decision %+v differs from its one comparison %+v", d, v)
			}
			if (d.Arm != "") != (d.Outcome == experiment.Launch || d.Outcome == experiment.Rollback) || d.Arm != "" && d.Arm != "treatment" {
				t.Errorf("arm = %q for %s", d.Arm, d.Outcome)
			}
		})
	}
}

func TestBlocked(t *testing.T) {
	t.Parallel()
	issue := func(code string) experiment.Issue {
		return experiment.Issue{Severity: experiment.SeverityBlocked, Code: code, File: "x/results.csv", Line: 3}
	}
	tests := []struct {
		name   string
		issues []experiment.Issue
		kind   HoldKind
		reason string
	}{
		{"data error", []experiment.Issue{issue(experiment.CodeBadValue)}, FixData, "bad_value at x/results.csv:3"},
		{"history finding", []experiment.Issue{issue(experiment.CodePlanChanged)}, Investigate, "plan_changed"},
		{"data error with a history finding", []experiment.Issue{issue(experiment.CodeDataRewritten), issue(experiment.CodeBadValue)}, FixData, "and 1 more blocking issue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := build(errs, a("control", 20000, "conversions", 2000, "errors", 100), a("treatment", 20000, "conversions", 2300, "errors", 300))
			e.Issues = tt.issues
			r, d := decide(e)
			if d.Outcome != experiment.Hold || d.Rule != RuleBlocked || d.HoldKind != tt.kind || d.Arm != "" || len(d.Comparisons) != 0 || r.Analyzed {
				t.Errorf("decision = %+v, analyzed %v; want hold rule 1 %s", d, r.Analyzed, tt.kind)
			}
			if !strings.Contains(d.Reason, tt.reason) {
				t.Errorf("reason %q does not contain %q", d.Reason, tt.reason)
			}
		})
	}
	t.Run("severe SRM investigates", func(t *testing.T) {
		t.Parallel()
		_, d := decide(build(errs, a("control", 20000, "conversions", 2000, "errors", 100), a("treatment", 24000, "conversions", 2400, "errors", 120)))
		if d.Rule != RuleBlocked || d.HoldKind != Investigate || !strings.Contains(d.Reason, "severe SRM") {
			t.Errorf("decision = %+v", d)
		}
	})
}

func TestExperimentOutcome(t *testing.T) {
	t.Parallel()
	ctl := a("control", 20000, "conversions", 2000, "errors", 100)
	win := func(name string, conv int) arm { return a(name, 20000, "conversions", conv, "errors", 100) }
	tests := []struct {
		name  string
		arms  []arm
		out   experiment.Outcome
		arm   string
		rule  Rule
		kind  HoldKind
		lines []string // fragments the reason must contain
	}{
		{"rollback wins over another arm's launch", []arm{ctl, win("b", 2300), a("c", 20000, "conversions", 2000, "errors", 220)},
			experiment.Rollback, "c", RuleSevereGuardrail, NoHold, []string{"c: guardrail errors"}},
		{"two rollbacks are both named", []arm{ctl, win("b", 1700), a("c", 20000, "conversions", 2000, "errors", 220)},
			experiment.Rollback, "b", RulePrimaryLoss, NoHold, []string{"2 arms roll back", "b: conversions", "c: guardrail"}},
		{"the best of two launching arms wins", []arm{ctl, win("b", 2300), win("c", 2400)},
			experiment.Launch, "c", RuleLaunch, NoHold, []string{"c: conversions improved"}},
		{"a tie goes to the earlier arm", []arm{ctl, win("b", 2400), win("c", 2400)},
			experiment.Launch, "b", RuleLaunch, NoHold, []string{"b: conversions"}},
		{"a hold takes the first comparison by rule order", []arm{ctl, win("b", 2040), a("c", 20000, "conversions", 2300, "errors", 150)},
			experiment.Hold, "", RuleGuardrailWorsened, Investigate, []string{"c: guardrail errors"}},
		{"a launch beats a hold", []arm{ctl, win("b", 2040), win("c", 2400)},
			experiment.Launch, "c", RuleLaunch, NoHold, []string{"c: conversions improved"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, d := decide(build(errs, tt.arms...))
			if d.Outcome != tt.out || d.Arm != tt.arm || d.Rule != tt.rule || d.HoldKind != tt.kind {
				t.Errorf("decision = %s arm %q rule %d %q, want %s arm %q rule %d %q\n%s", d.Outcome, d.Arm, d.Rule, d.HoldKind, tt.out, tt.arm, tt.rule, tt.kind, d.Reason)
			}
			for _, l := range tt.lines {
				if !strings.Contains(d.Reason, l) {
					t.Errorf("reason %q does not contain %q", d.Reason, l)
				}
			}
			if len(d.Comparisons) != len(tt.arms)-1 {
				t.Errorf("%d verdicts for %d arms", len(d.Comparisons), len(tt.arms))
			}
			if v := d.Comparisons[d.Index]; v.Rule != d.Rule || tt.arm != "" && v.Arm != tt.arm {
				t.Errorf("Index %d names verdict %+v, not the decision's", d.Index, v)
			}
		})
	}
}

func TestRivalsInsideCI(t *testing.T) {
	t.Parallel()
	ctl := a("control", 20000, "conversions", 2000)
	r, d := decide(build(nil, ctl, a("b", 20000, "conversions", 2300), a("c", 20000, "conversions", 2320)))
	if d.Arm != "c" {
		t.Fatalf("winner %q, want c", d.Arm)
	}
	if got := RivalsInsideCI(Result{Report: r, Decision: d}); len(got) != 1 || got[0] != "b" {
		t.Errorf("rivals = %v, want [b]", got)
	}
	r, d = decide(build(nil, ctl, a("b", 20000, "conversions", 2150), a("c", 20000, "conversions", 2600)))
	if got := RivalsInsideCI(Result{Report: r, Decision: d}); len(got) != 0 {
		t.Errorf("rivals = %v, want none (b's lift is outside c's CI)", got)
	}
}

// TestBonferroni: with k arms the primary is significant only below
// α/(k − 1), and p_adjusted is min(1, p·(k − 1)).
func TestBonferroni(t *testing.T) {
	t.Parallel()
	ctl := a("control", 20000, "conversions", 2000)
	// p ≈ 0.036 for b: significant at 0.05 with two arms, not at 0.025.
	b := a("b", 20000, "conversions", 2120)
	r2, d2 := decide(build(nil, ctl, b))
	r3, d3 := decide(build(nil, ctl, b, a("c", 20000, "conversions", 2000)))
	p := r2.Comparisons[0].Primary.PValue.V
	if !(p > 0.025 && p < 0.05) {
		t.Fatalf("fixture p = %v, want between 0.025 and 0.05", p)
	}
	if d2.Outcome != experiment.Launch || d3.Outcome != experiment.Hold {
		t.Errorf("two arms %s, three arms %s; want launch then hold", d2.Outcome, d3.Outcome)
	}
	pr := r3.Comparisons[0].Primary
	if got, want := pr.PAdjusted.V, 2*p; got != want {
		t.Errorf("p_adjusted = %v, want %v", got, want)
	}
	if pr.Alpha.String() != "0.025" {
		t.Errorf("alpha′ = %s, want 0.025", pr.Alpha)
	}
	// The interval is at α′ too: wider than the two-arm one.
	w2 := r2.Comparisons[0].Primary.CIHigh.V - r2.Comparisons[0].Primary.CILow.V
	w3 := pr.CIHigh.V - pr.CILow.V
	if !(w3 > w2) {
		t.Errorf("CI width with 3 arms %v not above 2 arms %v", w3, w2)
	}
	// Guardrails stay at α.
	r, _ := decide(build(errs, a("control", 20000, "conversions", 2000, "errors", 100), a("b", 20000, "conversions", 2000, "errors", 100), a("c", 20000, "conversions", 2000, "errors", 100)))
	if got := r.Comparisons[0].Guardrails[0].Alpha.String(); got != "0.05" {
		t.Errorf("guardrail alpha = %s, want 0.05", got)
	}
}

// TestGuardrailBoundaries puts the delta exactly at an absolute and at a
// relative margin, and a CI bound just either side of the margin.
func TestGuardrailBoundaries(t *testing.T) {
	t.Parallel()
	state := func(e *experiment.Experiment) analysis.GuardrailState {
		r := analysis.Analyze(e)
		if len(r.Comparisons) == 0 {
			t.Fatalf("not analyzed: %v", r.Health.Issues)
		}
		return r.Comparisons[0].Guardrails[0].State
	}
	// 0.1% → 0.2% of 10^6 users: a delta of exactly 0.001, p tiny.
	at := func(worsened string) *experiment.Experiment {
		return build([]experiment.Metric{guardrail("errors", worsened, "0.01")},
			a("control", 1000000, "conversions", 100000, "errors", 1000), a("treatment", 1000000, "conversions", 100000, "errors", 2000))
	}
	if got := state(at("0.001")); got != analysis.StateInconclusive {
		t.Errorf("delta exactly at the absolute margin: %s, want inconclusive (not beyond, but the CI reaches past it)", got)
	}
	if got := state(at("0.000999")); got != analysis.StateWorsened {
		t.Errorf("delta just beyond the absolute margin: %s, want worsened", got)
	}
	// Relative: 1000 → 1100 errors is +10% of the control rate.
	rel := func(worsened string) *experiment.Experiment {
		return build([]experiment.Metric{guardrail("errors", worsened, "50%")},
			a("control", 1000000, "conversions", 100000, "errors", 10000), a("treatment", 1000000, "conversions", 100000, "errors", 11000))
	}
	if got := state(rel("10%")); got != analysis.StateInconclusive {
		t.Errorf("delta exactly at the %% margin: %s, want inconclusive", got)
	}
	if got := state(rel("9.99%")); got != analysis.StateWorsened {
		t.Errorf("delta just beyond the %% margin: %s, want worsened", got)
	}
	// A non-significant harm: the state turns on the CI's upper bound.
	noisy := func(worsened string) *experiment.Experiment {
		return build([]experiment.Metric{guardrail("errors", worsened, "0.5")},
			a("control", 20000, "conversions", 2000, "errors", 100), a("treatment", 20000, "conversions", 2000, "errors", 110))
	}
	hi := analysis.Analyze(noisy("0.001")).Comparisons[0].Guardrails[0].CIHigh.V
	if got := state(noisy(fmt.Sprintf("%.12f", hi*(1-1e-9)))); got != analysis.StateInconclusive {
		t.Errorf("CI bound just beyond the margin: %s, want inconclusive", got)
	}
	if got := state(noisy(fmt.Sprintf("%.12f", hi*(1+1e-9)))); got != analysis.StateOK {
		t.Errorf("CI bound just inside the margin: %s, want ok", got)
	}
	// A significant harm within the margin is ok, and flagged as such.
	r := analysis.Analyze(build([]experiment.Metric{guardrail("errors", "0.01", "0.02")},
		a("control", 1000000, "conversions", 100000, "errors", 1000), a("treatment", 1000000, "conversions", 100000, "errors", 2000)))
	if g := r.Comparisons[0].Guardrails[0]; g.State != analysis.StateOK || !g.SignificantHarm {
		t.Errorf("significant harm within the margin: %s, significant harm %v; want ok, true", g.State, g.SignificantHarm)
	}
	// An improvement is never a harm, however large.
	if got := state(build(errs, a("control", 20000, "conversions", 2000, "errors", 300), a("treatment", 20000, "conversions", 2000, "errors", 10))); got != analysis.StateOK {
		t.Errorf("a large improvement: %s, want ok", got)
	}
}

func TestPlanned(t *testing.T) {
	t.Parallel()
	e := build(errs, a("control", 100, "conversions", 10, "errors", 1), a("treatment", 100, "conversions", 12, "errors", 1))
	e.Status = experiment.StatusPlanned
	_, d := decide(e)
	if d.Outcome != experiment.None || d.Rule != RuleNone {
		t.Errorf("planned: %+v", d)
	}
}

// oneVerdict checks that d has one comparison, with the rule, outcome and
// hold kind given and a reason containing reason, and returns it.
func oneVerdict(t *testing.T, d Decision, rule Rule, out experiment.Outcome, kind HoldKind, reason string) Verdict {
	t.Helper()
	if len(d.Comparisons) != 1 {
		t.Fatalf("comparisons = %+v", d.Comparisons)
	}
	v := d.Comparisons[0]
	if v.Rule != rule || v.Outcome != out || v.HoldKind != kind {
		t.Errorf("verdict = rule %d %s %q, want rule %d %s %q (%s)", v.Rule, v.Outcome, v.HoldKind, rule, out, kind, v.Reason)
	}
	if !strings.Contains(v.Reason, reason) {
		t.Errorf("reason %q does not contain %q", v.Reason, reason)
	}
	return v
}
