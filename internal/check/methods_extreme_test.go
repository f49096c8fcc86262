package check

import (
	"bytes"
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/experimentos/experimentos/internal/memo"
)

// TestMethodsExtremeInputs runs CUPED and sequential experiments whose sums
// the loader accepts but which push the arithmetic to its edges (sums near
// 1e150 and squares near 1e300, zero pre-period variance, Y exactly linear
// in X, one-user arms, a proportion with every user converted in both
// periods) through Run and every renderer: every one is analyzed, without a
// panic, and the JSON is valid and free of NaN and Inf.
func TestMethodsExtremeInputs(t *testing.T) {
	t.Parallel()
	mean := "name: x\nprimary: {metric: revenue, type: mean, cuped: true}\n"
	seqMean := mean + "thresholds: {sequential: true, min_users: 1}\n"
	prop := "name: x\nprimary: {metric: conversions, cuped: true}\nthresholds: {sequential: true}\n"
	hdr := "variant,users,revenue_sum,revenue_sum_squares,revenue_pre_sum,revenue_pre_sum_squares,revenue_pre_sum_product\n"
	phdr := "variant,users,conversions,conversions_pre_sum,conversions_pre_sum_squares,conversions_pre_sum_product\n"
	cases := map[string][2]string{
		"huge sums":                        {seqMean, hdr + "control,1000,1e150,1e300,1e150,1e300,1e300\ntreatment,1000,1.1e150,1.3e300,1e150,1e300,1.1e300\n"},
		"overflowing products":             {mean, hdr + "control,1000000000,3.1e154,1e300,3.1e154,1e300,1e300\ntreatment,1000000000,3.1e154,1e300,3.1e154,1e300,1e300\n"},
		"overflowing products, sequential": {seqMean, hdr + "control,1000000000,3.1e154,1e300,3.1e154,1e300,1e300\ntreatment,1000000000,3.1e154,1e300,3.1e154,1e300,1e300\n"},
		"tiny sums":                        {mean, hdr + "control,1000,1e-150,1e-290,1e-150,1e-290,1e-295\ntreatment,1000,2e-150,1e-290,1e-150,1e-290,1e-295\n"},
		"constant pre":                     {mean, hdr + "control,1000,5000,30000,2000,4000,10000\ntreatment,1000,5100,31000,2000,4000,10200\n"},
		"linear in pre":                    {seqMean, hdr + "control,4,20,120,8,20,48\ntreatment,4,24,164,10,30,70\n"},
		"one user per arm":                 {seqMean, hdr + "control,1,5,25,2,4,10\ntreatment,1,6,36,2,4,12\n"},
		"all converted":                    {prop, phdr + "control,500,500,500,500,500\ntreatment,500,500,500,500,500\n"},
		"none converted":                   {prop, phdr + "control,500,0,300,300,0\ntreatment,500,0,310,310,0\n"},
		"pre all y none":                   {prop, phdr + "control,500,0,500,500,0\ntreatment,500,3,500,500,3\n"},
		"billions of users":                {seqMean, hdr + "control,4000000000,1e11,1e13,9e10,9e12,9e12\ntreatment,4000000000,1.0001e11,1.0001e13,9e10,9e12,9.0005e12\n"},
		"negative revenue":                 {mean, hdr + "control,100,-500,9000,-400,8000,7000\ntreatment,100,-450,8800,-410,8100,7100\n"},
		"zero control mean":                {seqMean, hdr + "control,100,0,900,10,500,300\ntreatment,100,50,1000,12,520,310\n"},
		"anti-correlated pre":              {mean, hdr + "control,100,500,5000,500,5000,0\ntreatment,100,520,5200,490,4900,100\n"},
	}
	root := filepath.Join(t.TempDir(), "experiments")
	for name, c := range cases {
		dir := filepath.Join(root, strings.NewReplacer(" ", "-", ",", "").Replace(name))
		writeExperiment(t, dir, c[0], c[1])
	}
	results, err := Run(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(cases) {
		t.Fatalf("%d results, want %d", len(results), len(cases))
	}
	var js bytes.Buffer
	if err := memo.JSON(&js, results, memo.Meta{Version: "test"}); err != nil {
		t.Fatalf("JSON: %v", err)
	}
	if !json.Valid(js.Bytes()) || bytes.Contains(js.Bytes(), []byte("NaN")) || bytes.Contains(js.Bytes(), []byte("Inf")) {
		t.Errorf("JSON is invalid or holds NaN/Inf")
	}
	for _, r := range results {
		var md bytes.Buffer
		if err := memo.Markdown(&md, r, memo.Meta{Version: "test"}); err != nil {
			t.Errorf("%s: Markdown: %v", r.Report.Experiment.ID, err)
		}
		if bytes.Contains(md.Bytes(), []byte("NaN")) || bytes.Contains(md.Bytes(), []byte("Inf")) {
			t.Errorf("%s: the memo holds NaN or Inf", r.Report.Experiment.ID)
		}
		rep := r.Report
		if !rep.Analyzed {
			// Every input is valid: tiny sums once failed the Cauchy–Schwarz
			// check when √(vx·vy) underflowed.
			t.Errorf("%s: not analyzed: %v", rep.Experiment.ID, rep.Health.Issues)
			continue
		}
		p := rep.Comparisons[0].Primary
		if rep.Experiment.Primary.CUPED && p.CUPED == nil && p.PValue.OK() {
			t.Errorf("%s: cuped: true analyzed without a CUPED block or a reason", rep.Experiment.ID)
		}
		if rep.Experiment.ID == "constant-pre" {
			// X has no variance in either arm: θ = Σ cov / Σ var_X has a
			// zero denominator and is 0 (no adjustment), so the adjusted
			// lift is the unadjusted one, (5100 − 5000)/1000 = 0.1.
			if p.CUPED == nil || p.CUPED.Theta != 0 || p.CUPED.VarianceReduction != 0 ||
				!p.AbsLift.OK() || !p.CUPED.AbsLift.OK() || p.AbsLift.V != p.CUPED.AbsLift.V || math.Abs(p.AbsLift.V-0.1) > 1e-12 {
				t.Errorf("constant pre: CUPED %+v, lift %+v; want θ = 0, no variance reduction, lift 0.1 both ways", p.CUPED, p.AbsLift)
			}
		}
		t.Logf("%s: test %s, lift %+v, p %+v", rep.Experiment.ID, p.Test, p.AbsLift, p.PValue)
	}
}
