package load

import (
	"fmt"
	"strings"
	"testing"

	"github.com/experimentos/experimentos/internal/experiment"
)

// Version 2 inputs: any number of arms, four metric kinds, explicit
// columns, relative margins. Each bad case pins code, file, line, column
// name and column number of its first issue, and a phrase of its message.

const abcYAML = `name: Checkout
primary:
  metric: revenue
  type: mean
guardrails:
  - metric: aov
    type: ratio
    numerator: revenue
    denominator: orders
    desired: increase
    worsened_threshold: 2%
    severe_threshold: 10%
`

const abcCSV = `variant,users,revenue_sum,revenue_sum_squares,orders_sum,orders_sum_squares,revenue_orders_sum_product
control,10000,251234.50,1.9102e8,1200,1500,300000
b,10050,262710.25,1.9877e8,1320,1650,330000
c,9980,255011.00,1.9415e8,1260,1580,315000
`

func TestV2Good(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		yaml, csv string
		check     func(t *testing.T, e *experiment.Experiment)
	}{
		{"three arms, mean primary, ratio guardrail", abcYAML, abcCSV, func(t *testing.T, e *experiment.Experiment) {
			d := e.Data
			if len(d.Arms) != 3 || d.Control != 0 || d.Arms[2].Arm != "c" || d.Arms[2].Users != 9980 {
				t.Fatalf("arms = %+v", d.Arms)
			}
			if got := d.Arms[0].Moment("revenue").SumSquares.Float64(); got != 1.9102e8 {
				t.Errorf("control revenue_sum_squares = %v, want 1.9102e8 (scientific notation)", got)
			}
			g := e.Guardrails[0]
			if g.Kind != experiment.KindRatio || g.Worsened.String() != "2%" || !g.Worsened.Relative || g.Severe.String() != "10%" {
				t.Errorf("guardrail = %+v", g)
			}
			if got := d.Arms[1].Moment("aov").SumProduct.Float64(); got != 330000 {
				t.Errorf("b aov sum product = %v", got)
			}
			if got := d.Arms[1].Moment("aov").DenSum.Float64(); got != 1320 {
				t.Errorf("b aov denominator = %v", got)
			}
		}},
		{"control label other than control, split per label", "name: x\ncontrol: base\nsplit: {base: 60, v1: 40}\n",
			"variant,users,conversions\nv1,4000,400\nBase,6000,560\n", func(t *testing.T, e *experiment.Experiment) {
				d := e.Data
				if d.Control != 1 || d.Arms[1].Arm != "base" || e.Split["v1"] != 40 {
					t.Errorf("control %d, arms %+v, split %v", d.Control, d.Arms, e.Split)
				}
				if got := experiment.Shares(e.Split, d); got[0] != 0.4 || got[1] != 0.6 {
					t.Errorf("shares = %v", got)
				}
			}},
		{"negative sums and explicit columns", "name: x\nprimary:\n  metric: profit\n  type: mean\n  columns: {sum: p_total, sum_squares: p_sq}\n",
			"variant,users,p_total,p_sq\ncontrol,100,-12.5,900\ntreatment,100,30,800\n", func(t *testing.T, e *experiment.Experiment) {
				if got := e.Data.Arms[0].Moment("profit").Sum.String(); got != "-12.5" {
					t.Errorf("control sum = %s", got)
				}
				if e.Primary.Columns[experiment.RoleSum] != "p_total" {
					t.Errorf("columns = %v", e.Primary.Columns)
				}
			}},
		{"auto mean guardrail from the header", "name: x\n",
			"variant,users,conversions,guardrail_latency_sum,guardrail_latency_sum_squares\ncontrol,100,10,5000,300000\ntreatment,100,12,5100,310000\n",
			func(t *testing.T, e *experiment.Experiment) {
				if len(e.Guardrails) != 1 || e.Guardrails[0].Name != "guardrail_latency" || e.Guardrails[0].Kind != experiment.KindMean ||
					e.Guardrails[0].Worsened.String() != "5%" {
					t.Errorf("guardrails = %+v", e.Guardrails)
				}
			}},
		{"events with sum of squares use Welch", "name: x\nsecondary:\n  - metric: pageviews\n    type: events\n",
			"variant,users,conversions,pageviews,pageviews_sum_squares\ncontrol,100,10,300,1200\ntreatment,100,12,320,1300\n",
			func(t *testing.T, e *experiment.Experiment) {
				s := e.Secondary[0]
				if !s.Welch() || s.Kind != experiment.KindEvents {
					t.Errorf("secondary = %+v", s)
				}
			}},
		{"cuped mean primary", "name: x\nprimary: {metric: revenue, type: mean, cuped: true}\n", cupedMeanCSV("60000", "40000"),
			func(t *testing.T, e *experiment.Experiment) {
				mo := e.Data.Arms[1].Moment("revenue")
				if !e.Primary.CUPED || mo.PreSum.String() != "1000" || mo.PreSumSquares.String() != "60000" || mo.PreSumProduct.String() != "40000" {
					t.Errorf("cuped %v, moments %+v", e.Primary.CUPED, mo)
				}
			}},
		{"cuped proportion primary, the cross product at its bounds", "name: x\nprimary: {metric: conversions, cuped: true}\n", cupedPropCSV("95", "95", "5"),
			func(t *testing.T, e *experiment.Experiment) {
				// count 10 + pre 95 − users 100 = 5 users converted in both periods at least.
				if mo := e.Data.Arms[1].Moment("conversions"); !e.Primary.CUPED || mo.PreSum.String() != "95" || mo.PreSumProduct.String() != "5" {
					t.Errorf("cuped %v, moments %+v", e.Primary.CUPED, mo)
				}
			}},
		{"sequential with tuning", "name: x\nthresholds: {sequential: true, sequential_tuning: 40000}\n", "variant,users,conversions\ncontrol,100,10\ntreatment,100,12\n",
			func(t *testing.T, e *experiment.Experiment) {
				if !e.Thresholds.Sequential || e.Thresholds.SequentialTuning != 40000 {
					t.Errorf("thresholds = %+v", e.Thresholds)
				}
			}},
		{"repo defaults per kind", "name: x\nguardrails:\n  - metric: latency\n    type: mean\n",
			"variant,users,conversions,latency_sum,latency_sum_squares\ncontrol,100,10,5000,300000\ntreatment,100,12,5100,310000\n",
			func(t *testing.T, e *experiment.Experiment) {
				if g := e.Guardrails[0]; g.Worsened.String() != "3%" || g.Severe.String() != "15%" {
					t.Errorf("margins = %s / %s, want 3%% (repo, mean) / 15%% (built-in)", g.Worsened, g.Severe)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fsys := oneExp(tt.yaml, tt.csv)
			if strings.HasPrefix(tt.name, "repo defaults") {
				fsys["experimentos.yaml"] = mfile("guardrail_defaults:\n  mean: {worsened_threshold: 3%}\n")
			}
			e := loadMap(t, fsys, Limits{})[0]
			clean(t, []*experiment.Experiment{e})
			if e.Data == nil {
				t.Fatal("no data")
			}
			tt.check(t, e)
		})
	}
}

