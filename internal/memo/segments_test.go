package memo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/load/loadtest"
)

// segmented loads one experiment from YAML and CSV text through the
// loader and decides it.
func segmented(t *testing.T, yaml, csv string) decision.Result {
	t.Helper()
	e := loadtest.One(t, yaml, csv, "")
	for _, is := range e.Issues {
		t.Fatalf("load issue: %v", is)
	}
	rep := analysis.Analyze(e)
	return decision.Result{Report: rep, Decision: decision.Decide(rep)}
}

const segYAML = "name: Seg\nsegments: [platform]\nprimary: {metric: conv, label: Conversion}\nguardrails:\n  - {metric: errors, label: Errors, worsened_threshold: 0.001, severe_threshold: 0.05}\n"

// TestSegmentRisks checks that each segment Risk appears exactly when its
// condition holds, with the numbers that make it true (worked by hand in
// each case's comment).
func TestSegmentRisks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		csv       string
		want      []string // fragments of one Risk
		wantNot   string   // a phrase no Risk may hold
		checkData func(t *testing.T, r decision.Result)
	}{
		{
			// a: control 400/2,000 = 20%, treatment 1,900/10,000 = 19%
			// (−1.00 pp); b: 500/10,000 = 5%, 90/2,000 = 4.5% (−0.50 pp).
			// Total: 900/12,000 = 7.5% against 1,990/12,000 = 16.58%.
			name: "Simpson's paradox",
			csv:  "variant,platform,users,conv,errors\ncontrol,a,2000,400,20\ntreatment,a,10000,1900,100\ncontrol,b,10000,500,100\ntreatment,b,2000,90,20\n",
			want: []string{"Simpson's paradox", "arm treatment's Conversion moved +9.08 pp overall (significant, p = ", "its estimate is negative in every platform value (a -1.00 pp, b -0.50 pp)", "mix of users across the platform values differs"},
			checkData: func(t *testing.T, r decision.Result) {
				p := r.Report.Comparisons[0].Primary
				if !p.Significant || p.AbsLift.V <= 0 {
					t.Errorf("total primary %+v: want significant and positive", p)
				}
			},
		},
		{
			// The same, but b agrees with the total (+0.50 pp).
			name:    "no Simpson when a segment agrees",
			csv:     "variant,platform,users,conv,errors\ncontrol,a,2000,400,20\ntreatment,a,10000,1900,100\ncontrol,b,10000,500,100\ntreatment,b,2000,110,20\n",
			wantNot: "Simpson",
		},
		{
			// a: 4,000 per arm, 10% → 16% (+6 pp); b: 16,000 per arm,
			// 10% → 10.2% (+0.2 pp). Weights 0.2 and 0.8; users-weighted
			// lifts 0.012 and 0.0016, so a carries 0.012/0.0136 = 88%.
			name: "one segment carries most of the effect",
			csv:  "variant,platform,users,conv,errors\ncontrol,a,4000,400,40\ntreatment,a,4000,640,40\ncontrol,b,16000,1600,160\ntreatment,b,16000,1632,160\n",
			want: []string{"One segment carries most of arm treatment's effect on Conversion: platform=a holds 20% of the compared users but 88% of the users-weighted lift"},
		},
		{
			// a: 10% → 11.2% (+1.2 pp) in 4,000; b: 10% → 11% (+1 pp) in
			// 16,000: a carries 0.0024/0.0104 = 23%, in line with its 20%.
			name:    "no concentration when the effect is spread",
			csv:     "variant,platform,users,conv,errors\ncontrol,a,4000,400,40\ntreatment,a,4000,448,40\ncontrol,b,16000,1600,160\ntreatment,b,16000,1760,160\n",
			wantNot: "carries most",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := segmented(t, segYAML, tt.csv)
			if tt.checkData != nil {
				tt.checkData(t, r)
			}
			rs := risks(r)
			all := strings.Join(rs, "\n")
			if len(tt.want) > 0 {
				found := false
				for _, s := range rs {
					hit := true
					for _, w := range tt.want {
						hit = hit && strings.Contains(s, w)
					}
					found = found || hit
				}
				if !found {
					t.Errorf("no Risk holds all of %q:\n%s", tt.want, all)
				}
			}
			if tt.wantNot != "" && strings.Contains(all, tt.wantNot) {
				t.Errorf("a Risk says %q:\n%s", tt.wantNot, all)
			}
			if !strings.Contains(all, "Segment results are exploratory (2 values over 1 segment column, Benjamini–Hochberg q-values)") {
				t.Errorf("no exploratory note:\n%s", all)
			}
		})
	}
}

// androidCSV: Android's errors rise from 0.5% to 2% (q ≈ 6e-5), iOS and
// web are flat, the total stays within the 0.1 pp margin.
const androidCSV = "variant,platform,users,conv,errors\n" +
	"control,android,2000,200,10\ntreatment,android,2000,230,40\n" +
	"control,ios,14000,1400,70\ntreatment,ios,14000,1580,60\n" +
	"control,web,14000,1400,70\ntreatment,web,14000,1590,70\n"

