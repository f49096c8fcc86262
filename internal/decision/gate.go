package decision

import (
	"fmt"
	"strings"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/experiment"
)

// FailOn says which results fail a check (--fail-on,
// docs/rules.md#the-gate-fail-on). The list replaces the default.
type FailOn struct {
	Blocked  bool
	Rollback bool
	Hold     bool
}

// DefaultFailOn is "blocked,rollback".
const DefaultFailOn = "blocked,rollback"

// ParseFailOn parses a comma list of blocked, rollback and hold. An empty
// string or "none" fails on nothing.
func ParseFailOn(s string) (FailOn, error) {
	var f FailOn
	for _, part := range strings.Split(s, ",") {
		switch strings.ToLower(strings.TrimSpace(part)) {
		case "blocked":
			f.Blocked = true
		case "rollback":
			f.Rollback = true
		case "hold":
			f.Hold = true
		case "", "none":
		default:
			return FailOn{}, fmt.Errorf("fail-on: unknown value %q (want a comma list of blocked, rollback, hold)", strings.TrimSpace(part))
		}
	}
	return f, nil
}

// Fails reports whether the result fails the check. A concluded experiment
// never fails: its decision is on record.
func (f FailOn) Fails(r Result) bool {
	if r.Report.Experiment.Status == experiment.StatusConcluded {
		return false
	}
	return f.Blocked && r.Report.Health.Status == analysis.Blocked ||
		f.Rollback && r.Decision.Outcome == experiment.Rollback ||
		f.Hold && r.Decision.Outcome == experiment.Hold
}

// Summary counts outcomes as the JSON summary does: launch + hold +
// rollback = experiments analyzed; Blocked counts those whose health is
// blocked (they are also in Hold).
type Summary struct {
	Launch   int `json:"launch"`
	Hold     int `json:"hold"`
	Rollback int `json:"rollback"`
	Blocked  int `json:"blocked"`
	// NotAnalyzed counts planned experiments.
	NotAnalyzed int `json:"not_analyzed"`
}

// Summarize counts the results.
func Summarize(results []Result) Summary {
	var s Summary
	for _, r := range results {
		switch r.Decision.Outcome {
		case experiment.Launch:
			s.Launch++
		case experiment.Hold:
			s.Hold++
		case experiment.Rollback:
			s.Rollback++
		default:
			s.NotAnalyzed++
		}
		if r.Report.Health.Status == analysis.Blocked {
			s.Blocked++
		}
	}
	return s
}

// Worst returns the worst outcome (rollback > hold > launch), or None when
// there is nothing analyzed.
func Worst(results []Result) experiment.Outcome {
	w := experiment.None
	for _, r := range results {
		if r.Decision.Outcome.Rank() > w.Rank() {
			w = r.Decision.Outcome
		}
	}
	return w
}
