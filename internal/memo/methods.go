package memo

import (
	"fmt"
	"math"
	"strconv"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/format"
)

// This file holds the memo's sentences and JSON for CUPED and sequential
// results (docs/memo.md#cuped-and-sequential-sentences).

// cupedSentence says, for a CUPED-adjusted result, θ, the variance
// reduction, how much narrower (or wider) the adjusted absolute interval is
// than the unadjusted one at the same level, and what the unadjusted result
// was; "" for any other result.
func cupedSentence(where string, r *analysis.Result) string {
	cu := r.CUPED
	if cu == nil {
		return ""
	}
	d := diffOf(r.Metric.Kind)
	unadj := val(cu.AbsLift, d)
	if ok(cu.CILow) && ok(cu.CIHigh) {
		unadj += " (" + ci(cu.CILow, cu.CIHigh, d) + ")"
	}
	unadj += ", p = " + pOf(cu.PValue)
	s := fmt.Sprintf("CUPED for %s: the pre-period adjustment (θ = %s) %s the variance of the estimate by %s",
		where, strconv.FormatFloat(cu.Theta, 'g', 4, 64), reducedOrRaised(cu.VarianceReduction), format.Share(math.Abs(cu.VarianceReduction)))
	if n, known := cu.Narrower(r); known {
		word := "narrower"
		if n < 0 {
			word = "wider"
		}
		s += fmt.Sprintf(", so its %s CI is %s %s than without it", confidence(r.Alpha), format.Share(math.Abs(n)), word)
	}
	return s + "; unadjusted, the lift was " + unadj + "."
}

func reducedOrRaised(vr float64) string {
	if vr < 0 {
		return "raised"
	}
	return "cut"
}

// sequentialSentence explains a sequential result: valid however often it
// is looked at, and what N* is and where it came from.
func sequentialSentence(e *experiment.Experiment) string {
	from := "thresholds.sequential_tuning"
	switch {
	case e.Thresholds.SequentialTuning > 0:
	case e.Plan.UsersPerArm > 0:
		from = "2 × plan.users_per_arm; thresholds.sequential_tuning sets it"
	default:
		from = "the default; thresholds.sequential_tuning sets it"
	}
	return fmt.Sprintf("p-values and intervals are sequential (an asymptotic confidence sequence): they stay valid however often the experiment is looked at, at the cost of wider intervals than a fixed-horizon test; N* = %s (%s) is the total users of two arms the sequence is tuned for, where it is narrowest relative to a fixed-horizon interval.",
		format.Count(analysis.SequentialTuning(e)), from)
}

// jsonCUPED is a result's `cuped` object (docs/memo.md#json-output).
type jsonCUPED struct {
	Theta             float64 `json:"theta"`
	VarianceReduction float64 `json:"variance_reduction"`
	Unadjusted        struct {
		AbsLift     *float64          `json:"abs_lift"`
		CILow       *float64          `json:"ci_low"`
		CIHigh      *float64          `json:"ci_high"`
		PValue      *float64          `json:"p_value"`
		NullReasons map[string]string `json:"null_reasons"`
	} `json:"unadjusted"`
}

func cupedJSON(cu *analysis.CUPED) *jsonCUPED {
	if cu == nil {
		return nil
	}
	j := &jsonCUPED{Theta: cu.Theta, VarianceReduction: cu.VarianceReduction}
	n := map[string]string{}
	u := &j.Unadjusted
	u.AbsLift, u.CILow, u.CIHigh = fromValue(cu.AbsLift, "abs_lift", n), fromValue(cu.CILow, "ci_low", n), fromValue(cu.CIHigh, "ci_high", n)
	u.PValue, u.NullReasons = fromValue(cu.PValue, "p_value", n), n
	return j
}

// halvingSample names the sample that halves the minimum detectable
// effect: four times the current one for a fixed-horizon test; more for a
// confidence sequence, whose half-width factor grows with n.
func halvingSample(rep *analysis.Report, p *analysis.Result, pw *analysis.Power) string {
	if !rep.Experiment.Thresholds.Sequential || p.ControlUsers == 0 {
		return "four times the current sample"
	}
	return fmt.Sprintf("with the confidence sequence %s times the current sample", strconv.FormatFloat(pw.Required[0].V/float64(p.ControlUsers), 'f', 1, 64))
}

// remedies lists what shortens an infeasible wait: CUPED only for a
// primary that does not use it yet.
func remedies(cuped bool) string {
	if cuped {
		return "a larger mde or more traffic"
	}
	return "a larger mde, more traffic, or CUPED"
}
