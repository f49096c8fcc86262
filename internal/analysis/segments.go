package analysis

import (
	"fmt"
	"slices"

	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/stats"
)

// Segment is one value of one segment column (docs/statistics.md#segments):
// the experiment's rows with that value, summed over the other segment
// columns, with their own sample ratio test and, once the experiment is
// analyzed, every comparison's primary and guardrail results within it.
// Segment results are exploratory, except that a guardrail worsened in a
// segment holds the comparison for investigation
// (docs/rules.md#segments-in-the-decision).
type Segment struct {
	Column string
	Value  string
	// Line is the CSV line of the value's first row.
	Line int
	// Values is how many values the column has: the Bonferroni divisor of
	// the segment's SRM threshold.
	Values int
	// Arms holds the segment's users per arm, in the report's arm order.
	Arms []Arm
	SRM  *SRM
	// SRMThreshold is srm_warning_p ÷ Values: the segment's SRM p below it
	// raises segment_srm.
	SRMThreshold experiment.Decimal
	// Comparisons holds one comparison per non-control arm, in the order
	// of Report.Comparisons; empty when the experiment was not analyzed.
	Comparisons []SegmentComparison
}

// Name is "column=value", as the memo and the decision name a segment.
func (s *Segment) Name() string { return s.Column + "=" + s.Value }

// SegmentComparison is one arm against the control within one segment.
type SegmentComparison struct {
	Arm, Control string
	// Index is the comparison's index in Report.Comparisons.
	Index      int
	Primary    SegmentResult
	Guardrails []SegmentGuardrail
}

// SegmentResult is the primary metric within a segment. Its Significant
// is Q below the primary's level α′, not P.
type SegmentResult struct {
	Result
	// Q is the Benjamini–Hochberg q-value over every segment value (of all
	// segment columns) of the comparison; null when P is.
	Q Value
}

// SegmentGuardrail is one guardrail within a segment: its state uses Q in
// place of P (docs/rules.md#segments-in-the-decision), and its relative
// margins are taken at the segment's control value.
type SegmentGuardrail struct {
	Guardrail
	// Q is the Benjamini–Hochberg q-value over every segment value and
	// guardrail of the comparison together; null when P is.
	Q Value
}

// SegmentFlag is a guardrail worsened (or severe) in one segment.
type SegmentFlag struct {
	Segment   *Segment
	Guardrail *SegmentGuardrail
}

// SegmentFlags returns the guardrails worsened or severe in a segment for
// comparison index ci, in segment then guardrail order.
func (r *Report) SegmentFlags(ci int) []SegmentFlag {
	var out []SegmentFlag
	for si := range r.Segments {
		s := &r.Segments[si]
		for k := range s.Comparisons {
			sc := &s.Comparisons[k]
			if sc.Index != ci {
				continue
			}
			for gi := range sc.Guardrails {
				if g := &sc.Guardrails[gi]; g.Flagged() {
					out = append(out, SegmentFlag{Segment: s, Guardrail: g})
				}
			}
		}
	}
	return out
}

// segmentRows sums the data's rows per value of each segment column: for
// column i, the values in the order they first appear, each with one row
// per arm in d.Arms' order.
type segmentRows struct {
	column, value string
	line          int
	values        int
	arms          []experiment.Row
}

func groupSegments(e *experiment.Experiment) []segmentRows {
	d := e.Data
	armAt := make(map[string]int, len(d.Arms))
	for i, a := range d.Arms {
		armAt[a.Arm] = i
	}
	// A loaded row holds the metrics in the totals' order (Row.Metrics),
	// so each value's moments accumulate by position.
	names := d.Arms[0].Metrics
	// Each row's arm, and whether its metrics are the totals' (a loaded
	// row's are), found once rather than once per segment column.
	type rowAt struct {
		arm        int
		positional bool
	}
	rows := make([]rowAt, len(d.Rows))
	for i := range d.Rows {
		r := &d.Rows[i]
		rows[i] = rowAt{arm: armAt[r.Arm], positional: slices.Equal(r.Metrics, names)}
	}
	type acc struct {
		users int64
		line  int
		mo    []experiment.Moments
	}
	var out []segmentRows
	for ci, col := range e.Segments {
		at := map[string]int{}
		start := len(out)
		var accs [][]acc // per value, per arm
		for ri := range d.Rows {
			r := &d.Rows[ri]
			if ci >= len(r.Cell) {
				continue
			}
			v := r.Cell[ci]
			k, ok := at[v]
			if !ok {
				k = len(out) - start
				at[v] = k
				out = append(out, segmentRows{column: col, value: v, line: r.Line})
				a := make([]acc, len(d.Arms))
				for i := range a {
					a[i].mo = make([]experiment.Moments, len(names))
				}
				accs = append(accs, a)
			}
			a := &accs[k][rows[ri].arm]
			if a.line == 0 {
				a.line = r.Line
			}
			a.users += r.Users
			if rows[ri].positional {
				for ni := range r.Moments {
					a.mo[ni].Accumulate(&r.Moments[ni])
				}
			} else { // a row built by hand, with other metrics
				for ni, name := range names {
					if mo := r.Lookup(name); mo != nil {
						a.mo[ni].Accumulate(mo)
					}
				}
			}
		}
		for k := start; k < len(out); k++ {
			s := &out[k]
			s.values = len(out) - start
			s.arms = make([]experiment.Row, len(d.Arms))
			for i, a := range accs[k-start] {
				s.arms[i] = experiment.Row{Arm: d.Arms[i].Arm, Cell: []string{s.value}, Users: a.users, Line: a.line, Metrics: names, Moments: a.mo}
			}
		}
	}
	return out
}

