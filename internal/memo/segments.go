package memo

import (
	"cmp"
	"fmt"
	"math"
	"strings"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/format"
)

// This file renders segments (docs/memo.md#segments): a table and a forest
// plot per segment column, the flags a guardrail worsened in a segment
// raises, and the Risks when segments disagree with the total. Every
// sentence is true for the numbers printed with it; a function returns
// nothing when its condition does not hold.

// segmentColumns groups the report's segments by column, in segments:
// order.
func segmentColumns(rep *analysis.Report) [][]*analysis.Segment {
	var out [][]*analysis.Segment
	for i := range rep.Segments {
		s := &rep.Segments[i]
		if len(out) == 0 || out[len(out)-1][0].Column != s.Column {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], s)
	}
	return out
}

// segmentSections is one table per segment column: a row per value and
// compared arm, with the users of every arm and the SRM p on the value's
// first row, the primary lift with its CI and q, and the guardrails
// flagged in the value.
func segmentSections(rep *analysis.Report) []*section {
	e := rep.Experiment
	m := &e.Primary
	cols := segmentColumns(rep)
	if len(cols) == 0 || len(rep.Comparisons) == 0 {
		return nil
	}
	var out []*section
	ap := primaryAlpha(rep)
	nvalues := len(rep.Segments)
	var names []string
	for _, a := range rep.Arms {
		names = append(names, Clip(a.Name, capShort))
	}
	for _, segs := range cols {
		col := Clip(segs[0].Column, capShort)
		s := &section{Title: "Segments by " + col + " (exploratory)"}
		head := []string{col, "Users (" + strings.Join(names, " / ") + ")", "SRM p"}
		align := []string{"", "r", "r"}
		multi := len(rep.Comparisons) > 1
		if multi {
			head = append(head, "Arm")
			align = append(align, "")
		}
		head = append(head, Clip(m.Label, capShort)+" lift ("+confidence(ap)+" CI)", "Rel lift", "q", "Guardrail flags")
		align = append(align, "r", "r", "r", "")
		t := &table{Head: head, Align: align}
		var n notes
		for _, sg := range segs {
			for ci := range sg.Comparisons {
				sc := &sg.Comparisons[ci]
				value, users, srmP := "", "", ""
				if ci == 0 {
					value = segmentValue(sg.Value)
					var us []string
					for _, a := range sg.Arms {
						us = append(us, format.Count(a.Users))
					}
					users = strings.Join(us, " / ")
					srmP = fmtP(sg.SRM.PValue)
					if sg.SRMThreshold.FloatBelow(sg.SRM.PValue) {
						srmP += " ⚠️"
					}
				}
				row := []string{value, users, srmP}
				if multi {
					row = append(row, Clip(sc.Arm, capShort))
				}
				p := &sc.Primary
				row = append(row, liftCI(&p.Result), val(p.RelLift, format.Rel), pOf(p.Q), guardFlags(sc))
				t.Rows = append(t.Rows, row)
				n.null(col+"="+segmentValue(sg.Value)+" arm "+Clip(sc.Arm, capShort), &p.Result, "abs lift", "CI", "rel lift")
			}
		}
		s.Table, s.Notes = t, n.all()
		guards := len(e.Guardrails)
		if len(out) > 0 {
			s.Intro = fmt.Sprintf("Each %s value sums its cells over the other segment columns; q, the ⚠️ on SRM p (below %s ÷ %d) and the flags as in the %s table above.",
				col, e.Thresholds.SRMWarningP, segs[0].Values, Clip(cols[0][0].Column, capShort))
			out = append(out, s)
			continue
		}
		s.Intro = fmt.Sprintf("Each %s value sums its cells over the other segment columns. q is the Benjamini–Hochberg q-value over the %d segment %s of the comparison (guardrails: %d %s × %d %s together); a lift is significant when q < %s. SRM p is flagged ⚠️ below %s ÷ %d (Bonferroni over the %s values). Exploratory: only a guardrail worsened beyond its margin with q < %s decides (rule 5, a hold to investigate).",
			col, nvalues, plural(nvalues, "value", "values"), nvalues, plural(nvalues, "value", "values"), guards, plural(guards, "guardrail", "guardrails"),
			alphaStr(ap), e.Thresholds.SRMWarningP, segs[0].Values, col, e.Thresholds.Alpha)
		out = append(out, s)
	}
	return out
}