func TestV2Bad(t *testing.T) {
	t.Parallel()
	eleven := "variant,users,conversions\ncontrol,100,1\n"
	for i := 1; i <= 10; i++ {
		eleven += fmt.Sprintf("v%d,100,1\n", i)
	}
	tests := []struct {
		name      string
		yaml, csv string
		want      at
		msg       string
	}{
		{"11 arms", "name: x\n", eleven, at{blocked, "bad_variants", csvf, 1, "variant", 1}, "more than 10"},
		{"no control row", "name: x\n", "variant,users,conversions\na,100,1\nb,100,2\n", at{blocked, "bad_variants", csvf, 1, "variant", 1}, "Any number of arms (2 to 10) is supported"},
		{"control label near-miss", "name: x\ncontrol: contrl\n", "variant,users,conversions\ncontrol,100,1\nb,100,2\n", at{blocked, "bad_variants", csvf, 1, "variant", 1}, `did you mean "control"`},
		{"split names a missing arm", "name: x\nsplit: {control: 50, treatmnt: 50}\n", "variant,users,conversions\ncontrol,100,1\ntreatment,100,2\n", at{blocked, "bad_config", yml, 2, "split", 1}, `did you mean "treatment"`},
		{"split lacks an arm", "name: x\nsplit: {control: 50, b: 25}\n", "variant,users,conversions\ncontrol,100,1\nb,100,2\nc,100,3\n", at{blocked, "bad_config", yml, 2, "split", 1}, "no weight for arm \"c\""},
		{"the primary repeated as a guardrail", "name: x\nguardrails:\n  - metric: guardrail_error\n  - metric: conversions\n    type: events\n", "variant,users,conversions,guardrail_error\ncontrol,100,1,0\ntreatment,100,2,0\n", at{blocked, "bad_config", yml, 4, "guardrails[1].metric", 5}, `metric "conversions" is already the primary metric`},
		{"a secondary metric repeated as a guardrail", "name: x\nsecondary:\n  - metric: orders\nguardrails:\n  - {metric: orders, type: events}\n", "variant,users,conversions,orders\ncontrol,100,1,3\ntreatment,100,2,4\n", at{blocked, "bad_config", yml, 5, "guardrails[0].metric", 6}, `metric "orders" is already secondary[0]`},
		{"negative split weight", "name: x\nsplit: {control: -1, b: 1}\n", "variant,users,conversions\ncontrol,100,1\nb,100,2\n", at{blocked, "bad_config", yml, 2, "split.control", 9}, "above 0"},
		{"ratio without denominator", "name: x\nguardrails:\n  - metric: aov\n    type: ratio\n    numerator: revenue\n", abcCSV, at{blocked, "bad_config", yml, 4, "guardrails[0].type", 5}, "numerator: and denominator:"},
		{"numerator on a mean", "name: x\nprimary:\n  metric: revenue\n  type: mean\n  numerator: revenue\n", abcCSV, at{blocked, "bad_config", yml, 4, "primary.type", 3}, "only a ratio"},
		{"thousands separator in a sum", "name: x\nprimary: {metric: revenue, type: mean}\n", "variant,users,revenue_sum,revenue_sum_squares\ncontrol,100,\"1,234.5\",90000\ntreatment,100,1200,90000\n", at{blocked, "bad_value", csvf, 2, "revenue_sum", 3}, "1234.5 rather than 1,234.5"},
		{"NaN sum", "name: x\nprimary: {metric: revenue, type: mean}\n", "variant,users,revenue_sum,revenue_sum_squares\ncontrol,100,NaN,90000\ntreatment,100,1200,90000\n", at{blocked, "bad_value", csvf, 2, "revenue_sum", 3}, "not a finite number"},
		{"Inf sum", "name: x\nprimary: {metric: revenue, type: mean}\n", "variant,users,revenue_sum,revenue_sum_squares\ncontrol,100,1200,90000\ntreatment,100,inf,90000\n", at{blocked, "bad_value", csvf, 3, "revenue_sum", 3}, "not a finite number"},
		{"empty sum", "name: x\nprimary: {metric: revenue, type: mean}\n", "variant,users,revenue_sum,revenue_sum_squares\ncontrol,100,,90000\ntreatment,100,1200,90000\n", at{blocked, "bad_value", csvf, 2, "revenue_sum", 3}, "is empty"},
		{"negative sum of squares", "name: x\nprimary: {metric: revenue, type: mean}\n", "variant,users,revenue_sum,revenue_sum_squares\ncontrol,100,-5,-1\ntreatment,100,1200,90000\n", at{blocked, "bad_value", csvf, 2, "revenue_sum_squares", 4}, "cannot be negative"},
		{"sum of squares below sum²/users", "name: x\nprimary: {metric: revenue, type: mean}\n", "variant,users,revenue_sum,revenue_sum_squares\ncontrol,100,1200,90000\ntreatment,100,1200,14399\n", at{blocked, "bad_value", csvf, 3, "revenue_sum_squares", 4}, "not a per-user sum of squares"},
		{"Cauchy–Schwarz violation", "name: x\nprimary: {metric: revenue, type: mean}\nguardrails:\n  - {metric: aov, type: ratio, numerator: revenue, denominator: orders}\n",
			"variant,users,revenue_sum,revenue_sum_squares,orders_sum,orders_sum_squares,revenue_orders_sum_product\ncontrol,100,100,200,50,60,999\ntreatment,100,100,200,50,60,60\n", at{blocked, "bad_value", csvf, 2, "revenue_orders_sum_product", 7}, "Cauchy–Schwarz"},
		{"columns names a missing header", "name: x\nprimary:\n  metric: revenue\n  type: mean\n  columns: {sum: rev_total, sum_squares: revenue_sum_squares}\n", abcCSV, at{blocked, "bad_config", yml, 5, "primary.columns", 3}, "rev_total"},
		{"columns names an unknown role", "name: x\nprimary:\n  metric: revenue\n  type: mean\n  columns: {total: revenue_sum}\n", abcCSV, at{blocked, "bad_config", yml, 5, "primary.columns.total", 13}, "unknown key"},
		{"mean primary without squares", "name: x\nprimary: {metric: revenue, type: mean}\n", "variant,users,revenue_sum\ncontrol,100,1200\ntreatment,100,1300\n", at{blocked, "missing_column", csvf, 1, "revenue_sum_squares", 0}, "revenue_sum_squares"},
		{"guardrail near-miss column", "name: x\nguardrails:\n  - metric: guardrail_eror\n", "variant,users,conversions,guardrail_error\ncontrol,100,1,2\ntreatment,100,2,3\n", at{blocked, "bad_config", yml, 3, "guardrails[0].metric", 5}, `did you mean "guardrail_error"`},
		{"cuped on a ratio", "name: x\nguardrails:\n  - {metric: aov, type: ratio, numerator: revenue, denominator: orders, cuped: true}\n", abcCSV, at{blocked, "bad_config", yml, 3, "guardrails[0].cuped", 73}, "not supported yet"},
		{"cuped without pre-period columns", "name: x\nprimary:\n  metric: revenue\n  type: mean\n  cuped: true\n", abcCSV, at{blocked, "bad_config", yml, 5, "primary.cuped", 3}, "revenue_pre_sum"},
		{"cuped on an events primary", "name: x\nprimary: {metric: pageviews, type: events, cuped: true}\n", "variant,users,pageviews\ncontrol,100,150\ntreatment,100,170\n", at{blocked, "bad_config", yml, 2, "primary.cuped", 44}, "not supported yet"},
		{"cuped on a ratio primary", "name: x\nprimary: {metric: aov, type: ratio, numerator: revenue, denominator: orders, cuped: true}\n", abcCSV, at{blocked, "bad_config", yml, 2, "primary.cuped", 78}, "not supported yet"},
		{"cuped without one pre-period column", "name: x\nprimary:\n  metric: revenue\n  type: mean\n  cuped: true\n", "variant,users,revenue_sum,revenue_sum_squares,revenue_pre_sum,revenue_pre_sum_squares\ncontrol,100,1200,90000,1000,60000\ntreatment,100,1300,95000,1000,60000\n", at{blocked, "bad_config", yml, 5, "primary.cuped", 3}, "revenue_pre_sum_product"},
		{"cuped pre-period squares below sum²/users", "name: x\nprimary: {metric: revenue, type: mean, cuped: true}\n", cupedMeanCSV("9999", "40000"), at{blocked, "bad_value", csvf, 3, "revenue_pre_sum_squares", 6}, "pre-period sum of squares"},
		{"cuped pre-period Cauchy–Schwarz", "name: x\nprimary: {metric: revenue, type: mean, cuped: true}\n", cupedMeanCSV("60000", "99999"), at{blocked, "bad_value", csvf, 3, "revenue_pre_sum_product", 7}, "Cauchy–Schwarz"},
		{"cuped proportion pre-period count above users", "name: x\nprimary: {metric: conversions, cuped: true}\n", cupedPropCSV("101", "101", "5"), at{blocked, "bad_value", csvf, 3, "conversions_pre_sum", 4}, "whole number from 0 to users = 100"},
		{"cuped proportion pre-period not 0/1", "name: x\nprimary: {metric: conversions, cuped: true}\n", cupedPropCSV("20", "35", "5"), at{blocked, "bad_value", csvf, 3, "conversions_pre_sum_squares", 5}, "differs from the pre-period sum"},
		{"cuped proportion cross product above both counts", "name: x\nprimary: {metric: conversions, cuped: true}\n", cupedPropCSV("20", "20", "15"), at{blocked, "bad_value", csvf, 3, "conversions_pre_sum_product", 6}, "from 0 to 10"},
		{"cuped proportion cross product fractional", "name: x\nprimary: {metric: conversions, cuped: true}\n", cupedPropCSV("20", "20", "2.5"), at{blocked, "bad_value", csvf, 3, "conversions_pre_sum_product", 6}, "not a whole number"},
		{"sequential_tuning zero", "name: x\nthresholds: {sequential: true, sequential_tuning: 0}\n", abcCSV, at{blocked, "bad_config", yml, 2, "thresholds.sequential_tuning", 32}, "at least 1"},
		{"unknown kind", "name: x\nprimary: {metric: revenue, type: average}\n", abcCSV, at{blocked, "bad_config", yml, 2, "primary.type", 28}, "one of proportion, events, mean, ratio"},
		{"severe below worsened, relative", "name: x\nguardrails:\n  - {metric: guardrail_error, worsened_threshold: 10%, severe_threshold: 5%}\n", "variant,users,conversions,guardrail_error\ncontrol,100,1,2\ntreatment,100,2,3\n", at{blocked, "bad_config", yml, 3, "guardrails[0].severe_threshold", 56}, "below worsened_threshold"},
		{"negative margin", "name: x\nguardrails:\n  - {metric: guardrail_error, worsened_threshold: -1%}\n", "variant,users,conversions,guardrail_error\ncontrol,100,1,2\ntreatment,100,2,3\n", at{blocked, "bad_config", yml, 3, "guardrails[0].worsened_threshold", 31}, "cannot be negative"},
		{"bad arm label", "name: x\n", "variant,users,conversions\ncontrol,100,1\ntreat ment,100,2\n", at{blocked, "bad_variants", csvf, 3, "variant", 1}, "\"treat ment\""},
		{"sequential not a bool", "name: x\nthresholds: {sequential: yes please}\n", abcCSV, at{blocked, "bad_config", yml, 2, "thresholds.sequential", 14}, "true or false"},
		{"unknown guardrail policy", "name: x\nthresholds: {guardrail_policy: strict}\n", abcCSV, at{blocked, "bad_config", yml, 2, "thresholds.guardrail_policy", 14}, "do_no_harm, non_inferiority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := loadMap(t, oneExp(tt.yaml, tt.csv), Limits{})[0]
			firstIssue(t, e, tt.want)
			var msgs []string
			for _, is := range e.Issues {
				msgs = append(msgs, is.Message)
			}
			if all := strings.Join(msgs, "\n"); !strings.Contains(all, tt.msg) {
				t.Errorf("no message contains %q:\n%s", tt.msg, all)
			}
		})
	}
}

// cupedMeanCSV is a CUPED mean primary whose treatment row has the given
// pre-period sum of squares and cross product (the control's are valid).
func cupedMeanCSV(preSquares, preProduct string) string {
	return "variant,users,revenue_sum,revenue_sum_squares,revenue_pre_sum,revenue_pre_sum_squares,revenue_pre_sum_product\n" +
		"control,100,1200,90000,1000,60000,40000\n" +
		"treatment,100,1200,90000,1000," + preSquares + "," + preProduct + "\n"
}

// cupedPropCSV is a CUPED proportion primary (10 conversions of 100 users
// per arm) whose treatment row has the given pre-period sums.
func cupedPropCSV(preSum, preSquares, preProduct string) string {
	return "variant,users,conversions,conversions_pre_sum,conversions_pre_sum_squares,conversions_pre_sum_product\n" +
		"control,100,10,20,20,5\n" +
		"treatment,100,10," + preSum + "," + preSquares + "," + preProduct + "\n"
}
