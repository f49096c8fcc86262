package analysis

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/experimentos/experimentos/internal/experiment"
)

// TestSequentialPeekingThroughAnalyze runs 2,000 A/A experiments on a
// proportion primary (10% conversion in both arms), each analyzed after
// every one of 20 daily batches of 200 users per arm, with
// thresholds.sequential on and off. Stopping at the first significant look
// must reject no more often than α plus three standard errors with the
// confidence sequence (N* the final 8,000 users), while the fixed-horizon
// z-test looked at as often rejects far more often (above 2α).
func TestSequentialPeekingThroughAnalyze(t *testing.T) {
	t.Parallel()
	const (
		experiments = 2000
		looks       = 20
		batch       = 200
		rate        = 0.10
		alpha       = 0.05
	)
	rng := rand.New(rand.NewPCG(20261202, 11))
	m := metric("conversions", experiment.KindProportion, experiment.RoleCount)
	m.Columns[experiment.RoleCount] = "conversions"
	var seqRejects, fixedRejects int
	for range experiments {
		var conv [2]int64
		seqDone, fixedDone := false, false
		for k := 1; k <= looks && !(seqDone && fixedDone); k++ {
			for a := range conv {
				for range batch {
					if rng.Float64() < rate {
						conv[a]++
					}
				}
			}
			n := int64(k * batch)
			for _, seq := range []bool{true, false} {
				if (seq && seqDone) || (!seq && fixedDone) {
					continue
				}
				e := exp(m,
					row("control", n, 2, map[string]experiment.Moments{"conversions": {Count: conv[0]}}),
					row("treatment", n, 3, map[string]experiment.Moments{"conversions": {Count: conv[1]}}))
				e.Thresholds.Sequential = seq
				e.Thresholds.SequentialTuning = 2 * looks * batch
				p := Analyze(e).Comparisons[0].Primary
				if seq && (p.Test != TestSequential || !p.Sequential) {
					t.Fatalf("sequential look: test %s", p.Test)
				}
				if !p.Significant {
					continue
				}
				if seq {
					seqDone = true
					seqRejects++
				} else {
					fixedDone = true
					fixedRejects++
				}
			}
		}
	}
	seqRate := float64(seqRejects) / experiments
	fixedRate := float64(fixedRejects) / experiments
	se := math.Sqrt(alpha * (1 - alpha) / experiments)
	if seqRate > alpha+3*se {
		t.Errorf("sequential: %.4f of A/A experiments rejected at some look, want <= %.4f", seqRate, alpha+3*se)
	}
	if !(fixedRate > 2*alpha) {
		t.Errorf("fixed horizon: %.4f rejected over %d looks, want above %.2f", fixedRate, looks, 2*alpha)
	}
	t.Logf("A/A rejections at any of %d looks: sequential %.4f, fixed-horizon z-test %.4f", looks, seqRate, fixedRate)
}
