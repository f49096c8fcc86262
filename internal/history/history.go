// Package history compares an experiment with its version at the pull
// request's merge base (docs/review.md): rewritten data (data_rewritten),
// a plan changed after data existed (plan_changed), and whether the pull
// request acknowledged either with a new amendment: text.
//
// Both versions are loaded by the same loader (internal/load) over two
// file systems, so that the comparison sees exactly what the analysis
// sees: thresholds and guardrail defaults from experimentos.yaml are
// already resolved into each experiment, and a change there is a change
// of the experiments it applies to.
package history

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/experimentos/experimentos/internal/experiment"
)

// Acknowledged reports whether the pull request sets or changes the
// experiment's amendment: text (docs/review.md#acknowledging-a-finding).
// Removing it, or keeping the base's text, acknowledges nothing.
func Acknowledged(head, base *experiment.Experiment) bool {
	a := strings.TrimSpace(head.Amendment)
	return a != "" && a != strings.TrimSpace(base.Amendment)
}

// Findings returns the data_rewritten and plan_changed issues of head
// against base: blocked, or warnings when Acknowledged. Either may be nil
// (a new experiment has no findings).
func Findings(head, base *experiment.Experiment) []experiment.Issue {
	if head == nil || base == nil {
		return nil
	}
	sev := experiment.SeverityBlocked
	if Acknowledged(head, base) {
		sev = experiment.SeverityWarning
	}
	var out []experiment.Issue
	for _, is := range rewritten(head, base) {
		is.Severity = sev
		out = append(out, is)
	}
	if hasRows(base) {
		for _, d := range PlanDiffs(head, base) {
			is := experiment.Issue{
				Severity: sev,
				Code:     experiment.CodePlanChanged,
				Message:  fmt.Sprintf("%s changed after data existed: %s at the merge base, %s now", d.Key, d.Old, d.New),
				File:     head.ConfigFile,
				Column:   d.Key,
			}
			if d.Key == "plan.users_per_arm" {
				is.Line, is.Col = head.Plan.Line, head.Plan.Col // the one key the loader locates
			}
			out = append(out, is)
		}
	}
	return out
}

func hasRows(e *experiment.Experiment) bool { return e.Data != nil && len(e.Data.Rows) > 0 }

// ---- data_rewritten ----

// rewritten compares the counts of every cell present at the base: users,
// and the count of each proportion or events metric, which only grow while
// data is cumulative (docs/review.md#data_rewritten). Sums are not checked:
// refunds may lower them. With the same segments both sides are compared
// cell by cell, otherwise arm by arm (the segment change itself is a
// plan_changed).
func rewritten(head, base *experiment.Experiment) []experiment.Issue {
	if head.Status != experiment.StatusRunning || !hasRows(base) || head.Data == nil {
		return nil
	}
	hrows, brows := head.Data.Rows, base.Data.Rows
	segs := slices.Equal(head.Segments, base.Segments)
	if !segs {
		hrows, brows = head.Data.Arms, base.Data.Arms
	}
	counted := countedMetrics(head, base)
	now := make(map[string]*experiment.Row, len(hrows))
	for i := range hrows {
		now[cellKey(&hrows[i], segs)] = &hrows[i]
	}
	var out []experiment.Issue
	for i := range brows {
		b := &brows[i]
		h, ok := now[cellKey(b, segs)]
		where := cellName(b, head.Segments, segs)
		if !ok {
			out = append(out, experiment.Issue{
				Code:    experiment.CodeDataRewritten,
				Message: fmt.Sprintf("%s: %d users at the merge base (line %d there), no row now", where, b.Users, b.Line),
				File:    head.DataFile,
			})
			continue
		}
		var falls []string
		col := ""
		if h.Users < b.Users {
			falls = append(falls, fmt.Sprintf("users %d → %d", b.Users, h.Users))
			col = "users"
		}
		for _, m := range counted {
			hm, bm := h.Lookup(m), b.Lookup(m)
			if hm != nil && bm != nil && hm.Count < bm.Count {
				falls = append(falls, fmt.Sprintf("%s %d → %d", m, bm.Count, hm.Count))
				if col == "" {
					col = m
				}
			}
		}
		if len(falls) == 0 {
			continue
		}
		out = append(out, experiment.Issue{
			Code: experiment.CodeDataRewritten,
			Message: fmt.Sprintf("%s, line %d: %s (merge base → now); cumulative counts only grow, so the data was replaced",
				where, h.Line, strings.Join(falls, ", ")),
			File:   head.DataFile,
			Line:   h.Line,
			Column: col,
		})
	}
	return out
}

