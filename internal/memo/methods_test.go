package memo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/format"
)

// cupedExp is a two-arm CUPED revenue test: per arm, the sums of 1,000
// users' revenue Y and pre-period revenue X (Y correlated with X).
func cupedExp() *experiment.Experiment {
	m := withColumns(metric("revenue", "Revenue", experiment.KindMean, experiment.Increase))
	m.CUPED = true
	m = withColumns(m)
	pre := func(sum, sq, x, xx, xy string) experiment.Moments {
		return experiment.Moments{Sum: dec(sum), SumSquares: dec(sq), PreSum: dec(x), PreSumSquares: dec(xx), PreSumProduct: dec(xy)}
	}
	return newExp("checkout/cuped", m, two(
		map[string]experiment.Moments{"revenue": pre("20000", "1000000", "19800", "900000", "880000")},
		map[string]experiment.Moments{"revenue": pre("20900", "1060000", "19900", "905000", "905000")}, 1000, 1000))
}

// TestCUPEDSentence checks the memo's CUPED sentence against the result it
// describes: θ, the variance reduction, the narrowing computed from the two
// intervals, and the unadjusted lift, CI and p as the memo prints them.
func TestCUPEDSentence(t *testing.T) {
	t.Parallel()
	r := result(cupedExp())
	p := &r.Report.Comparisons[0].Primary
	cu := p.CUPED
	if cu == nil || !(cu.VarianceReduction > 0.3) {
		t.Fatalf("CUPED = %+v, want a variance reduction above 30%%", cu)
	}
	narrower := 1 - (p.CIHigh.V-p.CILow.V)/(cu.CIHigh.V-cu.CILow.V)
	want := fmt.Sprintf("CUPED for arm treatment: the pre-period adjustment (θ = %.4g) cut the variance of the estimate by %s, so its 95%% CI is %s narrower than without it; unadjusted, the lift was %s (%s to %s), p = %s.",
		cu.Theta, format.Share(cu.VarianceReduction), format.Share(narrower),
		format.Diff(experiment.KindMean, cu.AbsLift.V), format.Diff(experiment.KindMean, cu.CILow.V), format.Diff(experiment.KindMean, cu.CIHigh.V), format.P(cu.PValue.V))
	var md bytes.Buffer
	if err := Markdown(&md, r, testMeta); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), EscapeMarkdown(want)) {
		t.Errorf("memo lacks\n%s\n%s", want, md.String())
	}
	t.Log(want)
	// The numbers themselves, worked by hand from cupedExp's sums
	// (docs/statistics.md#cuped): θ over the pooled pair, N 2000, ΣX 39700,
	// ΣX² 1805000, ΣXY 1785000, ΣY 40900, is (1785000 − 39700·40900/2000) /
	// (1805000 − 39700²/2000) = 973135 / 1016955; the unadjusted lift is the
	// observed difference 20.9 − 20.0 = 0.9.
	if want := 973135.0 / 1016955; math.Abs(cu.Theta-want) > 1e-12 {
		t.Errorf("θ = %v, want %v", cu.Theta, want)
	}
	if math.Abs(cu.AbsLift.V-0.9) > 1e-12 || math.Abs(p.TreatmentValue-p.ControlValue-0.9) > 1e-12 {
		t.Errorf("unadjusted lift %v, observed difference %v; want 0.9", cu.AbsLift.V, p.TreatmentValue-p.ControlValue)
	}
}

// TestCUPEDSentenceWider: a negative variance reduction says "raised" and
// "wider", never "cut" and "narrower".
func TestCUPEDSentenceWider(t *testing.T) {
	t.Parallel()
	m := metric("revenue", "Revenue", experiment.KindMean, experiment.Increase)
	r := &analysis.Result{Metric: &m, Alpha: dec("0.05"),
		AbsLift: analysis.Value{V: 1}, CILow: analysis.Value{V: -1}, CIHigh: analysis.Value{V: 3},
		CUPED: &analysis.CUPED{Theta: 0.5, VarianceReduction: -0.21,
			AbsLift: analysis.Value{V: 1.2}, CILow: analysis.Value{V: -0.6}, CIHigh: analysis.Value{V: 3}, PValue: analysis.Value{V: 0.2}}}
	got := cupedSentence("arm b", r)
	want := "CUPED for arm b: the pre-period adjustment (θ = 0.5) raised the variance of the estimate by 21%, so its 95% CI is 11.1% wider than without it; unadjusted, the lift was +1.2 (-0.6 to +3), p = 0.2."
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if s := cupedSentence("arm b", &analysis.Result{Metric: &m}); s != "" {
		t.Errorf("no CUPED: %q, want none", s)
	}
}

