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

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func dec(s string) experiment.Decimal { return experiment.MustDecimal(s) }

// metric builds a metric of kind k named name, with its kind's default
// columns (and the optional ones listed in extra).
func metric(name, label string, k experiment.Kind, desired experiment.Direction, extra ...experiment.Role) experiment.Metric {
	m := experiment.Metric{Name: name, Label: label, Kind: k, Desired: desired, Columns: map[experiment.Role]string{}}
	return withColumns(m, extra...)
}

func ratioMetric(name, label, num, den string, desired experiment.Direction) experiment.Metric {
	m := experiment.Metric{Name: name, Label: label, Kind: experiment.KindRatio, Desired: desired,
		Numerator: num, Denominator: den, Columns: map[experiment.Role]string{}}
	return withColumns(m)
}

func withColumns(m experiment.Metric, extra ...experiment.Role) experiment.Metric {
	for _, c := range m.ColumnSpecs() {
		if c.Optional && !hasRole(extra, c.Role) {
			continue
		}
		m.Columns[c.Role] = c.Name(&m)
	}
	return m
}

func hasRole(rs []experiment.Role, r experiment.Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// margin parses "0.001" (absolute) or "5%" (relative).
func margin(s string) experiment.Margin {
	if v, ok := strings.CutSuffix(s, "%"); ok {
		d := dec(v)
		return experiment.Margin{Value: d.DivInt(100), Relative: true}
	}
	return experiment.Margin{Value: dec(s)}
}

func guarded(m experiment.Metric, w, s string) experiment.Metric {
	m.Worsened, m.Severe = margin(w), margin(s)
	return m
}

func errorGuard() experiment.Metric {
	return guarded(metric("guardrail_error", "Error rate", experiment.KindProportion, experiment.Decrease), "0.001", "0.003")
}

func cancelGuard() experiment.Metric {
	return guarded(metric("guardrail_cancel", "Cancellations", experiment.KindProportion, experiment.Decrease), "0.001", "0.003")
}

func conversion() experiment.Metric {
	return metric("conversions", "Checkout conversion", experiment.KindProportion, experiment.Increase)
}

// arm is one CSV row: an arm's users and each metric's moments.
type arm struct {
	name  string
	users int64
	m     map[string]experiment.Moments
}

func cnt(n int64) experiment.Moments { return experiment.Moments{Count: n} }

func sums(sum, sq string) experiment.Moments {
	return experiment.Moments{Sum: dec(sum), SumSquares: dec(sq)}
}

func counts(kv ...any) map[string]experiment.Moments {
	m := map[string]experiment.Moments{}
	for i := 0; i < len(kv); i += 2 {
		switch v := kv[i+1].(type) {
		case int:
			m[kv[i].(string)] = cnt(int64(v))
		case experiment.Moments:
			m[kv[i].(string)] = v
		}
	}
	return m
}

// newExp builds a running experiment over arms (the first is the
// control) with equal weights.
func newExp(id string, primary experiment.Metric, arms []arm, guards ...experiment.Metric) *experiment.Experiment {
	e := &experiment.Experiment{
		ID: id, Path: "experiments/" + id, Name: strings.ReplaceAll(id, "-", " "),
		Hypothesis: "The change lifts the primary metric", Owner: "growth-team",
		Start: day("2026-11-01"), End: day("2026-11-14"),
		Status: experiment.StatusRunning, Deployment: experiment.DeploymentExperiment,
		ConfigFile: "experiments/" + id + "/experiment.yaml",
		DataFile:   "experiments/" + id + "/results.csv",
		DataSHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		Control:    arms[0].name,
		Primary:    primary,
		Guardrails: guards,
		Thresholds: experiment.DefaultThresholds(),
	}
	if len(arms) == 0 {
		return e
	}
	cols := map[string]int{"variant": 1, "users": 2}
	d := &experiment.Data{Columns: cols}
	for i, a := range arms {
		row := experiment.Row{Arm: a.name, Users: a.users, Line: i + 2}.WithMoments(a.m)
		d.Arms = append(d.Arms, row)
		d.Rows = append(d.Rows, row)
		for k := range a.m {
			if _, ok := cols[k]; !ok {
				cols[k] = len(cols) + 1
			}
		}
	}
	e.Data = d
	return e
}

func two(c, t map[string]experiment.Moments, nc, nt int64) []arm {
	return []arm{{"control", nc, c}, {"treatment", nt, t}}
}

func result(e *experiment.Experiment) decision.Result {
	rep := analysis.Analyze(e)
	return decision.Result{Report: rep, Decision: decision.Decide(rep)}
}

type scenario struct {
	name string
	exp  func() *experiment.Experiment
}

var scenarios = []scenario{
	{"launch", func() *experiment.Experiment {
		return newExp("home-banner", conversion(), two(
			counts("conversions", 1200, "guardrail_error", 35, "guardrail_cancel", 120),
			counts("conversions", 1320, "guardrail_error", 33, "guardrail_cancel", 118), 10000, 10050),
			errorGuard(), cancelGuard())
	}},
	{"hold-power", func() *experiment.Experiment {
		e := newExp("checkout-copy", conversion(), two(
			counts("conversions", 480, "guardrail_error", 14),
			counts("conversions", 505, "guardrail_error", 15), 4000, 4010),
			errorGuard())
		mde := 0.05
		e.Plan.MDE = &mde
		return e
	}},
	{"hold-srm", func() *experiment.Experiment {
		return newExp("growth/pricing-page", conversion(), two(
			counts("conversions", 1000, "guardrail_error", 30),
			counts("conversions", 1150, "guardrail_error", 31), 10000, 10500),
			errorGuard())
	}},
	{"blocked", func() *experiment.Experiment {
		e := newExp("search-ranking", conversion(), []arm{{name: "control"}})
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
		e := newExp("new-checkout", conversion(), two(
			counts("conversions", 2400, "guardrail_error", 60),
			counts("conversions", 2450, "guardrail_error", 160), 20000, 20000),
			errorGuard())
		e.Deployment = experiment.DeploymentRolledOut
		return e
	}},
	{"events-guardrail", func() *experiment.Experiment {
		g := guarded(metric("guardrail_support_tickets", "Support tickets", experiment.KindEvents, experiment.Decrease), "5%", "15%")
		e := newExp("help-widget", conversion(), two(
			counts("conversions", 600, "guardrail_support_tickets", 5200),
			counts("conversions", 700, "guardrail_support_tickets", 5500), 5000, 5000), g)
		e.Issues = []experiment.Issue{{Severity: experiment.SeverityWarning, Code: experiment.CodeEventsPerUser,
			Message: "guardrail_support_tickets is above users in 2 rows: compared as events per user with a Poisson test",
			File:    "experiments/help-widget/results.csv", Line: 2, Column: "guardrail_support_tickets", Col: 4}}
		return e
	}},
	{"planned", func() *experiment.Experiment {
		e := newExp("onboarding-tour", conversion(), []arm{{name: "control"}}, errorGuard())
		e.Status = experiment.StatusPlanned
		e.Data = nil
		e.DataSHA256 = ""
		e.Start, e.End = time.Time{}, time.Time{}
		e.Plan.UsersPerArm = 20000
		return e
	}},
	{"plan-not-reached", func() *experiment.Experiment {
		e := newExp("recs-carousel", conversion(), two(counts("conversions", 1200), counts("conversions", 1330), 10000, 10000))
		e.Plan.UsersPerArm = 30000
		return e
	}},
	{"small-fisher", func() *experiment.Experiment {
		e := newExp("vip-upsell", conversion(), two(counts("conversions", 0), counts("conversions", 4), 60, 62))
		e.Start, e.End = time.Time{}, time.Time{}
		return e
	}},
	{"hostile", func() *experiment.Experiment {
		g := guarded(metric("guardrail_`x`|y", hostile, experiment.KindProportion, experiment.Decrease), "0.001", "0.003")
		e := newExp("hostile-strings", conversion(), two(
			counts("conversions", 1200, "guardrail_`x`|y", 35),
			counts("conversions", 1320, "guardrail_`x`|y", 33), 10000, 10050), g)
		e.Name = hostile
		e.Hypothesis = hostile + " " + strings.Repeat("long hypothesis ", 200)
		e.Owner = hostile
		e.Amendment = hostile
		e.Primary.Label = hostile
		e.Issues = []experiment.Issue{{Severity: experiment.SeverityWarning, Code: experiment.CodeEventsPerUser,
			Message: "value " + hostile, File: "experiments/hostile-strings/<b>results</b>.csv", Line: 2, Column: "guardrail_`x`|y", Col: 4}}
		return e
	}},
	// A/B/C with a revenue mean primary, an AOV ratio guardrail (revenue
	// per order, margins 2% / 10%) and a pageviews secondary metric: b
	// wins at alpha′ = 0.025. Per-user revenue: control mean 25 sd 60, b
	// 28.5 sd 62, c 25.8 sd 61; orders 0.5 sd 0.7, 0.56 sd 0.72, 0.51 sd
	// 0.7, correlation 0.8 (sums of squares and products follow).
	{"abc-revenue", func() *experiment.Experiment {
		rev := metric("revenue", "Revenue per visitor", experiment.KindMean, experiment.Increase)
		aov := guarded(ratioMetric("aov", "Average order value", "revenue", "orders", experiment.Increase), "2%", "10%")
		e := newExp("checkout/redesign", rev, []arm{
			{"control", 10000, abcMoments("250000", "42250000", "5000", "7400", "461000", 52000)},
			{"b", 10000, abcMoments("285000", "46562500", "5600", "8320", "516700", 52500)},
			{"c", 10000, abcMoments("258000", "43866400", "5100", "7501", "473180", 51800)},
		}, aov)
		e.Secondary = []experiment.Metric{metric("pageviews", "Pageviews", experiment.KindEvents, experiment.Increase)}
		return e
	}},
	// Four arms: b harms the error rate severely (rollback) while c wins
	// the primary on its own (it would launch) and d does nothing.
	{"four-arm-rollback", func() *experiment.Experiment {
		return newExp("pricing/four-way", conversion(), []arm{
			{"control", 10000, counts("conversions", 1000, "guardrail_error", 30)},
			{"b", 10000, counts("conversions", 1010, "guardrail_error", 90)},
			{"c", 10000, counts("conversions", 1150, "guardrail_error", 31)},
			{"d", 10000, counts("conversions", 1020, "guardrail_error", 29)},
		}, errorGuard())
	}},
	// A latency mean guardrail with a relative margin of 5%: 420 ms sd 150
	// against 445 ms sd 155 over 8,000 users is a 6% rise, significant.
	{"latency-guardrail", func() *experiment.Experiment {
		lat := guarded(metric("latency_ms", "Page latency (ms)", experiment.KindMean, experiment.Decrease), "5%", "15%")
		return newExp("fast-search", conversion(), two(
			counts("conversions", 800, "latency_ms", sums("3360000", "1591200000")),
			counts("conversions", 880, "latency_ms", sums("3560000", "1776400000")), 8000, 8000), lat)
	}},
	// An events guardrail with sum_squares, compared by Welch's test, and a
	// primary that is not significant without a plan (current-sample power).
	{"events-welch", func() *experiment.Experiment {
		tickets := guarded(metric("guardrail_tickets", "Support tickets", experiment.KindEvents, experiment.Decrease, experiment.RoleSumSquares), "5%", "15%")
		return newExp("help-center", conversion(), two(
			counts("conversions", 1200, "guardrail_tickets", experiment.Moments{Count: 3000, SumSquares: dec("9500")}),
			counts("conversions", 1230, "guardrail_tickets", experiment.Moments{Count: 3030, SumSquares: dec("9800")}), 10000, 10000), tickets)
	}},
	// The planned sample is reached and the primary did not move: stop.
	{"hold-stop", func() *experiment.Experiment {
		e := newExp("promo-banner", conversion(), two(counts("conversions", 1200), counts("conversions", 1215), 60000, 60000))
		mde := 0.08
		e.Plan.MDE = &mde
		e.Plan.UsersPerArm = 50000
		return e
	}},
	{"concluded", func() *experiment.Experiment {
		e := newExp("old-launch", conversion(), two(counts("conversions", 1200), counts("conversions", 1330), 10000, 10000))
		e.Status = experiment.StatusConcluded
		return e
	}},
}

// abcMoments are one arm's CSV sums for the abc-revenue scenario.
func abcMoments(rev, rev2, ord, ord2, prod string, pageviews int64) map[string]experiment.Moments {
	return map[string]experiment.Moments{
		"revenue":   sums(rev, rev2),
		"orders":    sums(ord, ord2),
		"aov":       {Sum: dec(rev), SumSquares: dec(rev2), DenSum: dec(ord), DenSumSquares: dec(ord2), SumProduct: dec(prod)},
		"pageviews": cnt(pageviews),
	}
}

func allResults() []decision.Result {
	out := make([]decision.Result, len(scenarios))
	for i, s := range scenarios {
		out[i] = result(s.exp())
	}
	return out
}
