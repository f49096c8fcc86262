// Package experiment holds the domain types that flow through ExperimentOS:
// an Experiment as loaded from experiments/, its per-arm counts, the metrics
// it declares, the health Issues found on the way and the decision Outcome.
//
// It imports only the standard library. Every later step (load, analysis,
// decision, memo, action) speaks in these types.
package experiment

import (
	"time"
)

// Status is an experiment's lifecycle status from experiment.yaml.
type Status string

// Lifecycle statuses (docs/formats.md#status).
const (
	StatusPlanned   Status = "planned"   // validated and listed, not analyzed
	StatusRunning   Status = "running"   // analyzed, gates merges (default)
	StatusConcluded Status = "concluded" // analyzed and reported, never fails a check
)

// Deployment says how the treatment is deployed; it phrases Rollback actions.
type Deployment string

// Deployment kinds.
const (
	DeploymentExperiment Deployment = "experiment" // behind an experiment split (default)
	DeploymentRolledOut  Deployment = "rolled_out" // already shipped to everyone
)

// Direction is the desired direction of a metric.
type Direction string

// Desired directions.
const (
	Increase Direction = "increase"
	Decrease Direction = "decrease"
)

// CIMethod names the confidence interval method for the absolute lift.
type CIMethod string

// CI methods.
const (
	CINewcombe CIMethod = "newcombe"
	CIWald     CIMethod = "wald"
)

// GuardrailPolicy says what an inconclusive guardrail does
// (docs/rules.md#guardrail-states).
type GuardrailPolicy string

// Guardrail policies.
const (
	DoNoHarm       GuardrailPolicy = "do_no_harm"      // inconclusive is a Risk only (default)
	NonInferiority GuardrailPolicy = "non_inferiority" // a Launch needs every guardrail within its margin
)

// Thresholds are the significance and health thresholds applied to an
// experiment after repo-wide defaults and the experiment's own values.
type Thresholds struct {
	Alpha       Decimal
	SRMWarningP Decimal
	SRMBlockedP Decimal
	MinUsers    int64
	CIMethod    CIMethod
	// Sequential turns on always-valid p-values and intervals
	// (docs/statistics.md#sequential-tests); SequentialTuning is N*, the
	// total users of two arms the confidence sequence is tuned for (0: the
	// default of docs/statistics.md#sequential-tests).
	Sequential       bool
	SequentialTuning int64
	GuardrailPolicy  GuardrailPolicy
}

// defaultThresholds are parsed once; Decimals are immutable, so every
// copy may share them.
var defaultThresholds = Thresholds{
	Alpha:           MustDecimal("0.05"),
	SRMWarningP:     MustDecimal("0.001"),
	SRMBlockedP:     MustDecimal("0.00001"),
	MinUsers:        100,
	CIMethod:        CINewcombe,
	GuardrailPolicy: DoNoHarm,
}

// DefaultThresholds returns the defaults of docs/formats.md#thresholds.
func DefaultThresholds() Thresholds { return defaultThresholds }

// Experiment is one folder under the experiments root holding
// experiment.yaml, with its configuration resolved against repo-wide
// defaults, and its data when it could be read.
type Experiment struct {
	ID   string // path below the experiments root, "/"-separated
	Path string // folder relative to the workspace, e.g. experiments/home-banner

	Name       string
	Hypothesis string
	Owner      string
	Start      time.Time // zero when not set
	End        time.Time // zero when not set
	Status     Status
	Deployment Deployment

	ConfigFile string // experiment.yaml relative to the workspace
	DataFile   string // results.csv relative to the workspace
	DataSHA256 string

	// Control is the control arm's variant label (default "control").
	Control string
	// Split holds the expected traffic weight per arm label, as written;
	// nil means equal weights over the CSV's arms. Shares turns it into
	// shares in the data's arm order.
	Split map[string]float64
	// Segments names the CSV columns that split rows into cells
	// (docs/formats.md#segments); empty when the experiment has none.
	Segments []string
	Plan     Plan
	// Amendment is the experiment's amendment: text, which acknowledges a
	// plan change or restated data (docs/rules.md#history).
	Amendment string

	Primary    Metric
	Guardrails []Metric
	Secondary  []Metric
	Thresholds Thresholds

	// Data is nil when the CSV could not be read or the experiment is
	// planned and has no rows.
	Data *Data

	// Issues found while loading and validating (file, CSV and YAML
	// problems, events_per_user). Analysis adds SRM and sample findings.
	Issues []Issue
}

// Days returns the number of days the experiment ran, end − start + 1, or 0
// when either date is unset or the range is empty.
func (e *Experiment) Days() int {
	if e.Start.IsZero() || e.End.IsZero() || e.End.Before(e.Start) {
		return 0
	}
	// Unix seconds, not Sub: a Duration overflows past about 292 years,
	// and dates are UTC midnights.
	return int((e.End.Unix()-e.Start.Unix())/86400) + 1
}

// Blocked reports whether any issue is blocking.
func (e *Experiment) Blocked() bool {
	for _, is := range e.Issues {
		if is.Severity == SeverityBlocked {
			return true
		}
	}
	return false
}

// Outcome is the decision for an experiment.
type Outcome string

// Outcomes, in increasing order of severity for a gate.
const (
	Launch   Outcome = "launch"
	Hold     Outcome = "hold"
	Rollback Outcome = "rollback"
	// None is the outcome of an experiment that was not analyzed (planned).
	None Outcome = "none"
)

// Rank orders outcomes for "worst first": rollback > hold > launch.
func (o Outcome) Rank() int {
	switch o {
	case Rollback:
		return 3
	case Hold:
		return 2
	case Launch:
		return 1
	}
	return 0
}
