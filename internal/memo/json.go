package memo

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
)

// SchemaVersion is the version of the JSON document's shape
// (docs/memo.md#json-output).
const SchemaVersion = 2

// The JSON document, schema_version 2. Its keys are defined here and only
// here (the analysis and experiment types carry no JSON tags), so a
// refactor there cannot silently change a stable key. Every float is a
// *float64 made by num or fromValue, so an undefined statistic (or a NaN
// that slipped through) is null, and its reason goes to null_reasons.
type (
	jsonExperiment struct {
		ID         string            `json:"id"`
		Path       string            `json:"path"`
		Name       string            `json:"name"`
		Status     experiment.Status `json:"status"`
		Deployment string            `json:"deployment"`
		DataFile   string            `json:"data_file"`
		DataSHA256 *string           `json:"data_sha256"`
		Thresholds jsonThresholds    `json:"thresholds"`
		Arms       []jsonArm         `json:"arms"`
		Health     jsonHealth        `json:"health"`
		Comps      []jsonComparison  `json:"comparisons"`
		Decision   jsonDecision      `json:"decision"`
		Power      *jsonPower        `json:"power"`
		// Base and Looks are the history of docs/review.md: null when no
		// merge base was compared / no history was available.
		Base  *jsonBase `json:"base"`
		Looks *int      `json:"looks"`
		// Segments is present only when the experiment has segments:
		// (json_segments.go).
		Segments []jsonSegment `json:"segments,omitempty"`
	}
	jsonBase struct {
		Outcome    string  `json:"outcome"`
		Arm        *string `json:"arm"`
		Reason     *string `json:"reason"`
		DataSHA256 *string `json:"data_sha256"`
	}
	jsonThresholds struct {
		Alpha            experiment.Decimal  `json:"alpha"`
		PrimaryAlpha     experiment.Decimal  `json:"primary_alpha"`
		SRMWarningP      experiment.Decimal  `json:"srm_warning_p"`
		SRMBlockedP      experiment.Decimal  `json:"srm_blocked_p"`
		MinUsers         int64               `json:"min_users"`
		CIMethod         experiment.CIMethod `json:"ci_method"`
		Sequential       bool                `json:"sequential"`
		SequentialTuning *int64              `json:"sequential_tuning"`
		GuardrailPolicy  string              `json:"guardrail_policy"`
	}
	jsonArm struct {
		Name          string   `json:"name"`
		Control       bool     `json:"control"`
		Users         int64    `json:"users"`
		ExpectedShare *float64 `json:"expected_share"`
	}
	jsonHealth struct {
		Status analysis.HealthStatus `json:"status"`
		SRM    *jsonSRM              `json:"srm"`
		Issues []jsonIssue           `json:"issues"`
	}
	jsonSRM struct {
		Chi2          *float64   `json:"chi2"`
		PValue        *float64   `json:"p_value"`
		DF            int        `json:"df"`
		ExpectedShare []*float64 `json:"expected_share"`
		Users         []int64    `json:"users"`
	}
	jsonIssue struct {
		Severity experiment.Severity `json:"severity"`
		Code     string              `json:"code"`
		Message  string              `json:"message"`
		File     *string             `json:"file"`
		Line     *int                `json:"line"`
		Column   *string             `json:"column"`
		Col      *int                `json:"col"`
	}
	jsonComparison struct {
		Arm        string          `json:"arm"`
		Control    string          `json:"control"`
		Primary    jsonResult      `json:"primary"`
		Guardrails []jsonGuardrail `json:"guardrails"`
		Secondary  []jsonResult    `json:"secondary"`
		Decision   jsonVerdict     `json:"decision"`
	}
	jsonResult struct {
		Metric         string               `json:"metric"`
		Label          string               `json:"label"`
		Type           experiment.Kind      `json:"type"`
		Desired        experiment.Direction `json:"desired"`
		Test           analysis.Test        `json:"test"`
		Alpha          experiment.Decimal   `json:"alpha"`
		ControlValue   *float64             `json:"control_value"`
		TreatmentValue *float64             `json:"treatment_value"`
		AbsLift        *float64             `json:"abs_lift"`
		RelLift        *float64             `json:"rel_lift"`
		CILow          *float64             `json:"ci_low"`
		CIHigh         *float64             `json:"ci_high"`
		RelCILow       *float64             `json:"rel_ci_low"`
		RelCIHigh      *float64             `json:"rel_ci_high"`
		PValue         *float64             `json:"p_value"`
		PAdjusted      *float64             `json:"p_adjusted"`
		Significant    bool                 `json:"significant"`
		DF             *float64             `json:"df"`
		CUPED          *jsonCUPED           `json:"cuped"`
		Sequential     bool                 `json:"sequential"`
		Note           *string              `json:"note"`
		NullReasons    map[string]string    `json:"null_reasons"`
	}
	jsonGuardrail struct {
		Metric            string                  `json:"metric"`
		Label             string                  `json:"label"`
		Type              experiment.Kind         `json:"type"`
		Desired           experiment.Direction    `json:"desired"`
		Test              analysis.Test           `json:"test"`
		Alpha             experiment.Decimal      `json:"alpha"`
		ControlValue      *float64                `json:"control_value"`
		TreatmentValue    *float64                `json:"treatment_value"`
		Delta             *float64                `json:"delta"`
		CILow             *float64                `json:"ci_low"`
		CIHigh            *float64                `json:"ci_high"`
		PValue            *float64                `json:"p_value"`
		State             analysis.GuardrailState `json:"state"`
		Worsened          bool                    `json:"worsened"`
		Severe            bool                    `json:"severe"`
		Inconclusive      bool                    `json:"inconclusive"`
		SignificantHarm   bool                    `json:"significant_harm"`
		WorsenedThreshold string                  `json:"worsened_threshold"`
		SevereThreshold   string                  `json:"severe_threshold"`
		WorsenedMargin    *float64                `json:"worsened_margin"`
		SevereMargin      *float64                `json:"severe_margin"`
		CUPED             *jsonCUPED              `json:"cuped,omitempty"`
		Note              *string                 `json:"note"`
		NullReasons       map[string]string       `json:"null_reasons"`
	}
	jsonVerdict struct {
		Outcome  experiment.Outcome `json:"outcome"`
		Rule     *int               `json:"rule"`
		Reason   string             `json:"reason"`
		HoldKind *string            `json:"hold_kind"`
	}
	jsonDecision struct {
		Outcome  experiment.Outcome `json:"outcome"`
		Arm      *string            `json:"arm"`
		Rule     *int               `json:"rule"`
		HoldKind *string            `json:"hold_kind"`
		Reason   string             `json:"reason"`
	}
	jsonPower struct {
		Basis              string              `json:"basis"`
		MDE                *float64            `json:"mde"`
		TargetValue        *float64            `json:"target_value"`
		MDEAtCurrentSample *float64            `json:"mde_at_current_sample"`
		RequiredPerArm     map[string]*float64 `json:"required_per_arm"`
		MDERequiredPerArm  map[string]*float64 `json:"mde_required_per_arm"`
		AdditionalPerArm   map[string]int64    `json:"additional_per_arm"`
		Days               *int64              `json:"days"`
		Feasible           *bool               `json:"feasible"`
		FromPlan           bool                `json:"from_plan"`
		Comparison         string              `json:"comparison"`
		NullReasons        map[string]string   `json:"null_reasons"`
	}
)