// TestSegmentRendering checks the segment table of the Markdown memo, the
// forest plot per column of the HTML memo, the comment's flags without the
// table, and the JSON segments with q_value.
func TestSegmentRendering(t *testing.T) {
	t.Parallel()
	r := segmented(t, segYAML, androidCSV)
	if r.Decision.Rule != decision.RuleGuardrailWorsened || !strings.Contains(r.Decision.Reason, "segment platform=android") {
		t.Fatalf("decision = %+v", r.Decision)
	}
	var md, html, js bytes.Buffer
	if err := Markdown(&md, r, testMeta); err != nil {
		t.Fatal(err)
	}
	if err := HTML(&html, r, testMeta); err != nil {
		t.Fatal(err)
	}
	if err := JSON(&js, []decision.Result{r}, testMeta); err != nil {
		t.Fatal(err)
	}
	g := r.Report.Segments[0].Comparisons[0].Guardrails[0]
	q := fmtP(g.Q.V)
	for _, want := range []string{
		"### Segments by platform (exploratory)",
		"| platform | Users (control / treatment) | SRM p | Conversion lift (95% CI) | Rel lift | q | Guardrail flags |",
		"| android | 2,000 / 2,000 | 1 | +1.50 pp (",
		"⚠️ worsened Errors +1.50 pp (q = " + q + ") |",
		"| ios | 14,000 / 14,000 | 1 | +1.29 pp (",
		"guardrail Errors worsened in segment platform=android, arm treatment: +1.50 pp against control (2.00% vs 0.50%), beyond the worsened margin 0.10 pp, Benjamini–Hochberg q = " + q,
		"Errors in arm treatment, segment platform=android: 2.00% vs control 0.50%",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown memo lacks %q", want)
		}
	}
	h := html.String()
	if got := strings.Count(h, "<svg "); got != 2 {
		t.Errorf("%d SVG plots, want 2 (comparisons, platform)", got)
	}
	for _, want := range []string{`aria-label="Forest plot by platform:`, "<text x=\"12\" y=", ">all users</text>", ">android</text>", "Conversion by platform, arm treatment"} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML memo lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "http://", "src="} {
		if strings.Contains(h, bad) {
			t.Errorf("HTML memo contains %q", bad)
		}
	}
	c := Comment("<!-- m -->", []decision.Result{r}, testMeta, 0)
	if strings.Contains(c, "| android |") || !strings.Contains(c, "Segments by platform (3 values): the tables and forest plots are in the memo") ||
		!strings.Contains(c, "https://github.com/acme/shop/actions/runs/42") || !strings.Contains(c, "worsened in segment platform=android") {
		t.Errorf("comment segments:\n%s", c)
	}
	var doc struct {
		Experiments []struct {
			Segments []struct {
				Column, Value string
				Arms          []struct{ Name string }
				SRM           struct{ DF int } `json:"srm"`
				Comparisons   []struct {
					Primary struct {
						QValue *float64 `json:"q_value"`
					}
					Guardrails []struct {
						State  string
						QValue *float64 `json:"q_value"`
					}
				}
			}
		}
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	segs := doc.Experiments[0].Segments
	if len(segs) != 3 || segs[0].Value != "android" || segs[0].Column != "platform" || len(segs[0].Arms) != 2 || segs[0].SRM.DF != 1 {
		t.Fatalf("JSON segments = %+v", segs)
	}
	jg := segs[0].Comparisons[0].Guardrails[0]
	if jg.QValue == nil || *jg.QValue != g.Q.V || jg.State != "worsened" || segs[0].Comparisons[0].Primary.QValue == nil {
		t.Errorf("JSON android guardrail = %+v, want q %v worsened", jg, g.Q.V)
	}
}

// TestSegmentHostileValue: a segment value is a user string; it cannot
// break out of the Markdown table or the HTML, and a long list of flags
// is capped outside the tables.
func TestSegmentHostileValue(t *testing.T) {
	t.Parallel()
	v := `<script>x</script> | *b* </details> <!-- m -->`
	csv := "variant,platform,users,conv,errors\n"
	for i := range 12 {
		csv += fmt.Sprintf("control,\"%s%d\",2000,200,10\ntreatment,\"%s%d\",2000,230,40\n", v, i, v, i)
	}
	r := segmented(t, segYAML, csv)
	var md, html bytes.Buffer
	if err := Markdown(&md, r, testMeta); err != nil {
		t.Fatal(err)
	}
	if err := HTML(&html, r, testMeta); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{md.String(), html.String()} {
		if strings.Contains(out, "<script>") || strings.Contains(out, "</details>") || strings.Contains(out, "<!-- m") {
			t.Errorf("a segment value broke out:\n%s", out)
		}
	}
	// Every row of the platform table has the header's number of cells.
	in := false
	for _, line := range strings.Split(md.String(), "\n") {
		if strings.HasPrefix(line, "| platform |") {
			in = true
		}
		if in && !strings.HasPrefix(line, "|") {
			break
		}
		if in && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") != 8 {
			t.Errorf("table row with a wrong cell count: %s", line)
		}
	}
	if !in {
		t.Error("no platform table")
	}
	if got := len(r.Report.SegmentFlags(0)); got != 12 {
		t.Fatalf("%d segment flags, want 12", got)
	}
	if !strings.Contains(md.String(), "…and 2 more guardrails worsened in a segment, listed in the segment tables.") {
		t.Errorf("the why-hold list is not capped")
	}
}
