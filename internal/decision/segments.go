package decision

import (
	"fmt"
	"strings"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/format"
)

// segmentReason names each guardrail worsened in a segment with the
// segment (column=value), its difference, its state and margin, and its
// q-value.
func segmentReason(fl []analysis.SegmentFlag, alpha experiment.Decimal) string {
	var parts []string
	for _, f := range fl {
		g := f.Guardrail
		mg, margin := g.StateMargin()
		parts = append(parts, fmt.Sprintf("guardrail %s %s in segment %s (%s, beyond the %s margin %s, Benjamini–Hochberg q = %s < %s)",
			g.Metric.Label, g.State, f.Segment.Name(), FormatDiff(&g.Result), g.State, FormatMargin(g.Metric, mg, margin), formatQ(g.Q), alpha))
	}
	return strings.Join(parts, "; ")
}

func formatQ(q analysis.Value) string {
	if !q.OK() {
		return "n/a"
	}
	return format.P(q.V)
}
