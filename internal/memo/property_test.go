package memo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
)

// The property test generates experiments across the space issue 10
// found defects in — 2 to 4 arms, arm sizes from tens to hundreds of
// thousands, rates from 0 to 1, free splits with and without SRM,
// directions, plans, statuses and deployments, proportion, events, mean
// and ratio guardrails, CUPED mean primaries — runs them through the real
// analysis and decision, and
// checks what every memo must keep true, on its Markdown and its JSON
// (docs/memo.md#generated-sentences).

const propertyCases = 2000

// genExp draws one experiment. Metric labels are plain words, so that the
// Markdown shows them unescaped.
func genExp(rng *rand.Rand, i int) *experiment.Experiment {
	k := 2 + rng.IntN(3)
	names := []string{"control", "b", "c", "d"}[:k]
	weights := make([]float64, k)
	total := 0.0
	withSplit := rng.IntN(3) > 0
	for a := range weights {
		weights[a] = 1
		if withSplit && rng.IntN(3) == 0 {
			weights[a] = float64(1 + rng.IntN(9))
		}
		total += weights[a]
	}
	n := int64(math.Exp(math.Log(150) + rng.Float64()*(math.Log(500000)-math.Log(150))))
	drift := 0.0
	if rng.IntN(5) == 0 {
		drift = []float64{0.002, 0.005, 0.01, 0.1}[rng.IntN(4)]
	}
	users := make([]int64, k)
	for a := range users {
		u := float64(n) * weights[a] / total * (1 + drift*(rng.Float64()*2-1))
		users[a] = max(2, int64(u))
	}
	if rng.IntN(10) == 0 { // about 3.6 to 4.2 standard deviations: an SRM warning, rarely severe
		users[1] += int64((3.6 + 0.6*rng.Float64()) * math.Sqrt(float64(users[1])))
	}
	rate := func() float64 {
		switch rng.IntN(12) {
		case 0:
			return 0
		case 1:
			return 1
		case 2:
			return 0.9 + 0.1*rng.Float64()
		}
		return math.Exp(math.Log(0.0003) + rng.Float64()*(math.Log(0.6)-math.Log(0.0003)))
	}
	effect := func() float64 {
		switch rng.IntN(4) {
		case 0:
			return 0
		case 1:
			return (rng.Float64()*2 - 1) * 0.05
		}
		return (rng.Float64()*2 - 1) * 0.6
	}
	dir := func(p float64) experiment.Direction {
		if rng.Float64() < p {
			return experiment.Decrease
		}
		return experiment.Increase
	}
	moments := make([]map[string]experiment.Moments, k)
	for a := range moments {
		moments[a] = map[string]experiment.Moments{}
	}
	// A proportion metric's counts per arm around rate p.
	propCounts := func(name string, p float64) {
		for a := range moments {
			q := p
			if a > 0 {
				q = math.Min(1, math.Max(0, p*(1+effect())))
			}
			moments[a][name] = experiment.Moments{Count: int64(math.Round(q * float64(users[a])))}
		}
	}
	eventCounts := func(name string, lambda float64, welch bool) {
		for a := range moments {
			l := lambda
			if a > 0 {
				l = lambda * (1 + effect())
			}
			c := int64(math.Round(l * float64(users[a])))
			mo := experiment.Moments{Count: c}
			if welch {
				// Σx² ≥ (Σx)²/n, with overdispersion.
				sq := float64(c) * (1 + 2*l)
				mo.SumSquares = dec(strconv.FormatFloat(math.Ceil(sq), 'f', 0, 64))
			}
			moments[a][name] = mo
		}
	}
	meanSums := func(name string, mu, sd float64) {
		for a := range moments {
			m := mu
			if a > 0 {
				m = mu * (1 + effect()/3)
			}
			nn := float64(users[a])
			sum := m * nn
			sq := nn * (sd*sd + m*m)
			moments[a][name] = experiment.Moments{Sum: dec(strconv.FormatFloat(sum, 'f', 3, 64)), SumSquares: dec(strconv.FormatFloat(sq*1.0001+1, 'f', 3, 64))}
		}
	}

	var primary experiment.Metric
	switch rng.IntN(6) {
	case 0:
		primary = metric("visits", "Visits", experiment.KindEvents, dir(0.2))
		eventCounts("visits", 0.2+3*rng.Float64(), false)
	case 1:
		primary = metric("revenue", "Revenue", experiment.KindMean, dir(0.2))
		meanSums("revenue", 1+50*rng.Float64(), 1+80*rng.Float64())
	default:
		primary = metric("conversions", "Conversion", experiment.KindProportion, dir(0.3))
		propCounts("conversions", rate())
	}
	var guards []experiment.Metric
	for g := range rng.IntN(4) {
		name := fmt.Sprintf("guardrail_g%d", g)
		label := []string{"Errors", "Cancels", "Latency", "Tickets"}[g]
		switch rng.IntN(3) {
		case 0:
			guards = append(guards, guarded(metric(name, label, experiment.KindEvents, dir(0.8), experiment.RoleSumSquares), "5%", "15%"))
			eventCounts(name, 0.05+2*rng.Float64(), true)
		case 1:
			guards = append(guards, guarded(metric(name, label, experiment.KindMean, dir(0.8)), "5%", "15%"))
			meanSums(name, 50+500*rng.Float64(), 10+200*rng.Float64())
		default:
			w := []string{"0.001", "0.005", "0.02"}[rng.IntN(3)]
			guards = append(guards, guarded(metric(name, label, experiment.KindProportion, dir(0.8)), w, "0.03"))
			propCounts(name, rate())
		}
	}
	// Ratio guardrails and CUPED primaries come from a stream of their own,
	// so that the cases above stay the ones they were.
	more := rand.New(rand.NewPCG(uint64(i), 11))
	if more.IntN(4) == 0 { // an average-order-value guardrail: Σrevenue / Σorders
		name := "guardrail_aov"
		guards = append(guards, guarded(ratioMetric(name, "Order value", name+"_revenue", name+"_orders", dir(0.2)), "2%", "10%"))
		orders, aov := 0.05+2*more.Float64(), 5+100*more.Float64()
		for a := range moments {
			o, v := orders, aov
			if a > 0 {
				o, v = orders*(1+effect()/3), aov*(1+effect()/3)
			}
			nn := float64(users[a])
			y, x := o*nn, v*o*nn // Σorders, Σrevenue
			vy, vx := o*(1+o), (v*v)*o*(2+o)
			cov := 0.5 * math.Sqrt(vx*vy)
			f := func(z float64) experiment.Decimal { return dec(strconv.FormatFloat(z, 'f', 3, 64)) }
			moments[a][name] = experiment.Moments{Sum: f(x), SumSquares: f(nn*(vx+(x/nn)*(x/nn)) + 1), DenSum: f(y),
				DenSumSquares: f(nn*(vy+(y/nn)*(y/nn)) + 1), SumProduct: f(nn * (cov + (x/nn)*(y/nn)))}
		}
	}
	if primary.Kind == experiment.KindMean && more.IntN(2) == 0 { // CUPED on the revenue primary
		primary.CUPED = true
		primary = withColumns(primary, experiment.RolePreSum, experiment.RolePreSumSquares, experiment.RolePreSumProduct)
		rho := []float64{0, 0.3, 0.7, 0.95}[more.IntN(4)]
		for a := range moments {
			mo := moments[a]["revenue"]
			nn := float64(users[a])
			my := mo.Sum.Float64() / nn
			sdy := math.Sqrt(math.Max(0, mo.SumSquares.Float64()/nn-my*my))
			mx, sdx := my*(0.8+0.4*more.Float64()), sdy*(0.5+more.Float64())
			f := func(z float64) experiment.Decimal { return dec(strconv.FormatFloat(z, 'f', 3, 64)) }
			mo.PreSum = f(mx * nn)
			mo.PreSumSquares = f(nn*(sdx*sdx+mx*mx) + 1)
			mo.PreSumProduct = f(nn * (rho*sdx*sdy + mx*my))
			moments[a]["revenue"] = mo
		}
	}
	arms := make([]arm, k)
	for a := range arms {
		arms[a] = arm{names[a], users[a], moments[a]}
	}
	e := newExp(fmt.Sprintf("prop-%d", i), primary, arms, guards...)
	if withSplit {
		e.Split = map[string]float64{}
		for a, nm := range names {
			e.Split[nm] = weights[a]
		}
	}
	switch rng.IntN(4) {
	case 0:
		e.Start, e.End = time.Time{}, time.Time{}
	case 1:
		e.End = e.Start.AddDate(0, 0, rng.IntN(60))
	}
	if rng.IntN(2) == 0 {
		e.Plan.MDE = planMDE([]float64{0.01, 0.02, 0.05, 0.1, 0.3, -0.05}[rng.IntN(6)])
	}
	if rng.IntN(3) == 0 {
		e.Plan.UsersPerArm = int64(float64(n) / float64(k) * []float64{0.5, 1, 2, 5}[rng.IntN(4)])
	}
	if rng.IntN(3) == 0 {
		e.Plan.DailyUsers = 100 + rng.Int64N(20000)
	}
	switch rng.IntN(8) {
	case 0:
		e.Status = experiment.StatusConcluded
	case 1:
		e.Deployment = experiment.DeploymentRolledOut
	case 2:
		e.Status = experiment.StatusConcluded
		e.Deployment = experiment.DeploymentRolledOut
	}
	if rng.IntN(12) == 0 { // a planned experiment: no data, maybe a baseline
		e.Status, e.Data, e.DataSHA256 = experiment.StatusPlanned, nil, ""
		if rng.IntN(4) > 0 {
			var base float64
			switch primary.Kind {
			case experiment.KindProportion:
				base = 0.005 + 0.6*rng.Float64()
			case experiment.KindMean:
				base = 1 + 50*rng.Float64()
				if rng.IntN(4) > 0 {
					sd := base * (0.5 + 2*rng.Float64())
					e.Plan.BaselineSD = &sd
				}
			default:
				base = 0.1 + 3*rng.Float64()
			}
			e.Plan.Baseline = &base
		}
	}
	e.Thresholds.Alpha = dec([]string{"0.05", "0.05", "0.1", "0.01"}[rng.IntN(4)])
	if rng.IntN(4) == 0 {
		e.Thresholds.GuardrailPolicy = experiment.NonInferiority
	}
	if rng.IntN(6) == 0 {
		e.Thresholds.Sequential = true
	}
	return e
}