// countedMetrics are the proportion and events metrics of head that the
// base also declares with the same kind, in declaration order.
func countedMetrics(head, base *experiment.Experiment) []string {
	kinds := map[string]experiment.Kind{}
	for _, m := range metrics(base) {
		kinds[m.Name] = m.Kind
	}
	var out []string
	seen := map[string]bool{}
	for _, m := range metrics(head) {
		if seen[m.Name] || kinds[m.Name] != m.Kind {
			continue
		}
		if m.Kind == experiment.KindProportion || m.Kind == experiment.KindEvents {
			seen[m.Name] = true
			out = append(out, m.Name)
		}
	}
	return out
}

func metrics(e *experiment.Experiment) []*experiment.Metric {
	out := []*experiment.Metric{&e.Primary}
	for i := range e.Guardrails {
		out = append(out, &e.Guardrails[i])
	}
	for i := range e.Secondary {
		out = append(out, &e.Secondary[i])
	}
	return out
}

func cellKey(r *experiment.Row, segs bool) string {
	if !segs {
		return r.Arm
	}
	return r.Arm + "\x00" + strings.Join(r.Cell, "\x00")
}

// cellName names a row for a message: "arm treatment" or
// "arm treatment, platform=ios".
func cellName(r *experiment.Row, segments []string, segs bool) string {
	s := "arm " + strconv.Quote(r.Arm)
	if segs {
		for i, v := range r.Cell {
			if i < len(segments) {
				s += ", " + segments[i] + "=" + strconv.Quote(v)
			}
		}
	}
	return s
}

// ---- plan_changed ----

// Diff is one key of what the test is, changed between base and head, with
// both values as the memo prints them.
type Diff struct {
	Key      string
	Old, New string
}