// JSON writes the document for the results, in their order:
// schema_version, version, commit (null when unknown), experiments and the
// outcome summary. comparisons is empty when an experiment was not
// analyzed; undefined statistics are null, never NaN. The output has no
// timestamps, so it is byte-for-byte reproducible.
func JSON(w io.Writer, rs []decision.Result, m Meta) error {
	for _, r := range rs {
		if err := check(r); err != nil {
			return err
		}
	}
	// The document is written one experiment at a time, so 10,000
	// experiments never sit in memory twice as one encoded buffer. The
	// bytes are those json.Encoder with a two-space indent would write for
	// the whole document (json_stream_test.go checks it): schema_version,
	// version, commit, experiments, summary.
	bw := bufio.NewWriter(w)
	commit, err := json.Marshal(str(m.Commit))
	if err != nil {
		return err
	}
	version, err := json.Marshal(m.Version)
	if err != nil {
		return err
	}
	fmt.Fprintf(bw, "{\n  \"schema_version\": %d,\n  \"version\": %s,\n  \"commit\": %s,\n  \"experiments\": [",
		SchemaVersion, version, commit)
	// Experiments are encoded a window at a time, the window's entries in
	// parallel (encoding is about a fifth of the CPU of a 10,000-experiment
	// run, docs/performance.md#version-2-engine), and written in order.
	workers := runtime.GOMAXPROCS(0)
	window := make([][]byte, min(len(rs), 64*workers))
	errs := make([]error, len(window))
	for start := 0; start < len(rs); start += len(window) {
		part := rs[start:min(start+len(window), len(rs))]
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				// One encoder per worker reuses its buffers; each entry's
				// slot is reused from window to window.
				// The encoder writes compact JSON, which appendIndented
				// lays out as SetIndent("    ", "  ") would, faster.
				var to sliceWriter
				enc := json.NewEncoder(&to)
				for i := w; i < len(part); i += workers {
					to.b = to.b[:0]
					errs[i] = enc.Encode(jsonOf(part[i]))
					compact := bytes.TrimSuffix(to.b, []byte("\n")) // Encode ends each value with a newline
					// Indenting with the prefix takes the text to under
					// twice its compact length.
					window[i] = appendIndented(slices.Grow(window[i][:0], 2*len(compact)), compact, "    ", "  ")
				}
			})
		}
		wg.Wait()
		for i := range part {
			if errs[i] != nil {
				return errs[i]
			}
			if start+i > 0 {
				bw.WriteByte(',')
			}
			bw.WriteString("\n    ")
			bw.Write(window[i])
		}
	}
	if len(rs) > 0 {
		bw.WriteString("\n  ")
	}
	summary, err := json.MarshalIndent(decision.Summarize(rs), "  ", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintf(bw, "],\n  \"summary\": %s\n}\n", summary)
	return bw.Flush()
}