var (
	propAlertRE  = regexp.MustCompile(`(falls below|rises above) (-?[0-9][0-9,]*(?:\.[0-9]+)?)(%|/user)?`)
	propNegRelRE = regexp.MustCompile(`-([0-9][0-9,]*(?:\.[0-9]+)?)%`)
	propDaysRE   = regexp.MustCompile(`[0-9]+\.[0-9]+ (?:more )?days?\b`)
	propNeedRE   = regexp.MustCompile(`Arm (\S+): .*?; still needed: ([0-9,]+) more (\S+) and ([0-9,]+) more (\S+) users\.`)
	propMultiRE  = regexp.MustCompile(`(\d+) guardrail tests \((\d+) guardrails? × (\d+) comparisons?\) each use alpha ([0-9.]+) without correction: with no real effect, the chance that at least one shows a significant harm is about ([0-9.]+)% \(1 − \(1 − alpha/2\)\^(\d+)`)
	propJSONDays = regexp.MustCompile(`"days": -?[0-9]+\.[0-9]`)
)

func atoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
	if err != nil {
		t.Fatalf("not a count: %q", s)
	}
	return n
}

func TestMemoProperties(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(10, 2026))
	seen := map[string]int{}
	for i := range propertyCases {
		e := genExp(rng, i)
		r := result(e)
		if rng.IntN(5) == 0 { // a pull request compared with its base: looks
			r.History = &decision.History{Looks: 2 + rng.IntN(15)}
		}
		seen[DecisionWord(r)[:strings.IndexAny(DecisionWord(r)+" ", " :")]]++
		if r.Decision.HoldKind != decision.NoHold {
			seen["kind "+string(r.Decision.HoldKind)]++
		}
		if e.Status == experiment.StatusConcluded {
			seen["concluded"]++
		}
		for _, is := range r.Report.Health.Issues {
			seen["issue "+is.Code]++
		}
		for _, g := range e.Guardrails {
			if g.Kind == experiment.KindRatio && len(r.Report.Comparisons) > 0 {
				seen["analyzed ratio guardrail"]++
			}
		}
		for _, c := range r.Report.Comparisons {
			if c.Primary.CUPED != nil {
				seen["analyzed CUPED primary"]++
			}
		}
		checkProperties(t, i, e, r, seen)
		if t.Failed() {
			t.Fatalf("case %d failed (seed 10, 2026)", i)
		}
	}
	t.Logf("generated: %v", seen)
	// The generator must reach every outcome and hold kind it is meant to.
	for _, want := range []string{"launch", "rollback", "hold", "kind collect", "kind stop", "kind investigate", "concluded", "issue srm", "issue plan_underpowered", "issue srm_severe",
		"checked alert level", "checked additional users", "checked multiplicity", "checked concluded", "checked planning",
		"analyzed ratio guardrail", "analyzed CUPED primary"} {
		if seen[want] < 10 {
			t.Errorf("only %d generated cases with %q: %v", seen[want], want, seen)
		}
	}
}

