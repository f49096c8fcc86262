package analysis

import (
	"encoding/json"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/experimentos/experimentos/internal/experiment"
)

// planningVector is one case of testdata/planning/vectors.json, written by
// testdata/planning/generate.py: the closed form of docs/statistics.md#power with
// scipy.stats.norm.ppf (nc, nt), and statsmodels NormalIndPower's solver
// (sm_nc) as an independent check.
type planningVector struct {
	Kind         experiment.Kind      `json:"kind"`
	Arms         int                  `json:"arms"`
	Alpha        float64              `json:"alpha"`
	MDE          float64              `json:"mde"`
	Desired      experiment.Direction `json:"desired"`
	Weights      []float64            `json:"weights"`
	Baseline     float64              `json:"baseline"`
	BaselineSD   *float64             `json:"baseline_sd"`
	DailyUsers   int64                `json:"daily_users"`
	UsersPerArm  int64                `json:"users_per_arm"`
	Target       float64              `json:"target"`
	ArmIndex     int                  `json:"arm_index"`
	NC           float64              `json:"nc"`
	NT           float64              `json:"nt"`
	SMNC         float64              `json:"sm_nc"`
	Days         *int64               `json:"days"`
	Underpowered bool                 `json:"underpowered"`
}

var armNames = []string{"control", "b", "c", "d"}

// plannedExp is a planned experiment without data: its arms come from the
// split (control first, the others sorted), as a new experiment has them.
func plannedExp(v planningVector) *experiment.Experiment {
	m := metric("m", v.Kind)
	m.Desired = v.Desired
	e := &experiment.Experiment{ID: "p", Name: "p", Status: experiment.StatusPlanned, Control: "control",
		DataFile: "p/results.csv", ConfigFile: "p/experiment.yaml", Thresholds: experiment.DefaultThresholds(), Primary: m}
	e.Thresholds.Alpha = dec(strconv.FormatFloat(v.Alpha, 'f', -1, 64))
	e.Split = map[string]float64{}
	for i, w := range v.Weights {
		e.Split[armNames[i]] = w
	}
	mde, base := v.MDE, v.Baseline
	e.Plan = experiment.Plan{MDE: &mde, Baseline: &base, BaselineSD: v.BaselineSD, DailyUsers: v.DailyUsers, UsersPerArm: v.UsersPerArm}
	return e
}

func TestPlanningCalculator(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../testdata/planning/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Cases []planningVector }
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) < 40 {
		t.Fatalf("%d cases", len(doc.Cases))
	}
	for i, v := range doc.Cases {
		r := Analyze(plannedExp(v))
		if r.Analyzed || len(r.Comparisons) != 0 {
			t.Errorf("case %d: a planned experiment was analyzed", i)
		}
		if len(r.Planned) != v.Arms-1 {
			t.Fatalf("case %d: %d planned comparisons, want %d", i, len(r.Planned), v.Arms-1)
		}
		var pc *PlannedComparison
		for j := range r.Planned {
			if r.Planned[j].Arm == armNames[v.ArmIndex] {
				pc = &r.Planned[j]
			}
		}
		pw := pc.Power
		if !pw.MDERequired[0].OK() || !pw.MDERequired[1].OK() {
			t.Fatalf("case %d: no requirement: %v", i, pw.MDERequired[0].Null)
		}
		// The closed form at 1e-9; statsmodels' solver (with the far tail
		// and its own tolerance) at 1e-4 relative.
		if !within(pw.MDERequired[0].V, v.NC) || !within(pw.MDERequired[1].V, v.NT) {
			t.Errorf("case %d (%s): required %v / %v, want %v / %v", i, v.Kind, pw.MDERequired[0].V, pw.MDERequired[1].V, v.NC, v.NT)
		}
		if math.Abs(pw.MDERequired[0].V-v.SMNC) > 1e-4*v.SMNC {
			t.Errorf("case %d: required %v, statsmodels %v", i, pw.MDERequired[0].V, v.SMNC)
		}
		if !within(pw.TargetValue.V, v.Target) || pw.Basis != BasisPlanMDE {
			t.Errorf("case %d: target %v (%s), want %v", i, pw.TargetValue.V, pw.Basis, v.Target)
		}
		switch {
		case v.Days == nil && pw.Days.OK():
			t.Errorf("case %d: days %v, want null", i, pw.Days.V)
		case v.Days != nil && (!pw.Days.OK() || int64(pw.Days.V) != *v.Days):
			t.Errorf("case %d: days %v (%s), want %d", i, pw.Days.V, pw.Days.Null, *v.Days)
		}
		got := false
		for _, is := range r.Health.Issues {
			got = got || is.Code == experiment.CodePlanUnderpowered
		}
		if got != v.Underpowered {
			t.Errorf("case %d: plan_underpowered %v, want %v (users_per_arm %d, need %.0f)", i, got, v.Underpowered, v.UsersPerArm, math.Ceil(math.Max(v.NC, v.NT)))
		}
	}
}

// A planned experiment without the plan's baseline, or a mean primary
// without baseline_sd, gets no figures it cannot support.
func TestPlanningNeedsBaseline(t *testing.T) {
	t.Parallel()
	v := planningVector{Kind: experiment.KindMean, Arms: 2, Alpha: 0.05, MDE: 0.05, Desired: experiment.Increase, Weights: []float64{1, 1}, Baseline: 25}
	r := Analyze(plannedExp(v))
	if len(r.Planned) != 1 || r.Planned[0].Power.MDERequired[0].OK() || r.Planned[0].Power.Days.OK() {
		t.Errorf("mean without baseline_sd: %+v", r.Planned)
	}
	e := plannedExp(planningVector{Kind: experiment.KindProportion, Arms: 2, Alpha: 0.05, MDE: 0.05, Weights: []float64{1, 1}, Baseline: 0.1})
	e.Plan.Baseline = nil
	if r := Analyze(e); len(r.Planned) != 0 {
		t.Errorf("no baseline: %+v", r.Planned)
	}
}

// Under thresholds.sequential the plan's requirement is the confidence
// sequence's, which needs more users than the fixed-horizon test
// (docs/statistics.md#power: about twice).
func TestPlanningSequential(t *testing.T) {
	t.Parallel()
	v := planningVector{Kind: experiment.KindProportion, Arms: 2, Alpha: 0.05, MDE: 0.05, Desired: experiment.Increase, Weights: []float64{1, 1}, Baseline: 0.12}
	fixed := Analyze(plannedExp(v)).Planned[0].Power.MDERequired[0]
	e := plannedExp(v)
	e.Thresholds.Sequential = true
	seq := Analyze(e).Planned[0].Power.MDERequired[0]
	if !fixed.OK() || !seq.OK() || !(seq.V > 1.3*fixed.V && seq.V < 4*fixed.V) {
		t.Errorf("sequential requirement %v against fixed %v", seq, fixed)
	}
}
