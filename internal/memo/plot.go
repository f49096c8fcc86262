package memo

import (
	"math"
	"strconv"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/experiment"
)

// Forest plot geometry, in SVG user units.
const (
	plotW      = 720.0
	plotLabelW = 190.0 // label column
	plotX0     = 200.0 // axis start
	plotX1     = 500.0 // axis end
	plotValueX = 510.0 // value text
	plotRowH   = 38.0
	plotTop    = 22.0
)

// plot is the inline SVG forest plot of the HTML memo: the primary's
// absolute lift with its CI, and each guardrail's delta with its worsened
// and severe thresholds shaded on the bad side. Each row has its own scale
// (the units differ: percentage points, events per user), so every row
// carries its own zero line and end labels. Every number is computed here;
// the template only places them.
type plot struct {
	W, H float64
	Rows []plotRow
}

type plotRow struct {
	Label, Value, Status string // Label is a user string: escaped by html/template
	Title                string // accessible description
	Class                string // primary, ok, worsened, severe

	Y, YText, YTop, YBottom, YScale float64
	CapTop, CapBottom               float64
	X0, X1, ValueX                  float64 // axis ends, value text
	MinLabel, MaxLabel              string  // the axis ends' values
	Zero, Point                     float64
	HasPoint, HasCI                 bool
	Lo, Hi                          float64
	Bands                           []plotBand
}

type plotBand struct {
	X, Y, W, H float64
	Class      string // band-worsened, band-severe
}

func newPlot(rep *analysis.Report) *plot {
	p := rep.Primary
	pl := &plot{W: plotW}
	y := plotTop
	add := func(r plotRow) {
		r.Y = y + 14
		r.YText = r.Y + 4
		r.YTop, r.YBottom = y+3, y+25
		r.CapTop, r.CapBottom = r.Y-5, r.Y+5
		r.YScale = y + 34
		r.ValueX = plotValueX
		for i := range r.Bands {
			r.Bands[i].Y, r.Bands[i].H = r.YTop, r.YBottom-r.YTop
		}
		r.HasPoint = !math.IsNaN(r.Point)
		if !r.HasPoint {
			r.Point = r.Zero
		}
		pl.Rows = append(pl.Rows, r)
		y += plotRowH
	}
	// Primary: absolute lift in percentage points.
	{
		vals := []float64{0, p.AbsLift}
		lo, hi := finite(p.CILow), finite(p.CIHigh)
		if lo != nil && hi != nil {
			vals = append(vals, *lo, *hi)
		}
		a, z := span(vals)
		sc := scale(a, z)
		r := plotRow{
			Label: Clip(p.Label, 22) + " (abs lift)", Value: fmtPP(p.AbsLift),
			X0: plotX0, X1: plotX1, Zero: sc(0), Point: sc(p.AbsLift), Class: "primary",
			MinLabel: ppNum(a) + " pp", MaxLabel: ppNum(z) + " pp", Status: "not significant",
		}
		if p.Significant {
			r.Status = "significant"
		}
		if lo != nil && hi != nil {
			r.HasCI, r.Lo, r.Hi = true, sc(*lo), sc(*hi)
			r.Title = "absolute lift " + fmtPP(p.AbsLift) + ", CI " + ppNum(*lo) + " to " + ppNum(*hi) + " pp"
		} else {
			r.Title = "absolute lift " + fmtPP(p.AbsLift) + ", CI n/a"
		}
		add(r)
	}
	for _, g := range rep.Guardrails {
		w, s := g.WorsenedThreshold.Float64(), g.SevereThreshold.Float64()
		bad := 1.0 // bad side is positive when a decrease is desired
		if g.Desired == experiment.Increase {
			bad = -1
		}
		a, z := span([]float64{0, g.Delta, bad * w, bad * s})
		sc := scale(a, z)
		r := plotRow{
			Label: Clip(g.Label, 32), Value: fmtDelta(g),
			X0: plotX0, X1: plotX1, Zero: sc(0), Point: sc(g.Delta), Class: guardWord(g), Status: guardBadge(g),
			Title: Clip(g.Label, capShort) + ": delta " + fmtDelta(g) + ", " + guardWord(g),
		}
		if g.Type == experiment.MetricEvents {
			r.MinLabel, r.MaxLabel = fmtG(a)+" /user", fmtG(z)+" /user"
		} else {
			r.MinLabel, r.MaxLabel = ppNum(a)+" pp", ppNum(z)+" pp"
		}
		edge := z
		if bad < 0 {
			edge = a
		}
		r.Bands = append(r.Bands, band(sc(bad*w), sc(bad*s), "band-worsened"), band(sc(bad*s), sc(edge), "band-severe"))
		add(r)
	}
	pl.H = y + 8
	return pl
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
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return math.NaN()
		}
		x := plotX0 + (v-a)/(z-a)*(plotX1-plotX0)
		x = math.Min(math.Max(x, plotX0), plotX1)
		return math.Round(x*10) / 10
	}
}

func band(x1, x2 float64, class string) plotBand {
	if x2 < x1 {
		x1, x2 = x2, x1
	}
	return plotBand{X: x1, W: math.Round((x2-x1)*10) / 10, Class: class}
}

func fmtG(x float64) string { return strconv.FormatFloat(x, 'g', 3, 64) }
