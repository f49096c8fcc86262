package history

import (
	"strings"
	"testing"

	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/load/loadtest"
)

const baseYAML = `name: Checkout copy
hypothesis: Shorter copy converts better
owner: growth
start: 2026-11-01
status: running
plan:
  mde: 0.05
  users_per_arm: 5000
primary:
  metric: conversions
guardrails:
  - metric: errors
    worsened_threshold: 0.001
    severe_threshold: 0.01
`

const baseCSV = `variant,users,conversions,errors
control,4000,400,10
treatment,4010,430,12
`

const segYAML = baseYAML + "segments: [platform]\n"

const segCSV = `variant,platform,users,conversions,errors
control,ios,2000,200,5
control,web,2000,200,5
treatment,ios,2010,215,6
treatment,web,2000,215,6
`

// loadOne loads the experiment "exp" from a YAML and a CSV, with an
// optional experimentos.yaml, through the production loader; the fixture
// must not be blocked.
func loadOne(t *testing.T, yaml, csv, repo string) *experiment.Experiment {
	t.Helper()
	e := loadtest.One(t, yaml, csv, repo)
	if e.Blocked() {
		t.Fatalf("fixture is blocked: %v", e.Issues)
	}
	return e
}

type want struct {
	code     string
	severity experiment.Severity
	line     int
	column   string
	contains []string
}

