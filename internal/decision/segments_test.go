package decision

import (
	"fmt"
	"strings"
	"testing"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/experiment"
)

// cell is one CSV row of a platform-segmented experiment: the platform,
// then per arm (control, treatment) users, conversions and errors.
type cell struct {
	platform string
	c, t     [3]int64
}

// buildSegmented makes a running two-arm experiment segmented by platform
// with a proportion primary "conversions" and an errors guardrail with the
// given margins; the totals are the sums of the cells.
func buildSegmented(worsened, severe string, cells ...cell) *experiment.Experiment {
	g := guardrail("errors", worsened, severe)
	e := build([]experiment.Metric{g}, a("control", 1), a("treatment", 1))
	e.Segments = []string{"platform"}
	e.Data.Columns["platform"] = 3
	e.Data.Rows = nil
	tot := [2]experiment.Row{{Arm: "control", Line: 2}, {Arm: "treatment", Line: 3}}
	sums := [2]map[string]experiment.Moments{{}, {}}
	line := 2
	for _, cl := range cells {
		for i, v := range [2][3]int64{cl.c, cl.t} {
			m := map[string]experiment.Moments{"conversions": {Count: v[1]}, "errors": {Count: v[2]}}
			e.Data.Rows = append(e.Data.Rows, experiment.Row{Arm: tot[i].Arm, Cell: []string{cl.platform}, Users: v[0], Line: line}.WithMoments(m))
			line++
			tot[i].Users += v[0]
			for k, mo := range m {
				sums[i][k] = sums[i][k].Add(mo)
			}
		}
	}
	for i := range tot {
		tot[i] = tot[i].WithMoments(sums[i])
	}
	e.Data.Arms = tot[:]
	return e
}

// Android's error rate is 2% against 0.5% (p ≈ 2e-5 in 2,000 users per
// arm), while iOS and web are flat: the total's +0.067 pp stays within the
// 0.1 pp margin.
var (
	android = cell{"android", [3]int64{2000, 200, 10}, [3]int64{2000, 230, 40}}
	ios     = cell{"ios", [3]int64{14000, 1400, 70}, [3]int64{14000, 1580, 60}}
	web     = cell{"web", [3]int64{14000, 1400, 70}, [3]int64{14000, 1590, 70}}
)

// tenPlatforms are ten platforms of 3,000 users per arm; in p3, errors
// rise from 1% to 1.6% (p ≈ 0.04 < α alone, but q = 10·p ≥ α over the
// family of ten).
func tenPlatforms() []cell {
	var ten []cell
	for i := range 10 {
		tr := int64(30)
		if i == 3 {
			tr = 48
		}
		ten = append(ten, cell{fmt.Sprintf("p%d", i), [3]int64{3000, 300, 30}, [3]int64{3000, 345, tr}})
	}
	return ten
}

