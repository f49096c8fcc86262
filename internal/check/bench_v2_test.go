package check

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeKindsTree writes n experiments of arms arms each, with a revenue
// mean primary, an AOV ratio guardrail, a proportion guardrail and a
// proportion secondary metric (docs/performance.md).
func writeKindsTree(tb testing.TB, n, arms int) string {
	tb.Helper()
	root := filepath.Join(tb.TempDir(), "experiments")
	yaml := `name: Experiment %d
primary: {metric: revenue, type: mean}
secondary:
  - metric: purchasers
guardrails:
  - {metric: aov, type: ratio, numerator: revenue, denominator: orders, desired: increase, worsened_threshold: 2%%, severe_threshold: 10%%}
  - {metric: guardrail_error}
`
	for i := range n {
		dir := filepath.Join(root, fmt.Sprintf("team-%02d", i%50), fmt.Sprintf("exp-%05d", i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			tb.Fatal(err)
		}
		var csv strings.Builder
		csv.WriteString("variant,users,purchasers,revenue_sum,revenue_sum_squares,orders_sum,orders_sum_squares,revenue_orders_sum_product,guardrail_error\n")
		for a := range arms {
			label := "control"
			if a > 0 {
				label = fmt.Sprintf("v%d", a)
			}
			orders := 6000 + (i*7+a*13)%400
			fmt.Fprintf(&csv, "%s,%d,%d,%d.25,%de2,%d,%d,%d.5,%d\n", label, 20000+a*10, 5200+(i+a*31)%300,
				479535+(i*11+a*977)%20000, 653616057+(i+a)%1000, orders, orders+1700, 613725+(i+a*17)%5000, 30+(i+a)%11)
		}
		if err := os.WriteFile(filepath.Join(dir, "experiment.yaml"), fmt.Appendf(nil, yaml, i), 0o644); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "results.csv"), []byte(csv.String()), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return root
}

func benchmarkKinds(b *testing.B, n, arms int) {
	root := writeKindsTree(b, n, arms)
	// Every experiment must load cleanly, or the benchmark times errors.
	results, err := Run(root, Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range results {
		if r.Report.Health.Status == "blocked" || len(r.Report.Comparisons) != arms-1 {
			b.Fatalf("%s: %v", r.Report.Experiment.ID, r.Report.Health.Issues)
		}
	}
	runEndToEnd(b, root, n, 0)
}

// BenchmarkKinds10000x2 and BenchmarkKinds2000x5: issue 9's targets, end
// to end from disk to results.json.
func BenchmarkKinds10000x2(b *testing.B) { benchmarkKinds(b, 10000, 2) }
func BenchmarkKinds2000x5(b *testing.B)  { benchmarkKinds(b, 2000, 5) }
