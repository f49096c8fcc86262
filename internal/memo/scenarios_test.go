package memo

import (
	"strings"
	"time"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
)

// Test scenarios are hand-built Experiments passed through the real
// analysis and decision steps, so the memos show what users will see.

var testMeta = Meta{
	Version: "1.2.3-test",
	Commit:  "0123456789abcdef0123456789abcdef01234567",
	RunURL:  "https://github.com/acme/shop/actions/runs/42",
}

// hostile is a user string that tries every breakout the renderers must
// neutralise.
const hostile = "<script>alert(1)</script> | `rm -rf` </details> @org/team <!-- experimentos --> #123 *bold* [x](javascript:alert(1))\nsecond line\x1b[31m"

type arm struct {
	users  int64
	counts map[string]int64
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func guard(col, label string, typ experiment.MetricType, w, s string) experiment.Metric {
	return experiment.Metric{Column: col, Label: label, Desired: experiment.Decrease, Type: typ,
		Worsened: experiment.MustDecimal(w), Severe: experiment.MustDecimal(s)}
}

// newExp builds a running 50/50 experiment with a conversions primary.
func newExp(id string, c, t arm, guards ...experiment.Metric) *experiment.Experiment {
	e := &experiment.Experiment{
		ID: id, Path: "experiments/" + id, Name: strings.ReplaceAll(id, "-", " "),
		Hypothesis: "The change lifts checkout conversion", Owner: "growth-team",
		Start: day("2026-11-01"), End: day("2026-11-14"),
		Status: experiment.StatusRunning, Deployment: experiment.DeploymentExperiment,
		ConfigFile: "experiments/" + id + "/experiment.yaml",
		DataFile:   "experiments/" + id + "/results.csv",
		DataSHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		Split:      experiment.Split{Control: 50, Treatment: 50},
		Primary: experiment.Metric{Column: "conversions", Label: "Checkout conversion",
			Desired: experiment.Increase, Type: experiment.MetricProportion},
		Guardrails: guards,
		Thresholds: experiment.DefaultThresholds(),
	}
	cols := map[string]int{"variant": 1, "users": 2, "conversions": 3}
	for i, g := range guards {
		cols[g.Column] = 4 + i
	}
	e.Data = &experiment.Data{
		Control:   experiment.Arm{Users: c.users, Counts: c.counts, Line: 2},
		Treatment: experiment.Arm{Users: t.users, Counts: t.counts, Line: 3},
		Columns:   cols,
	}
	return e
}

func result(e *experiment.Experiment) decision.Result {
	rep := analysis.Analyze(e)
	return decision.Result{Report: rep, Decision: decision.Decide(rep)}
}

func counts(kv ...any) map[string]int64 {
	m := map[string]int64{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = int64(kv[i+1].(int))
	}
	return m
}

type scenario struct {
	name string
	exp  func() *experiment.Experiment
}

func errorGuard() experiment.Metric {
	return guard("guardrail_error", "Error rate", experiment.MetricProportion, "0.001", "0.003")
}

func cancelGuard() experiment.Metric {
	return guard("guardrail_cancel", "Cancellations", experiment.MetricProportion, "0.001", "0.003")
}

var scenarios = []scenario{
	{"launch", func() *experiment.Experiment {
		return newExp("home-banner",
			arm{10000, counts("conversions", 1200, "guardrail_error", 35, "guardrail_cancel", 120)},
			arm{10050, counts("conversions", 1320, "guardrail_error", 33, "guardrail_cancel", 118)},
			errorGuard(), cancelGuard())
	}},
	{"hold-power", func() *experiment.Experiment {
		e := newExp("checkout-copy",
			arm{4000, counts("conversions", 480, "guardrail_error", 14)},
			arm{4010, counts("conversions", 505, "guardrail_error", 15)},
			errorGuard())
		mde := 0.05
		e.Plan.MDE = &mde
		return e
	}},
	{"hold-srm", func() *experiment.Experiment {
		return newExp("growth/pricing-page",
			arm{10000, counts("conversions", 1000, "guardrail_error", 30)},
			arm{10500, counts("conversions", 1150, "guardrail_error", 31)},
			errorGuard())
	}},
	{"blocked", func() *experiment.Experiment {
		e := newExp("search-ranking", arm{}, arm{})
		e.Data = nil
		e.Issues = []experiment.Issue{
			{Severity: experiment.SeverityBlocked, Code: experiment.CodeBadValue,
				Message: `users "1,000" is not an integer: write it as 1000, without separators`,
				File:    "experiments/search-ranking/results.csv", Line: 3, Column: "users", Col: 2},
			{Severity: experiment.SeverityBlocked, Code: experiment.CodeBadConfig,
				Message: `unknown key "thresold"; did you mean "thresholds"?`,
				File:    "experiments/search-ranking/experiment.yaml", Line: 12, Column: "thresold", Col: 1},
			{Severity: experiment.SeverityWarning, Code: experiment.CodeEventsPerUser,
				Message: "guardrail_clicks has more events than users in the treatment row; compared as events per user",
				File:    "experiments/search-ranking/results.csv", Line: 3, Column: "guardrail_clicks", Col: 5},
		}
		return e
	}},
	{"rollback-rolled-out", func() *experiment.Experiment {
		e := newExp("new-checkout",
			arm{20000, counts("conversions", 2400, "guardrail_error", 60)},
			arm{20000, counts("conversions", 2450, "guardrail_error", 160)},
			errorGuard())
		e.Deployment = experiment.DeploymentRolledOut
		return e
	}},
	{"events-guardrail", func() *experiment.Experiment {
		g := guard("guardrail_support_tickets", "Support tickets", experiment.MetricEvents, "0.01", "0.05")
		e := newExp("help-widget",
			arm{5000, counts("conversions", 600, "guardrail_support_tickets", 5200)},
			arm{5000, counts("conversions", 700, "guardrail_support_tickets", 5500)},
			g)
		e.Issues = []experiment.Issue{{Severity: experiment.SeverityWarning, Code: experiment.CodeEventsPerUser,
			Message: "guardrail_support_tickets is above users in 2 rows: compared as events per user with a Poisson test",
			File:    "experiments/help-widget/results.csv", Line: 2, Column: "guardrail_support_tickets", Col: 4}}
		return e
	}},
	{"planned", func() *experiment.Experiment {
		e := newExp("onboarding-tour", arm{}, arm{}, errorGuard())
		e.Status = experiment.StatusPlanned
		e.Data = nil
		e.DataSHA256 = ""
		e.Start, e.End = time.Time{}, time.Time{}
		e.Plan.UsersPerArm = 20000
		return e
	}},
	{"plan-not-reached", func() *experiment.Experiment {
		e := newExp("recs-carousel",
			arm{10000, counts("conversions", 1200)},
			arm{10000, counts("conversions", 1330)})
		e.Plan.UsersPerArm = 30000
		return e
	}},
	{"small-fisher", func() *experiment.Experiment {
		e := newExp("vip-upsell",
			arm{60, counts("conversions", 0)},
			arm{62, counts("conversions", 4)})
		e.Start, e.End = time.Time{}, time.Time{}
		return e
	}},
	{"hostile", func() *experiment.Experiment {
		g := guard("guardrail_`x`|y", hostile, experiment.MetricProportion, "0.001", "0.003")
		e := newExp("hostile-strings",
			arm{10000, counts("conversions", 1200, "guardrail_`x`|y", 35)},
			arm{10050, counts("conversions", 1320, "guardrail_`x`|y", 33)},
			g)
		e.Name = hostile
		e.Hypothesis = hostile + " " + strings.Repeat("long hypothesis ", 200)
		e.Owner = hostile
		e.Primary.Label = hostile
		e.Issues = []experiment.Issue{{Severity: experiment.SeverityWarning, Code: experiment.CodeEventsPerUser,
			Message: "value " + hostile, File: "experiments/hostile-strings/<b>results</b>.csv", Line: 2, Column: "guardrail_`x`|y", Col: 4}}
		return e
	}},
}

func allResults() []decision.Result {
	out := make([]decision.Result, len(scenarios))
	for i, s := range scenarios {
		out[i] = result(s.exp())
	}
	return out
}
