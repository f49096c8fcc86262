package memo

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
)

// SchemaVersion is the version of the JSON document's shape.
const SchemaVersion = 1

// The JSON document of docs/memo.md#json-output. Its keys are defined here
// and only here (the analysis and experiment types carry no JSON tags), so
// a refactor there cannot silently change a stable key. Every float is a
// *float64 made by num, so NaN and Inf become null instead of failing the
// encoder.
type (
	jsonExperiment struct {
		ID         string                `json:"id"`
		Path       string                `json:"path"`
		Name       string                `json:"name"`
		Status     experiment.Status     `json:"status"`
		Deployment experiment.Deployment `json:"deployment"`
		DataFile   string                `json:"data_file"`
		DataSHA256 *string               `json:"data_sha256"`
		Thresholds experiment.Thresholds `json:"thresholds"`
		Health     jsonHealth            `json:"health"`
		Primary    *jsonPrimary          `json:"primary"`
		Guardrails []jsonGuardrail       `json:"guardrails"`
		Power      *jsonPower            `json:"power,omitempty"`
		Decision   decision.Decision     `json:"decision"`
	}
	jsonHealth struct {
		Status analysis.HealthStatus `json:"status"`
		SRM    *jsonSRM              `json:"srm"`
		Issues []jsonIssue           `json:"issues"`
	}
	jsonSRM struct {
		Chi2          *float64   `json:"chi2"`
		PValue        *float64   `json:"p_value"`
		ExpectedShare []*float64 `json:"expected_share"`
		Users         [2]int64   `json:"users"`
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
	jsonPrimary struct {
		Metric         string               `json:"metric"`
		Label          string               `json:"label"`
		Desired        experiment.Direction `json:"desired"`
		Test           analysis.Test        `json:"test"`
		CIMethod       experiment.CIMethod  `json:"ci_method"`
		ControlUsers   int64                `json:"control_users"`
		TreatmentUsers int64                `json:"treatment_users"`
		ControlCount   int64                `json:"control_conversions"`
		TreatmentCount int64                `json:"treatment_conversions"`
		ControlRate    *float64             `json:"control_rate"`
		TreatmentRate  *float64             `json:"treatment_rate"`
		AbsLift        *float64             `json:"abs_lift"`
		RelLift        *float64             `json:"rel_lift"`
		CILow          *float64             `json:"ci_low"`
		CIHigh         *float64             `json:"ci_high"`
		RelCILow       *float64             `json:"rel_ci_low"`
		RelCIHigh      *float64             `json:"rel_ci_high"`
		PValue         *float64             `json:"p_value"`
		Significant    bool                 `json:"significant"`
		NullReasons    map[string]string    `json:"null_reasons"`
	}
	jsonGuardrail struct {
		Metric            string                `json:"metric"`
		Label             string                `json:"label"`
		Type              experiment.MetricType `json:"type"`
		Desired           experiment.Direction  `json:"desired"`
		Test              analysis.Test         `json:"test"`
		ControlCount      int64                 `json:"control_count"`
		TreatmentCount    int64                 `json:"treatment_count"`
		ControlRate       *float64              `json:"control_rate"`
		TreatmentRate     *float64              `json:"treatment_rate"`
		Delta             *float64              `json:"delta"`
		PValue            *float64              `json:"p_value"`
		Worsened          bool                  `json:"worsened"`
		Severe            bool                  `json:"severe"`
		WorsenedThreshold experiment.Decimal    `json:"worsened_threshold"`
		SevereThreshold   experiment.Decimal    `json:"severe_threshold"`
		NullReasons       map[string]string     `json:"null_reasons"`
	}
	jsonPower struct {
		Basis               string   `json:"basis"`
		TargetRate          *float64 `json:"target_rate"`
		RequiredControl     *float64 `json:"required_control"`
		RequiredTreatment   *float64 `json:"required_treatment"`
		AdditionalControl   *int64   `json:"additional_control"`
		AdditionalTreatment *int64   `json:"additional_treatment"`
		AdditionalDays      *float64 `json:"additional_days"`
		Reason              string   `json:"reason,omitempty"`
	}
)

// JSON writes the document of docs/memo.md#json-output for the results, in
// their order: schema_version, version, commit (null when unknown),
// experiments and the outcome summary. primary and guardrails are null when
// an experiment was not analyzed; undefined statistics are null, never NaN.
// The output has no timestamps, so it is byte-for-byte reproducible.
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
	for i, r := range rs {
		if i > 0 {
			bw.WriteByte(',')
		}
		b, err := json.MarshalIndent(jsonOf(r), "    ", "  ")
		if err != nil {
			return err
		}
		bw.WriteString("\n    ")
		bw.Write(b)
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

func jsonOf(r decision.Result) jsonExperiment {
	rep := r.Report
	e := rep.Experiment
	je := jsonExperiment{
		ID: e.ID, Path: e.Path, Name: e.Name, Status: e.Status, Deployment: e.Deployment,
		DataFile: e.DataFile, DataSHA256: str(e.DataSHA256), Thresholds: e.Thresholds,
		Health:   jsonHealth{Status: rep.Health.Status, Issues: make([]jsonIssue, 0, len(rep.Health.Issues))},
		Decision: r.Decision,
	}
	if s := rep.Health.SRM; s != nil {
		je.Health.SRM = &jsonSRM{Chi2: num(s.Chi2), PValue: num(s.PValue),
			ExpectedShare: []*float64{num(s.ExpectedShare[0]), num(s.ExpectedShare[1])}, Users: s.Users}
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
	p := rep.Primary
	if !rep.Analyzed || p == nil {
		return je
	}
	je.Primary = &jsonPrimary{
		Metric: p.Metric, Label: p.Label, Desired: p.Desired, Test: p.Test, CIMethod: p.CIMethod,
		ControlUsers: p.ControlUsers, TreatmentUsers: p.TreatmentUsers,
		ControlCount: p.ControlCount, TreatmentCount: p.TreatmentCount,
		ControlRate: num(p.ControlRate), TreatmentRate: num(p.TreatmentRate),
		AbsLift: num(p.AbsLift), RelLift: finite(p.RelLift),
		CILow: finite(p.CILow), CIHigh: finite(p.CIHigh),
		RelCILow: finite(p.RelCILow), RelCIHigh: finite(p.RelCIHigh),
		PValue: finite(p.PValue), Significant: p.Significant,
		NullReasons: nonNil(p.Nulls),
	}
	je.Guardrails = make([]jsonGuardrail, 0, len(rep.Guardrails))
	for _, g := range rep.Guardrails {
		je.Guardrails = append(je.Guardrails, jsonGuardrail{
			Metric: g.Metric, Label: g.Label, Type: g.Type, Desired: g.Desired, Test: g.Test,
			ControlCount: g.ControlCount, TreatmentCount: g.TreatmentCount,
			ControlRate: num(g.ControlRate), TreatmentRate: num(g.TreatmentRate), Delta: num(g.Delta),
			PValue: finite(g.PValue), Worsened: g.Worsened, Severe: g.Severe,
			WorsenedThreshold: g.WorsenedThreshold, SevereThreshold: g.SevereThreshold,
			NullReasons: nonNil(g.Nulls),
		})
	}
	if pw := p.Power; pw != nil {
		je.Power = &jsonPower{
			Basis: pw.Basis, TargetRate: num(pw.TargetRate),
			RequiredControl: finite(pw.RequiredControl), RequiredTreatment: finite(pw.RequiredTreatment),
			AdditionalControl: pw.AdditionalControl, AdditionalTreatment: pw.AdditionalTreatment,
			AdditionalDays: finite(pw.AdditionalDays), Reason: pw.Reason,
		}
	}
	return je
}

func num(x float64) *float64 { return finite(&x) }

func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
