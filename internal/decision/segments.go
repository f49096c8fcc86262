package decision

import (
	"fmt"
	"strings"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/format"
)

// segmentFlagged lists, for comparison ci, each guardrail worsened (or
// severe) in a segment: a harm beyond its worsened margin with its
// Benjamini–Hochberg q < α (rule 5, docs/rules.md#segments-in-the-decision).
// Segment results decide nothing else: a severe harm in a segment holds
// for investigation, it does not roll back.
func segmentFlagged(r *analysis.Report, ci int) []analysis.SegmentFlag {
	return r.SegmentFlags(ci)
}

// segmentReason names each guardrail worsened in a segment with the
// segment (column=value), its difference and its q-value.
func segmentReason(fl []analysis.SegmentFlag, alpha experiment.Decimal) string {
	var parts []string
	for _, f := range fl {
		g := f.Guardrail
		parts = append(parts, fmt.Sprintf("segment %s: guardrail %s %s (q = %s)",
			f.Segment.Name(), g.Metric.Label, FormatDiff(&g.Result), formatQ(g.Q)))
	}
	return strings.Join(parts, ", ") + fmt.Sprintf(" worsened beyond the margin with Benjamini–Hochberg q < %s", alpha)
}

func formatQ(q analysis.Value) string {
	if !q.OK() {
		return "n/a"
	}
	return format.P(q.V)
}
