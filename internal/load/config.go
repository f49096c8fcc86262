package load

import (
	"math"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/experimentos/experimentos/internal/experiment"
)

// Keys valid at each level of experiment.yaml and experimentos.yaml.
var (
	topKeys = []string{"name", "hypothesis", "owner", "start", "end", "status", "deployment", "data",
		"control", "split", "segments", "plan", "primary", "secondary", "guardrails", "amendment", "thresholds"}
	planKeys      = []string{"users_per_arm", "mde", "baseline", "baseline_sd", "daily_users"}
	metricKeys    = []string{"metric", "label", "type", "desired", "cuped", "columns", "numerator", "denominator"}
	primaryKeys   = metricKeys
	secondaryKeys = metricKeys
	guardrailKeys = append(slices.Clone(metricKeys), "worsened_threshold", "severe_threshold")
	columnKeys    = []string{string(experiment.RoleCount), string(experiment.RoleSum), string(experiment.RoleSumSquares),
		string(experiment.RoleDenominatorSum), string(experiment.RoleDenominatorSquare), string(experiment.RoleSumProduct),
		string(experiment.RolePreSum), string(experiment.RolePreSumSquares), string(experiment.RolePreSumProduct)}
	thresholdKeys = []string{"alpha", "srm_warning_p", "srm_blocked_p", "min_users", "ci_method",
		"sequential", "sequential_tuning", "guardrail_policy"}
	repoKeys     = []string{"thresholds", "guardrail_defaults"}
	gdefaultKeys = []string{"desired", "worsened_threshold", "severe_threshold", "proportion", "events", "mean", "ratio"}
	marginKeys   = []string{"worsened_threshold", "severe_threshold"}
)

// Hints for a key written at the wrong level.
var (
	topElsewhere = map[string]string{
		"alpha": "it belongs under thresholds:", "srm_warning_p": "it belongs under thresholds:",
		"srm_blocked_p": "it belongs under thresholds:", "min_users": "it belongs under thresholds:",
		"ci_method": "it belongs under thresholds:", "users_per_arm": "it belongs under plan:",
		"mde": "it belongs under plan:", "metric": "it belongs under primary: or a guardrail",
		"guardrail_defaults": "it belongs in experimentos.yaml at the experiments root",
		"guardrail":          "did you mean guardrails?",
		"sequential":         "it belongs under thresholds:", "guardrail_policy": "it belongs under thresholds:",
		"type": "it belongs under primary:, a guardrail or a secondary metric", "baseline": "it belongs under plan:",
	}
	repoElsewhere = map[string]string{
		"alpha": "it belongs under thresholds:", "srm_warning_p": "it belongs under thresholds:",
		"srm_blocked_p": "it belongs under thresholds:", "min_users": "it belongs under thresholds:",
		"ci_method": "it belongs under thresholds:", "guardrails": "experimentos.yaml holds guardrail_defaults:; guardrails belong in each experiment.yaml",
		"worsened_threshold": "it belongs under guardrail_defaults:", "severe_threshold": "it belongs under guardrail_defaults:",
	}
)

type decSetting struct {
	v  experiment.Decimal
	at pos
}

// marginSetting is a guardrail margin and where it was written.
type marginSetting struct {
	v  experiment.Margin
	at pos
}

type thresholdConfig struct {
	alpha, srmWarn, srmBlocked decSetting
	minUsers                   int64
	minUsersAt                 pos
	ci                         experiment.CIMethod
	ciAt                       pos
	sequential                 bool
	sequentialAt               pos
	tuning                     int64
	tuningAt                   pos
	policy                     experiment.GuardrailPolicy
	policyAt                   pos
}

// margins is a pair of guardrail margins as written.
type margins struct {
	worsened, severe marginSetting
}

type guardrailDefaults struct {
	desired experiment.Direction
	margins
	// byKind holds guardrail_defaults: {mean: {...}} per kind.
	byKind map[experiment.Kind]margins
}

// metricConfig is one metric as written: the primary, a secondary metric or
// a guardrail.
type metricConfig struct {
	metric      string
	metricAt    pos
	label       string
	kind        experiment.Kind
	kindAt      pos
	desired     experiment.Direction
	cuped       bool
	cupedAt     pos
	columns     map[experiment.Role]string
	columnsAt   pos
	numerator   string
	denominator string
	margins
}

