package memo

import (
	"github.com/experimentos/experimentos/internal/analysis"
)

// The segments of the JSON document (docs/memo.md#json-output): one entry
// per value of each segment column, with its users per arm, its SRM, and
// per comparison the same primary and guardrail objects as the
// experiment's comparisons, plus q_value.
type (
	jsonSegment struct {
		Column       string                  `json:"column"`
		Value        string                  `json:"value"`
		Values       int                     `json:"values"`
		Arms         []jsonSegmentArm        `json:"arms"`
		SRM          jsonSegmentSRM          `json:"srm"`
		SegmentSRM   bool                    `json:"segment_srm"`
		SRMThreshold *float64                `json:"srm_threshold"`
		Comparisons  []jsonSegmentComparison `json:"comparisons"`
	}
	jsonSegmentArm struct {
		Name  string `json:"name"`
		Users int64  `json:"users"`
	}
	jsonSegmentSRM struct {
		Chi2   *float64 `json:"chi2"`
		PValue *float64 `json:"p_value"`
		DF     int      `json:"df"`
	}
	jsonSegmentComparison struct {
		Arm        string                 `json:"arm"`
		Control    string                 `json:"control"`
		Primary    jsonSegmentResult      `json:"primary"`
		Guardrails []jsonSegmentGuardrail `json:"guardrails"`
	}
	jsonSegmentResult struct {
		jsonResult
		QValue *float64 `json:"q_value"`
	}
	jsonSegmentGuardrail struct {
		jsonGuardrail
		QValue *float64 `json:"q_value"`
	}
)

// segmentsJSON is the report's segments; nil without segments, so that
// the key is absent then.
func segmentsJSON(rep *analysis.Report) []jsonSegment {
	if len(rep.Segments) == 0 {
		return nil
	}
	out := make([]jsonSegment, 0, len(rep.Segments))
	for i := range rep.Segments {
		s := &rep.Segments[i]
		js := jsonSegment{Column: s.Column, Value: s.Value, Values: s.Values,
			SRM:          jsonSegmentSRM{Chi2: num(s.SRM.Chi2), PValue: num(s.SRM.PValue), DF: s.SRM.DF},
			SegmentSRM:   s.SRMThreshold.FloatBelow(s.SRM.PValue),
			SRMThreshold: num(s.SRMThreshold.Float64()),
			Arms:         make([]jsonSegmentArm, 0, len(s.Arms)),
			Comparisons:  make([]jsonSegmentComparison, 0, len(s.Comparisons))}
		for _, a := range s.Arms {
			js.Arms = append(js.Arms, jsonSegmentArm{Name: a.Name, Users: a.Users})
		}
		for ci := range s.Comparisons {
			sc := &s.Comparisons[ci]
			jc := jsonSegmentComparison{Arm: sc.Arm, Control: sc.Control,
				Guardrails: make([]jsonSegmentGuardrail, 0, len(sc.Guardrails))}
			jc.Primary.jsonResult = resultJSON(&sc.Primary.Result)
			jc.Primary.QValue = fromValue(sc.Primary.Q, "q_value", jc.Primary.NullReasons)
			for gi := range sc.Guardrails {
				g := &sc.Guardrails[gi]
				jg := jsonSegmentGuardrail{jsonGuardrail: guardrailJSON(&g.Guardrail)}
				jg.QValue = fromValue(g.Q, "q_value", jg.NullReasons)
				jc.Guardrails = append(jc.Guardrails, jg)
			}
			js.Comparisons = append(js.Comparisons, jc)
		}
		out = append(out, js)
	}
	return out
}
