package analysis_test

import (
	"encoding/json"
	"os"
	"strconv"
	"testing"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/load/loadtest"
)

// Reference values for segments: testdata/stats/vectors_segments.json,
// written by testdata/stats/generate_segments.py (scipy 1.10.1,
// statsmodels 0.13.5): totals and per-value SRM by scipy.stats.chisquare,
// p-values by scipy and statsmodels, q-values by
// statsmodels.stats.multitest.multipletests(method='fdr_bh'). Tolerance
// 1e-6 relative (1e-12 absolute for values below 1e-6), as
// docs/statistics.md#reference-implementations-and-tolerance asks.
const segmentsPath = "../../testdata/stats/vectors_segments.json"

// minSegmentVectors and segmentCategories guard against a truncated file.
const minSegmentVectors = 100

var segmentCategories = []string{"srm", "effects", "arms", "columns"}

type segmentsFile struct {
	Versions map[string]string `json:"versions"`
	Count    int               `json:"count"`
	Cases    []segmentCase     `json:"cases"`
}

type segmentCase struct {
	ID       string `json:"id"`
	Category string `json:"category"`
	YAML     string `json:"yaml"`
	CSV      string `json:"csv"`
	Expected struct {
		Totals []struct {
			Users             int64   `json:"users"`
			Errors            int64   `json:"errors"`
			RevenueSum        float64 `json:"revenue_sum"`
			RevenueSumSquares float64 `json:"revenue_sum_squares"`
			LatencySum        float64 `json:"latency_sum"`
		} `json:"totals"`
		SRM      srmJSON `json:"srm"`
		Segments []struct {
			Column     string  `json:"column"`
			Value      string  `json:"value"`
			Users      []int64 `json:"users"`
			SegmentSRM bool    `json:"segment_srm"`
			srmJSON
		} `json:"segments"`
		Comparisons []struct {
			Arm      string `json:"arm"`
			Segments []struct {
				PrimaryP       float64 `json:"primary_p"`
				PrimaryQ       float64 `json:"primary_q"`
				ErrorsP        float64 `json:"errors_p"`
				ErrorsTest     string  `json:"errors_test"`
				ErrorsQ        float64 `json:"errors_q"`
				LatencyP       float64 `json:"latency_p"`
				LatencyQ       float64 `json:"latency_q"`
				ErrorsWorsened bool    `json:"errors_worsened"`
			} `json:"segments"`
		} `json:"comparisons"`
	} `json:"expected"`
}

type srmJSON struct {
	Chi2   float64 `json:"chi2"`
	PValue float64 `json:"p_value"`
	DF     int     `json:"df"`
}

// near is the vectors' tolerance: 1e-6 relative, 1e-12 absolute near 0.
var near = analysis.NearRel

// TestSegmentVectors loads every case's CSV and YAML, analyzes it and
// checks totals, per-value SRM and segment_srm, p- and q-values and the
// error guardrail's worsened flag against the references; and that the
// file is whole: at least minSegmentVectors cases, the count it states,
// every category present.
func TestSegmentVectors(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(segmentsPath)
	if err != nil {
		t.Fatal(err)
	}
	var f segmentsFile
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) < minSegmentVectors {
		t.Fatalf("%s holds %d cases, want at least %d", segmentsPath, len(f.Cases), minSegmentVectors)
	}
	if f.Count != len(f.Cases) {
		t.Fatalf("%s says count=%d but holds %d cases", segmentsPath, f.Count, len(f.Cases))
	}
	per := map[string]int{}
	values, flags, worse := 0, 0, 0
	for _, c := range f.Cases {
		per[c.Category]++
		values += len(c.Expected.Segments)
		for _, s := range c.Expected.Segments {
			if s.SegmentSRM {
				flags++
			}
		}
		for _, cp := range c.Expected.Comparisons {
			for _, s := range cp.Segments {
				if s.ErrorsWorsened {
					worse++
				}
			}
		}
	}
	for _, cat := range segmentCategories {
		if per[cat] == 0 {
			t.Fatalf("%s has no case in category %q", segmentsPath, cat)
		}
	}
	// The file must exercise both sides of each flag.
	if flags == 0 || flags == values || worse == 0 {
		t.Fatalf("%s: %d segment_srm and %d worsened among %d values: a flag is never raised or always", segmentsPath, flags, worse, values)
	}
	for _, vc := range f.Cases {
		t.Run(vc.ID, func(t *testing.T) {
			t.Parallel()
			checkSegmentCase(t, vc)
		})
	}
	t.Logf("%d cases, %d segment values from %v: %v", len(f.Cases), values, f.Versions, per)
}

