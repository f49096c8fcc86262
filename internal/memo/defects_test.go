package memo

import (
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
)

// Issue 10's defects, one test each, on the issue's own two-arm numbers
// (variant,users,conversions[,guardrail…]): what a statistician reading
// the memo found wrong, asserted on the rendered Markdown and JSON.

// rendered is one result as Markdown, split into its sections, and JSON.
type rendered struct {
	md, decision, evidence, risks, actions string
	doc                                    map[string]any // the experiment's JSON object
	raw                                    string
}

func render(t *testing.T, r decision.Result) rendered {
	t.Helper()
	var md, js bytes.Buffer
	if err := Markdown(&md, r, testMeta); err != nil {
		t.Fatal(err)
	}
	if err := JSON(&js, []decision.Result{r}, testMeta); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Experiments []map[string]any `json:"experiments"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatalf("JSON: %v", err)
	}
	s := md.String()
	// Every section must be there, or the checks on an empty one would
	// pass whatever it said.
	for _, h := range []string{"## 2. Decision", "## 3. Evidence", "## 4. Risks", "## 5. Next Actions"} {
		if !strings.Contains(s, h) {
			t.Fatalf("memo lacks the heading %q:\n%s", h, s)
		}
	}
	out := rendered{md: s, doc: doc.Experiments[0], raw: js.String()}
	out.decision = between(s, "## 2. Decision", "## 3. Evidence")
	out.evidence = between(s, "## 3. Evidence", "## 4. Risks")
	out.risks = between(s, "## 4. Risks", "## 5. Next Actions")
	out.actions = between(s, "## 5. Next Actions", "\x00")
	return out
}

func between(s, from, to string) string {
	_, after, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	before, _, _ := strings.Cut(after, to)
	return before
}

// jget walks a JSON object by keys and indexes ("comparisons", 0, …).
func jget(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("JSON %v: not an object at %q", path, k)
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				t.Fatalf("JSON %v: no element %d", path, k)
			}
			v = a[k]
		}
	}
	return v
}

func contains(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, s)
		}
	}
}

func lacks(t *testing.T, what, s string, bads ...string) {
	t.Helper()
	for _, b := range bads {
		if strings.Contains(s, b) {
			t.Errorf("%s contains %q:\n%s", what, b, s)
		}
	}
}

func planMDE(x float64) *float64 { return &x }

// Defect 1: guardrail_error 100 → 150 of 20,000 per arm (p = 0.0015,
// worsened) with a primary that is not significant: the Hold is rule 5's
// (investigate), and Decision and Next Actions name the guardrail instead
// of asking for 720,715 more users.
func TestDefect1RuleEightHoldNamesWorsenedGuardrail(t *testing.T) {
	t.Parallel()
	e := newExp("defect-1", conversion(), two(
		counts("conversions", 2000, "guardrail_error", 100),
		counts("conversions", 2010, "guardrail_error", 150), 20000, 20000), errorGuard())
	r := result(e)
	m := render(t, r)
	contains(t, "decision", m.decision, "**🟡 Hold: investigate**",
		// statsmodels proportions_ztest([150, 100], [20000, 20000]): p = 0.0015129.
		"guardrail Error rate worsened in arm treatment: +0.25 pp against control (0.75% vs 0.50%), beyond the worsened margin 0.10 pp, p = 0.001513")
	contains(t, "next actions", m.actions, "**Investigate the worsened guardrails**", "Error rate in arm treatment: 0.75% vs control 0.50%")
	lacks(t, "next actions", m.actions, "Collect more data", "more control", "still needed")
	if got := jget(t, m.doc, "decision", "rule"); got != 5.0 {
		t.Errorf("rule = %v, want 5", got)
	}
	if got := jget(t, m.doc, "decision", "hold_kind"); got != "investigate" {
		t.Errorf("hold_kind = %v, want investigate", got)
	}
	if got := jget(t, m.doc, "comparisons", 0, "guardrails", 0, "state"); got != "worsened" {
		t.Errorf("guardrail state = %v, want worsened", got)
	}
	if got := jget(t, m.doc, "power"); got != nil {
		t.Errorf("power = %v, want null for an investigate hold", got)
	}
}

// Defect 2: a 90/10 split with errors 300/90,000 vs 90/10,400 (p =
// 1.5e-16, severe) and an SRM warning: the severe guardrail rolls back
// (rule 2, safety before trust), Decision names both, and Next Actions
// turn the treatment off and say from the numbers why a 3.6% imbalance
// does not plausibly explain a 2.6× error rate.
func TestDefect2SRMHoldNamesSevereGuardrail(t *testing.T) {
	t.Parallel()
	e := newExp("defect-2", conversion(), two(
		counts("conversions", 9000, "guardrail_error", 300),
		counts("conversions", 1050, "guardrail_error", 90), 90000, 10400), errorGuard())
	e.Split = map[string]float64{"control": 90, "treatment": 10}
	m := render(t, result(e))
	contains(t, "decision", m.decision, "**🔴 Rollback treatment**",
		// statsmodels proportions_ztest([90, 300], [10400, 90000]): p = 1.474e-16;
		// scipy.stats.chisquare([90000, 10400], [90360, 10040]): p = 0.00015238.
		"— guardrail Error rate worsened severely: +0.532 pp (beyond the severe margin 0.30 pp), p = 1.5e-16",
		"sample ratio mismatch, p = 0.0001524")
	// Expected treatment users 10% of 100,400 = 10,040; 360 extra. For the
	// SRM alone to explain 90 errors, 90 − 0.00333…·10,040 = 56.53 of them
	// must come from the 360 extra users: a rate of 15.70%, 47.1 times the
	// control's 0.333%.
	contains(t, "next actions", m.actions,
		"Set the traffic of treatment to 0% now",
		"**Assignment and logging checks (the SRM warning is open)**",
		"Arm treatment holds 10,400 users against the 10,040 its expected share implies (+3.59%); Error rate moved from 0.333% to 0.865%: for the mismatch alone to explain it, the 360 extra users would need a rate of 15.70%, 47.1 times the control's",
		"Keep the treatment off while the SRM is investigated.",
		"Check that the split in experiment.yaml matches")
	if got := jget(t, m.doc, "decision", "rule"); got != 2.0 {
		t.Errorf("rule = %v, want 2", got)
	}
	if got := jget(t, m.doc, "health", "issues", 0, "code"); got != "srm" {
		t.Errorf("first issue = %v, want srm", got)
	}
}

// Defect 3: no memo argues from post-hoc power: not on a Hold whose
// primary is significant (held by a worsened guardrail), not on Fisher's
// 0/60 vs 5/60 (whose CI excludes 0), not beside a plan not reached.
func TestDefect3NoPostHocPower(t *testing.T) {
	t.Parallel()
	planned := newExp("defect-3-plan", conversion(), two(counts("conversions", 1000), counts("conversions", 1020), 8000, 8000))
	planned.Plan.UsersPerArm = 30000
	tests := []struct {
		name string
		e    *experiment.Experiment
		want []string // what the memo says instead
	}{
		{"significant primary held by a guardrail", newExp("defect-3-guard", conversion(), two(
			counts("conversions", 2000, "guardrail_error", 100),
			counts("conversions", 2300, "guardrail_error", 150), 20000, 20000), errorGuard()),
			[]string{"Decide with the owner whether the primary gain is worth the guardrail cost"}},
		{"fisher", newExp("defect-3-fisher", conversion(), two(counts("conversions", 0), counts("conversions", 5), 60, 60)),
			// scipy.stats.fisher_exact([[5, 55], [0, 60]]): p = 0.057315.
			[]string{"Arm treatment: the CI of the absolute lift excludes 0 but p = 0.05732 is not below 0.05", "the sample is small (below min\\_users 100)"}},
		{"plan not reached", planned, []string{"The plan sets 30,000 users per arm (plan.users\\_per\\_arm); still needed: 22,000 more control and 22,000 more treatment users."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := render(t, result(tt.e))
			lacks(t, "memo", m.md, "observed effect", "already has", "80% power to detect the observed", "Consider stopping", "consider stopping")
			contains(t, "memo", m.md, tt.want...)
		})
	}
}

// Defect 4: plan.mde applies in the desired direction: 10.00% → 9.50%
// for desired: decrease (→ 10.50% for increase).
func TestDefect4MDEFollowsDesiredDirection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desired experiment.Direction
		target  float64
		arrow   string
		need    int64 // statsmodels NormalIndPower().solve_power(effect_size=|proportion_effectsize(target, 0.10)|, alpha=0.05, power=0.8), rounded up
	}{
		{experiment.Decrease, 0.095, "Churn 10.00% → 9.50%", 55244},  // 55243.52
		{experiment.Increase, 0.105, "Churn 10.00% → 10.50%", 57756}, // 57755.64
	}
	for _, tt := range tests {
		e := newExp("defect-4", metric("conversions", "Churn", experiment.KindProportion, tt.desired), two(counts("conversions", 1000), counts("conversions", 1000), 10000, 10000))
		e.Plan.MDE = planMDE(0.05)
		m := render(t, result(e))
		contains(t, "next actions", m.actions, tt.arrow, "about "+thousands(tt.need)+" control and "+thousands(tt.need)+" treatment users are needed")
		if got := jget(t, m.doc, "power", "target_value").(float64); math.Abs(got-tt.target) > 1e-12 {
			t.Errorf("%s: target_value = %v, want %v", tt.desired, got, tt.target)
		}
		if got := jget(t, m.doc, "power", "required_per_arm", "control").(float64); got != float64(tt.need) {
			t.Errorf("%s: required_per_arm = %v, want %d", tt.desired, got, tt.need)
		}
	}
}

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Defect 5: the plan's horizon is what the advice aims at, in the memo
// and in JSON alike, and a plan that cannot detect its own mde is flagged.
func TestDefect5PlanAndPowerAgree(t *testing.T) {
	t.Parallel()
	t.Run("plan 30,000 holds a significant win", func(t *testing.T) {
		t.Parallel()
		e := newExp("defect-5a", conversion(), two(counts("conversions", 1000), counts("conversions", 1100), 8000, 8000))
		e.Plan.UsersPerArm = 30000
		m := render(t, result(e))
		contains(t, "next actions", m.actions, "still needed: 22,000 more control and 22,000 more treatment users")
		lacks(t, "next actions", m.actions, "14,163", "6,163")
		if got := jget(t, m.doc, "decision", "rule"); got != 6.0 {
			t.Errorf("rule = %v, want 6", got)
		}
		if got := jget(t, m.doc, "power", "additional_per_arm", "treatment"); got != 22000.0 {
			t.Errorf("additional = %v, want 22000", got)
		}
	})
	t.Run("plan 20,000 with mde 5% at 12%", func(t *testing.T) {
		t.Parallel()
		e := newExp("defect-5b", conversion(), two(counts("conversions", 1200), counts("conversions", 1230), 10000, 10000))
		e.Plan.UsersPerArm = 20000
		e.Plan.MDE = planMDE(0.05)
		m := render(t, result(e))
		contains(t, "next actions", m.actions, "still needed: 10,000 more control and 10,000 more treatment users",
			"The plan is underpowered: its mde of 5% needs about 47,031 users per arm")
		// 47,031: statsmodels NormalIndPower().solve_power(effect_size=
		// proportion_effectsize(0.126, 0.12), alpha=0.05, power=0.8) = 47030.43.
		contains(t, "risks", m.risks, "The plan is underpowered (plan\\_underpowered): plan.users\\_per\\_arm 20,000 is below the 47,031 users per arm that plan.mde 5% needs for 80% power")
		contains(t, "health", m.evidence, "plan\\_underpowered")
		if got := jget(t, m.doc, "power", "additional_per_arm", "control"); got != 10000.0 {
			t.Errorf("additional = %v, want 10000", got)
		}
		if got := jget(t, m.doc, "power", "mde_required_per_arm", "control"); got != 47031.0 {
			t.Errorf("mde_required = %v, want 47031", got)
		}
	})
}

// Defect 6: no relative bound below −100%; a relative CI that includes 0
// while the absolute excludes it is a Risk; small rates keep their digits.
func TestDefect6RelativeCIAndDigits(t *testing.T) {
	t.Parallel()
	t.Run("relative bound below -100% is null with its reason", func(t *testing.T) {
		t.Parallel()
		m := render(t, result(newExp("defect-6a", conversion(), two(counts("conversions", 1), counts("conversions", 4), 1000, 1000))))
		contains(t, "evidence", m.evidence, "+300.00%", "falls below −100%, so the relative interval is not meaningful")
		lacks(t, "evidence", m.evidence, "-575", "−575")
		if got := jget(t, m.doc, "comparisons", 0, "primary", "rel_ci_low"); got != nil {
			t.Errorf("rel_ci_low = %v, want null", got)
		}
		if got := jget(t, m.doc, "comparisons", 0, "primary", "null_reasons", "rel_ci_low"); got == nil {
			t.Error("rel_ci_low has no null reason")
		}
	})
	t.Run("relative CI includes 0, absolute excludes it", func(t *testing.T) {
		t.Parallel()
		m := render(t, result(newExp("defect-6b", conversion(), two(counts("conversions", 5), counts("conversions", 15), 200, 200))))
		// The delta-method relative CI of 15/200 over 5/200, computed with
		// scipy.stats.norm.ppf: r − 1 ± z·r·√((1−p_t)/(n_t p_t) + (1−p_c)/(n_c p_c))
		// = −0.97889 to +4.97889; the Newcombe CI is checked against the
		// reference vectors (testdata/stats/vectors.json).
		contains(t, "risks", m.risks, "Arm treatment: the relative CI (-97.89% to +497.89%) includes 0 while the absolute CI (+0.667 pp to +9.73 pp) excludes it")
	})
	t.Run("a 0.003% control rate is not 0.00%", func(t *testing.T) {
		t.Parallel()
		m := render(t, result(newExp("defect-6c", conversion(), two(counts("conversions", 3), counts("conversions", 12), 100000, 100000))))
		contains(t, "evidence", m.evidence, "| 0.003% |", "| 0.012% |", "+0.009 pp")
		if zero := regexp.MustCompile(`(^|[^0-9])0\.00%`).FindString(m.md); zero != "" {
			t.Errorf("a rate prints as %q", zero)
		}
	})
}

// alertRE finds an alert level in the unit of a rate.
var alertRE = regexp.MustCompile(`(?:falls below|rises above) (-?[0-9.]+)%`)

// Defect 7: a launch ramps from the arm's share, holds 7 days at 50% and
// above, and sets only possible alert levels.
func TestDefect7LaunchActions(t *testing.T) {
	t.Parallel()
	// A retention guardrail at 0.05% (desired increase: a fall is a harm,
	// and 0.05% − 0.1 pp is below 0) and a bounce guardrail at 99.9%
	// (desired decrease: 99.9% + 0.3 pp is above 100%); an error rate at
	// 1%, whose alert levels are possible, so that the check below has
	// something to check.
	retention := guarded(metric("guardrail_retention", "Retention", experiment.KindProportion, experiment.Increase), "0.001", "0.003")
	bounce := guarded(metric("guardrail_bounce", "Bounce", experiment.KindProportion, experiment.Decrease), "0.001", "0.003")
	errs := guarded(metric("guardrail_error", "Errors", experiment.KindProportion, experiment.Decrease), "0.001", "0.003")
	e := newExp("defect-7", conversion(), two(
		counts("conversions", 1200, "guardrail_retention", 10, "guardrail_bounce", 19980, "guardrail_error", 200),
		counts("conversions", 1400, "guardrail_retention", 10, "guardrail_bounce", 19980, "guardrail_error", 200), 20000, 20000), retention, bounce, errs)
	m := render(t, result(e))
	contains(t, "decision", m.decision, "**🟢 Launch treatment**")
	contains(t, "next actions", m.actions, "1. Ramp treatment from 50% to 75% and hold 7 days, so that every day of the week is covered",
		"2. Ramp treatment from 75% to 100%")
	lacks(t, "next actions", m.actions, "to 5%", "to 10%", "to 25%", "72 hours", "weekend")
	levels := alertRE.FindAllStringSubmatch(m.actions, -1)
	if len(levels) == 0 {
		t.Errorf("next actions set no alert level for the error rate:\n%s", m.actions)
	}
	for _, match := range levels {
		if v, err := strconv.ParseFloat(match[1], 64); err != nil || v <= 0 || v >= 100 {
			t.Errorf("impossible alert level %q", match[0])
		}
	}
	contains(t, "next actions", m.actions, "Retention: no possible value lies beyond the worsened margin 0.10 pp from the control value 0.05%",
		"Bounce: no possible value lies beyond the worsened margin 0.10 pp from the control value 99.90%; alert on any sustained rise.")
	lacks(t, "next actions", m.actions, "rises above 100", "falls below 0")

	t.Run("ramp from a 10% share", func(t *testing.T) {
		t.Parallel()
		e := newExp("defect-7b", conversion(), two(counts("conversions", 10800), counts("conversions", 1400), 90000, 10000))
		e.Split = map[string]float64{"control": 90, "treatment": 10}
		m := render(t, result(e))
		contains(t, "next actions", m.actions, "1. Ramp treatment from 10% to 25% and hold 24 hours")
	})
}

// Defect 8: advice in place — each sub-case one sentence that was wrong.
func TestDefect8AdviceInPlace(t *testing.T) {
	t.Parallel()
	withMDE := func(e *experiment.Experiment, mde float64) *experiment.Experiment {
		e.Plan.MDE = planMDE(mde)
		return e
	}
	tests := []struct {
		name        string
		e           *experiment.Experiment
		want, avoid []string
	}{
		{"plan.mde set: no advice to set it",
			withMDE(newExp("d8a", conversion(), two(counts("conversions", 1200), counts("conversions", 1215), 10000, 10000)), 0.05),
			[]string{"To detect the planned mde of 5% relative"},
			[]string{"set plan.mde", "More data alone will not settle it"}},
		// 2% mde at 12%: about 290,000 users per arm at 1,429 per arm per day.
		{"feasibility judged in whole days",
			withMDE(newExp("d8b", conversion(), two(counts("conversions", 2400), counts("conversions", 2415), 20000, 20000)), 0.02),
			[]string{"days: not feasible at this traffic (more than 90 days); consider a larger mde, more traffic, or CUPED."},
			[]string{".5 more days", "504.6"}},
		{"concluded: no instruction to collect",
			func() *experiment.Experiment {
				e := withMDE(newExp("d8c", conversion(), two(counts("conversions", 1200), counts("conversions", 1215), 10000, 10000)), 0.02)
				e.Status = experiment.StatusConcluded
				return e
			}(),
			[]string{"concluded: the decision (hold: collect) is on record; no action is advised"},
			[]string{"Collect more data", "collect more data", "still needed", "more control", "176,165"}},
		{"SRM hold: no talk of dates",
			func() *experiment.Experiment {
				e := newExp("d8d", conversion(), two(counts("conversions", 1000), counts("conversions", 1030), 10000, 10500))
				e.Start, e.End = time.Time{}, time.Time{}
				return e
			}(),
			[]string{"**Assignment and logging checks**"},
			[]string{"Start and end", "start and end", "days this takes"}},
		{"stop: no users needed, no talk of dates",
			func() *experiment.Experiment {
				e := withMDE(newExp("d8d2", conversion(), two(counts("conversions", 12000), counts("conversions", 12030), 100000, 100000)), 0.05)
				e.Start, e.End = time.Time{}, time.Time{}
				return e
			}(),
			[]string{"**Conclude**", "Set status: concluded"},
			[]string{"Start and end", "start and end", "days this takes", "Collect more data"}},
		{"control at 10%: the relative CI is defined",
			newExp("d8e", conversion(), two(counts("conversions", 50), counts("conversions", 500), 500, 500)),
			// The same delta-method formula for 500/500 over 50/500:
			// +6.37043 to +11.62957.
			[]string{"+637.04% to +1162.96%"},
			[]string{"delta-method variance is 0", "rate of 0 or 1"}},
		{"all converted: the rate is degenerate, not the sample small",
			newExp("d8f", conversion(), two(counts("conversions", 500), counts("conversions", 500), 500, 500)),
			[]string{"the rate is degenerate, not the sample small", "the control rate is 100%, so no increase is possible"},
			[]string{"the sample is small", "relative change of 0%"}},
		{"rollback checklist ends with status: concluded",
			newExp("d8g", conversion(), two(counts("conversions", 2400, "guardrail_error", 60), counts("conversions", 2450, "guardrail_error", 160), 20000, 20000), errorGuard()),
			[]string{"set status: concluded in experiment.yaml"},
			nil},
		{"rolled-out launch: monitoring, no ramp",
			func() *experiment.Experiment {
				e := newExp("d8h", conversion(), two(counts("conversions", 1200), counts("conversions", 1400), 20000, 20000))
				e.Deployment = experiment.DeploymentRolledOut
				return e
			}(),
			[]string{"already rolled out to everyone: no ramp is needed", "to watch the rolled-out change"},
			[]string{"before ramping", "Ramp "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := render(t, result(tt.e))
			contains(t, "memo", m.md, tt.want...)
			lacks(t, "memo", m.md, tt.avoid...)
		})
	}
}

// Defect 9: JSON's power block is null on a Launch, and its days are
// whole numbers.
func TestDefect9JSONPowerBlock(t *testing.T) {
	t.Parallel()
	launch := render(t, result(newExp("d9a", conversion(), two(counts("conversions", 1200), counts("conversions", 1400), 20000, 20000))))
	if got := jget(t, launch.doc, "power"); got != nil {
		t.Errorf("launch power = %v, want null", got)
	}
	e := newExp("d9b", conversion(), two(counts("conversions", 1200), counts("conversions", 1215), 10000, 10000))
	e.Plan.MDE = planMDE(0.05)
	hold := render(t, result(e))
	if !regexp.MustCompile(`"days": [0-9]+,`).MatchString(hold.raw) {
		t.Errorf("days is not a whole number:\n%s", hold.raw)
	}
	// 47,031 − 10,000 per arm at 10,000/14 a day: ⌈37,031·14/10,000⌉ = 52 days.
	if got := jget(t, hold.doc, "power", "days"); got != 52.0 {
		t.Errorf("days = %v, want 52", got)
	}
	contains(t, "next actions", hold.actions, "At the observed traffic that takes about 52 more days.")
}

// Found by TestMemoProperties: a significant win held by rule 6 only for
// min_users said what each arm lacked of min_users but not the additional
// users of the JSON power block; Next Actions now state the JSON's figures.
func TestRegressionMinUsersHoldStatesJSONAdditional(t *testing.T) {
	t.Parallel()
	e := newExp("min-users", conversion(), two(counts("conversions", 5), counts("conversions", 40), 80, 80))
	m := render(t, result(e))
	if got := jget(t, m.doc, "decision", "rule"); got != 6.0 {
		t.Fatalf("rule = %v, want 6", got)
	}
	contains(t, "next actions", m.actions, "Arm control has 80 users, below min\\_users 100: it needs 20 more before treatment can launch.",
		"about 320 control and 320 treatment users, would halve that; still needed: 240 more control and 240 more treatment users.")
	lacks(t, "next actions", m.actions, "on this early look")
	if got := jget(t, m.doc, "power", "additional_per_arm", "treatment"); got != 240.0 {
		t.Errorf("JSON additional = %v, want 240", got)
	}
}

// The planning calculator: a planned experiment with plan.baseline and
// plan.mde shows the users per arm and days its plan needs, in the memo and
// in JSON, and plan_underpowered when users_per_arm is too small.
func TestPlannedMemoShowsWhatThePlanNeeds(t *testing.T) {
	t.Parallel()
	planned := func(primary experiment.Metric, base float64, sd *float64, mde float64, daily, perArm int64) *experiment.Experiment {
		e := newExp("new-checkout", primary, []arm{{name: "control"}})
		e.Status, e.Data, e.DataSHA256 = experiment.StatusPlanned, nil, ""
		e.Start, e.End = time.Time{}, time.Time{}
		e.Plan = experiment.Plan{Baseline: &base, BaselineSD: sd, MDE: &mde, DailyUsers: daily, UsersPerArm: perArm}
		return e
	}
	sd := 30.0
	tests := []struct {
		name           string
		e              *experiment.Experiment
		want           []string
		mdeNeed, req   float64
		days           float64
		underpowered   bool
		nullDaysReason bool
	}{
		// 47,031: statsmodels NormalIndPower().solve_power(effect_size=
		// proportion_effectsize(0.126, 0.12), alpha=0.05, power=0.8) =
		// 47030.43. The plan's 20,000 per arm at 2,000 per arm per day: 10 days.
		{"proportion, underpowered plan", planned(conversion(), 0.12, nil, 0.05, 4000, 20000),
			[]string{"**Sample size the plan needs**",
				"Arm treatment: to detect the planned mde of 5% relative (Checkout conversion 12.00% → 12.60%) with 80% power at alpha 0.05, two-sided, with shares 50% / 50%, the plan needs about 47,031 control and 47,031 treatment users.",
				"plan.users\\_per\\_arm 20,000 is below that (plan\\_underpowered): raise it to at least 47,031, or plan for a larger mde.",
				"At plan.daily\\_users 4,000, the 20,000 users per arm the advice aims at (plan.users\\_per\\_arm) take about 10 days."},
			47031, 20000, 10, true, false},
		// 9,042: (z_0.975 + z_0.8)²·2·30²/1.25² = 9041.91 (scipy.stats.norm.ppf);
		// statsmodels NormalIndPower().solve_power(effect_size=1.25/30,
		// alpha=0.05, power=0.8) = 9041.89. At 1,000 per arm per day: 10 days.
		{"mean with baseline_sd", planned(metric("revenue", "Revenue", experiment.KindMean, experiment.Increase), 25, &sd, 0.05, 2000, 0),
			[]string{"Revenue 25 → 26.25, sd 30) with 80% power at alpha 0.05, two-sided, with shares 50% / 50%, the plan needs about 9,042 control and 9,042 treatment users.",
				"take about 10 days."},
			9042, 9042, 10, false, false},
		{"no daily_users: days unknown", planned(conversion(), 0.12, nil, 0.05, 0, 0),
			[]string{"The days are unknown: no traffic rate is known: set plan.daily\\_users."},
			47031, 47031, 0, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := render(t, result(tt.e))
			contains(t, "next actions", m.actions, tt.want...)
			lacks(t, "memo", m.md, "Collect more data")
			if got := jget(t, m.doc, "power", "mde_required_per_arm", "control"); got != tt.mdeNeed {
				t.Errorf("mde_required_per_arm = %v, want %v", got, tt.mdeNeed)
			}
			if got := jget(t, m.doc, "power", "required_per_arm", "treatment"); got != tt.req {
				t.Errorf("required_per_arm = %v, want %v", got, tt.req)
			}
			if tt.nullDaysReason {
				if jget(t, m.doc, "power", "days") != nil || jget(t, m.doc, "power", "null_reasons", "days") == nil {
					t.Errorf("days should be null with a reason: %v", jget(t, m.doc, "power"))
				}
			} else if got := jget(t, m.doc, "power", "days"); got != tt.days {
				t.Errorf("days = %v, want %v", got, tt.days)
			}
			under := strings.Contains(m.raw, `"code": "plan_underpowered"`)
			if under != tt.underpowered {
				t.Errorf("plan_underpowered %v, want %v", under, tt.underpowered)
			}
		})
	}
}

// An SRM hold (rule 4) that also has a worsened guardrail names it in
// Next Actions too, not only the SRM checks; a rollback's root-cause
// checklist names its worsened guardrails besides the severe ones.
func TestRegressionSRMHoldListsWorsenedGuardrail(t *testing.T) {
	t.Parallel()
	// 20,000 vs 20,700 users: chi-square 2·350²/20,350 = 12.04, p = 0.00052,
	// an SRM warning (between 0.00001 and 0.001).
	e := newExp("srm-worse", conversion(), two(
		counts("conversions", 2000, "guardrail_error", 100),
		counts("conversions", 2070, "guardrail_error", 155), 20000, 20700), errorGuard())
	r := result(e)
	if r.Decision.Rule != decision.RuleSRM {
		t.Fatalf("rule %d, want 4 (%s)", r.Decision.Rule, r.Decision.Reason)
	}
	m := render(t, r)
	contains(t, "decision", m.decision, "guardrail Error rate worsened in arm treatment")
	contains(t, "next actions", m.actions, "**Assignment and logging checks**", "**Investigate the worsened guardrails**", "Error rate in arm treatment: 0.749% vs control 0.50%")

	e = newExp("rollback-worse", conversion(), two(
		counts("conversions", 2000, "guardrail_error", 100, "guardrail_cancel", 100),
		counts("conversions", 2000, "guardrail_error", 200, "guardrail_cancel", 150), 20000, 20000), errorGuard(), cancelGuard())
	m = render(t, result(e))
	contains(t, "next actions", m.actions, "Guardrail Error rate (severe) moved +0.50 pp", "Guardrail Cancellations (worsened) moved +0.25 pp")
}

// Found by TestMemoProperties: a rollback of c beside an arm b held by
// the SRM (rule 4) that also worsened a guardrail named b's verdict but
// not its guardrail; "The other arms" now names it.
func TestRegressionOtherArmNamesItsWorsenedGuardrail(t *testing.T) {
	t.Parallel()
	e := newExp("three-arm-srm", conversion(), []arm{
		{"control", 20000, counts("conversions", 2000, "guardrail_error", 100)},
		{"b", 20000, counts("conversions", 2000, "guardrail_error", 155)},
		{"c", 20700, counts("conversions", 2070, "guardrail_error", 250)}, // SRM chi-square 16.1 on 2 df, p = 0.00032: a warning
	}, errorGuard())
	r := result(e)
	if r.Decision.Outcome != experiment.Rollback || r.Decision.Comparisons[0].Rule != decision.RuleSRM ||
		r.Report.Comparisons[0].Guardrails[0].State != "worsened" {
		t.Fatalf("scenario: %+v, SRM p %v", r.Decision, r.Report.Health.SRM.PValue)
	}
	m := render(t, r)
	contains(t, "next actions", m.actions, "Arm b would hold (investigate) on its own comparison (rule 4)", "Its guardrail Error rate is worsened (+0.275 pp): look at it as well.")
}

// Sentences found wrong while reading the property test's memos.
func TestRegressionGeneratedMemoWording(t *testing.T) {
	t.Parallel()
	stopAtZero := newExp("zero-stop", conversion(), two(counts("conversions", 0), counts("conversions", 0), 5000, 5000))
	stopAtZero.Plan.UsersPerArm, stopAtZero.Plan.MDE = 4000, planMDE(0.1)
	full := newExp("full-rate", conversion(), two(counts("conversions", 500), counts("conversions", 500), 500, 500))
	full.Plan.MDE = planMDE(0.05)
	tests := []struct {
		name        string
		e           *experiment.Experiment
		want, avoid []string
	}{
		{"two arms rolled back were stopped", newExp("two-rollbacks", conversion(), []arm{
			{"control", 20000, counts("conversions", 2000, "guardrail_error", 100)},
			{"b", 20000, counts("conversions", 2000, "guardrail_error", 200)},
			{"c", 20000, counts("conversions", 2000, "guardrail_error", 210)},
		}, errorGuard()), []string{"Tell the owner that b, c were stopped"}, []string{"b, c was stopped"}},
		{"a control rate of 0 plans no effect", stopAtZero,
			[]string{"**Conclude**", "is reached and Checkout conversion did not move significantly"}, []string{"the planned effect"}},
		{"no mde at a 100% control rate", full,
			[]string{"the planned mde sets no sample size (the planned rate 1.05 is outside (0, 1)), and no minimum detectable effect can be stated at the current sample (the control rate is 100%, so no increase is possible)."},
			[]string{"detects an effect that cannot be stated"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := render(t, result(tt.e))
			contains(t, "next actions", m.actions, tt.want...)
			lacks(t, "next actions", m.actions, tt.avoid...)
		})
	}
}

// The SRM-against-harm sentence of a rollback, from the numbers: for an
// events guardrail with extra users in the arm, and for an arm short of
// users, where losing only unharmed users cannot reach its rate.
func TestSRMHarmBound(t *testing.T) {
	t.Parallel()
	tickets := guarded(metric("guardrail_tickets", "Tickets", experiment.KindEvents, experiment.Decrease), "5%", "15%")
	excess := newExp("srm-events", conversion(), two(
		counts("conversions", 9000, "guardrail_tickets", 9000),
		counts("conversions", 1040, "guardrail_tickets", 2080), 90000, 10400), tickets)
	excess.Split = map[string]float64{"control": 90, "treatment": 10}
	short := newExp("srm-short", conversion(), two(
		counts("conversions", 1030, "guardrail_error", 30),
		counts("conversions", 970, "guardrail_error", 100), 10300, 9700), errorGuard())
	tests := []struct {
		name string
		e    *experiment.Experiment
		want string
	}{
		// 10% of 100,400 = 10,040 expected, 360 extra: (2,080 − 0.1·10,040)/360
		// = 2.989 tickets per extra user, 29.9 times the control's 0.1.
		{"events, extra users", excess, "Arm treatment holds 10,400 users against the 10,040 its expected share implies (+3.59%); Tickets moved from 0.1/user to 0.2/user: for the mismatch alone to explain it, the 360 extra users would need a count per user of 2.989/user, 29.9 times the control's"},
		// 10,000 expected, 9,700 seen: losing 300 error-free users raises the
		// control's 30/10,300 to at most 30/10,300·10,000/9,700 = 0.300%,
		// below the arm's 1.03%.
		{"proportion, missing users", short, "Arm treatment holds 9,700 users against the 10,000 its expected share implies (-3.00%); Error rate moved from 0.291% to 1.03%: the mismatch cannot explain it, since losing only unharmed users would raise the rate to at most 0.30%."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := result(tt.e)
			if r.Decision.Rule != decision.RuleSevereGuardrail || r.Report.Health.Status != "warning" {
				t.Fatalf("scenario: rule %d, health %s (%s)", r.Decision.Rule, r.Report.Health.Status, r.Decision.Reason)
			}
			m := render(t, r)
			contains(t, "next actions", m.actions, tt.want, "Keep the treatment off while the SRM is investigated.")
		})
	}
}

// A concluded experiment looked at many times gets the looks Risk but no
// advice to change its thresholds: its memo records the decision only.
func TestRegressionConcludedLooksNoAdvice(t *testing.T) {
	t.Parallel()
	e := newExp("peeked", conversion(), two(counts("conversions", 1200), counts("conversions", 1330), 10000, 10000))
	running := result(e)
	running.History = &decision.History{Looks: 10}
	contains(t, "running next actions", render(t, running).actions, "**Looks**")

	c := newExp("peeked-concluded", conversion(), two(counts("conversions", 1200), counts("conversions", 1330), 10000, 10000))
	c.Status = experiment.StatusConcluded
	concluded := result(c)
	concluded.History = &decision.History{Looks: 10}
	m := render(t, concluded)
	contains(t, "risks", m.risks, "The result was looked at 10 times")
	lacks(t, "next actions", m.actions, "**Looks**", "Set thresholds.sequential")
}