// segmentHealth builds the report's segments with their SRM and returns
// the segment_srm warnings: a segment's SRM p below srm_warning_p ÷ the
// number of values of its column (Bonferroni over the column's values,
// docs/statistics.md#segment-srm).
func segmentHealth(e *experiment.Experiment, arms []Arm, groups []segmentRows) ([]Segment, []experiment.Issue) {
	var segs []Segment
	var issues []experiment.Issue
	for _, g := range groups {
		s := Segment{Column: g.column, Value: g.value, Line: g.line, Values: g.values,
			SRMThreshold: e.Thresholds.SRMWarningP.DivInt(int64(g.values))}
		for i, a := range g.arms {
			s.Arms = append(s.Arms, Arm{Name: a.Arm, Control: arms[i].Control, Users: a.Users, ExpectedShare: arms[i].ExpectedShare, Line: a.Line})
		}
		s.SRM = srm(s.Arms)
		if s.SRMThreshold.FloatBelow(s.SRM.PValue) {
			counts, split := splitText(s.Arms)
			issues = append(issues, experiment.Issue{Severity: experiment.SeverityWarning, Code: experiment.CodeSegmentSRM,
				File: e.DataFile, Line: s.Line, Column: s.Column, Col: e.Data.Columns[s.Column],
				Message: fmt.Sprintf("segment %s: sample ratio mismatch within the segment: users %s against an expected %s split, chi-square p = %.2g < %s ÷ %d = %.3g (Bonferroni over the %d values of %s); the segment's results may be biased (exploratory: the decision does not hold on it)",
					s.Name(), counts, split, s.SRM.PValue, e.Thresholds.SRMWarningP, s.Values, s.SRMThreshold.Float64(), s.Values, s.Column)})
		}
		segs = append(segs, s)
	}
	return segs, issues
}

// segmentComparisons fills every segment's comparisons: the primary at α′
// and each guardrail at α, then the Benjamini–Hochberg q-values per
// comparison (the primary's family: every segment value; the guardrails':
// every segment value and guardrail together), then significance and
// guardrail states from q (docs/statistics.md#segment-q-values).
func segmentComparisons(e *experiment.Experiment, rep *Report, groups []segmentRows, primaryAlpha experiment.Decimal) {
	d := e.Data
	k := int64(len(d.Arms))
	for si := range rep.Segments { // room made up front; nil stays nil
		if len(rep.Comparisons) > 0 {
			rep.Segments[si].Comparisons = make([]SegmentComparison, 0, len(rep.Comparisons))
		}
	}
	for ci := range rep.Comparisons {
		cmp := &rep.Comparisons[ci]
		for si := range rep.Segments {
			s := &rep.Segments[si]
			t, c := &groups[si].arms[cmp.Index], &groups[si].arms[d.Control]
			sc := SegmentComparison{Arm: cmp.Arm, Control: cmp.Control, Index: ci}
			if len(e.Guardrails) > 0 {
				sc.Guardrails = make([]SegmentGuardrail, 0, len(e.Guardrails))
			}
			sc.Primary.Result = compare(e, &e.Primary, t, c, primaryAlpha)
			adjust(&sc.Primary.Result, k-1)
			for gi := range e.Guardrails {
				m := &e.Guardrails[gi]
				sc.Guardrails = append(sc.Guardrails, SegmentGuardrail{Guardrail: Guardrail{Result: compare(e, m, t, c, e.Thresholds.Alpha)}})
			}
			s.Comparisons = append(s.Comparisons, sc)
		}
		// The comparison's families, in segment (then guardrail) order.
		prim := make([]*SegmentResult, 0, len(rep.Segments))
		guards := make([]*SegmentGuardrail, 0, len(rep.Segments)*len(e.Guardrails))
		for si := range rep.Segments {
			sc := &rep.Segments[si].Comparisons[len(rep.Segments[si].Comparisons)-1]
			prim = append(prim, &sc.Primary)
			for gi := range sc.Guardrails {
				guards = append(guards, &sc.Guardrails[gi])
			}
		}
		qs := qValues(len(prim), func(i int) Value { return prim[i].PValue })
		for i, r := range prim {
			r.Q = qs[i]
			r.Significant = r.Q.OK() && r.Alpha.FloatBelow(r.Q.V)
		}
		qs = qValues(len(guards), func(i int) Value { return guards[i].PValue })
		for i, g := range guards {
			g.Q = qs[i]
			g.Significant = g.Q.OK() && g.Alpha.FloatBelow(g.Q.V)
		}
		for si := range rep.Segments {
			sc := &rep.Segments[si].Comparisons[len(rep.Segments[si].Comparisons)-1]
			t, c := &groups[si].arms[cmp.Index], &groups[si].arms[d.Control]
			for gi := range sc.Guardrails {
				setState(&sc.Guardrails[gi].Guardrail, sc.Guardrails[gi].Metric, t, c)
			}
		}
	}
}

// qValues is the Benjamini–Hochberg adjustment of the defined p-values
// among n; an undefined p stays out of the family and its q is null with
// the same reason.
func qValues(n int, p func(int) Value) []Value {
	var ps []float64
	var at []int
	out := make([]Value, n)
	for i := range n {
		v := p(i)
		if v.OK() && !(v.V >= 0 && v.V <= 1) {
			v = undefined("the p-value is not a number in [0, 1]")
		}
		if !v.OK() {
			out[i] = undefined(v.Null)
			continue
		}
		ps = append(ps, v.V)
		at = append(at, i)
	}
	for j, q := range stats.BenjaminiHochberg(ps) {
		out[at[j]] = defined(q)
	}
	return out
}
