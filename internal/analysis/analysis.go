// Package analysis turns a loaded Experiment into a Report: the Health Check
// (load issues, sample ratio mismatch, sample size), the primary metric's
// lift with its confidence intervals and p-value, every guardrail, and the
// power figures that say how much more data would settle a Hold.
//
// It is pure: no I/O, no clock. Undefined statistics are nil with a reason
// in the Nulls map, never NaN or Inf.
package analysis

import (
	"fmt"
	"math"
	"math/big"

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

// Test names the significance test used for a metric.
type Test string

// Tests.
const (
	TestZ       Test = "z"       // pooled two-proportion z-test
	TestFisher  Test = "fisher"  // Fisher's exact test
	TestPoisson Test = "poisson" // exact conditional binomial test of rates
)

// Report is the analysis of one experiment.
type Report struct {
	Experiment *experiment.Experiment
	// Analyzed is false for planned experiments and when health is blocked.
	Analyzed   bool
	Health     Health
	Primary    *Primary
	Guardrails []Guardrail
}

// Health is the Health Check result.
type Health struct {
	Status HealthStatus
	SRM    *SRM
	Issues []experiment.Issue
}

// SRM is the sample ratio mismatch test: Pearson's chi-square goodness of
// fit of the arms' users against the expected split.
type SRM struct {
	Chi2          float64
	PValue        float64
	ExpectedShare [2]float64 // control, treatment
	Users         [2]int64   // control, treatment
}

// Primary is the primary metric's result.
type Primary struct {
	Metric         string
	Label          string
	Desired        experiment.Direction
	Test           Test
	CIMethod       experiment.CIMethod
	ControlUsers   int64
	TreatmentUsers int64
	ControlCount   int64
	TreatmentCount int64
	ControlRate    float64
	TreatmentRate  float64
	AbsLift        float64
	RelLift        *float64
	CILow          *float64
	CIHigh         *float64
	RelCILow       *float64
	RelCIHigh      *float64
	PValue         *float64
	Significant    bool
	// Nulls says why a null statistic is null, by its JSON key.
	Nulls map[string]string
	Power *Power
}

// Improved reports whether the treatment moved the primary metric in its
// desired direction (a zero lift never does).
func (p *Primary) Improved() bool {
	return moved(exactSign(p.TreatmentCount, p.TreatmentUsers, p.ControlCount, p.ControlUsers), p.Desired, true)
}

// Worsened reports whether the treatment moved against the desired direction.
func (p *Primary) Worsened() bool {
	return moved(exactSign(p.TreatmentCount, p.TreatmentUsers, p.ControlCount, p.ControlUsers), p.Desired, false)
}

// CIExcludesZero reports whether the CI of the absolute lift excludes 0, and
// whether that is known at all.
func (p *Primary) CIExcludesZero() (excludes, known bool) {
	if p.CILow == nil || p.CIHigh == nil {
		return false, false
	}
	return *p.CILow > 0 || *p.CIHigh < 0, true
}

// Power holds the sample size needed for 80% power and what it means for
// this experiment (docs/statistics.md#power).
type Power struct {
	// Basis is "plan" when plan.mde set the target rate, else "observed".
	Basis      string
	TargetRate float64
	// Required users per arm (nil when the effect is zero).
	RequiredControl   *float64
	RequiredTreatment *float64
	// Additional users per arm beyond those observed.
	AdditionalControl   *int64
	AdditionalTreatment *int64
	// AdditionalDays at the observed traffic, when both dates are set.
	AdditionalDays *float64
	Reason         string
}

// Guardrail is one guardrail metric's result.
type Guardrail struct {
	Metric            string
	Label             string
	Type              experiment.MetricType
	Desired           experiment.Direction
	Test              Test
	ControlCount      int64
	TreatmentCount    int64
	ControlRate       float64
	TreatmentRate     float64
	Delta             float64
	PValue            *float64
	Worsened          bool
	Severe            bool
	WorsenedThreshold experiment.Decimal
	SevereThreshold   experiment.Decimal
	Nulls             map[string]string
}

// Analyze runs the Health Check and, when health is not blocked and the
// experiment is not planned, the primary and guardrail analyses.
func Analyze(e *experiment.Experiment) *Report {
	r := &Report{Experiment: e, Guardrails: []Guardrail{}}
	r.Health.Issues = append([]experiment.Issue{}, e.Issues...)
	if d := e.Data; d != nil {
		r.Health.SRM = srm(e, d)
		r.Health.Issues = append(r.Health.Issues, sampleIssues(e, d, r.Health.SRM)...)
	}
	r.Health.Status = status(r.Health.Issues)
	if e.Status == experiment.StatusPlanned || r.Health.Status == Blocked || e.Data == nil {
		return r
	}
	r.Analyzed = true
	r.Primary = primary(e, e.Data)
	for _, m := range e.Guardrails {
		r.Guardrails = append(r.Guardrails, guardrail(e, e.Data, m))
	}
	return r
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

func srm(e *experiment.Experiment, d *experiment.Data) *SRM {
	shares := e.Split.Shares()
	users := [2]int64{d.Control.Users, d.Treatment.Users}
	chi2, p := stats.ChiSquareGOF(users, shares)
	return &SRM{Chi2: chi2, PValue: p, ExpectedShare: shares, Users: users}
}

// sampleIssues returns the SRM and small-sample findings.
func sampleIssues(e *experiment.Experiment, d *experiment.Data, s *SRM) []experiment.Issue {
	var out []experiment.Issue
	th := e.Thresholds
	at := func(sev experiment.Severity, code, msg string, line int) experiment.Issue {
		return experiment.Issue{Severity: sev, Code: code, Message: msg, File: e.DataFile,
			Line: line, Column: "users", Col: d.Columns["users"]}
	}
	split := fmt.Sprintf("%g/%g", e.Split.Control, e.Split.Treatment)
	switch {
	case th.SRMBlockedP.FloatBelow(s.PValue):
		out = append(out, at(experiment.SeverityBlocked, experiment.CodeSRMSevere,
			fmt.Sprintf("severe sample ratio mismatch: users %d vs %d against an expected %s split, chi-square p = %s < %s; the assignment or logging is broken, so no metric can be trusted",
				s.Users[0], s.Users[1], split, FormatP(s.PValue), th.SRMBlockedP), d.Control.Line))
	case th.SRMWarningP.FloatBelow(s.PValue):
		out = append(out, at(experiment.SeverityWarning, experiment.CodeSRM,
			fmt.Sprintf("sample ratio mismatch: users %d vs %d against an expected %s split, chi-square p = %s < %s; check assignment and logging before trusting the result",
				s.Users[0], s.Users[1], split, FormatP(s.PValue), th.SRMWarningP), d.Control.Line))
	}
	for _, arm := range []struct {
		name string
		a    experiment.Arm
	}{{"control", d.Control}, {"treatment", d.Treatment}} {
		if arm.a.Users < th.MinUsers {
			out = append(out, at(experiment.SeverityWarning, experiment.CodeSmallSample,
				fmt.Sprintf("the %s arm has %d users, below min_users %d: the result is fragile", arm.name, arm.a.Users, th.MinUsers), arm.a.Line))
		}
	}
	return out
}

func primary(e *experiment.Experiment, d *experiment.Data) *Primary {
	m := e.Primary
	xt, nt := d.Treatment.Counts[m.Column], d.Treatment.Users
	xc, nc := d.Control.Counts[m.Column], d.Control.Users
	alpha := e.Thresholds.Alpha.Float64()
	p := &Primary{
		Metric: m.Column, Label: m.Label, Desired: m.Desired, CIMethod: e.Thresholds.CIMethod,
		ControlUsers: nc, TreatmentUsers: nt, ControlCount: xc, TreatmentCount: xt,
		ControlRate: rate(xc, nc), TreatmentRate: rate(xt, nt),
		Nulls: map[string]string{},
	}
	p.AbsLift = p.TreatmentRate - p.ControlRate
	p.Test, p.PValue = proportionTest(xt, nt, xc, nc, p.Nulls)
	p.Significant = p.PValue != nil && e.Thresholds.Alpha.FloatBelow(*p.PValue)

	switch e.Thresholds.CIMethod {
	case experiment.CIWald:
		if lo, hi, ok := stats.WaldDiff(xt, nt, xc, nc, alpha); ok {
			p.CILow, p.CIHigh = &lo, &hi
		} else {
			p.Nulls["ci_low"] = "the Wald interval has zero width: both arms are at a rate of 0 or 1"
			p.Nulls["ci_high"] = p.Nulls["ci_low"]
		}
	default:
		lo, hi := stats.NewcombeDiff(xt, nt, xc, nc, alpha)
		p.CILow, p.CIHigh = &lo, &hi
	}

	rel, lo, hi, relOK, ciOK := stats.RelLift(xt, nt, xc, nc, alpha)
	if relOK {
		p.RelLift = &rel
	} else {
		p.Nulls["rel_lift"] = "the control rate is 0, so a relative lift is undefined"
	}
	if ciOK {
		p.RelCILow, p.RelCIHigh = &lo, &hi
	} else {
		why := "the delta-method variance is 0 (both arms at a rate of 0 or 1)"
		if !relOK {
			why = p.Nulls["rel_lift"]
		}
		p.Nulls["rel_ci_low"], p.Nulls["rel_ci_high"] = why, why
	}
	p.Power = power(e, p)
	if len(p.Nulls) == 0 {
		p.Nulls = nil
	}
	return p
}

// proportionTest picks the test by Cochran's rule and returns its p-value,
// recording why when it is undefined.
func proportionTest(xt, nt, xc, nc int64, nulls map[string]string) (Test, *float64) {
	if stats.UseFisher(xt, nt, xc, nc) {
		pv := stats.FisherExact(xt, nt, xc, nc)
		return TestFisher, &pv
	}
	if _, pv, ok := stats.ZTest(xt, nt, xc, nc); ok {
		return TestZ, &pv
	}
	nulls["p_value"] = "the pooled variance is 0 (every user in both arms has the same outcome), so the z-test is undefined"
	return TestZ, nil
}

func power(e *experiment.Experiment, p *Primary) *Power {
	pw := &Power{Basis: "observed", TargetRate: p.TreatmentRate}
	if e.Plan.MDE != nil {
		pw.Basis = "plan"
		pw.TargetRate = p.ControlRate * (1 + *e.Plan.MDE)
	}
	alpha := e.Thresholds.Alpha.Float64()
	nc, nt, ok := stats.PowerUsersPerArm(p.ControlRate, pw.TargetRate, alpha, e.Split.Control, e.Split.Treatment)
	if !ok {
		if pw.Basis == "plan" {
			pw.Reason = "the planned effect is zero or out of range at this control rate"
		} else {
			pw.Reason = "the observed effect is zero, so no sample size detects it"
		}
		return pw
	}
	pw.RequiredControl, pw.RequiredTreatment = &nc, &nt
	ac := additional(nc, p.ControlUsers)
	at := additional(nt, p.TreatmentUsers)
	pw.AdditionalControl, pw.AdditionalTreatment = &ac, &at
	if days := e.Days(); days > 0 {
		// Days at the observed per-arm daily traffic; the slower arm decides.
		dc := float64(ac) / (float64(p.ControlUsers) / float64(days))
		dt := float64(at) / (float64(p.TreatmentUsers) / float64(days))
		d := math.Max(dc, dt)
		pw.AdditionalDays = &d
	}
	return pw
}

// additional is max(0, ceil(required) − observed), saturating for absurd
// requirements so that it never overflows.
func additional(required float64, observed int64) int64 {
	c := math.Ceil(required)
	if c >= math.MaxInt64/2 {
		return math.MaxInt64 / 2
	}
	return max(0, int64(c)-observed)
}

func guardrail(e *experiment.Experiment, d *experiment.Data, m experiment.Metric) Guardrail {
	xt, nt := d.Treatment.Counts[m.Column], d.Treatment.Users
	xc, nc := d.Control.Counts[m.Column], d.Control.Users
	g := Guardrail{
		Metric: m.Column, Label: m.Label, Type: m.Type, Desired: m.Desired,
		ControlCount: xc, TreatmentCount: xt,
		ControlRate: rate(xc, nc), TreatmentRate: rate(xt, nt),
		WorsenedThreshold: m.Worsened, SevereThreshold: m.Severe,
		Nulls: map[string]string{},
	}
	g.Delta = g.TreatmentRate - g.ControlRate
	if m.Type == experiment.MetricEvents {
		g.Test = TestPoisson
		if pv, ok := stats.PoissonRateTest(xt, nt, xc, nc); ok {
			g.PValue = &pv
		} else {
			g.Nulls["p_value"] = "no events in either arm"
		}
	} else {
		g.Test, g.PValue = proportionTest(xt, nt, xc, nc, g.Nulls)
	}
	significant := g.PValue != nil && e.Thresholds.Alpha.FloatBelow(*g.PValue)
	against := moved(exactSign(xt, nt, xc, nc), m.Desired, false)
	g.Worsened = against && (beyond(xt, nt, xc, nc, m.Worsened) || significant)
	g.Severe = against && beyond(xt, nt, xc, nc, m.Severe) && significant
	if len(g.Nulls) == 0 {
		g.Nulls = nil
	}
	return g
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

// exactSign is the sign of xt/nt − xc/nc computed exactly.
func exactSign(xt, nt, xc, nc int64) int {
	l := new(big.Int).Mul(big.NewInt(xt), big.NewInt(nc))
	r := new(big.Int).Mul(big.NewInt(xc), big.NewInt(nt))
	return l.Cmp(r)
}

// beyond reports whether |xt/nt − xc/nc| > threshold, exactly:
// |xt·nc − xc·nt| > threshold·nt·nc in rational arithmetic
// (docs/rules.md#exact-comparisons).
func beyond(xt, nt, xc, nc int64, threshold experiment.Decimal) bool {
	diff := new(big.Int).Sub(
		new(big.Int).Mul(big.NewInt(xt), big.NewInt(nc)),
		new(big.Int).Mul(big.NewInt(xc), big.NewInt(nt)))
	diff.Abs(diff)
	lhs := new(big.Rat).SetInt(diff)
	rhs := threshold.Rat()
	rhs.Mul(rhs, new(big.Rat).SetInt(new(big.Int).Mul(big.NewInt(nt), big.NewInt(nc))))
	return lhs.Cmp(rhs) > 0
}

func rate(x, n int64) float64 {
	if n <= 0 {
		return 0
	}
	return float64(x) / float64(n)
}

// FormatP renders a p-value for people: 4 significant digits, scientific
// below 0.0001.
func FormatP(p float64) string {
	if p < 1e-4 {
		return fmt.Sprintf("%.2g", p)
	}
	return fmt.Sprintf("%.4g", p)
}

// FormatPP renders a rate difference in percentage points ("+1.13 pp").
func FormatPP(delta float64) string {
	return fmt.Sprintf("%+.2f pp", delta*100)
}

// FormatDelta renders a guardrail's delta in its unit: percentage points for
// proportions, events per user for event counts.
func (g *Guardrail) FormatDelta() string {
	if g.Type == experiment.MetricEvents {
		return fmt.Sprintf("%+.4g events/user", g.Delta)
	}
	return FormatPP(g.Delta)
}

// FormatThreshold renders a threshold in the guardrail's unit.
func (g *Guardrail) FormatThreshold(d experiment.Decimal) string {
	if g.Type == experiment.MetricEvents {
		return d.String() + " events/user"
	}
	return fmt.Sprintf("%.4g pp", d.Float64()*100)
}
