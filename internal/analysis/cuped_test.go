package analysis

import (
	"math"
	"strings"
	"testing"

	"github.com/experimentos/experimentos/internal/experiment"
)

func cupedMoments(sum, sq, x, xx, xy string) experiment.Moments {
	return experiment.Moments{Sum: dec(sum), SumSquares: dec(sq), PreSum: dec(x), PreSumSquares: dec(xx), PreSumProduct: dec(xy)}
}

// TestCUPEDSignAndGuardrail: a CUPED guardrail whose observed difference is
// a harm but whose adjusted difference is an improvement is not harmed (the
// sign follows the adjusted estimate), and its margin is checked against
// the adjusted difference.
func TestCUPEDSignAndGuardrail(t *testing.T) {
	t.Parallel()
	// Per arm 1,000 users. The treatment's pre-period X is much lower, and
	// Y follows X closely: observed Y is lower in the treatment (a harm for
	// desired: increase), adjusted Y is higher.
	g := metric("spend", experiment.KindMean, experiment.RoleSum, experiment.RoleSumSquares)
	g.CUPED = true
	g.Worsened = experiment.Margin{Value: dec("0.05"), Relative: true}
	g.Severe = experiment.Margin{Value: dec("0.2"), Relative: true}
	p := metric("conversions", experiment.KindProportion, experiment.RoleCount)
	e := exp(p,
		row("control", 1000, 2, map[string]experiment.Moments{"conversions": {Count: 100}, "spend": cupedMoments("10000", "110000", "10000", "110000", "109000")}),
		row("treatment", 1000, 3, map[string]experiment.Moments{"conversions": {Count: 100}, "spend": cupedMoments("9500", "99000", "9000", "90000", "93500")}))
	e.Guardrails = []experiment.Metric{g}
	r := Analyze(e)
	gr := r.Comparisons[0].Guardrails[0]
	if gr.CUPED == nil || gr.TreatmentValue >= gr.ControlValue {
		t.Fatalf("setup: CUPED %v, values %v vs %v", gr.CUPED, gr.TreatmentValue, gr.ControlValue)
	}
	if !(gr.AbsLift.V > 0) || gr.Sign != 1 || gr.Harmed() || gr.State != StateOK {
		t.Errorf("adjusted lift %v, sign %d, harmed %v, state %s; want an improvement, ok", gr.AbsLift.V, gr.Sign, gr.Harmed(), gr.State)
	}
	if !(gr.CUPED.AbsLift.V < 0) {
		t.Errorf("unadjusted lift %v, want the observed harm", gr.CUPED.AbsLift.V)
	}
	// cupedBeyond compares the adjusted |difference| (about 0.4) with the
	// margin, not the observed one.
	if b := cupedBeyond(&gr, experiment.Margin{Value: dec("0.0001")}); !b {
		t.Errorf("adjusted |%v| not beyond 0.0001", gr.AbsLift.V)
	}
	if b := cupedBeyond(&gr, experiment.Margin{Value: dec("1000")}); b {
		t.Errorf("adjusted |%v| beyond 1000", gr.AbsLift.V)
	}
}

// TestCUPEDInvalidMomentsNoPanic: a hand-built proportion whose pre-period
// count exceeds its users gets null results with a reason, not a panic.
func TestCUPEDInvalidMomentsNoPanic(t *testing.T) {
	t.Parallel()
	p := metric("conversions", experiment.KindProportion, experiment.RoleCount)
	p.CUPED = true
	bad := experiment.Moments{Count: 10, PreSum: dec("500"), PreSumSquares: dec("500"), PreSumProduct: dec("5")}
	e := exp(p,
		row("control", 100, 2, map[string]experiment.Moments{"conversions": bad}),
		row("treatment", 100, 3, map[string]experiment.Moments{"conversions": bad}))
	r := Analyze(e)
	pr := r.Comparisons[0].Primary
	if pr.PValue.OK() || !strings.Contains(pr.PValue.Null, "pre-period") {
		t.Errorf("p = %+v, want null naming the pre-period moments", pr.PValue)
	}
}