// TestCUPEDJSON checks the cuped object: theta, variance_reduction and the
// unadjusted result, null for a metric without CUPED.
func TestCUPEDJSON(t *testing.T) {
	t.Parallel()
	r := result(cupedExp())
	var b bytes.Buffer
	if err := JSON(&b, []decision.Result{r}, testMeta); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Experiments []struct {
			Comparisons []struct {
				Primary struct {
					AbsLift float64         `json:"abs_lift"`
					CUPED   json.RawMessage `json:"cuped"`
				} `json:"primary"`
			} `json:"comparisons"`
		} `json:"experiments"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	var cu map[string]json.RawMessage
	if err := json.Unmarshal(doc.Experiments[0].Comparisons[0].Primary.CUPED, &cu); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"theta", "variance_reduction", "unadjusted"} {
		if _, ok := cu[k]; !ok {
			t.Errorf("cuped lacks %q: %s", k, doc.Experiments[0].Comparisons[0].Primary.CUPED)
		}
	}
	p := r.Report.Comparisons[0].Primary
	var theta, vr float64
	var un map[string]*float64
	_ = json.Unmarshal(cu["theta"], &theta)
	_ = json.Unmarshal(cu["variance_reduction"], &vr)
	_ = json.Unmarshal(cu["unadjusted"], &un)
	if theta != p.CUPED.Theta || vr != p.CUPED.VarianceReduction {
		t.Errorf("theta %v, vr %v; want %v, %v", theta, vr, p.CUPED.Theta, p.CUPED.VarianceReduction)
	}
	for k, v := range map[string]analysis.Value{"abs_lift": p.CUPED.AbsLift, "ci_low": p.CUPED.CILow, "ci_high": p.CUPED.CIHigh, "p_value": p.CUPED.PValue} {
		if un[k] == nil || *un[k] != v.V {
			t.Errorf("unadjusted %s = %v, want %v", k, un[k], v.V)
		}
	}
	if doc.Experiments[0].Comparisons[0].Primary.AbsLift != p.AbsLift.V {
		t.Errorf("abs_lift is not the adjusted one")
	}
	plain := result(newExp("plain", conversion(), two(counts("conversions", 100), counts("conversions", 120), 1000, 1000)))
	b.Reset()
	if err := JSON(&b, []decision.Result{plain}, testMeta); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"cuped": null`) && !strings.Contains(b.String(), `"cuped":null`) {
		t.Errorf("a metric without CUPED has no null cuped:\n%s", b.String())
	}
}

// TestSequentialSentence: the Risks say the result stays valid however often
// it is looked at, and name N* as applied: explicit, 2 × plan.users_per_arm,
// or the default; the thresholds line says which.
func TestSequentialSentence(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		tuning      int64
		plan        int64
		n           string
		thresholdAt string
		from        string
	}{
		{"explicit", 40000, 0, "40,000", "sequential: on (tuned for N* = 40,000 users)", "(thresholds.sequential_tuning) is the total users"},
		{"from the plan", 0, 3000, "6,000", "sequential: on (tuned for N* = 6,000 users, 2 × plan.users_per_arm)", "(2 × plan.users_per_arm; thresholds.sequential_tuning sets it)"},
		{"default", 0, 0, "5,000", "sequential: on (tuned for N* = 5,000 users, the default)", "(the default; thresholds.sequential_tuning sets it)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newExp("seq", conversion(), two(counts("conversions", 300), counts("conversions", 390), 2000, 2000))
			e.Thresholds.Sequential = true
			e.Thresholds.SequentialTuning = tt.tuning
			e.Plan.UsersPerArm = tt.plan
			r := result(e)
			if p := r.Report.Comparisons[0].Primary; p.Test != analysis.TestSequential || !p.Sequential {
				t.Fatalf("primary test %s", p.Test)
			}
			var md bytes.Buffer
			if err := Markdown(&md, r, testMeta); err != nil {
				t.Fatal(err)
			}
			s := md.String()
			want := EscapeMarkdown(sequentialSentence(e))
			if !strings.Contains(s, want) || !strings.Contains(s, "N\\* = "+tt.n) || !strings.Contains(s, "stay valid however often") {
				t.Errorf("memo lacks the sequential sentence with N* = %s:\n%s", tt.n, s)
			}
			if !strings.Contains(s, EscapeMarkdown(tt.from)) {
				t.Errorf("memo lacks %q", tt.from)
			}
			if !strings.Contains(s, EscapeMarkdown(tt.thresholdAt)) {
				t.Errorf("memo lacks %q", tt.thresholdAt)
			}
		})
	}
}

// TestSequentialHalving: without plan.mde, a sequential Hold names the
// sample that halves the minimum detectable effect as the multiple of the
// current sample it is (more than four), not "four times".
func TestSequentialHalving(t *testing.T) {
	t.Parallel()
	e := newExp("seq-hold", conversion(), two(counts("conversions", 300), counts("conversions", 305), 2000, 2000))
	e.Thresholds.Sequential = true
	r := result(e)
	pw := r.Report.Comparisons[0].Power
	ratio := pw.Required[0].V / 2000
	if !(ratio > 4) {
		t.Fatalf("halving sample %v, want more than four times 2000", pw.Required[0].V)
	}
	var md bytes.Buffer
	if err := Markdown(&md, r, testMeta); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("with the confidence sequence %.1f times the current sample, about %s control", ratio, format.Count(int64(math.Ceil(pw.Required[0].V))))
	if !strings.Contains(md.String(), want) || strings.Contains(md.String(), "four times the current sample") {
		t.Errorf("memo lacks %q:\n%s", want, md.String())
	}
}
