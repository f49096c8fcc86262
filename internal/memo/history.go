package memo

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/format"
	"github.com/experimentos/experimentos/internal/stats"
)

// The history of docs/review.md in the memo: the decision at the merge
// base and the looks in the Summary, the looks Risk and its Next Action,
// and the comment's headline and base column.

// outcomeWord is an outcome as the headline prints it: "Launch", "Hold",
// "Not analyzed", with the arm when withArm.
func outcomeWord(o experiment.Outcome, arm string, withArm bool) string {
	w := "Not analyzed"
	switch o {
	case experiment.Launch:
		w = "Launch"
	case experiment.Hold:
		w = "Hold"
	case experiment.Rollback:
		w = "Rollback"
	}
	if withArm && arm != "" && (o == experiment.Launch || o == experiment.Rollback) {
		w += " " + Clip(arm, capShort)
	}
	return w
}

// baseCell is the base decision as the overview and the Summary print it.
func baseCell(h *decision.History) string {
	if h.Base.New {
		return "new"
	}
	return outcomeWord(h.Base.Outcome, h.Base.Arm, true)
}

// historyFields are the Summary rows of a result compared with its merge
// base: the decision there and the looks.
func historyFields(r decision.Result) []field {
	h := r.History
	if h == nil {
		return nil
	}
	base := "new: not at the merge base"
	if !h.Base.New {
		base = baseCell(h)
		if h.Changed(r.Decision) {
			base += " → " + outcomeWord(r.Decision.Outcome, r.Decision.Arm, true) + " in this pull request"
		} else {
			base += ", unchanged by this pull request"
		}
		if reason := Clip(h.Base.Reason, capMessage); reason != "" {
			base += " (" + reason + ")"
		}
	}
	looks := "unknown: " + Clip(h.LooksUnknown, capMessage)
	if h.Looks >= 0 {
		looks = strconv.Itoa(h.Looks) + " " + plural(h.Looks, "commit", "commits") + " changed the data file with data in it"
	}
	return []field{{Key: "Decision at the merge base", Values: []string{base}}, {Key: "Looks", Values: []string{looks}}}
}

// peeked returns the looks and the α of a significant primary seen after
// more than one look without a sequential test or a pre-registered sample
// (docs/review.md#looks); ok is false otherwise.
func peeked(r decision.Result) (looks int, alpha float64, ok bool) {
	h := r.History
	e := r.Report.Experiment
	if h == nil || h.Looks < 2 || e.Thresholds.Sequential || e.Plan.UsersPerArm > 0 || !analyzed(r) {
		return 0, 0, false
	}
	for i := range r.Report.Comparisons {
		p := &r.Report.Comparisons[i].Primary
		if p.Significant {
			a := p.Alpha.Float64()
			if a > 0 && a < 1 {
				return h.Looks, a, true
			}
		}
	}
	return 0, 0, false
}

// riskLooks is the Risk of a result that was peeked at.
func riskLooks(r decision.Result) []string {
	k, a, ok := peeked(r)
	if !ok {
		return nil
	}
	rate := stats.PeekingFalsePositiveRate(k, a)
	return []string{fmt.Sprintf("The result was looked at %d times (commits that changed the data file) with a fixed-horizon test and no pre-registered sample: stopping at the first of %d equally spaced looks that is significant at α = %s has a false-positive rate of %s, not %s (Armitage, McPherson & Rowe 1969).",
		k, k, strconv.FormatFloat(a, 'g', -1, 64), format.Share(rate), format.Share(a))}
}

// looksActions is the Next Action that goes with riskLooks.
func looksActions(r decision.Result) []actionGroup {
	if _, _, ok := peeked(r); !ok {
		return nil
	}
	return []actionGroup{{Title: "Looks", Items: []string{
		"Set thresholds.sequential: true, whose always-valid p-values may be checked after every commit, or pre-register plan.users_per_arm and decide once it is reached.",
	}}}
}

// commentHeadline is the comment's first line after the marker when any
// result was compared with its merge base: the decisions the pull request
// changes, or that none changes; "" when none was compared.
func commentHeadline(rs []decision.Result) string {
	var changes []string
	compared := false
	for _, r := range rs {
		h := r.History
		if h == nil {
			continue
		}
		compared = true
		if !h.Changed(r.Decision) {
			continue
		}
		id := Clip(r.Report.Experiment.ID, capShort)
		now := r.Decision
		if h.Base.New {
			changes = append(changes, id+" new: "+outcomeWord(now.Outcome, now.Arm, false))
			continue
		}
		arms := h.Base.Outcome == now.Outcome // only the arm changed
		changes = append(changes, id+" "+outcomeWord(h.Base.Outcome, h.Base.Arm, arms)+" → "+outcomeWord(now.Outcome, now.Arm, arms))
	}
	if !compared {
		return ""
	}
	if len(changes) == 0 {
		return "No decision changes."
	}
	const shown = 10
	s := fmt.Sprintf("%d %s: ", len(changes), plural(len(changes), "decision changes", "decisions change"))
	if len(changes) > shown {
		return EscapeMarkdown(s+strings.Join(changes[:shown], "; ")) + fmt.Sprintf("; and %d more.", len(changes)-shown)
	}
	return EscapeMarkdown(s + strings.Join(changes, "; "))
}

// baseColumn is the overview's cell for the decision at the merge base.
func baseColumn(r decision.Result) string {
	if r.History == nil {
		return "—"
	}
	return EscapeMarkdown(baseCell(r.History))
}

// historyLine is the terminal's line for the merge base:
// "at the merge base: Hold → Launch treatment · looks: 2".
func historyLine(r decision.Result) string {
	h := r.History
	if h == nil {
		return ""
	}
	s := "at the merge base: " + baseCell(h)
	if h.Changed(r.Decision) && !h.Base.New {
		s += " → " + outcomeWord(r.Decision.Outcome, r.Decision.Arm, true)
	} else if !h.Base.New {
		s += ", unchanged"
	}
	if h.Looks >= 0 {
		return s + " · looks: " + strconv.Itoa(h.Looks)
	}
	return s + " · looks: unknown"
}