// TestSequentialSmallCells: with sequential on, a proportion whose 2×2
// table has an expected cell below 5 is computed by the confidence
// sequence, says so in its note and raises small_sample at its row.
func TestSequentialSmallCells(t *testing.T) {
	t.Parallel()
	p := metric("conversions", experiment.KindProportion, experiment.RoleCount)
	p.Columns[experiment.RoleCount] = "conversions"
	e := exp(p,
		row("control", 400, 2, map[string]experiment.Moments{"conversions": {Count: 3}}),
		row("treatment", 410, 3, map[string]experiment.Moments{"conversions": {Count: 0}}))
	e.Data.Columns["conversions"] = 3
	e.Thresholds.Sequential = true
	r := Analyze(e)
	pr := r.Comparisons[0].Primary
	if pr.Test != TestSequential || !pr.PValue.OK() || !pr.CILow.OK() || !strings.Contains(pr.Note, "Fisher") {
		t.Errorf("primary = test %s p %+v CI %+v note %q", pr.Test, pr.PValue, pr.CILow, pr.Note)
	}
	var found bool
	for _, is := range r.Health.Issues {
		if is.Code == experiment.CodeSmallSample && is.Line == 3 && is.Column == "conversions" && is.Col == 3 {
			found = true
		}
	}
	if !found || r.Health.Status != Warning {
		t.Errorf("issues %+v, status %s; want small_sample at line 3, conversions", r.Health.Issues, r.Health.Status)
	}
}

// TestSequentialTuningDefault: N* is sequential_tuning, else 2 ×
// plan.users_per_arm, else 5000.
func TestSequentialTuningDefault(t *testing.T) {
	t.Parallel()
	e := &experiment.Experiment{}
	if got := SequentialTuning(e); got != 5000 {
		t.Errorf("default N* = %d", got)
	}
	e.Plan.UsersPerArm = 12000
	if got := SequentialTuning(e); got != 24000 {
		t.Errorf("plan N* = %d", got)
	}
	e.Thresholds.SequentialTuning = 777
	if got := SequentialTuning(e); got != 777 {
		t.Errorf("explicit N* = %d", got)
	}
}

// TestCUPEDThetaPerComparison: with three arms, each comparison pools only
// the control and its own arm, so the two θ differ and each is
// stats.CUPEDTheta of that pair.
func TestCUPEDThetaPerComparison(t *testing.T) {
	t.Parallel()
	m := metric("revenue", experiment.KindMean, experiment.RoleSum, experiment.RoleSumSquares)
	m.CUPED = true
	rows := []experiment.Row{
		row("control", 1000, 2, map[string]experiment.Moments{"revenue": cupedMoments("10000", "110000", "10000", "110000", "109000")}),
		row("b", 1000, 3, map[string]experiment.Moments{"revenue": cupedMoments("10200", "114000", "10000", "110000", "105000")}),
		row("c", 1000, 4, map[string]experiment.Moments{"revenue": cupedMoments("10100", "112000", "9000", "90000", "95000")}),
	}
	e := exp(m, rows...)
	r := Analyze(e)
	if len(r.Comparisons) != 2 {
		t.Fatalf("%d comparisons", len(r.Comparisons))
	}
	// θ = Cov(Y, X) / Var(X) over the pair's pooled sums
	// (docs/statistics.md#cuped), worked by hand; the n − 1 cancels.
	// b with control: N 2000, ΣX 20000, ΣX² 220000, ΣXY 214000, ΣY 20200:
	//   Var ∝ 220000 − 20000²/2000 = 20000, Cov ∝ 214000 − 20000·20200/2000 = 12000.
	// c with control: N 2000, ΣX 19000, ΣX² 200000, ΣXY 204000, ΣY 20100:
	//   Var ∝ 200000 − 19000²/2000 = 19500, Cov ∝ 204000 − 19000·20100/2000 = 13050.
	// The control's θ against all arms at once would be neither.
	for i, want := range []float64{12000.0 / 20000, 13050.0 / 19500} {
		c := r.Comparisons[i]
		if got := c.Primary.CUPED.Theta; math.Abs(got-want) > 1e-12*want {
			t.Errorf("arm %s: θ = %v, want the pair's %v", c.Arm, got, want)
		}
	}
}
