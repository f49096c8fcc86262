package check

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// writeKindsTree writes n experiments of arms arms each, with a revenue
// mean primary, an AOV ratio guardrail, a proportion guardrail and a
// proportion secondary metric (docs/performance.md).
func writeKindsTree(tb testing.TB, n, arms int) string {
	return writeKindsTreeWith(tb, n, arms, false)
}

// writeKindsTreeWith is writeKindsTree; with methods, the primary is
// CUPED-adjusted (pre-period columns added) and thresholds.sequential is on.
func writeKindsTreeWith(tb testing.TB, n, arms int, methods bool) string {
	tb.Helper()
	root := filepath.Join(tb.TempDir(), "experiments")
	primary := "primary: {metric: revenue, type: mean}\n"
	if methods {
		primary = "primary: {metric: revenue, type: mean, cuped: true}\nthresholds: {sequential: true, sequential_tuning: 40000}\n"
	}
	yaml := `name: Experiment %d
` + primary + `secondary:
  - metric: purchasers
guardrails:
  - {metric: aov, type: ratio, numerator: revenue, denominator: orders, desired: increase, worsened_threshold: 2%%, severe_threshold: 10%%}
  - {metric: guardrail_error}
`
	for i := range n {
		dir := filepath.Join(root, fmt.Sprintf("team-%02d", i%50), fmt.Sprintf("exp-%05d", i))
		var csv strings.Builder
		header := "variant,users,purchasers,revenue_sum,revenue_sum_squares,orders_sum,orders_sum_squares,revenue_orders_sum_product,guardrail_error"
		if methods {
			header += ",revenue_pre_sum,revenue_pre_sum_squares,revenue_pre_sum_product"
		}
		csv.WriteString(header + "\n")
		for a := range arms {
			label := "control"
			if a > 0 {
				label = fmt.Sprintf("v%d", a)
			}
			orders := 6000 + (i*7+a*13)%400
			fmt.Fprintf(&csv, "%s,%d,%d,%d.25,%de2,%d,%d,%d.5,%d", label, 20000+a*10, 5200+(i+a*31)%300,
				479535+(i*11+a*977)%20000, 653616057+(i+a)%1000, orders, orders+1700, 613725+(i+a*17)%5000, 30+(i+a)%11)
			if methods {
				// X with about the spread of Y and a correlation near 0.7.
				fmt.Fprintf(&csv, ",%d.5,%de2,%de2", 470000+(i*3+a*101)%9000, 600000000+(i+a)%1000, 440000000+(i*5+a)%1000)
			}
			csv.WriteString("\n")
		}
		writeExperiment(tb, dir, fmt.Sprintf(yaml, i), csv.String())
	}
	return root
}

func benchmarkKinds(b *testing.B, n, arms int) { benchmarkKindsWith(b, n, arms, false) }

func benchmarkKindsWith(b *testing.B, n, arms int, methods bool) {
	root := writeKindsTreeWith(b, n, arms, methods)
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

// BenchmarkMethods10000x2: BenchmarkKinds10000x2 with a CUPED primary and
// sequential intervals (docs/performance.md#version-2-engine).
func BenchmarkMethods10000x2(b *testing.B) { benchmarkKindsWith(b, 10000, 2, true) }
