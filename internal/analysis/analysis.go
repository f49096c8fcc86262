// Package analysis turns a loaded Experiment into a Report: the Health Check
// (load issues, sample ratio mismatch over every arm and within each
// segment, sample size), and one Comparison per non-control arm holding the
// primary metric's result, every guardrail's state and every secondary
// metric, with the power figures that say how much more data would settle
// a Hold; with segments, the primary and guardrails per segment value with
// Benjamini–Hochberg q-values.
//
// It is pure: no I/O, no clock, no formatting. An undefined statistic is a
// Value whose Null says why (docs/statistics.md), never NaN or Inf.
package analysis

import (
	"fmt"
	"strings"

	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/stats"
)

// HealthStatus summarizes the Health Check.
type HealthStatus string

// Health statuses (docs/rules.md#health-check).
const (
	Healthy HealthStatus = "healthy"
	Warning HealthStatus = "warning"
	Blocked HealthStatus = "blocked"
)

// Test names the significance test used for a metric
// (docs/statistics.md#tests).
type Test string

// Tests.
const (
	TestZ          Test = "z"          // pooled two-proportion z-test
	TestFisher     Test = "fisher"     // Fisher's exact test
	TestPoisson    Test = "poisson"    // exact conditional binomial test of rates
	TestWelch      Test = "welch"      // Welch's t-test on per-user values
	TestSequential Test = "sequential" // asymptotic confidence sequence
)

// Value is a statistic that may be undefined: V when Null is empty, else
// Null says why there is no value.
type Value struct {
	V    float64
	Null string
}

// OK reports whether the value is defined.
func (v Value) OK() bool { return v.Null == "" }

func defined(x float64) Value    { return Value{V: x} }
func undefined(why string) Value { return Value{Null: why} }

// Report is the analysis of one experiment.
type Report struct {
	Experiment *experiment.Experiment
	// Analyzed is false for planned experiments and when health is blocked.
	Analyzed bool
	Health   Health
	// Arms lists every arm in CSV order; empty when there is no data.
	Arms []Arm
	// Comparisons holds one comparison per non-control arm, in CSV order;
	// empty when the experiment was not analyzed.
	Comparisons []Comparison
	// Segments holds one entry per value of each segment column, columns
	// in segments: order and values in the order they first appear in the
	// CSV; empty without segments or data. Their comparisons are filled
	// when the experiment is analyzed.
	Segments []Segment
	// Planned holds the planning calculator's figures of a planned
	// experiment with plan.baseline and plan.mde, one per non-control arm;
	// empty otherwise (docs/statistics.md#power).
	Planned []PlannedComparison
}

// Arm is one arm of the experiment.
type Arm struct {
	Name          string
	Control       bool
	Users         int64
	ExpectedShare float64
	Line          int
}

// Health is the Health Check result.
type Health struct {
	Status HealthStatus
	SRM    *SRM
	Issues []experiment.Issue
}

// SRM is the sample ratio mismatch test over every arm: Pearson's
// chi-square goodness of fit of the arms' users against the expected split
// (docs/statistics.md#sample-ratio-mismatch).
type SRM struct {
	Chi2          float64
	PValue        float64
	DF            int
	ExpectedShare []float64 // in arm order
	Users         []int64
}

// Comparison is one non-control arm against the control.
type Comparison struct {
	Arm     string
	Control string
	// Index is the arm's index in Report.Arms.
	Index      int
	Primary    Result
	Guardrails []Guardrail
	Secondary  []Result
	// Power is the primary's sample-size figures (docs/statistics.md#power).
	Power *Power
}

