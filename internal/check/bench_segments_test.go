package check

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// writeSegmentsTree writes n experiments of 3 arms and 3 segment columns
// of 5 values each (125 cells, 375 rows), with a revenue mean primary
// adjusted by CUPED from its pre-period columns, a proportion error
// guardrail and a latency mean guardrail (docs/performance.md#segments).
func writeSegmentsTree(tb testing.TB, n int) string {
	tb.Helper()
	root := filepath.Join(tb.TempDir(), "experiments")
	yaml := `name: Segmented experiment %d
segments: [platform, country, plan]
primary: {metric: revenue, type: mean, cuped: true}
guardrails:
  - {metric: guardrail_error}
  - {metric: latency, type: mean, desired: decrease}
`
	platforms := []string{"android", "ios", "web", "tv", "watch"}
	countries := []string{"de", "fr", "us", "br", "jp"}
	plans := []string{"free", "pro", "team", "business", "enterprise"}
	for i := range n {
		dir := filepath.Join(root, fmt.Sprintf("team-%02d", i%50), fmt.Sprintf("exp-%05d", i))
		var csv strings.Builder
		csv.WriteString("variant,platform,country,plan,users,revenue_sum,revenue_sum_squares,revenue_pre_sum,revenue_pre_sum_squares,revenue_pre_sum_product,guardrail_error,latency_sum,latency_sum_squares\n")
		cell := 0
		for _, p := range platforms {
			for _, c := range countries {
				for _, pl := range plans {
					for a, arm := range []string{"control", "b", "c"} {
						u := 150 + (i*7+cell*13+a*5)%100
						rev := u*25 + (i+cell+a*3)%40
						pre := u*24 + (i*3+cell)%30
						fmt.Fprintf(&csv, "%s,%s,%s,%s,%d,%d.5,%d,%d.25,%d,%d,%d,%d,%d\n", arm, p, c, pl, u,
							rev, u*1525, pre, u*1476, u*1050, 2+(i+cell+a)%5, u*400+(cell*11+a)%90, u*176400)
					}
					cell++
				}
			}
		}
		writeExperiment(tb, dir, fmt.Sprintf(yaml, i), csv.String())
	}
	return root
}

// BenchmarkSegments1000: issue 11's target (under 2 s and 300 MB), end to
// end from disk to results.json, 1,000 experiments of 375 rows each.
func BenchmarkSegments1000(b *testing.B) {
	const n = 1000
	root := writeSegmentsTree(b, n)
	results, err := Run(root, Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range results {
		rep := r.Report
		if rep.Health.Status == "blocked" || len(rep.Comparisons) != 2 || len(rep.Segments) != 15 || len(rep.Segments[0].Comparisons) != 2 {
			b.Fatalf("%s: %d comparisons, %d segments: %v", rep.Experiment.ID, len(rep.Comparisons), len(rep.Segments), rep.Health.Issues)
		}
	}
	runEndToEnd(b, root, n, 0)
}