// expConfig is experiment.yaml as written; zero values and unset pos mean
// "not written".
type expConfig struct {
	name, hypothesis, owner string
	nameOK                  bool
	start, end              time.Time
	endAt                   pos
	status                  experiment.Status
	deployment              experiment.Deployment
	data                    string
	dataAt                  pos
	control                 string
	controlAt               pos
	split                   map[string]float64
	splitAt                 map[string]pos
	splitKeyAt              pos
	segments                []string
	segmentsAt              pos
	plan                    experiment.Plan
	amendment               string
	primary                 metricConfig
	primarySet              bool
	secondary               []metricConfig
	guardrails              []metricConfig
	guardrailsSet           bool
	thresholds              thresholdConfig
}

// repoConfig is experimentos.yaml.
type repoConfig struct {
	thresholds thresholdConfig
	gdefaults  guardrailDefaults
}

var (
	decOne = experiment.MustDecimal("1")
	decM1  = experiment.MustDecimal("-1")
)

// parseExperiment reads experiment.yaml's mapping.
func (y *ydoc) parseExperiment(root *yaml.Node) expConfig {
	var c expConfig
	y.fields(root, root, "", topKeys, topElsewhere, func(name string, key, v *yaml.Node, kp string) {
		switch name {
		case "name":
			c.name, c.nameOK = y.text(v, key, kp)
			if !c.nameOK && isNull(v) {
				y.add(experiment.CodeBadConfig, key, kp, "name is empty; write the experiment's display name")
			}
		case "hypothesis":
			c.hypothesis, _ = y.text(v, key, kp)
		case "owner":
			c.owner, _ = y.text(v, key, kp)
		case "amendment":
			c.amendment, _ = y.text(v, key, kp)
		case "start":
			c.start, _ = y.date(v, key, kp)
		case "end":
			if t, ok := y.date(v, key, kp); ok {
				c.end, c.endAt = t, y.at(key, kp)
			}
		case "status":
			if s, ok := y.enum(v, key, kp, "planned", "running", "concluded"); ok {
				c.status = experiment.Status(s)
			}
		case "deployment":
			if s, ok := y.enum(v, key, kp, "experiment", "rolled_out"); ok {
				c.deployment = experiment.Deployment(s)
			}
		case "data":
			if s, ok := y.text(v, key, kp); ok {
				c.data, c.dataAt = s, y.at(key, kp)
			} else if isNull(v) {
				y.add(experiment.CodeBadConfig, key, kp, "data is empty; write the CSV's path relative to this folder, such as results.csv")
			}
		case "control":
			if s, ok := y.label(v, key, kp); ok {
				c.control, c.controlAt = s, y.at(key, kp)
			}
		case "split":
			c.split, c.splitAt = y.parseSplit(v, key, kp)
			c.splitKeyAt = y.at(key, kp)
		case "segments":
			c.segments, c.segmentsAt = y.parseSegments(v, key, kp)
		case "plan":
			c.plan = y.parsePlan(v, key, kp)
		case "primary":
			if !isNull(deref(v)) { // primary: with nothing under it keeps the default
				c.primarySet = true
				c.primary = y.parseMetric(deref(v), key, kp, primaryKeys)
			}
		case "secondary":
			c.secondary = y.parseMetrics(v, key, kp, secondaryKeys, "secondary metrics")
		case "guardrails":
			c.guardrailsSet = !isNull(v)
			c.guardrails = y.parseMetrics(v, key, kp, guardrailKeys, "guardrails")
		case "thresholds":
			c.thresholds = y.parseThresholds(v, key, kp)
		}
	})
	if !c.nameOK && !hasKey(root, "name") {
		y.add(experiment.CodeBadConfig, root, "name", "name is required: add \"name: <display name>\"")
	}
	y.metricsOnce(&c)
	return c
}

