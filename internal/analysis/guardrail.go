package analysis

import (
	"math"
	"math/big"

	"github.com/experimentos/experimentos/internal/experiment"
)

// GuardrailState is a guardrail's verdict for one comparison
// (docs/rules.md#guardrail-states).
type GuardrailState string

// Guardrail states.
const (
	StateOK           GuardrailState = "ok"
	StateInconclusive GuardrailState = "inconclusive"
	StateWorsened     GuardrailState = "worsened"
	StateSevere       GuardrailState = "severe"
)

// Guardrail is one guardrail metric's result for one comparison.
type Guardrail struct {
	Result
	State GuardrailState
	// WorsenedMargin and SevereMargin are the margins in the metric's unit
	// (a relative margin times the control value); NaN-free.
	WorsenedMargin, SevereMargin float64
	// SignificantHarm reports a harm with p < α, whatever its size: with
	// State ok it is a significant harm within the margin.
	SignificantHarm bool
}

// Flagged reports whether the guardrail is worsened or severe.
func (g *Guardrail) Flagged() bool { return g.State == StateWorsened || g.State == StateSevere }

// StateMargin is the margin the guardrail's state passed, as written and in
// the metric's unit: the severe one for a severe guardrail, else the
// worsened one.
func (g *Guardrail) StateMargin() (experiment.Margin, float64) {
	if g.State == StateSevere {
		return g.Metric.Severe, g.SevereMargin
	}
	return g.Metric.Worsened, g.WorsenedMargin
}

// guardrail compares guardrail m at α and sets its state: worsened is a
// harm that is significant and beyond the worsened margin; severe the same
// beyond the severe margin; inconclusive when not worsened but the CI's
// harm-side bound lies beyond the worsened margin; else ok. Margins compare
// exactly in rational arithmetic (docs/rules.md#guardrail-states); a CUPED
// guardrail's adjusted difference, which is no ratio of the sums as written,
// compares in floating point.
func guardrail(e *experiment.Experiment, m *experiment.Metric, t, c *experiment.Row) Guardrail {
	g := Guardrail{Result: compare(e, m, t, c, e.Thresholds.Alpha)}
	setState(&g, m, t, c)
	return g
}

// setState sets a guardrail's margins in the unit and its state from its
// Significant verdict (p < α overall; q < α in a segment).
func setState(g *Guardrail, m *experiment.Metric, t, c *experiment.Row) {
	g.WorsenedMargin = marginValue(m.Worsened, g.ControlValue)
	g.SevereMargin = marginValue(m.Severe, g.ControlValue)
	harm := g.Harmed()
	g.SignificantHarm = harm && g.Significant
	exceeds := func(mg experiment.Margin) bool {
		if g.CUPED != nil {
			return cupedBeyond(g, mg)
		}
		return beyond(m, t, c, mg)
	}
	switch {
	case g.SignificantHarm && exceeds(m.Severe):
		g.State = StateSevere
	case g.SignificantHarm && exceeds(m.Worsened):
		g.State = StateWorsened
	case harmBoundBeyond(&g.Result, g.WorsenedMargin):
		g.State = StateInconclusive
	default:
		g.State = StateOK
	}
}

// marginValue is a margin in the metric's unit.
func marginValue(mg experiment.Margin, control float64) float64 {
	if mg.Relative {
		return mg.Value.Float64() * math.Abs(control)
	}
	return mg.Value.Float64()
}

// beyond reports whether |value_t − value_c| > margin exactly: an absolute
// margin as written, or a relative one times |value_c|. A ratio whose
// denominator sums to 0 is never beyond.
func beyond(m *experiment.Metric, t, c *experiment.Row, mg experiment.Margin) bool {
	vt, okT := exactValue(m, t.Moment(m.Name), t.Users)
	vc, okC := exactValue(m, c.Moment(m.Name), c.Users)
	if !okT || !okC {
		return false
	}
	d := new(big.Rat).Sub(vt, vc)
	d.Abs(d)
	limit := mg.Value.Rat()
	if mg.Relative {
		limit.Mul(limit, new(big.Rat).Abs(vc))
	}
	return d.Cmp(limit) > 0
}

// harmBoundBeyond reports whether the CI's bound on the harm side lies
// beyond the margin: the data cannot rule out a harm larger than it. With
// no CI (no variance in either arm) the difference itself is the bound.
func harmBoundBeyond(r *Result, margin float64) bool {
	lo, hi := r.CILow, r.CIHigh
	if !lo.OK() || !hi.OK() {
		if !r.AbsLift.OK() {
			return true // nothing rules a harm out
		}
		lo, hi = r.AbsLift, r.AbsLift
	}
	if r.Metric.Desired == experiment.Decrease {
		return hi.V > margin
	}
	return lo.V < -margin
}