func checkProperties(t *testing.T, i int, e *experiment.Experiment, r decision.Result, seen map[string]int) {
	t.Helper()
	m := render(t, r)
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("case %d (%s): "+format+"\n%s", append([]any{i, DecisionWord(r)}, append(args, m.md)...)...)
	}
	// Every worsened or severe guardrail is named in the Decision section.
	comps, _ := m.doc["comparisons"].([]any)
	for _, c := range comps {
		gs, _ := c.(map[string]any)["guardrails"].([]any)
		for _, g := range gs {
			g := g.(map[string]any)
			if st := g["state"]; (st == "worsened" || st == "severe") && !strings.Contains(m.decision, g["label"].(string)) {
				fail("the %s guardrail %s is not named in the Decision section", st, g["label"])
			}
		}
	}
	// A running Hold or Rollback says in Next Actions what to do about each
	// worsened or severe guardrail.
	if e.Status == experiment.StatusRunning && r.Decision.Outcome != experiment.Launch {
		for _, c := range comps {
			gs, _ := c.(map[string]any)["guardrails"].([]any)
			for _, g := range gs {
				g := g.(map[string]any)
				if st := g["state"]; (st == "worsened" || st == "severe") && !strings.Contains(m.actions, g["label"].(string)) {
					fail("the %s guardrail %s is not named in Next Actions", st, g["label"])
				}
			}
		}
	}
	// No post-hoc power.
	for _, bad := range []string{"Consider stopping", "consider stopping", "observed effect", "already has 80% power", "post-hoc"} {
		if strings.Contains(m.md, bad) {
			fail("post-hoc power sentence %q", bad)
		}
	}
	for _, bad := range []string{"NaN", "Inf"} {
		if strings.Contains(m.actions+m.risks+m.decision, bad) {
			fail("unprintable number %q", bad)
		}
	}
	// Alert levels are possible values: rates in [0, 100%], per-user
	// counts and the (non-negative) generated means at least 0.
	for _, a := range propAlertRE.FindAllStringSubmatch(m.actions, -1) {
		seen["checked alert level"]++
		// A level the metric can cross: a rate rises above less than 100%
		// and falls below more than 0; events per user and the generated
		// (positive) means fall below more than 0.
		v, err := strconv.ParseFloat(strings.ReplaceAll(a[2], ",", ""), 64)
		rise := a[1] == "rises above"
		if err != nil || v < 0 || (a[3] == "%" && v > 100) || (rise && a[3] == "%" && v >= 100) || (!rise && v <= 0) {
			fail("impossible alert level %q", a[0])
		}
	}
	// No relative bound below −100%: in the Markdown (every negative
	// percentage is relative; rates differences are in pp) and the JSON.
	for _, a := range propNegRelRE.FindAllStringSubmatch(m.md, -1) {
		if v, _ := strconv.ParseFloat(strings.ReplaceAll(a[1], ",", ""), 64); v > 100 {
			fail("relative value %q below −100%%", a[0])
		}
	}
	for _, c := range comps {
		c := c.(map[string]any)
		results := []any{c["primary"]}
		if sec, ok := c["secondary"].([]any); ok {
			results = append(results, sec...)
		}
		for _, res := range results {
			if lo, ok := res.(map[string]any)["rel_ci_low"].(float64); ok && lo < -1 {
				fail("JSON rel_ci_low %v below −100%%", lo)
			}
		}
	}
	// A concluded memo gives no instruction to collect or ramp.
	if e.Status == experiment.StatusConcluded {
		seen["checked concluded"]++
		for _, bad := range []string{"Collect more data", "collect more data", "still needed", "Ramp ", "Set the traffic", "Set status: concluded", "set status: concluded", "Revert or disable", "Set thresholds.sequential"} {
			if strings.Contains(m.md, bad) {
				fail("concluded memo instructs %q", bad)
			}
		}
		if m.doc["power"] != nil {
			fail("concluded experiment with a power block")
		}
	}
	// Days are whole numbers.
	if d := propDaysRE.FindString(m.md); d != "" {
		fail("fractional days %q", d)
	}
	if propJSONDays.MatchString(m.raw) {
		fail("fractional days in JSON")
	}
	// The additional users in Next Actions are the JSON's.
	if pw, ok := m.doc["power"].(map[string]any); ok && e.Status != experiment.StatusPlanned {
		arm := pw["comparison"].(string)
		add, _ := pw["additional_per_arm"].(map[string]any)
		if add != nil {
			found := false
			for _, mt := range propNeedRE.FindAllStringSubmatch(m.actions, -1) {
				if mt[1] != arm {
					continue
				}
				found = true
				seen["checked additional users"]++
				if atoi(t, mt[2]) != int64(add[mt[3]].(float64)) || atoi(t, mt[4]) != int64(add[mt[5]].(float64)) {
					fail("Next Actions need %s %s and %s %s; JSON %v", mt[2], mt[3], mt[4], mt[5], add)
				}
			}
			zero := add[arm].(float64) == 0 && add[e.Control].(float64) == 0
			if !found && !(zero && (strings.Contains(m.actions, "Arm "+arm+": ") && (strings.Contains(m.actions, "both arms already hold it") || strings.Contains(m.actions, "is reached")))) {
				fail("Next Actions do not state the JSON's additional users %v for arm %s", add, arm)
			}
		}
	}
	// A planned experiment's calculator states the JSON's figures.
	if pw, ok := m.doc["power"].(map[string]any); ok && e.Status == experiment.StatusPlanned {
		seen["checked planning"]++
		need, _ := pw["mde_required_per_arm"].(map[string]any)
		arm := pw["comparison"].(string)
		mt := regexp.MustCompile(`Arm ` + regexp.QuoteMeta(arm) + `: to detect the planned mde .*? the plan needs about ([0-9,]+) (\S+) and ([0-9,]+) (\S+) users\.`).FindStringSubmatch(m.actions)
		switch {
		case need == nil:
			if !strings.Contains(m.actions, "Arm "+arm+": plan.mde sets no sample size") {
				fail("no planning figures and no reason")
			}
		case mt == nil:
			fail("the calculator does not state the JSON's %v", need)
		case atoi(t, mt[1]) != int64(need[mt[2]].(float64)) || atoi(t, mt[3]) != int64(need[mt[4]].(float64)):
			fail("the calculator says %s %s and %s %s; JSON %v", mt[1], mt[2], mt[3], mt[4], need)
		}
		if strings.Contains(m.md, "Collect more data") {
			fail("a planned memo asks to collect more data")
		}
		if req, ok := pw["required_per_arm"].(map[string]any); ok && pw["days"] != nil {
			aim := math.Max(req[e.Control].(float64), req[arm].(float64))
			if !strings.Contains(m.actions, "the "+thousands(int64(aim))+" users per arm the advice aims at") {
				fail("the calculator's days are not for the JSON's required %v", req)
			}
		}
	}
	// The multiplicity sentence's probability is 1 − (1 − α/2)^G.
	if mt := propMultiRE.FindStringSubmatch(m.risks); mt != nil {
		seen["checked multiplicity"]++
		g, ng, nc := atoi(t, mt[1]), atoi(t, mt[2]), atoi(t, mt[3])
		if g != ng*nc || g != atoi(t, mt[6]) || ng != int64(len(e.Guardrails)) || nc != int64(len(r.Report.Comparisons)) {
			fail("multiplicity counts %v for %d guardrails × %d comparisons", mt[1:4], len(e.Guardrails), len(r.Report.Comparisons))
		}
		a := e.Thresholds.Alpha.Float64()
		want := 100 * (1 - math.Pow(1-a/2, float64(g)))
		if got, _ := strconv.ParseFloat(mt[5], 64); math.Abs(got-want) > 0.05+1e-9 {
			fail("multiplicity chance %v%%, want %.3f%%", got, want)
		}
	} else if r.Report.Analyzed && len(e.Guardrails)*len(r.Report.Comparisons) >= 2 {
		fail("no multiplicity sentence for %d guardrail tests", len(e.Guardrails)*len(r.Report.Comparisons))
	}
}

// The JSON document of the generated experiments is valid as a whole too.
func TestMemoPropertiesJSONDocument(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(11, 2026))
	var rs []decision.Result
	for i := range 200 {
		rs = append(rs, result(genExp(rng, i)))
	}
	var b bytes.Buffer
	if err := JSON(&b, rs, testMeta); err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b.Bytes()) {
		t.Fatal("invalid JSON")
	}
}