// PlanDiffs lists the keys of docs/review.md#plan_changed that differ
// between base and head, in a fixed order, leaving out changes that only
// make the analysis stricter: sequential turned on, a lower alpha, a lower
// margin, a larger users_per_arm, an added guardrail. Name, hypothesis,
// owner, status, dates, deployment, labels and secondary metrics are not
// part of the plan.
func PlanDiffs(head, base *experiment.Experiment) []Diff {
	var out []Diff
	add := func(key, old, new string) {
		if old != new {
			out = append(out, Diff{key, old, new})
		}
	}
	// plan
	hp, bp := head.Plan, base.Plan
	if hp.UsersPerArm != bp.UsersPerArm && !(bp.UsersPerArm > 0 && hp.UsersPerArm > bp.UsersPerArm) {
		add("plan.users_per_arm", intOrUnset(bp.UsersPerArm), intOrUnset(hp.UsersPerArm))
	}
	add("plan.mde", floatOrUnset(bp.MDE), floatOrUnset(hp.MDE))
	add("plan.baseline", floatOrUnset(bp.Baseline), floatOrUnset(hp.Baseline))
	add("plan.baseline_sd", floatOrUnset(bp.BaselineSD), floatOrUnset(hp.BaselineSD))
	add("plan.daily_users", intOrUnset(bp.DailyUsers), intOrUnset(hp.DailyUsers))
	// primary
	metricDiffs("primary", &head.Primary, &base.Primary, add)
	// guardrails: removed or changed; an added one is stricter
	hg := map[string]*experiment.Metric{}
	for i := range head.Guardrails {
		hg[head.Guardrails[i].Name] = &head.Guardrails[i]
	}
	for i := range base.Guardrails {
		b := &base.Guardrails[i]
		h, ok := hg[b.Name]
		key := "guardrails." + b.Name
		if !ok {
			add(key, "present", "removed")
			continue
		}
		metricDiffs(key, h, b, add)
		marginDiff(key+".worsened", h.Worsened, b.Worsened, add)
		marginDiff(key+".severe", h.Severe, b.Severe, add)
	}
	add("data", base.DataFile, head.DataFile)
	add("control", base.Control, head.Control)
	add("split", splitString(base.Split), splitString(head.Split))
	add("segments", listString(base.Segments), listString(head.Segments))
	// thresholds
	ht, bt := head.Thresholds, base.Thresholds
	if ht.Alpha.Cmp(bt.Alpha) > 0 {
		add("thresholds.alpha", bt.Alpha.String(), ht.Alpha.String())
	}
	add("thresholds.srm_warning_p", bt.SRMWarningP.String(), ht.SRMWarningP.String())
	add("thresholds.srm_blocked_p", bt.SRMBlockedP.String(), ht.SRMBlockedP.String())
	add("thresholds.min_users", strconv.FormatInt(bt.MinUsers, 10), strconv.FormatInt(ht.MinUsers, 10))
	add("thresholds.ci_method", string(bt.CIMethod), string(ht.CIMethod))
	if bt.Sequential && !ht.Sequential {
		add("thresholds.sequential", "true", "false")
	}
	if bt.Sequential && ht.Sequential {
		add("thresholds.sequential_tuning", intOrDefault(bt.SequentialTuning), intOrDefault(ht.SequentialTuning))
	}
	add("thresholds.guardrail_policy", string(bt.GuardrailPolicy), string(ht.GuardrailPolicy))
	return out
}

// metricDiffs compares what a metric measures: its name, kind, desired
// direction, CUPED, ratio parts and columns (the columns only when the
// name and kind agree, since they follow from them by default).
func metricDiffs(key string, h, b *experiment.Metric, add func(k, o, n string)) {
	add(key+".metric", b.Name, h.Name)
	add(key+".type", string(b.Kind), string(h.Kind))
	add(key+".desired", string(b.Desired), string(h.Desired))
	add(key+".cuped", strconv.FormatBool(b.CUPED), strconv.FormatBool(h.CUPED))
	add(key+".numerator", b.Numerator, h.Numerator)
	add(key+".denominator", b.Denominator, h.Denominator)
	if h.Name == b.Name && h.Kind == b.Kind {
		add(key+".columns", columnsString(b.Columns), columnsString(h.Columns))
	}
}

// marginDiff reports a margin that changed other than by being lowered in
// the same form (absolute or relative).
func marginDiff(key string, h, b experiment.Margin, add func(k, o, n string)) {
	if h.Relative == b.Relative && h.Value.Cmp(b.Value) <= 0 {
		return
	}
	add(key, b.String(), h.String())
}

func intOrUnset(n int64) string {
	if n == 0 {
		return "unset"
	}
	return strconv.FormatInt(n, 10)
}

func intOrDefault(n int64) string {
	if n == 0 {
		return "default"
	}
	return strconv.FormatInt(n, 10)
}

func floatOrUnset(x *float64) string {
	if x == nil {
		return "unset"
	}
	return strconv.FormatFloat(*x, 'g', -1, 64)
}

// splitString renders the split as shares, so that {a: 1, b: 1} and
// {a: 50, b: 50} are the same plan.
func splitString(s map[string]float64) string {
	if s == nil {
		return "equal"
	}
	total := 0.0
	for _, w := range s {
		total += w
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(s)) {
		parts = append(parts, k+": "+strconv.FormatFloat(s[k]/total, 'g', 4, 64))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func listString(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return "[" + strings.Join(l, ", ") + "]"
}

func columnsString(c map[experiment.Role]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(c)) {
		parts = append(parts, string(k)+": "+c[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