// TestSegmentRule5 pins rule 5 on segments (docs/rules.md#segments-in-the-decision):
// a guardrail worsened in a segment (harm beyond the worsened margin with
// Benjamini–Hochberg q < α) holds for investigation and names the segment;
// otherwise segment results decide nothing.
func TestSegmentRule5(t *testing.T) {
	t.Parallel()
	ten := tenPlatforms()
	flatAndroid := android
	flatAndroid.t[1] = 200
	flatIOS, flatWeb := ios, web
	flatIOS.t[1], flatWeb.t[1] = 1400, 1400
	skewed := cell{"android", [3]int64{2000, 200, 10}, [3]int64{1700, 196, 9}}
	skewedIOS := cell{"ios", [3]int64{14000, 1400, 70}, [3]int64{14300, 1610, 61}}
	tests := []struct {
		name              string
		worsened, severe  string
		cells             []cell
		rule              Rule
		out               experiment.Outcome
		kind              HoldKind
		reason            string
		segmentSRMWarning bool
	}{
		{"worsened in android holds a winner and names the segment", "0.001", "0.05", []cell{android, ios, web},
			RuleGuardrailWorsened, experiment.Hold, Investigate, "guardrail errors worsened in segment platform=android (+1.50 pp, beyond the worsened margin 0.10 pp, Benjamini–Hochberg q = ", false},
		{"worsened in android holds a flat primary", "0.001", "0.05", []cell{flatAndroid, flatIOS, flatWeb},
			RuleGuardrailWorsened, experiment.Hold, Investigate, "Benjamini–Hochberg q = ", false},
		{"severe in a segment holds, it does not roll back", "0.001", "0.01", []cell{android, ios, web},
			RuleGuardrailWorsened, experiment.Hold, Investigate, "guardrail errors severe in segment platform=android (+1.50 pp, beyond the severe margin 1.00 pp", false},
		{"a significant segment harm within the margin launches", "0.02", "0.05", []cell{android, ios, web},
			RuleLaunch, experiment.Launch, NoHold, "improved", false},
		{"p < α in one of ten segments but q ≥ α launches", "0.001", "0.05", ten,
			RuleLaunch, experiment.Launch, NoHold, "improved", false},
		{"a segment SRM is not rule 4", "0.001", "0.05", []cell{skewed, skewedIOS, web},
			RuleLaunch, experiment.Launch, NoHold, "improved", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, d := decide(buildSegmented(tt.worsened, tt.severe, tt.cells...))
			oneVerdict(t, d, tt.rule, tt.out, tt.kind, tt.reason)
			if got := r.Comparisons[0].Guardrails[0].State; got == analysis.StateWorsened || got == analysis.StateSevere {
				t.Errorf("the total's guardrail is %s: the case must rest on the segment alone", got)
			}
			if got := hasCode(r.Health.Issues, experiment.CodeSegmentSRM); got != tt.segmentSRMWarning {
				t.Errorf("segment_srm raised = %v, want %v: %v", got, tt.segmentSRMWarning, r.Health.Issues)
			}
			if len(r.Segments) != len(tt.cells) {
				t.Fatalf("%d segments, want %d", len(r.Segments), len(tt.cells))
			}
		})
	}
}

// TestSegmentFamily checks that the ten-platform case is what its name
// says: the harmed segment's p is below α, its q is not, and q = p·10.
func TestSegmentFamily(t *testing.T) {
	t.Parallel()
	ten := tenPlatforms()
	r, _ := decide(buildSegmented("0.001", "0.05", ten...))
	g := r.Segments[3].Comparisons[0].Guardrails[0]
	if !g.PValue.OK() || g.PValue.V >= 0.05 || !g.Q.OK() || g.Q.V < 0.05 {
		t.Fatalf("p = %v, q = %v: want p < 0.05 ≤ q", g.PValue, g.Q)
	}
	// The nine others have p = 1, so the step-up gives q = p·m/1 for the
	// smallest p.
	if want := g.PValue.V * 10; g.Q.V < want*(1-1e-12) || g.Q.V > want*(1+1e-12) {
		t.Errorf("q = %v, want p·10 = %v", g.Q.V, want)
	}
	if g.State == analysis.StateWorsened || g.SignificantHarm {
		t.Errorf("state %s, significant harm %v: q ≥ α is not significant", g.State, g.SignificantHarm)
	}
}

// TestSegmentBesideOverall names both when the total and a segment are
// worsened, and a severe total still rolls back first (rule 2).
func TestSegmentBesideOverall(t *testing.T) {
	t.Parallel()
	worse := android
	worse.t[2] = 60
	_, d := decide(buildSegmented("0.0005", "0.05", worse, ios, web))
	v := d.Comparisons[0]
	if v.Rule != RuleGuardrailWorsened || !strings.Contains(v.Reason, "worsened beyond its margin with p < 0.05; and guardrail errors worsened in segment platform=android") {
		t.Errorf("verdict = %+v", v)
	}
	_, d = decide(buildSegmented("0.0001", "0.0005", worse, ios, web))
	if v := d.Comparisons[0]; v.Rule != RuleSevereGuardrail || v.Outcome != experiment.Rollback {
		t.Errorf("verdict = %+v, want rule 2 rollback", v)
	}
}
