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
