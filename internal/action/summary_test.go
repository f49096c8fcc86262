package action

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/memo"
)

// The job summary stays within the 1 MiB GitHub keeps, keeps the overview
// and stays valid UTF-8, however many experiments and issues there are.
func TestSummaryFitsGitHubLimit(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é bad value ", 90) // about 1 KB of two-byte runes
	rs := make([]decision.Result, 0, 1500)
	for i := range 1500 {
		r := result(fmt.Sprintf("team/exp-%04d", i), "")
		e := r.Report.Experiment
		e.Name = fmt.Sprintf("Experiment %d", i)
		e.Status = experiment.StatusRunning
		e.Thresholds = experiment.DefaultThresholds()
		var issues []experiment.Issue
		for j := range 3 {
			issues = append(issues, experiment.Issue{Severity: experiment.SeverityBlocked, Code: experiment.CodeBadValue,
				Message: long, File: e.DataFile, Line: j + 2, Column: "users"})
		}
		r.Report.Health = analysis.Health{Status: analysis.Blocked, Issues: issues}
		r.Decision.Outcome, r.Decision.Rule, r.Decision.Reason = experiment.Hold, 1, "health check blocked"
		rs = append(rs, r)
	}
	out := summary(rs, nil, memo.Meta{Version: "test"}, "all", false, []string{"a note"})
	if len(out) > maxSummaryBytes {
		t.Errorf("summary is %d bytes, over %d", len(out), maxSummaryBytes)
	}
	if !utf8.ValidString(out) {
		t.Error("summary is not valid UTF-8 after shortening")
	}
	if !strings.Contains(out, "| Experiment |") {
		t.Errorf("summary lost the overview table header:\n%.500s", out)
	}
	if n := strings.Count(out, "Experiment 1499"); n == 0 {
		t.Error("the overview lost its last row")
	}
}

// With several arms the summary's overview names the arm the decision
// rests on, and its lift is that comparison's, in the metric's unit.
func TestSummaryNamesTheDecidingArm(t *testing.T) {
	t.Parallel()
	conv := experiment.Metric{Name: "conversions", Label: "Conversion", Kind: experiment.KindProportion, Desired: experiment.Increase,
		Columns: map[experiment.Role]string{experiment.RoleCount: "conversions"}}
	e := &experiment.Experiment{ID: "pricing-abc", Path: "experiments/pricing-abc", Name: "Pricing", Status: experiment.StatusRunning,
		Control: "control", DataFile: "experiments/pricing-abc/results.csv", Primary: conv, Thresholds: experiment.DefaultThresholds()}
	e.Data = &experiment.Data{Columns: map[string]int{"variant": 1, "users": 2, "conversions": 3}}
	for i, a := range []struct {
		name        string
		users, conv int64
	}{{"control", 10000, 1000}, {"b", 10000, 1010}, {"c", 10000, 1150}} {
		e.Data.Arms = append(e.Data.Arms, experiment.Row{Arm: a.name, Users: a.users, Line: i + 2}.
			WithMoments(map[string]experiment.Moments{"conversions": {Count: a.conv}}))
	}
	e.Data.Rows = e.Data.Arms
	rep := analysis.Analyze(e)
	r := decision.Result{Report: rep, Decision: decision.Decide(rep)}
	out := summary([]decision.Result{r}, nil, memo.Meta{Version: "test"}, "all", false, nil)
	// c: 1150 vs 1000 of 10,000 is +1.50 pp; b's +0.1 pp is not the one shown.
	if want := "| 🟢 Launch c | c: +1.50 pp ("; !strings.Contains(out, want) {
		t.Errorf("summary lacks %q:\n%.1500s", want, out)
	}
}