// segmentValue shows an empty value as "(empty)".
func segmentValue(v string) string {
	if v == "" {
		return "(empty)"
	}
	return Clip(v, capShort)
}

// guardFlags lists the guardrails worsened or severe in one segment and
// comparison, "—" when none is.
func guardFlags(sc *analysis.SegmentComparison) string {
	var out []string
	for gi := range sc.Guardrails {
		g := &sc.Guardrails[gi]
		if !g.Flagged() {
			continue
		}
		out = append(out, fmt.Sprintf("%s %s %s (q = %s)", stateBadge(g.State), Clip(g.Metric.Label, capShort),
			val(g.AbsLift, diffOf(g.Metric.Kind)), pOf(g.Q)))
	}
	if len(out) == 0 {
		return "—"
	}
	return strings.Join(out, "; ")
}

// maxSegmentLines caps the segment flags listed in the Decision's "why
// hold", under Next Actions and in the PR comment; the segment tables
// list every one.
const maxSegmentLines = 10

// capLines keeps the first maxSegmentLines lines and counts the rest.
func capLines(lines []string, what string) []string {
	if len(lines) <= maxSegmentLines {
		return lines
	}
	n := len(lines) - maxSegmentLines
	return append(lines[:maxSegmentLines:maxSegmentLines], fmt.Sprintf("…and %d more %s, listed in the segment tables.", n, what))
}

// segmentFlags is segmentFlagLines capped.
func segmentFlags(rep *analysis.Report) []string {
	return capLines(segmentFlagLines(rep), "guardrails worsened in a segment")
}

// segmentFlagLines names each guardrail worsened or severe in a segment,
// for the Decision's "why hold" and the PR comment.
func segmentFlagLines(rep *analysis.Report) []string {
	var out []string
	for ci := range rep.Comparisons {
		for _, f := range rep.SegmentFlags(ci) {
			g := f.Guardrail
			k := g.Metric.Kind
			mg, margin := g.StateMargin()
			out = append(out, fmt.Sprintf("guardrail %s %s in segment %s, arm %s: %s against control (%s vs %s), beyond the %s margin %s, Benjamini–Hochberg q = %s < %s",
				Clip(g.Metric.Label, capShort), g.State, segmentName(f.Segment), Clip(rep.Comparisons[ci].Arm, capShort),
				val(g.AbsLift, diffOf(k)), fmtValue(k, g.TreatmentValue), fmtValue(k, g.ControlValue),
				g.State, format.Margin(k, mg, margin), pOf(g.Q), alphaStr(g.Alpha)))
		}
	}
	return out
}

func segmentName(s *analysis.Segment) string {
	return Clip(s.Column, capShort) + "=" + segmentValue(s.Value)
}

// segmentSRMLines names each segment whose SRM raised segment_srm.
func segmentSRMLines(rep *analysis.Report) []string {
	var out []string
	for i := range rep.Segments {
		s := &rep.Segments[i]
		if s.SRMThreshold.FloatBelow(s.SRM.PValue) {
			out = append(out, fmt.Sprintf("sample ratio mismatch within segment %s (p = %s < %s ÷ %d)",
				segmentName(s), fmtP(s.SRM.PValue), rep.Experiment.Thresholds.SRMWarningP, s.Values))
		}
	}
	return out
}

// commentSegments is what the PR comment says of segments: the flags,
// and where the tables are.
func commentSegments(rep *analysis.Report, m Meta) []string {
	if len(rep.Segments) == 0 || len(rep.Comparisons) == 0 {
		return nil
	}
	cols := segmentColumns(rep)
	var names []string
	for _, c := range cols {
		names = append(names, fmt.Sprintf("%s (%d %s)", Clip(c[0].Column, capShort), len(c), plural(len(c), "value", "values")))
	}
	out := []string{fmt.Sprintf("Segments by %s: the tables and forest plots are in the memo (memo.md, memo.html) in %s.",
		strings.Join(names, ", "), runRefPlain(runURL(m)))}
	flags := append(segmentFlags(rep), capLines(segmentSRMLines(rep), "segment sample ratio mismatches")...)
	if len(flags) == 0 {
		out = append(out, "No guardrail worsened in a segment and no segment's split is off.")
	}
	return append(out, flags...)
}

func runRefPlain(url string) string {
	if url == "" {
		return "the workflow run's artifact"
	}
	return "the workflow run's artifact (" + url + ")"
}

// ---- Risks ----