// Result is one metric compared between an arm and the control.
type Result struct {
	Metric *experiment.Metric
	Test   Test
	// Alpha is the level of the interval and of the verdict: α′ =
	// α/(k − 1) for the primary (Bonferroni), α for the rest.
	Alpha experiment.Decimal

	ControlUsers, TreatmentUsers int64
	ControlValue, TreatmentValue float64

	AbsLift, RelLift    Value
	CILow, CIHigh       Value
	RelCILow, RelCIHigh Value
	PValue              Value
	// PAdjusted is min(1, p·(k − 1)) for the primary; equal to PValue
	// for other metrics and for two arms.
	PAdjusted Value
	// DF is the Welch–Satterthwaite degrees of freedom of a t-based
	// result; null otherwise.
	DF          Value
	Significant bool
	// Sign is the exact sign of treatment − control value: −1, 0 or +1.
	Sign int
	// Sequential is true when the p-value and intervals are the
	// confidence sequence's (docs/statistics.md#sequential-tests).
	Sequential bool
	// CUPED is the pre-period adjustment when the metric has cuped: true;
	// AbsLift, RelLift, their CIs and p are then the adjusted ones, the
	// values the observed ones (docs/statistics.md#cuped).
	CUPED *CUPED
	// Note is a fact about how the result was computed that the memo
	// states (for example, why Welch's test replaced the Poisson test).
	Note string
	// smallCells marks a sequential proportion result where Cochran's rule
	// would have called for Fisher's exact test.
	smallCells bool
	// fixed is the normal or t-based estimate the kind's estimator made
	// (nil for a proportion, whose test and interval have their own forms,
	// and for a result without one), which the sequential interval widens.
	fixed *stats.Estimate
}

// Improved reports whether the arm moved the metric in its desired
// direction (a zero difference never does).
func (r *Result) Improved() bool { return moved(r.Sign, r.Metric.Desired, true) }

// Harmed reports whether the arm moved the metric against its desired
// direction.
func (r *Result) Harmed() bool { return moved(r.Sign, r.Metric.Desired, false) }

// CIExcludesZero reports whether the CI of the absolute lift excludes 0,
// and whether that is known at all.
func (r *Result) CIExcludesZero() (excludes, known bool) {
	if !r.CILow.OK() || !r.CIHigh.OK() {
		return false, false
	}
	return r.CILow.V > 0 || r.CIHigh.V < 0, true
}

// Analyze runs the Health Check and, when health is not blocked and the
// experiment is not planned, compares every arm with the control. A planned
// experiment with plan.baseline and plan.mde gets the planning figures
// instead: the users per arm and days its plan needs.
func Analyze(e *experiment.Experiment) *Report {
	r := &Report{Experiment: e}
	r.Health.Issues = append([]experiment.Issue{}, e.Issues...)
	d := e.Data
	if d != nil {
		shares := experiment.Shares(e.Split, d)
		for i, a := range d.Arms {
			r.Arms = append(r.Arms, Arm{Name: a.Arm, Control: i == d.Control, Users: a.Users, ExpectedShare: shares[i], Line: a.Line})
		}
		r.Health.SRM = srm(r.Arms)
		r.Health.Issues = append(r.Health.Issues, sampleIssues(e, r.Arms, r.Health.SRM)...)
	}
	var groups []segmentRows
	if d != nil && len(e.Segments) > 0 {
		groups = groupSegments(e)
		var segIssues []experiment.Issue
		r.Segments, segIssues = segmentHealth(e, r.Arms, groups)
		r.Health.Issues = append(r.Health.Issues, segIssues...)
	}
	if e.Status == experiment.StatusPlanned {
		r.Planned = planned(e, r.Arms)
		r.Health.Issues = append(r.Health.Issues, plannedIssues(e, r.Planned)...)
	}
	if d == nil || e.Status == experiment.StatusPlanned {
		r.Health.Status = status(r.Health.Issues)
		return r
	}
	k := int64(len(d.Arms))
	primaryAlpha := e.Thresholds.Alpha.DivInt(k - 1)
	c := d.ControlRow()
	for i := range d.Arms {
		if i == d.Control {
			continue
		}
		t := &d.Arms[i]
		cmp := Comparison{Arm: t.Arm, Control: c.Arm, Index: i}
		cmp.Primary = compare(e, &e.Primary, t, c, primaryAlpha)
		adjust(&cmp.Primary, k-1)
		for gi := range e.Guardrails {
			cmp.Guardrails = append(cmp.Guardrails, guardrail(e, &e.Guardrails[gi], t, c))
		}
		for si := range e.Secondary {
			cmp.Secondary = append(cmp.Secondary, compare(e, &e.Secondary[si], t, c, e.Thresholds.Alpha))
		}
		cmp.Power = power(e, &cmp.Primary, t, c, shares(r.Arms, i, d.Control))
		r.Comparisons = append(r.Comparisons, cmp)
	}
	r.Health.Issues = append(r.Health.Issues, planIssues(e, r.Comparisons)...)
	r.Health.Issues = append(r.Health.Issues, sequentialIssues(e, r.Comparisons)...)
	r.Health.Status = status(r.Health.Issues)
	if r.Health.Status == Blocked {
		r.Comparisons = nil
		return r
	}
	if len(groups) > 0 {
		segmentComparisons(e, r, groups, primaryAlpha)
	}
	r.Analyzed = true
	return r
}