func checkSegmentCase(t *testing.T, vc segmentCase) {
	e := loadtest.One(t, vc.YAML, vc.CSV, "")
	for _, is := range e.Issues {
		t.Fatalf("load issue: %v", is)
	}
	want := vc.Expected
	for i, tot := range want.Totals {
		a := e.Data.Arms[i]
		if a.Users != tot.Users || a.Moment("errors").Count != tot.Errors ||
			!near(a.Moment("revenue").Sum.Float64(), tot.RevenueSum) || !near(a.Moment("revenue").SumSquares.Float64(), tot.RevenueSumSquares) ||
			!near(a.Moment("latency").Sum.Float64(), tot.LatencySum) {
			t.Errorf("arm %s total = %+v, want %+v", a.Arm, a, tot)
		}
	}
	r := analysis.Analyze(e)
	if s := r.Health.SRM; !near(s.Chi2, want.SRM.Chi2) || !near(s.PValue, want.SRM.PValue) || s.DF != want.SRM.DF {
		t.Errorf("total SRM = %+v, want %+v", s, want.SRM)
	}
	if len(r.Segments) != len(want.Segments) {
		t.Fatalf("%d segments, want %d", len(r.Segments), len(want.Segments))
	}
	raised := map[string]bool{}
	for _, is := range r.Health.Issues {
		if is.Code == experiment.CodeSegmentSRM {
			raised[is.Column+"\x00"+strconv.Itoa(is.Line)] = true
		}
	}
	for i, ws := range want.Segments {
		s := r.Segments[i]
		if s.Column != ws.Column || s.Value != ws.Value {
			t.Fatalf("segment %d = %s, want %s=%s", i, s.Name(), ws.Column, ws.Value)
		}
		for a, u := range ws.Users {
			if s.Arms[a].Users != u {
				t.Errorf("%s arm %s users = %d, want %d", s.Name(), s.Arms[a].Name, s.Arms[a].Users, u)
			}
		}
		if !near(s.SRM.Chi2, ws.Chi2) || !near(s.SRM.PValue, ws.PValue) || s.SRM.DF != ws.DF {
			t.Errorf("%s SRM = chi2 %v p %v df %d, want %+v", s.Name(), s.SRM.Chi2, s.SRM.PValue, s.SRM.DF, ws.srmJSON)
		}
		if got := raised[s.Column+"\x00"+strconv.Itoa(s.Line)]; got != ws.SegmentSRM {
			t.Errorf("%s segment_srm raised = %v, want %v (p %v, threshold %s)", s.Name(), got, ws.SegmentSRM, s.SRM.PValue, s.SRMThreshold)
		}
	}
	if !r.Analyzed {
		t.Fatalf("not analyzed: %v", r.Health.Issues)
	}
	for ci, wc := range want.Comparisons {
		for i, w := range wc.Segments {
			s := r.Segments[i]
			sc := s.Comparisons[ci]
			if sc.Arm != wc.Arm || sc.Index != ci {
				t.Fatalf("%s comparison %d = %s (index %d), want %s", s.Name(), ci, sc.Arm, sc.Index, wc.Arm)
			}
			pr, ge, gl := sc.Primary, sc.Guardrails[0], sc.Guardrails[1]
			for _, x := range []struct {
				what string
				got  analysis.Value
				want float64
			}{
				{"primary p", pr.PValue, w.PrimaryP}, {"primary q", pr.Q, w.PrimaryQ},
				{"errors p", ge.PValue, w.ErrorsP}, {"errors q", ge.Q, w.ErrorsQ},
				{"latency p", gl.PValue, w.LatencyP}, {"latency q", gl.Q, w.LatencyQ},
			} {
				if !x.got.OK() || !near(x.got.V, x.want) {
					t.Errorf("%s arm %s %s = %+v, want %v", s.Name(), sc.Arm, x.what, x.got, x.want)
				}
			}
			if string(ge.Test) != w.ErrorsTest {
				t.Errorf("%s arm %s errors test = %s, want %s", s.Name(), sc.Arm, ge.Test, w.ErrorsTest)
			}
			if got := ge.Flagged(); got != w.ErrorsWorsened {
				t.Errorf("%s arm %s errors worsened = %v (%s), want %v", s.Name(), sc.Arm, got, ge.State, w.ErrorsWorsened)
			}
		}
	}
}