// metricsOnce refuses a metric listed in two roles (primary, secondary:,
// guardrails:). A metric is one set of CSV columns read into one set of
// moments, so a second reading would replace the first: a CUPED primary
// repeated as a plain secondary metric would lose its pre-period sums.
func (y *ydoc) metricsOnce(c *expConfig) {
	primary := c.primary.metric
	if !c.primarySet {
		primary = defaultPrimary
	}
	first := map[string]string{}
	if primary != "" {
		first[primary] = "the primary metric"
	}
	for _, list := range []struct {
		key     string
		metrics *[]metricConfig
	}{{"secondary", &c.secondary}, {"guardrails", &c.guardrails}} {
		kept := (*list.metrics)[:0]
		for i, m := range *list.metrics {
			if where, dup := first[m.metric]; dup {
				// Reported and dropped, so that the first reading stands
				// in the (blocked) report.
				y.issues = append(y.issues, blockedAt(m.metricAt, experiment.CodeBadConfig,
					"metric %s is already %s; list each metric once, in one role", quote(m.metric), where))
				continue
			}
			first[m.metric] = list.key + "[" + itoa(i) + "]"
			kept = append(kept, m)
		}
		*list.metrics = kept
	}
}

func hasKey(m *yaml.Node, name string) bool {
	if m == nil || m.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == name {
			return true
		}
	}
	return false
}

// metricName reads a CSV column name or prefix as written in YAML: trimmed
// and lower-cased like the CSV header.
func (y *ydoc) metricName(v, key *yaml.Node, kp string) (string, bool) {
	s, ok := y.text(v, key, kp)
	if !ok {
		if isNull(v) {
			y.add(experiment.CodeBadConfig, key, kp, "%s is empty; write a CSV column name", kp)
		}
		return "", false
	}
	s = normHeader(s)
	if s == "" {
		y.add(experiment.CodeBadConfig, key, kp, "%s is empty; write a CSV column name", kp)
		return "", false
	}
	if s == "variant" || s == "users" {
		y.add(experiment.CodeBadConfig, key, kp, "%s cannot be the %s column; name a metric column such as conversions", kp, s)
		return "", false
	}
	return s, true
}

// label reads an arm label: trimmed, lower-cased, matching the variant
// label pattern (docs/formats.md#rows-and-arms).
func (y *ydoc) label(v, key *yaml.Node, kp string) (string, bool) {
	s, ok := y.text(v, key, kp)
	if !ok {
		if isNull(v) {
			y.add(experiment.CodeBadConfig, key, kp, "%s is empty; write an arm label such as control", kp)
		}
		return "", false
	}
	s = normHeader(s)
	if !isLabel(s) {
		y.add(experiment.CodeBadConfig, key, kp, "%s %s is not an arm label: use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit", kp, quote(s))
		return "", false
	}
	return s, true
}

// parseSplit reads split: {label: weight, ...}.
func (y *ydoc) parseSplit(v, key *yaml.Node, kp string) (map[string]float64, map[string]pos) {
	v = deref(v)
	if isNull(v) {
		return nil, nil
	}
	if v.Kind != yaml.MappingNode {
		y.add(experiment.CodeBadConfig, key, kp, "split must map each arm label to its traffic weight, such as {control: 50, treatment: 50}, not %s", kindName(v))
		return nil, nil
	}
	w := map[string]float64{}
	at := map[string]pos{}
	ok := true
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], deref(v.Content[i+1])
		label, good := y.label(k, k, kp)
		if !good {
			ok = false
			continue
		}
		p := join(kp, label)
		if _, dup := w[label]; dup {
			y.add(experiment.CodeBadConfig, k, p, "arm %s appears twice in split", quote(label))
			ok = false
			continue
		}
		d, good := y.decimal(val, k, p, "50")
		if !good {
			ok = false
			continue
		}
		if d.Sign() <= 0 {
			y.add(experiment.CodeBadConfig, k, p, "%s is a traffic weight and must be above 0, not %s", p, d)
			ok = false
			continue
		}
		w[label], at[label] = d.Float64(), y.at(k, p)
	}
	if !ok || len(w) == 0 {
		if ok {
			y.add(experiment.CodeBadConfig, key, kp, "split is empty; give each arm a weight, such as {control: 50, treatment: 50}")
		}
		return nil, nil
	}
	total := 0.0
	for _, x := range w {
		total += x
	}
	for label, x := range w {
		if s := x / total; !(s >= minShare) || math.IsInf(total, 0) {
			y.add(experiment.CodeBadConfig, key, kp, "split weights are too far apart: arm %s needs a share of at least %g of the traffic", quote(label), minShare)
			return nil, nil
		}
	}
	return w, at
}