func TestFindings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name                string
		baseY, baseC, baseR string
		headY, headC, headR string
		want                []want
	}{
		{name: "more data, nothing else", baseY: baseYAML, baseC: baseCSV, headY: baseYAML,
			headC: "variant,users,conversions,errors\ncontrol,5000,500,11\ntreatment,5010,540,12\n"},
		{name: "users went down", baseY: baseYAML, baseC: baseCSV, headY: baseYAML,
			headC: "variant,users,conversions,errors\ncontrol,4000,400,10\ntreatment,3900,430,12\n",
			want: []want{{experiment.CodeDataRewritten, experiment.SeverityBlocked, 3, "users",
				[]string{`arm "treatment"`, "line 3", "users 4010 → 3900"}}}},
		{name: "a guardrail count went down", baseY: baseYAML, baseC: baseCSV, headY: baseYAML,
			headC: "variant,users,conversions,errors\ncontrol,4100,410,9\ntreatment,4100,440,12\n",
			want: []want{{experiment.CodeDataRewritten, experiment.SeverityBlocked, 2, "errors",
				[]string{`arm "control"`, "errors 10 → 9"}}}},
		{name: "rewritten and acknowledged", baseY: baseYAML, baseC: baseCSV,
			headY: baseYAML + "amendment: the export query double-counted bots; restated from the warehouse\n",
			headC: "variant,users,conversions,errors\ncontrol,3990,390,10\ntreatment,4010,430,12\n",
			want: []want{{experiment.CodeDataRewritten, experiment.SeverityWarning, 2, "users",
				[]string{"users 4000 → 3990", "conversions 400 → 390"}}}},
		{name: "an unchanged amendment acknowledges nothing", baseY: baseYAML + "amendment: earlier note\n", baseC: baseCSV,
			headY: baseYAML + "amendment: earlier note\n",
			headC: "variant,users,conversions,errors\ncontrol,3990,400,10\ntreatment,4010,430,12\n",
			want:  []want{{experiment.CodeDataRewritten, experiment.SeverityBlocked, 2, "users", nil}}},
		{name: "a segment cell went down, the arm total did not", baseY: segYAML, baseC: segCSV, headY: segYAML,
			headC: "variant,platform,users,conversions,errors\ncontrol,ios,1990,200,5\ncontrol,web,2100,200,5\ntreatment,ios,2010,215,6\ntreatment,web,2000,215,6\n",
			want: []want{{experiment.CodeDataRewritten, experiment.SeverityBlocked, 2, "users",
				[]string{`arm "control", platform="ios"`, "users 2000 → 1990"}}}},
		{name: "an arm disappeared", baseY: baseYAML, baseC: baseCSV + "b,4005,380,11\n", headY: baseYAML,
			headC: "variant,users,conversions,errors\ncontrol,5000,500,11\ntreatment,5010,540,12\n",
			want: []want{{experiment.CodeDataRewritten, experiment.SeverityBlocked, 0, "",
				[]string{`arm "b": 4005 users at the merge base (line 4 there), no row now`}}}},
		{name: "concluded: counts are not checked", baseY: baseYAML, baseC: baseCSV,
			headY: strings.Replace(baseYAML, "status: running", "status: concluded", 1),
			headC: "variant,users,conversions,errors\ncontrol,10,1,0\ntreatment,10,1,0\n"},
		{name: "plan.mde changed", baseY: baseYAML, baseC: baseCSV,
			headY: strings.Replace(baseYAML, "mde: 0.05", "mde: 0.1", 1), headC: baseCSV,
			want: []want{{experiment.CodePlanChanged, experiment.SeverityBlocked, 0, "plan.mde",
				[]string{"plan.mde changed after data existed: 0.05 at the merge base, 0.1 now"}}}},
		{name: "plan.mde changed with an amendment", baseY: baseYAML, baseC: baseCSV,
			headY: strings.Replace(baseYAML, "mde: 0.05", "mde: 0.1", 1) + "amendment: the 5% target was a typo in the design doc\n", headC: baseCSV,
			want: []want{{experiment.CodePlanChanged, experiment.SeverityWarning, 0, "plan.mde", nil}}},
		{name: "plan changed before any data: no finding", baseY: strings.Replace(baseYAML, "status: running", "status: planned", 1), baseC: "variant,users,conversions,errors\n",
			headY: strings.Replace(baseYAML, "mde: 0.05", "mde: 0.1", 1), headC: baseCSV},
		{name: "users_per_arm lowered", baseY: baseYAML, baseC: baseCSV,
			headY: strings.Replace(baseYAML, "users_per_arm: 5000", "users_per_arm: 4000", 1), headC: baseCSV,
			want: []want{{experiment.CodePlanChanged, experiment.SeverityBlocked, 8, "plan.users_per_arm", []string{"5000 at the merge base, 4000 now"}}}},
		{name: "stricter only: sequential on, lower alpha, lower margin, more users, a new guardrail", baseY: baseYAML, baseC: baseCSV,
			headY: strings.NewReplacer("users_per_arm: 5000", "users_per_arm: 8000", "worsened_threshold: 0.001", "worsened_threshold: 0.0005").Replace(baseYAML) +
				"  - metric: refunds\nthresholds:\n  sequential: true\n  alpha: 0.01\n",
			headC: "variant,users,conversions,errors,refunds\ncontrol,4000,400,10,3\ntreatment,4010,430,12,3\n"},
		{name: "descriptive keys are not the plan", baseY: baseYAML, baseC: baseCSV,
			headY: strings.NewReplacer("name: Checkout copy", "name: Checkout copy v2", "hypothesis: Shorter copy converts better", "hypothesis: Short copy wins",
				"owner: growth", "owner: growth-team", "status: running", "status: running\nend: 2026-11-30\ndeployment: rolled_out",
				"metric: conversions", "metric: conversions\n  label: Checkout conversion").Replace(baseYAML),
			headC: baseCSV},
		{name: "primary metric swapped, guardrail removed", baseY: baseYAML, baseC: baseCSV,
			headY: strings.NewReplacer("metric: conversions", "metric: errors", "guardrails:\n  - metric: errors\n    worsened_threshold: 0.001\n    severe_threshold: 0.01\n", "").Replace(baseYAML),
			headC: baseCSV,
			want: []want{
				{experiment.CodePlanChanged, experiment.SeverityBlocked, 0, "primary.metric", []string{"conversions at the merge base, errors now"}},
				{experiment.CodePlanChanged, experiment.SeverityBlocked, 0, "guardrails.errors", []string{"present at the merge base, removed now"}},
			}},
		{name: "a guardrail margin raised", baseY: baseYAML, baseC: baseCSV,
			headY: strings.Replace(baseYAML, "severe_threshold: 0.01", "severe_threshold: 0.02", 1), headC: baseCSV,
			want: []want{{experiment.CodePlanChanged, experiment.SeverityBlocked, 0, "guardrails.errors.severe", []string{"0.01 at the merge base, 0.02 now"}}}},
		{name: "sequential turned off", baseY: baseYAML + "thresholds:\n  sequential: true\n", baseC: baseCSV,
			headY: baseYAML, headC: baseCSV,
			want: []want{{experiment.CodePlanChanged, experiment.SeverityBlocked, 0, "thresholds.sequential", []string{"true at the merge base, false now"}}}},
		{name: "alpha raised in experimentos.yaml", baseY: baseYAML, baseC: baseCSV, baseR: "thresholds:\n  alpha: 0.05\n",
			headY: baseYAML, headC: baseCSV, headR: "thresholds:\n  alpha: 0.1\n",
			want: []want{{experiment.CodePlanChanged, experiment.SeverityBlocked, 0, "thresholds.alpha", []string{"0.05 at the merge base, 0.1 now"}}}},
		{name: "split restated with the same shares", baseY: baseYAML + "split: {control: 50, treatment: 50}\n", baseC: baseCSV,
			headY: baseYAML + "split: {control: 1, treatment: 1}\n", headC: baseCSV},
		{name: "split changed", baseY: baseYAML + "split: {control: 50, treatment: 50}\n", baseC: baseCSV,
			headY: baseYAML + "split: {control: 60, treatment: 40}\n", headC: baseCSV,
			want: []want{{experiment.CodePlanChanged, experiment.SeverityBlocked, 0, "split", []string{"{control: 0.5, treatment: 0.5} at the merge base, {control: 0.6, treatment: 0.4} now"}}}},
		{name: "segments added", baseY: baseYAML, baseC: baseCSV, headY: segYAML, headC: segCSV,
			want: []want{{experiment.CodePlanChanged, experiment.SeverityBlocked, 0, "segments", []string{"none at the merge base, [platform] now"}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			base := loadOne(t, c.baseY, c.baseC, c.baseR)
			head := loadOne(t, c.headY, c.headC, c.headR)
			got := Findings(head, base)
			if len(got) != len(c.want) {
				t.Fatalf("got %d findings, want %d: %v", len(got), len(c.want), got)
			}
			for i, w := range c.want {
				g := got[i]
				if g.Code != w.code || g.Severity != w.severity || g.Line != w.line || g.Column != w.column {
					t.Errorf("finding %d = %s %s line %d column %q, want %s %s line %d column %q",
						i, g.Severity, g.Code, g.Line, g.Column, w.severity, w.code, w.line, w.column)
				}
				wantFile := "experiments/exp/results.csv"
				if w.code == experiment.CodePlanChanged {
					wantFile = "experiments/exp/experiment.yaml"
				}
				if g.File != wantFile {
					t.Errorf("finding %d file = %q, want %q", i, g.File, wantFile)
				}
				for _, s := range w.contains {
					if !strings.Contains(g.Message, s) {
						t.Errorf("finding %d message %q lacks %q", i, g.Message, s)
					}
				}
			}
		})
	}
}

func TestAcknowledged(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		base, head string
		want       bool
	}{
		{"", "restated", true},
		{"old", "new reason", true},
		{"same", "same", false},
		{"same", "  same\n", false},
		{"old", "", false},
		{"", "", false},
	} {
		h, b := &experiment.Experiment{Amendment: c.head}, &experiment.Experiment{Amendment: c.base}
		if got := Acknowledged(h, b); got != c.want {
			t.Errorf("Acknowledged(%q → %q) = %v, want %v", c.base, c.head, got, c.want)
		}
	}
}