func shares(arms []Arm, t, c int) [2]float64 {
	return [2]float64{arms[c].ExpectedShare, arms[t].ExpectedShare}
}

// adjust sets the Bonferroni-adjusted p-value of the primary over m
// comparisons (docs/statistics.md#several-arms).
func adjust(r *Result, m int64) {
	if !r.PValue.OK() {
		r.PAdjusted = r.PValue
		return
	}
	r.PAdjusted = defined(stats.Bonferroni(r.PValue.V, int(m)))
}

func status(issues []experiment.Issue) HealthStatus {
	s := Healthy
	for _, is := range issues {
		switch is.Severity {
		case experiment.SeverityBlocked:
			return Blocked
		case experiment.SeverityWarning:
			s = Warning
		}
	}
	return s
}

func srm(arms []Arm) *SRM {
	users := make([]int64, len(arms))
	share := make([]float64, len(arms))
	for i, a := range arms {
		users[i], share[i] = a.Users, a.ExpectedShare
	}
	chi2, p, df := stats.ChiSquareGOF(users, share)
	return &SRM{Chi2: chi2, PValue: p, DF: df, ExpectedShare: share, Users: users}
}

// splitText renders the arms' users ("control 10000, treatment 10500")
// and their expected split ("50%/50%") for an SRM finding.
func splitText(arms []Arm) (counts, split string) {
	var obs, exp []string
	for _, a := range arms {
		obs = append(obs, fmt.Sprintf("%s %d", a.Name, a.Users))
		exp = append(exp, fmt.Sprintf("%.4g%%", a.ExpectedShare*100))
	}
	return strings.Join(obs, ", "), strings.Join(exp, "/")
}

// sampleIssues returns the SRM and small-sample findings.
func sampleIssues(e *experiment.Experiment, arms []Arm, s *SRM) []experiment.Issue {
	var out []experiment.Issue
	th := e.Thresholds
	d := e.Data
	at := func(sev experiment.Severity, code, msg string, line int) experiment.Issue {
		return experiment.Issue{Severity: sev, Code: code, Message: msg, File: e.DataFile,
			Line: line, Column: "users", Col: d.Columns["users"]}
	}
	counts, split := splitText(arms)
	line := arms[d.Control].Line
	switch {
	case th.SRMBlockedP.FloatBelow(s.PValue):
		out = append(out, at(experiment.SeverityBlocked, experiment.CodeSRMSevere,
			fmt.Sprintf("severe sample ratio mismatch: users %s against an expected %s split, chi-square p = %.2g < %s; the assignment or logging is broken, so no metric can be trusted",
				counts, split, s.PValue, th.SRMBlockedP), line))
	case th.SRMWarningP.FloatBelow(s.PValue):
		out = append(out, at(experiment.SeverityWarning, experiment.CodeSRM,
			fmt.Sprintf("sample ratio mismatch: users %s against an expected %s split, chi-square p = %.2g < %s; check assignment and logging before trusting the result",
				counts, split, s.PValue, th.SRMWarningP), line))
	}
	for _, a := range arms {
		if a.Users < th.MinUsers {
			out = append(out, at(experiment.SeverityWarning, experiment.CodeSmallSample,
				fmt.Sprintf("arm %s has %d users, below min_users %d: the result is fragile", a.Name, a.Users, th.MinUsers), a.Line))
		}
	}
	return out
}

// moved reports whether a change of the given sign moved in (with=true) or
// against (with=false) the desired direction. Zero never moves.
func moved(sign int, desired experiment.Direction, with bool) bool {
	if sign == 0 {
		return false
	}
	up := sign > 0
	if desired == experiment.Decrease {
		up = !up
	}
	return up == with
}