// minShare is the smallest share of the traffic an arm may be planned
// to get: below it the SRM test's expected counts would underflow.
const minShare = 1e-100

// parseSegments reads segments: [column, ...].
func (y *ydoc) parseSegments(v, key *yaml.Node, kp string) ([]string, pos) {
	v = deref(v)
	if isNull(v) {
		return nil, pos{}
	}
	if v.Kind != yaml.SequenceNode {
		y.add(experiment.CodeBadConfig, key, kp, "segments must be a list of CSV column names, such as [platform], not %s", kindName(v))
		return nil, pos{}
	}
	if len(v.Content) > maxSegmentColumns {
		y.add(experiment.CodeLimitExceeded, key, kp, "names %d segment columns, more than %d", len(v.Content), maxSegmentColumns)
		return nil, pos{}
	}
	var out []string
	for i, item := range v.Content {
		ip := kp + "[" + itoa(i) + "]"
		s, ok := y.metricName(deref(item), item, ip)
		if !ok {
			return nil, pos{}
		}
		if slices.Contains(out, s) {
			y.add(experiment.CodeBadConfig, item, ip, "segment column %s is listed twice", quote(s))
			return nil, pos{}
		}
		out = append(out, s)
	}
	return out, y.at(key, kp)
}

func (y *ydoc) parsePlan(v, key *yaml.Node, kp string) experiment.Plan {
	var plan experiment.Plan
	positive := func(v, key *yaml.Node, kp, example string) (*float64, bool) {
		d, ok := y.decimal(v, key, kp, example)
		if !ok {
			return nil, false
		}
		if d.Sign() <= 0 {
			y.add(experiment.CodeBadConfig, key, kp, "%s must be above 0, not %s", kp, d)
			return nil, false
		}
		f := d.Float64()
		return &f, true
	}
	y.fields(v, key, kp, planKeys, nil, func(name string, key, v *yaml.Node, kp string) {
		switch name {
		case "users_per_arm", "daily_users":
			n, ok := y.integer(v, key, kp, "20000")
			if !ok {
				return
			}
			if n < 1 {
				y.add(experiment.CodeBadConfig, key, kp, "%s must be at least 1, not %d", kp, n)
				return
			}
			if name == "daily_users" {
				plan.DailyUsers = n
				return
			}
			plan.UsersPerArm = n
			plan.Line, plan.Col = key.Line, key.Column
		case "mde":
			if d, ok := y.decimal(v, key, kp, "0.05"); ok {
				if d.Cmp(decM1) <= 0 || d.Sign() == 0 {
					y.add(experiment.CodeBadConfig, key, kp, "%s is a relative effect: it must be above -1 and not 0 (0.05 means 5%%), not %s", kp, d)
				} else {
					f := d.Float64()
					plan.MDE = &f
				}
			}
		case "baseline":
			plan.Baseline, _ = positive(v, key, kp, "0.12")
		case "baseline_sd":
			plan.BaselineSD, _ = positive(v, key, kp, "30.0")
		}
	})
	return plan
}

// parseMetrics reads a list of metrics (secondary: or guardrails:).
func (y *ydoc) parseMetrics(v, key *yaml.Node, kp string, keys []string, what string) []metricConfig {
	v = deref(v)
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		y.add(experiment.CodeBadConfig, key, kp, "%s must be a list of \"- metric: <column>\" entries, not %s", kp, kindName(v))
		return nil
	}
	if len(v.Content) > y.lim.MaxGuardrails {
		y.add(experiment.CodeLimitExceeded, key, kp, "has %d %s, more than %d (Limits.MaxGuardrails)", len(v.Content), what, y.lim.MaxGuardrails)
		return nil
	}
	var out []metricConfig
	seen := make(map[string]int)
	for i, item := range v.Content {
		ip := kp + "[" + itoa(i) + "]"
		item = deref(item)
		if item.Kind != yaml.MappingNode {
			y.add(experiment.CodeBadConfig, item, ip, "each entry must be a mapping such as {metric: guardrail_error}, not %s", kindName(item))
			continue
		}
		m := y.parseMetric(item, item, ip, keys)
		if m.metric == "" {
			continue
		}
		if first, dup := seen[m.metric]; dup {
			y.add(experiment.CodeBadConfig, item, ip+".metric", "metric %s is listed twice (first as %s[%d])", quote(m.metric), kp, first)
			continue
		}
		seen[m.metric] = i
		out = append(out, m)
	}
	if out == nil {
		out = []metricConfig{}
	}
	return out
}

