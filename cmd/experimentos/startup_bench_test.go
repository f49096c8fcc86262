package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkStartup runs whole processes side by side (docs/performance.md#start-up):
// a Go hello world, `experimentos version`, and `experimentos check` on
// one two-arm experiment, each built as the Dockerfile builds
// (CGO_ENABLED=0, -trimpath, -ldflags "-s -w"); check-vs-hello runs the
// two alternately and reports their ratio. Issue 8's target is
// check ≤ 2 × hello.
func BenchmarkStartup(b *testing.B) {
	dir := b.TempDir()
	build := func(out, pkg, wd string) {
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, pkg)
		cmd.Dir = wd
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if o, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("go build %s: %v\n%s", pkg, err, o)
		}
	}
	hello := filepath.Join(dir, "hello")
	must(b, os.MkdirAll(hello+"-src", 0o755))
	must(b, os.WriteFile(filepath.Join(hello+"-src", "go.mod"), []byte("module hello\n\ngo 1.24\n"), 0o644))
	must(b, os.WriteFile(filepath.Join(hello+"-src", "main.go"), []byte("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello, world\") }\n"), 0o644))
	build(hello, ".", hello+"-src")
	bin := filepath.Join(dir, "experimentos")
	build(bin, ".", ".")

	ws := filepath.Join(dir, "ws")
	writeFiles(b, ws, startupExperiment)
	start := func(b *testing.B, argv ...string) time.Duration {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = ws
		t0 := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("%v: %v", argv, err)
		}
		return time.Since(t0)
	}
	for _, c := range []struct {
		name string
		argv []string
	}{
		{"hello", []string{hello}},
		{"version", []string{bin, "version"}},
		{"check-one", []string{bin, "check"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				start(b, c.argv...)
			}
		})
	}
	// The target itself: hello world and check alternated, so that a
	// machine getting faster or slower during the run moves both alike.
	b.Run("check-vs-hello", func(b *testing.B) {
		var h, c time.Duration
		for b.Loop() {
			h += start(b, hello)
			c += start(b, bin, "check")
		}
		b.ReportMetric(float64(c)/float64(h), "check/hello")
		b.ReportMetric(float64(h.Microseconds())/float64(b.N), "hello-µs")
		b.ReportMetric(float64(c.Microseconds())/float64(b.N), "check-µs")
	})
}

// startupExperiment is one healthy two-arm experiment that launches, as
// `experimentos init` would leave it once filled in.
var startupExperiment = map[string]string{
	"experiments/home-banner/experiment.yaml": `name: Home banner
hypothesis: A clearer banner lifts checkout conversion.
owner: growth
start: 2026-01-05
end: 2026-01-19
status: running
primary:
  metric: conversions
guardrails:
  - metric: guardrail_error
`,
	"experiments/home-banner/results.csv": "variant,users,conversions,guardrail_error\ncontrol,10000,1000,40\ntreatment,10000,1120,41\n",
}
