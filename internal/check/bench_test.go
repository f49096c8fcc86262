package check

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/load"
	"github.com/experimentos/experimentos/internal/memo"
)

// writeTree writes n experiments like the committed home-banner example
// (with varied counts) below a new experiments root and returns its path.
// writeExperiment writes an experiment folder dir (made with its parents)
// holding experiment.yaml and results.csv.
func writeExperiment(tb testing.TB, dir, yaml, csv string) {
	tb.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "experiment.yaml"), []byte(yaml), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "results.csv"), []byte(csv), 0o644); err != nil {
		tb.Fatal(err)
	}
}

func writeTree(tb testing.TB, n int) string {
	tb.Helper()
	root := filepath.Join(tb.TempDir(), "experiments")
	for i := range n {
		dir := filepath.Join(root, fmt.Sprintf("team-%02d", i%50), fmt.Sprintf("exp-%05d", i))
		yaml := fmt.Sprintf(`name: Experiment %d
hypothesis: The change lifts checkout conversion
owner: team-%02d
start: 2026-11-01
end: 2026-11-14
primary:
  metric: conversions
  label: Checkout conversion
guardrails:
  - metric: guardrail_error
    label: Error rate
`, i, i%50)
		csv := fmt.Sprintf("variant,users,conversions,guardrail_error\ncontrol,10000,%d,35\ntreatment,10050,%d,%d\n",
			1200+i%40, 1180+i%97, 30+i%11)
		writeExperiment(tb, dir, yaml, csv)
	}
	return root
}

// benchmarkEndToEnd loads, analyzes and decides every experiment under a
// tree of n and renders results.json, as `check --format json` does, with
// the given number of workers (0: GOMAXPROCS). It
// reports the peak live heap seen after the run as peak-heap-MB.
func benchmarkEndToEnd(b *testing.B, n, workers int) {
	runEndToEnd(b, writeTree(b, n), n, workers)
}

// runEndToEnd times Run (with workers, 0 for one per core) and memo.JSON
// over the tree at root of n experiments.
func runEndToEnd(b *testing.B, root string, n, workers int) {
	meta := memo.Meta{Version: "bench"}
	b.ReportAllocs()
	b.ResetTimer()
	var peak uint64
	for b.Loop() {
		results, err := Run(root, Options{Limits: load.DefaultLimits(), Workers: workers})
		if err != nil {
			b.Fatal(err)
		}
		if len(results) != n {
			b.Fatalf("results = %d, want %d", len(results), n)
		}
		if err := memo.JSON(io.Discard, results, meta); err != nil {
			b.Fatal(err)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
		runtime.KeepAlive(results)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

func BenchmarkEndToEndOne(b *testing.B)   { benchmarkEndToEnd(b, 1, 0) }
func BenchmarkEndToEnd10000(b *testing.B) { benchmarkEndToEnd(b, 10000, 0) }

// BenchmarkEndToEnd10000OneWorker is BenchmarkEndToEnd10000 without the
// worker pool, to show what it brings on this machine.
func BenchmarkEndToEnd10000OneWorker(b *testing.B) { benchmarkEndToEnd(b, 10000, 1) }

// BenchmarkAnalyzeRender10000 times the steps after loading: analyze,
// decide and render results.json for 10,000 loaded experiments.
func BenchmarkAnalyzeRender10000(b *testing.B) {
	root := writeTree(b, 10000)
	fsRoot, err := os.OpenRoot(root)
	if err != nil {
		b.Fatal(err)
	}
	defer fsRoot.Close()
	exps, err := load.Root(fsRoot.FS(), "experiments", load.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		results := make([]decision.Result, 0, len(exps))
		for _, e := range exps {
			results = append(results, Evaluate(e))
		}
		if err := memo.JSON(io.Discard, results, memo.Meta{Version: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
}