// parseMetric reads one metric's mapping.
func (y *ydoc) parseMetric(item, at *yaml.Node, kp string, keys []string) metricConfig {
	var m metricConfig
	ok := true
	kinds := []string{"proportion", "events", "mean", "ratio"}
	if slices.Contains(keys, "worsened_threshold") {
		kinds = append([]string{"auto"}, kinds...)
	}
	y.fields(item, at, kp, keys, nil, func(name string, key, v *yaml.Node, kp string) {
		switch name {
		case "metric":
			if s, good := y.metricName(v, key, kp); good {
				m.metric, m.metricAt = s, y.at(key, kp)
			} else {
				ok = false
			}
		case "label":
			m.label, _ = y.text(v, key, kp)
		case "type":
			if s, good := y.enum(v, key, kp, kinds...); good {
				m.kind, m.kindAt = experiment.Kind(s), y.at(key, kp)
			}
		case "desired":
			if s, good := y.enum(v, key, kp, "increase", "decrease"); good {
				m.desired = experiment.Direction(s)
			}
		case "cuped":
			if b, good := y.boolean(v, key, kp); good {
				m.cuped, m.cupedAt = b, y.at(key, kp)
			}
		case "numerator":
			m.numerator, _ = y.metricName(v, key, kp)
		case "denominator":
			m.denominator, _ = y.metricName(v, key, kp)
		case "columns":
			m.columnsAt = y.at(key, kp)
			m.columns = map[experiment.Role]string{}
			y.fields(v, key, kp, columnKeys, nil, func(name string, key, v *yaml.Node, kp string) {
				if s, good := y.metricName(v, key, kp); good {
					m.columns[experiment.Role(name)] = s
				}
			})
		case "worsened_threshold":
			m.worsened = y.margin(v, key, kp)
		case "severe_threshold":
			m.severe = y.margin(v, key, kp)
		}
	})
	if m.metric == "" && ok && !hasKey(item, "metric") {
		y.add(experiment.CodeBadConfig, at, kp, "%s needs metric: naming its CSV column or column prefix", kp)
	}
	return m
}

// boolean reads true or false.
func (y *ydoc) boolean(v, at *yaml.Node, kp string) (bool, bool) {
	if isNull(v) || v.Kind != yaml.ScalarNode || v.Tag != "!!bool" {
		y.add(experiment.CodeBadConfig, at, kp, "%s must be true or false, not %s", kp, kindName(v))
		return false, false
	}
	return v.Value == "true" || v.Value == "True" || v.Value == "TRUE", true
}

// margin reads a guardrail margin: a decimal >= 0 in the metric's unit, or
// a percentage of the control value written "5%".
func (y *ydoc) margin(v, key *yaml.Node, kp string) marginSetting {
	if v != nil && v.Kind == yaml.ScalarNode && v.Tag == "!!str" && strings.HasSuffix(strings.TrimSpace(v.Value), "%") {
		num := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v.Value), "%"))
		d, err := experiment.ParseDecimal(num)
		if err != nil || strings.ContainsAny(num, "eE") {
			y.add(experiment.CodeBadConfig, key, kp, "%s must be a decimal or a percentage such as 5%%, not %s", kp, quote(v.Value))
			return marginSetting{}
		}
		if d.Sign() < 0 {
			y.add(experiment.CodeBadConfig, key, kp, "%s is a harm margin and cannot be negative, not %s", kp, quote(v.Value))
			return marginSetting{}
		}
		return marginSetting{v: experiment.Margin{Value: d.DivInt(100), Relative: true}, at: y.at(key, kp)}
	}
	d, ok := y.decimal(v, key, kp, "0.001")
	if !ok {
		return marginSetting{}
	}
	if d.Sign() < 0 {
		y.add(experiment.CodeBadConfig, key, kp, "%s is a harm margin and cannot be negative, not %s", kp, d)
		return marginSetting{}
	}
	return marginSetting{v: experiment.Margin{Value: d}, at: y.at(key, kp)}
}

