package memo

import (
	"math"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/experiment"
)

// Forest plot geometry, in SVG user units.
const (
	plotW      = 720.0
	plotX0     = 200.0 // axis start
	plotX1     = 500.0 // axis end
	plotValueX = 510.0 // value text
	plotHeadH  = 18.0  // a metric's header line
	plotRowH   = 22.0  // one arm
	plotScaleH = 16.0  // the axis end labels under a metric
	plotTop    = 22.0
)

// plot is the inline SVG forest plot of the HTML memo: for the primary
// metric and each guardrail, one group of rows, one row per compared arm,
// with the absolute difference and its CI in the metric's unit on one
// scale per metric (so arms compare within a metric), zero, and for a
// guardrail its worsened and severe margins shaded on the harm side. Every
// number is computed here; the template only places them.
type plot struct {
	// Aria describes the plot to a screen reader and Legend is its first
	// line; empty, the template's own for the comparisons' plot.
	Aria, Legend   string
	W, H           float64
	X0, X1, ValueX float64
	Groups         []plotGroup
}

type plotGroup struct {
	Label, Title       string // user strings: escaped by html/template
	YHead              float64
	X0, X1, Zero       float64
	YTop, YBottom      float64
	YScale             float64
	MinLabel, MaxLabel string
	Bands              []plotBand
	Rows               []plotRow
}

type plotRow struct {
	Label, Value, Status string
	Title                string
	Class                string // primary, ok, inconclusive, worsened, severe

	Y, YText, CapTop, CapBottom float64
	Point, Lo, Hi               float64
	HasPoint, HasCI             bool
}

type plotBand struct {
	X, Y, W, H float64
	Class      string // band-worsened, band-severe
}

// plotItem is one arm's result within a metric group.
type plotItem struct {
	arm    string
	r      *analysis.Result
	class  string
	status string
}

func newPlot(rep *analysis.Report) *plot {
	pl := &plot{W: plotW, X0: plotX0, X1: plotX1, ValueX: plotValueX}
	y := plotTop
	m := &rep.Experiment.Primary
	var items []plotItem
	for i := range rep.Comparisons {
		c := &rep.Comparisons[i]
		st := "not significant"
		if c.Primary.Significant {
			st = "significant"
		}
		items = append(items, plotItem{arm: c.Arm, r: &c.Primary, class: "primary", status: st})
	}
	y = pl.group(y, Clip(m.Label, 28)+" (primary)", m, items, 0, 0)
	for gi := range rep.Experiment.Guardrails {
		var items []plotItem
		var w, s float64
		var gm *experiment.Metric
		for i := range rep.Comparisons {
			c := &rep.Comparisons[i]
			if gi >= len(c.Guardrails) {
				continue
			}
			g := &c.Guardrails[gi]
			gm, w, s = g.Metric, g.WorsenedMargin, g.SevereMargin
			items = append(items, plotItem{arm: c.Arm, r: &g.Result, class: string(g.State), status: string(g.State)})
		}
		if gm == nil {
			continue
		}
		y = pl.group(y, Clip(gm.Label, 36), gm, items, w, s)
	}
	pl.H = y + 4
	return pl
}

// group lays out one metric's rows from y and returns the next y. w and s
// are a guardrail's margins in the unit (0 for the primary).
func (pl *plot) group(y float64, label string, m *experiment.Metric, items []plotItem, w, s float64) float64 {
	bad := 0.0 // the harm side's sign; 0: no margins drawn
	if w > 0 || s > 0 {
		bad = 1
		if m.Desired == experiment.Increase {
			bad = -1
		}
	}
	vals := []float64{0, bad * w, bad * s}
	for _, it := range items {
		for _, v := range []analysis.Value{it.r.AbsLift, it.r.CILow, it.r.CIHigh} {
			if ok(v) {
				vals = append(vals, v.V)
			}
		}
	}
	a, z := span(vals)
	sc := scale(a, z)
	g := plotGroup{
		Label: label, Title: label + ": difference against control, in " + unitName(m.Kind),
		YHead: y + 12, X0: plotX0, X1: plotX1, Zero: sc(0),
		MinLabel: fmtDiff(m.Kind, a), MaxLabel: fmtDiff(m.Kind, z),
	}
	y += plotHeadH
	g.YTop = y
	for _, it := range items {
		r := it.r
		row := plotRow{
			Label: Clip(it.arm, 28), Class: it.class, Status: it.status,
			Value: val(r.AbsLift, diffOf(m.Kind)),
			Y:     y + plotRowH/2,
		}
		row.YText, row.CapTop, row.CapBottom = row.Y+4, row.Y-5, row.Y+5
		row.Title = Clip(it.arm, capShort) + ": " + row.Value + ", CI " + ci(r.CILow, r.CIHigh, diffOf(m.Kind)) + ", " + it.status
		if ok(r.AbsLift) {
			row.HasPoint, row.Point = true, sc(r.AbsLift.V)
		}
		if ok(r.CILow) && ok(r.CIHigh) {
			row.HasCI, row.Lo, row.Hi = true, sc(r.CILow.V), sc(r.CIHigh.V)
		}
		g.Rows = append(g.Rows, row)
		y += plotRowH
	}
	g.YBottom = y
	if bad != 0 {
		edge := z
		if bad < 0 {
			edge = a
		}
		g.Bands = []plotBand{
			band(sc(bad*w), sc(bad*s), g.YTop, g.YBottom, "band-worsened"),
			band(sc(bad*s), sc(edge), g.YTop, g.YBottom, "band-severe"),
		}
	}
	g.YScale = y + 11
	y += plotScaleH
	pl.Groups = append(pl.Groups, g)
	return y
}

func unitName(k experiment.Kind) string {
	if s := k.Spec(); s != nil {
		switch s.Unit {
		case experiment.UnitRate:
			return "percentage points"
		case experiment.UnitPerUser:
			return "events per user"
		}
	}
	return "the metric's unit"
}

// span returns a padded range covering the values.
func span(vals []float64) (float64, float64) {
	a, z := 0.0, 0.0
	for _, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		a, z = math.Min(a, v), math.Max(z, v)
	}
	if z-a == 0 {
		return -1e-3, 1e-3
	}
	pad := (z - a) * 0.1
	return a - pad, z + pad
}

// scale maps [a, z] onto the axis, rounded to 0.1 units.
func scale(a, z float64) func(float64) float64 {
	return func(v float64) float64 {
		x := plotX0 + (v-a)/(z-a)*(plotX1-plotX0)
		x = math.Min(math.Max(x, plotX0), plotX1)
		return math.Round(x*10) / 10
	}
}

func band(x1, x2, y0, y1 float64, class string) plotBand {
	if x2 < x1 {
		x1, x2 = x2, x1
	}
	return plotBand{X: x1, W: math.Round((x2-x1)*10) / 10, Y: y0, H: y1 - y0, Class: class}
}