// sliceWriter appends what is written to b.
type sliceWriter struct{ b []byte }

func (w *sliceWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

func jsonOf(r decision.Result) jsonExperiment {
	rep := r.Report
	e := rep.Experiment
	th := e.Thresholds
	je := jsonExperiment{
		ID: e.ID, Path: e.Path, Name: e.Name, Status: e.Status, Deployment: string(e.Deployment),
		DataFile: e.DataFile, DataSHA256: str(e.DataSHA256),
		Thresholds: jsonThresholds{Alpha: th.Alpha, PrimaryAlpha: primaryAlpha(rep), SRMWarningP: th.SRMWarningP, SRMBlockedP: th.SRMBlockedP,
			MinUsers: th.MinUsers, CIMethod: th.CIMethod, Sequential: th.Sequential, GuardrailPolicy: string(th.GuardrailPolicy)},
		Arms:     make([]jsonArm, 0, len(rep.Arms)),
		Health:   jsonHealth{Status: rep.Health.Status, Issues: make([]jsonIssue, 0, len(rep.Health.Issues))},
		Comps:    make([]jsonComparison, 0, len(rep.Comparisons)),
		Decision: decisionJSON(r.Decision),
	}
	if th.Sequential {
		n := analysis.SequentialTuning(e) // N* as applied, its default included
		je.Thresholds.SequentialTuning = &n
	} else if th.SequentialTuning > 0 {
		je.Thresholds.SequentialTuning = &th.SequentialTuning
	}
	for _, a := range rep.Arms {
		je.Arms = append(je.Arms, jsonArm{Name: a.Name, Control: a.Control, Users: a.Users, ExpectedShare: num(a.ExpectedShare)})
	}
	if s := rep.Health.SRM; s != nil {
		js := &jsonSRM{Chi2: num(s.Chi2), PValue: num(s.PValue), DF: s.DF, Users: append([]int64{}, s.Users...),
			ExpectedShare: make([]*float64, len(s.ExpectedShare))}
		for i, x := range s.ExpectedShare {
			js.ExpectedShare[i] = num(x)
		}
		je.Health.SRM = js
	}
	for _, is := range rep.Health.Issues {
		ji := jsonIssue{Severity: is.Severity, Code: is.Code, Message: is.Message, File: str(is.File), Column: str(is.Column)}
		if is.Line > 0 {
			ji.Line = &is.Line
		}
		if is.Col > 0 {
			ji.Col = &is.Col
		}
		je.Health.Issues = append(je.Health.Issues, ji)
	}
	for i := range rep.Comparisons {
		c := &rep.Comparisons[i]
		jc := jsonComparison{Arm: c.Arm, Control: c.Control, Primary: resultJSON(&c.Primary),
			Guardrails: make([]jsonGuardrail, 0, len(c.Guardrails)), Secondary: make([]jsonResult, 0, len(c.Secondary))}
		for gi := range c.Guardrails {
			jc.Guardrails = append(jc.Guardrails, guardrailJSON(&c.Guardrails[gi]))
		}
		for si := range c.Secondary {
			jc.Secondary = append(jc.Secondary, resultJSON(&c.Secondary[si]))
		}
		if i < len(r.Decision.Comparisons) {
			v := r.Decision.Comparisons[i]
			jc.Decision = jsonVerdict{Outcome: v.Outcome, Rule: rule(v.Rule), Reason: v.Reason, HoldKind: holdKind(v.HoldKind)}
		}
		je.Comps = append(je.Comps, jc)
	}
	je.Power = powerJSON(r)
	je.Segments = segmentsJSON(rep)
	if h := r.History; h != nil {
		switch {
		case h.Base == nil: // looks counted, no merge base compared
		case h.Base.New:
			je.Base = &jsonBase{Outcome: "new"}
		default:
			je.Base = &jsonBase{Outcome: string(h.Base.Outcome), Arm: str(h.Base.Arm), Reason: str(h.Base.Reason), DataSHA256: str(h.Base.DataSHA256)}
		}
		if h.Looks >= 0 {
			je.Looks = &h.Looks
		}
	}
	return je
}

func decisionJSON(d decision.Decision) jsonDecision {
	return jsonDecision{Outcome: d.Outcome, Arm: str(d.Arm), Rule: rule(d.Rule), HoldKind: holdKind(d.HoldKind), Reason: d.Reason}
}

func rule(r decision.Rule) *int {
	if r == decision.RuleNone {
		return nil
	}
	n := int(r)
	return &n
}

func holdKind(k decision.HoldKind) *string {
	if k == decision.NoHold {
		return nil
	}
	s := string(k)
	return &s
}

// fromValue is a Value as JSON: its number, or null with its reason
// recorded under key.
func fromValue(v analysis.Value, key string, nulls map[string]string) *float64 {
	if !v.OK() {
		nulls[key] = v.Null
		return nil
	}
	if p := num(v.V); p != nil {
		return p
	}
	nulls[key] = "not a finite number"
	return nil
}

func resultJSON(r *analysis.Result) jsonResult {
	n := map[string]string{}
	return jsonResult{
		Metric: r.Metric.Name, Label: r.Metric.Label, Type: r.Metric.Kind, Desired: r.Metric.Desired,
		Test: r.Test, Alpha: r.Alpha,
		ControlValue: num(r.ControlValue), TreatmentValue: num(r.TreatmentValue),
		AbsLift: fromValue(r.AbsLift, "abs_lift", n), RelLift: fromValue(r.RelLift, "rel_lift", n),
		CILow: fromValue(r.CILow, "ci_low", n), CIHigh: fromValue(r.CIHigh, "ci_high", n),
		RelCILow: fromValue(r.RelCILow, "rel_ci_low", n), RelCIHigh: fromValue(r.RelCIHigh, "rel_ci_high", n),
		PValue: fromValue(r.PValue, "p_value", n), PAdjusted: fromValue(r.PAdjusted, "p_adjusted", n),
		Significant: r.Significant, DF: fromValue(r.DF, "df", n), Sequential: r.Sequential,
		CUPED: cupedJSON(r.CUPED), Note: str(r.Note), NullReasons: n,
	}
}

func guardrailJSON(g *analysis.Guardrail) jsonGuardrail {
	n := map[string]string{}
	return jsonGuardrail{
		Metric: g.Metric.Name, Label: g.Metric.Label, Type: g.Metric.Kind, Desired: g.Metric.Desired,
		Test: g.Test, Alpha: g.Alpha,
		ControlValue: num(g.ControlValue), TreatmentValue: num(g.TreatmentValue),
		Delta: fromValue(g.AbsLift, "delta", n), CILow: fromValue(g.CILow, "ci_low", n), CIHigh: fromValue(g.CIHigh, "ci_high", n),
		PValue: fromValue(g.PValue, "p_value", n),
		State:  g.State, Worsened: g.Flagged(), Severe: g.State == analysis.StateSevere, Inconclusive: g.State == analysis.StateInconclusive,
		SignificantHarm:   g.SignificantHarm,
		WorsenedThreshold: g.Metric.Worsened.String(), SevereThreshold: g.Metric.Severe.String(),
		WorsenedMargin: num(g.WorsenedMargin), SevereMargin: num(g.SevereMargin),
		CUPED: cupedJSON(g.CUPED), Note: str(g.Note), NullReasons: n,
	}
}

// powerJSON is the power block: present for running holds of kind collect
// and stop, from the comparison whose verdict the decision took, and for a
// planned experiment with plan.baseline and plan.mde (the planning
// calculator, from the arm that needs the most days); null otherwise
// (docs/memo.md#json-output).
func powerJSON(r decision.Result) *jsonPower {
	d := r.Decision
	e := r.Report.Experiment
	if e.Status == experiment.StatusPlanned && len(r.Report.Planned) > 0 && r.Report.Health.Status != analysis.Blocked {
		ps := r.Report.Planned
		best := 0
		for i, p := range ps {
			if p.Power.Days.OK() && (!ps[best].Power.Days.OK() || p.Power.Days.V > ps[best].Power.Days.V) {
				best = i
			}
		}
		return powerBlock(ps[best].Power, ps[best].Control, ps[best].Arm)
	}
	if d.Outcome != experiment.Hold || (d.HoldKind != decision.Collect && d.HoldKind != decision.Stop) ||
		e.Status != experiment.StatusRunning {
		return nil
	}
	c := Deciding(r)
	if c == nil || c.Power == nil {
		return nil
	}
	return powerBlock(c.Power, c.Control, c.Arm)
}

func powerBlock(pw *analysis.Power, control, arm string) *jsonPower {
	n := map[string]string{}
	jp := &jsonPower{
		Basis: pw.Basis, MDE: fromValue(pw.MDE, "mde", n), TargetValue: fromValue(pw.TargetValue, "target_value", n),
		MDEAtCurrentSample: fromValue(pw.MDEAtCurrent, "mde_at_current_sample", n),
		FromPlan:           pw.FromPlan, Comparison: arm, NullReasons: n,
	}
	if pw.Basis == analysis.BasisCurrentSample {
		delete(n, "mde")
		delete(n, "target_value")
	}
	names := [2]string{control, arm}
	perArm := func(v [2]analysis.Value, key string) map[string]*float64 {
		if !v[0].OK() || !v[1].OK() {
			n[key] = v[0].Null
			return nil
		}
		out := map[string]*float64{}
		for i, name := range names {
			x := float64(ceil(v[i].V))
			out[name] = &x
		}
		return out
	}
	jp.RequiredPerArm = perArm(pw.Required, "required_per_arm")
	if pw.Basis == analysis.BasisPlanMDE {
		jp.MDERequiredPerArm = perArm(pw.MDERequired, "mde_required_per_arm")
	}
	if jp.RequiredPerArm != nil {
		jp.AdditionalPerArm = map[string]int64{}
		for i, name := range names {
			jp.AdditionalPerArm[name] = pw.Additional[i]
		}
	}
	if pw.Days.OK() {
		days := int64(pw.Days.V)
		jp.Days = &days
		f, _ := pw.Feasible()
		jp.Feasible = &f
	} else {
		n["days"] = pw.Days.Null
	}
	return jp
}

// num is x, or nil when it is not finite.
func num(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