func (y *ydoc) parseThresholds(v, key *yaml.Node, kp string) thresholdConfig {
	var t thresholdConfig
	y.fields(v, key, kp, thresholdKeys, nil, func(name string, key, v *yaml.Node, kp string) {
		switch name {
		case "alpha", "srm_warning_p", "srm_blocked_p":
			ex := map[string]string{"alpha": "0.05", "srm_warning_p": "0.001", "srm_blocked_p": "0.00001"}[name]
			d, ok := y.decimal(v, key, kp, ex)
			if !ok {
				return
			}
			if d.Sign() <= 0 || d.Cmp(decOne) >= 0 {
				y.add(experiment.CodeBadConfig, key, kp, "%s is a probability and must lie strictly between 0 and 1, such as %s, not %s", kp, ex, d)
				return
			}
			if d.Float64() >= 1 {
				// Below 1 exactly, but its nearest float64 is 1: the
				// statistics could not use it.
				y.add(experiment.CodeBadConfig, key, kp, "%s = %s is too close to 1 to compute with; write at most 0.999999", kp, d)
				return
			}
			s := decSetting{v: d, at: y.at(key, kp)}
			switch name {
			case "alpha":
				t.alpha = s
			case "srm_warning_p":
				t.srmWarn = s
			default:
				t.srmBlocked = s
			}
		case "min_users":
			if n, ok := y.integer(v, key, kp, "100"); ok {
				if n < 0 {
					y.add(experiment.CodeBadConfig, key, kp, "%s cannot be negative, not %d", kp, n)
					return
				}
				t.minUsers, t.minUsersAt = n, y.at(key, kp)
			}
		case "ci_method":
			if s, ok := y.enum(v, key, kp, "newcombe", "wald"); ok {
				t.ci, t.ciAt = experiment.CIMethod(s), y.at(key, kp)
			}
		case "sequential":
			if b, ok := y.boolean(v, key, kp); ok {
				t.sequential, t.sequentialAt = b, y.at(key, kp)
			}
		case "sequential_tuning":
			if n, ok := y.integer(v, key, kp, "5000"); ok {
				if n < 1 {
					y.add(experiment.CodeBadConfig, key, kp, "%s is N*, a number of users, and must be at least 1, not %d", kp, n)
					return
				}
				t.tuning, t.tuningAt = n, y.at(key, kp)
			}
		case "guardrail_policy":
			if s, ok := y.enum(v, key, kp, string(experiment.DoNoHarm), string(experiment.NonInferiority)); ok {
				t.policy, t.policyAt = experiment.GuardrailPolicy(s), y.at(key, kp)
			}
		}
	})
	return t
}

// parseRepo reads experimentos.yaml's mapping.
func (y *ydoc) parseRepo(root *yaml.Node) repoConfig {
	var c repoConfig
	y.fields(root, root, "", repoKeys, repoElsewhere, func(name string, key, v *yaml.Node, kp string) {
		switch name {
		case "thresholds":
			c.thresholds = y.parseThresholds(v, key, kp)
		case "guardrail_defaults":
			y.fields(v, key, kp, gdefaultKeys, nil, func(name string, key, v *yaml.Node, kp string) {
				switch name {
				case "desired":
					if s, ok := y.enum(v, key, kp, "increase", "decrease"); ok {
						c.gdefaults.desired = experiment.Direction(s)
					}
				case "worsened_threshold":
					c.gdefaults.worsened = y.margin(v, key, kp)
				case "severe_threshold":
					c.gdefaults.severe = y.margin(v, key, kp)
				default: // a kind
					var m margins
					y.fields(v, key, kp, marginKeys, nil, func(name string, key, v *yaml.Node, kp string) {
						if name == "worsened_threshold" {
							m.worsened = y.margin(v, key, kp)
						} else {
							m.severe = y.margin(v, key, kp)
						}
					})
					if c.gdefaults.byKind == nil {
						c.gdefaults.byKind = map[experiment.Kind]margins{}
					}
					c.gdefaults.byKind[experiment.Kind(name)] = m
				}
			})
		}
	})
	return c
}