// riskSegments: segments that disagree with a significant total
// (Simpson's paradox), one segment that carries most of the effect, and
// what segment results are.
func riskSegments(r decision.Result) []string {
	rep := r.Report
	if !analyzed(r) || len(rep.Segments) == 0 {
		return nil
	}
	var out []string
	cols := segmentColumns(rep)
	for ci := range rep.Comparisons {
		c := &rep.Comparisons[ci]
		for _, segs := range cols {
			if s := simpson(rep, c, ci, segs); s != "" {
				out = append(out, s)
			}
			if s := concentrated(rep, c, ci, segs); s != "" {
				out = append(out, s)
			}
		}
	}
	srm := segmentSRMLines(rep)
	for i, l := range srm {
		if i == maxSegmentLines {
			out = append(out, fmt.Sprintf("…and %d more segment sample ratio mismatches, listed under Health.", len(srm)-i))
			break
		}
		out = append(out, "There is a "+l+": that segment's arms may differ in who they contain, so its results may be biased; the segment SRM is exploratory and does not hold the decision.")
	}
	out = append(out, fmt.Sprintf("Segment results are exploratory (%d %s over %d segment %s, Benjamini–Hochberg q-values): only a guardrail worsened in a segment with q < %s changes the decision (rule 5).",
		len(rep.Segments), plural(len(rep.Segments), "value", "values"), len(cols), plural(len(cols), "column", "columns"), rep.Experiment.Thresholds.Alpha))
	return out
}

// segmentOf returns the comparison ci within segment s.
func segmentOf(s *analysis.Segment, ci int) *analysis.SegmentComparison {
	for k := range s.Comparisons {
		if s.Comparisons[k].Index == ci {
			return &s.Comparisons[k]
		}
	}
	return nil
}

// simpson is the Simpson's paradox Risk: the total's primary is
// significant, and every value of the column has a defined estimate on
// the other side of zero. For a per-user metric the total is the values'
// estimates weighted by each arm's own users (for a ratio, by its
// denominator), so this happens only when the arms' mix across the values
// differs.
func simpson(rep *analysis.Report, c *analysis.Comparison, ci int, segs []*analysis.Segment) string {
	p := &c.Primary
	if !p.Significant || !ok(p.AbsLift) || len(segs) < 2 {
		return ""
	}
	total := cmp.Compare(p.AbsLift.V, 0)
	if total == 0 {
		return ""
	}
	var parts []string
	for _, s := range segs {
		sc := segmentOf(s, ci)
		if sc == nil || !ok(sc.Primary.AbsLift) || cmp.Compare(sc.Primary.AbsLift.V, 0) != -total {
			return ""
		}
		parts = append(parts, segmentValue(s.Value)+" "+fmtDiff(p.Metric.Kind, sc.Primary.AbsLift.V))
	}
	side := "negative"
	if total < 0 {
		side = "positive"
	}
	mix := "users"
	if p.Metric.Kind == experiment.KindRatio {
		mix = Clip(p.Metric.Denominator, capShort)
	}
	col := Clip(segs[0].Column, capShort)
	return fmt.Sprintf("Segments disagree with the total (Simpson's paradox): arm %s's %s moved %s overall (significant, p = %s), yet its estimate is %s in every %s value (%s). That can only happen when the arms' mix of %s across the %s values differs; read the %s table before acting on the total.",
		Clip(c.Arm, capShort), Clip(p.Metric.Label, capShort), val(p.AbsLift, diffOf(p.Metric.Kind)), pOf(p.PValue), side, col, strings.Join(parts, ", "), mix, col, col)
}

