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

// MetricType says how a count column is read
// (docs/formats.md#proportion-and-events-metrics).
type MetricType string

// Metric types. Load resolves MetricAuto to one of the other two.
const (
	MetricAuto       MetricType = "auto"
	MetricProportion MetricType = "proportion" // users with at least one event; at most users
	MetricEvents     MetricType = "events"     // events, compared as a rate per user
)

// CIMethod names the confidence interval method for the absolute lift.
type CIMethod string

// CI methods.
const (
	CINewcombe CIMethod = "newcombe"
	CIWald     CIMethod = "wald"
)

// Thresholds are the significance and health thresholds applied to an
// experiment after repo-wide defaults and the experiment's own values.
type Thresholds struct {
	Alpha       Decimal  `json:"alpha"`
	SRMWarningP Decimal  `json:"srm_warning_p"`
	SRMBlockedP Decimal  `json:"srm_blocked_p"`
	MinUsers    int64    `json:"min_users"`
	CIMethod    CIMethod `json:"ci_method"`
}

// defaultThresholds are parsed once; Decimals are immutable, so every
// copy may share them.
var defaultThresholds = Thresholds{
	Alpha:       MustDecimal("0.05"),
	SRMWarningP: MustDecimal("0.001"),
	SRMBlockedP: MustDecimal("0.00001"),
	MinUsers:    100,
	CIMethod:    CINewcombe,
}

// DefaultThresholds returns the defaults of docs/formats.md#thresholds.
func DefaultThresholds() Thresholds { return defaultThresholds }

// Metric is one count column the experiment analyzes: the primary metric or
// a guardrail.
type Metric struct {
	Column  string // CSV column, lower-cased
	Label   string // display name
	Desired Direction
	Type    MetricType // resolved: proportion or events
	// Worsened and Severe are guardrail thresholds on the absolute rate
	// change (events per user for events metrics). Zero for the primary.
	Worsened Decimal
	Severe   Decimal
}

// Split is the expected traffic split as positive weights.
type Split struct {
	Control   float64
	Treatment float64
}

// Shares returns the expected share of each arm, control first.
func (s Split) Shares() [2]float64 {
	t := s.Control + s.Treatment
	return [2]float64{s.Control / t, s.Treatment / t}
}

// Plan is an optional pre-registered plan.
type Plan struct {
	UsersPerArm int64    // 0: not set
	MDE         *float64 // relative minimum detectable effect
}

// Arm is one row of results.csv.
type Arm struct {
	Users  int64
	Counts map[string]int64 // by lower-cased column name
	Line   int              // 1-based line of the row in the CSV
}

// Data is the parsed results.csv of an experiment.
type Data struct {
	Control   Arm
	Treatment Arm
	// Columns maps a lower-cased header name to its 1-based column number.
	Columns map[string]int
}

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

	Split      Split
	Plan       Plan
	Primary    Metric
	Guardrails []Metric
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
