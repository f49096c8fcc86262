package decision

import (
	"strings"
	"testing"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/experiment"
)

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