// concentrated is the Risk that one value carries most of a significant
// effect: with each value's weight w its share of the compared arms'
// users and d its lift, the value whose w·d is more than half of Σ w·d
// (which has the total's sign) while it holds less than half that share
// of the users.
func concentrated(rep *analysis.Report, c *analysis.Comparison, ci int, segs []*analysis.Segment) string {
	p := &c.Primary
	if !p.Significant || !ok(p.AbsLift) || p.AbsLift.V == 0 || len(segs) < 2 {
		return ""
	}
	ctl := rep.Experiment.Data.Control
	var users float64
	for _, s := range segs {
		users += float64(s.Arms[c.Index].Users + s.Arms[ctl].Users)
	}
	contrib := make([]float64, len(segs))
	weight := make([]float64, len(segs))
	var sum float64
	for i, s := range segs {
		sc := segmentOf(s, ci)
		if sc == nil || !ok(sc.Primary.AbsLift) {
			return ""
		}
		weight[i] = float64(s.Arms[c.Index].Users+s.Arms[ctl].Users) / users
		contrib[i] = weight[i] * sc.Primary.AbsLift.V
		sum += contrib[i]
	}
	if !finite(sum) || cmp.Compare(sum, 0) != cmp.Compare(p.AbsLift.V, 0) {
		return ""
	}
	best := 0
	for i := range contrib {
		if contrib[i]/sum > contrib[best]/sum {
			best = i
		}
	}
	share := contrib[best] / sum
	if !(share > 0.5 && share >= 2*weight[best]) {
		return ""
	}
	col := Clip(segs[0].Column, capShort)
	return fmt.Sprintf("One segment carries most of arm %s's effect on %s: %s=%s holds %s of the compared users but %s of the users-weighted lift (each %s value's lift times its share of users, summed over the values); the total's lift may not hold for the other %s values.",
		Clip(c.Arm, capShort), Clip(p.Metric.Label, capShort), col, segmentValue(segs[best].Value),
		pct(weight[best]), pct(share), col, col)
}

// pct renders a share as a whole percentage, or to one decimal below 10%.
func pct(x float64) string {
	v := x * 100
	if math.Abs(v) < 10 {
		return fmt.Sprintf("%.1f%%", v)
	}
	return fmt.Sprintf("%.0f%%", v)
}

// ---- Next Actions ----

// segmentInvestigate says what to look at for each guardrail worsened in
// a segment of comparison ci.
func segmentInvestigate(rep *analysis.Report, ci int) []string {
	var out []string
	arm := Clip(rep.Comparisons[ci].Arm, capShort)
	for i, f := range rep.SegmentFlags(ci) {
		if i == maxSegmentLines {
			out = append(out, fmt.Sprintf("…and %d more guardrails worsened in a segment of arm %s, listed in the segment tables.", len(rep.SegmentFlags(ci))-i, arm))
			break
		}
		g := f.Guardrail
		k := g.Metric.Kind
		out = append(out, fmt.Sprintf("%s in arm %s, segment %s: %s vs control %s (%s, beyond the worsened margin %s, q = %s): find what in %s breaks for %s users (a client version, a device, a page) before launching anywhere.",
			Clip(g.Metric.Label, capShort), arm, segmentName(f.Segment), fmtValue(k, g.TreatmentValue), fmtValue(k, g.ControlValue),
			val(g.AbsLift, diffOf(k)), format.Margin(k, g.Metric.Worsened, g.WorsenedMargin), pOf(g.Q), arm, segmentName(f.Segment)))
	}
	return out
}

// ---- forest plots ----

// segmentPlots is one forest plot per segment column: for each compared
// arm a group of rows, the total first, then each value's primary lift
// with its CI, on one scale per group.
func segmentPlots(rep *analysis.Report) []*plot {
	var out []*plot
	m := &rep.Experiment.Primary
	for _, segs := range segmentColumns(rep) {
		col := Clip(segs[0].Column, 28)
		pl := &plot{W: plotW, X0: plotX0, X1: plotX1, ValueX: plotValueX,
			Aria:   "Forest plot by " + col + ": the primary difference of each arm against control, for all users and for each " + col + " value, with its confidence interval against zero",
			Legend: "Segments by " + col + " (exploratory) · one scale per arm · ● estimate · ├┤ CI · | zero"}
		y := plotTop
		for ci := range rep.Comparisons {
			c := &rep.Comparisons[ci]
			items := []plotItem{{arm: "all users", r: &c.Primary, class: "primary", status: sigWord(c.Primary.Significant)}}
			for _, s := range segs {
				sc := segmentOf(s, ci)
				if sc == nil {
					continue
				}
				st, class := sigWord(sc.Primary.Significant), "primary"
				if g := guardFlags(sc); g != "—" {
					st, class = st+" ⚠", "worsened" // a guardrail flagged in the value: the table names it
				}
				items = append(items, plotItem{arm: segmentValue(s.Value), r: &sc.Primary.Result, class: class, status: st})
			}
			y = pl.group(y, Clip(m.Label, 28)+" by "+col+", arm "+Clip(c.Arm, 28), m, items, 0, 0)
		}
		pl.H = y + 4
		out = append(out, pl)
	}
	return out
}

func sigWord(s bool) string {
	if s {
		return "significant"
	}
	return "not significant"
}
