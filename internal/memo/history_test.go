package memo

import (
	"strings"
	"testing"

	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
)

// withHistory attaches a base decision (nil: new) and looks to a result.
func withHistory(r decision.Result, base *decision.Base, looks int) decision.Result {
	h := &decision.History{Base: decision.Base{New: true}, Looks: looks}
	if base != nil {
		h.Base = *base
	}
	if looks < 0 {
		h.LooksUnknown = "a shallow clone"
	}
	r.History = h
	return r
}

func TestCommentHeadline(t *testing.T) {
	t.Parallel()
	launch := result(scenarioNamed("launch"))          // launches treatment
	hold := result(scenarioNamed("hold-power"))        // a hold
	four := result(scenarioNamed("four-arm-rollback")) // rolls back an arm
	if launch.Decision.Outcome != experiment.Launch || hold.Decision.Outcome != experiment.Hold || four.Decision.Outcome != experiment.Rollback {
		t.Fatalf("fixtures moved: %s %s %s", launch.Decision.Outcome, hold.Decision.Outcome, four.Decision.Outcome)
	}
	lid, hid, fid := EscapeMarkdown(launch.Report.Experiment.ID), EscapeMarkdown(hold.Report.Experiment.ID), EscapeMarkdown(four.Report.Experiment.ID)
	wasHold := &decision.Base{Outcome: experiment.Hold, Reason: "not significant"}
	same := func(r decision.Result) *decision.Base {
		return &decision.Base{Outcome: r.Decision.Outcome, Arm: r.Decision.Arm, Reason: r.Decision.Reason}
	}
	cases := []struct {
		name     string
		rs       []decision.Result
		headline string // the line after the marker; "" when it is the heading
		baseCol  []string
	}{
		{name: "no base compared", rs: []decision.Result{launch, hold}},
		{name: "nothing changes", rs: []decision.Result{withHistory(launch, same(launch), 3), withHistory(hold, same(hold), 1)},
			headline: "No decision changes.", baseCol: []string{"| Launch treatment |", "| Hold |"}},
		{name: "Hold to Launch and a new experiment", rs: []decision.Result{withHistory(launch, wasHold, 2), withHistory(hold, nil, 1)},
			headline: "2 decisions change: " + hid + " new: Hold; " + lid + " Hold → Launch" /* worst first, as the overview */, baseCol: []string{"| Hold |", "| new |"}},
		{name: "only the arm changes", rs: []decision.Result{withHistory(four, &decision.Base{Outcome: experiment.Rollback, Arm: "c"}, 1)},
			headline: "1 decision changes: " + fid + " Rollback c → Rollback b", baseCol: []string{"| Rollback c |"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			body := Comment(marker, c.rs, testMeta, GitHubCommentLimit)
			lines := strings.Split(body, "\n")
			if c.headline == "" {
				if !strings.HasPrefix(lines[1], "### ExperimentOS:") || strings.Contains(body, "At the merge base") {
					t.Errorf("without a base the comment starts %q and has no base column", lines[1])
				}
				return
			}
			if lines[1] != c.headline {
				t.Errorf("headline = %q, want %q", lines[1], c.headline)
			}
			if !strings.Contains(body, "| Experiment | Health | Decision | Primary lift [CI] | p | At the merge base |") {
				t.Error("overview lacks the base column")
			}
			for _, cell := range c.baseCol {
				if !strings.Contains(body, cell+"\n") {
					t.Errorf("overview lacks a row ending %q", cell)
				}
			}
		})
	}
}

// TestRiskLooks: the Risk of docs/review.md#looks with the false-positive rate of K
// looks at α (reference values of docs/statistics.md#looks, to 0.1 pp), only for a
// significant primary seen more than once without sequential or a plan.
func TestRiskLooks(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		exp   string
		looks int
		edit  func(e *experiment.Experiment)
		want  string // "" for no Risk
	}{
		{name: "two looks", exp: "launch", looks: 2, want: "looked at 2 times"},
		{name: "three looks", exp: "launch", looks: 3, want: "false-positive rate of 10.7%, not 5%"},
		{name: "ten looks", exp: "launch", looks: 10, want: "false-positive rate of 19.3%, not 5%"},
		{name: "twenty looks", exp: "launch", looks: 20, want: "false-positive rate of 24.8%, not 5%"},
		{name: "one look", exp: "launch", looks: 1},
		{name: "looks unknown", exp: "launch", looks: -1},
		{name: "not significant", exp: "hold-power", looks: 5},
		{name: "sequential", exp: "launch", looks: 5, edit: func(e *experiment.Experiment) { e.Thresholds.Sequential = true }},
		{name: "a plan", exp: "launch", looks: 5, edit: func(e *experiment.Experiment) { e.Plan.UsersPerArm = 100 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := scenarioNamed(c.exp)
			if c.edit != nil {
				c.edit(e)
			}
			r := withHistory(result(e), &decision.Base{Outcome: experiment.Hold}, c.looks)
			got := strings.Join(riskLooks(r), "\n")
			acts := looksActions(r)
			if c.want == "" {
				if got != "" || len(acts) != 0 {
					t.Errorf("risk %q, actions %v; want none", got, acts)
				}
				return
			}
			if !strings.Contains(got, c.want) {
				t.Errorf("risk %q lacks %q", got, c.want)
			}
			if len(acts) != 1 || !strings.Contains(acts[0].Items[0], "sequential: true") {
				t.Errorf("actions = %v, want the sequential/plan advice", acts)
			}
		})
	}
}
