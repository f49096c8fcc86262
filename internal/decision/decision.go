// Package decision applies the decision rules (docs/rules.md#decision-rules)
// to an analysis Report: the first matching rule gives the Outcome (Launch,
// Hold, Rollback) and a one-line reason citing its evidence. It also
// decides which results fail a check under --fail-on.
package decision

import (
	"fmt"
	"strings"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/experiment"
)

// Decision is the outcome for one experiment.
type Decision struct {
	Outcome experiment.Outcome `json:"outcome"`
	// Rule is the number of the rule in docs/rules.md#decision-rules that
	// matched (1–8); 0 for an experiment that was not analyzed.
	Rule   int    `json:"rule"`
	Reason string `json:"reason"`
}

// Result pairs a report with its decision.
type Result struct {
	Report   *analysis.Report
	Decision Decision
}

// Decide applies the rules in order; the first match wins.
func Decide(r *analysis.Report) Decision {
	e := r.Experiment
	h := r.Health
	if h.Status == analysis.Blocked {
		return Decision{experiment.Hold, 1, blockedReason(h)}
	}
	if e.Status == experiment.StatusPlanned || !r.Analyzed || r.Primary == nil {
		return Decision{experiment.None, 0, "planned: not analyzed until status is running"}
	}
	if hasCode(h.Issues, experiment.CodeSRM) {
		return Decision{experiment.Hold, 2, fmt.Sprintf("SRM p = %s < %s: the traffic split does not match the expected %g/%g",
			analysis.FormatP(h.SRM.PValue), e.Thresholds.SRMWarningP, e.Split.Control, e.Split.Treatment)}
	}
	alpha := e.Thresholds.Alpha
	for i := range r.Guardrails {
		if g := &r.Guardrails[i]; g.Severe {
			return Decision{experiment.Rollback, 3, fmt.Sprintf("guardrail %s worsened severely: %s (beyond %s), p = %s < %s",
				g.Label, g.FormatDelta(), g.FormatThreshold(g.SevereThreshold), analysis.FormatP(*g.PValue), alpha)}
		}
	}
	p := r.Primary
	if p.PValue == nil || !alpha.FloatBelow(*p.PValue) {
		if p.PValue == nil {
			return Decision{experiment.Hold, 8, fmt.Sprintf("%s: p-value undefined (%s)", p.Label, p.Nulls["p_value"])}
		}
		return Decision{experiment.Hold, 8, fmt.Sprintf("%s: %s, p = %s ≥ %s, not significant",
			p.Label, analysis.FormatPP(p.AbsLift), analysis.FormatP(*p.PValue), alpha)}
	}
	evidence := fmt.Sprintf("%s, p = %s < %s", analysis.FormatPP(p.AbsLift), analysis.FormatP(*p.PValue), alpha)
	switch {
	case p.Worsened():
		return Decision{experiment.Rollback, 4, fmt.Sprintf("%s moved significantly against the desired direction (%s): %s",
			p.Label, p.Desired, evidence)}
	case !p.Improved():
		return Decision{experiment.Hold, 8, fmt.Sprintf("%s: no change in either direction", p.Label)}
	}
	var worse []string
	for _, g := range r.Guardrails {
		if g.Worsened {
			worse = append(worse, fmt.Sprintf("%s %s", g.Label, g.FormatDelta()))
		}
	}
	if len(worse) > 0 {
		return Decision{experiment.Hold, 5, fmt.Sprintf("%s improved (%s) but guardrail %s worsened",
			p.Label, evidence, strings.Join(worse, ", "))}
	}
	if plan := e.Plan.UsersPerArm; plan > 0 && (p.ControlUsers < plan || p.TreatmentUsers < plan) {
		return Decision{experiment.Hold, 6, fmt.Sprintf("%s improved (%s) but the plan needs %d users per arm (control %d, treatment %d): an early peek does not launch",
			p.Label, evidence, plan, p.ControlUsers, p.TreatmentUsers)}
	}
	return Decision{experiment.Launch, 7, fmt.Sprintf("%s improved: %s, and no guardrail worsened", p.Label, evidence)}
}

func blockedReason(h analysis.Health) string {
	var first experiment.Issue
	n := 0
	for _, is := range h.Issues {
		if is.Severity == experiment.SeverityBlocked {
			if n == 0 {
				first = is
			}
			n++
		}
	}
	if first.Code == experiment.CodeSRMSevere && h.SRM != nil {
		return fmt.Sprintf("health check blocked: severe SRM, p = %s", analysis.FormatP(h.SRM.PValue))
	}
	s := fmt.Sprintf("health check blocked: %s", first.Code)
	if loc := first.Location(); loc != "" {
		s += " at " + loc
	}
	if n > 1 {
		s += fmt.Sprintf(" (and %d more blocking %s)", n-1, plural(n-1, "issue", "issues"))
	}
	return s
}

func hasCode(issues []experiment.Issue, code string) bool {
	for _, is := range issues {
		if is.Code == code {
			return true
		}
	}
	return false
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
