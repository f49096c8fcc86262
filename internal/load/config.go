package load

import (
	"time"

	"gopkg.in/yaml.v3"

	"github.com/experimentos/experimentos/internal/experiment"
)

// Keys valid at each level of experiment.yaml and experimentos.yaml.
var (
	topKeys       = []string{"name", "hypothesis", "owner", "start", "end", "status", "deployment", "data", "split", "plan", "primary", "guardrails", "thresholds"}
	splitKeys     = []string{"control", "treatment"}
	planKeys      = []string{"users_per_arm", "mde"}
	primaryKeys   = []string{"metric", "label", "desired"}
	guardrailKeys = []string{"metric", "label", "type", "desired", "worsened_threshold", "severe_threshold"}
	thresholdKeys = []string{"alpha", "srm_warning_p", "srm_blocked_p", "min_users", "ci_method"}
	repoKeys      = []string{"thresholds", "guardrail_defaults"}
	gdefaultKeys  = []string{"desired", "worsened_threshold", "severe_threshold"}
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

type thresholdConfig struct {
	alpha, srmWarn, srmBlocked decSetting
	minUsers                   int64
	minUsersAt                 pos
	ci                         experiment.CIMethod
	ciAt                       pos
}

type guardrailDefaults struct {
	desired          experiment.Direction
	worsened, severe decSetting
}

type guardrailConfig struct {
	metric   string
	metricAt pos
	label    string
	typ      experiment.MetricType
	desired  experiment.Direction
	worsened decSetting
	severe   decSetting
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
	split                   *experiment.Split
	plan                    experiment.Plan
	primaryMetric           string
	primaryLabel            string
	primaryDesired          experiment.Direction
	guardrails              []guardrailConfig
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
		case "split":
			c.split = y.parseSplit(v, key, kp)
		case "plan":
			y.fields(v, key, kp, planKeys, nil, func(name string, key, v *yaml.Node, kp string) {
				switch name {
				case "users_per_arm":
					if n, ok := y.integer(v, key, kp, "20000"); ok {
						if n < 1 {
							y.add(experiment.CodeBadConfig, key, kp, "%s must be at least 1, not %d", kp, n)
						} else {
							c.plan.UsersPerArm = n
						}
					}
				case "mde":
					if d, ok := y.decimal(v, key, kp, "0.05"); ok {
						if d.Cmp(decM1) <= 0 || d.Sign() == 0 {
							y.add(experiment.CodeBadConfig, key, kp, "%s is a relative effect: it must be above -1 and not 0 (0.05 means +5%%), not %s", kp, d)
						} else {
							f := d.Float64()
							c.plan.MDE = &f
						}
					}
				}
			})
		case "primary":
			y.fields(v, key, kp, primaryKeys, map[string]string{"type": "the primary metric always counts users (a proportion); type applies to guardrails"}, func(name string, key, v *yaml.Node, kp string) {
				switch name {
				case "metric":
					if s, ok := y.metricName(v, key, kp); ok {
						c.primaryMetric = s
					}
				case "label":
					c.primaryLabel, _ = y.text(v, key, kp)
				case "desired":
					if s, ok := y.enum(v, key, kp, "increase", "decrease"); ok {
						c.primaryDesired = experiment.Direction(s)
					}
				}
			})
		case "guardrails":
			c.guardrailsSet = !isNull(v)
			c.guardrails = y.parseGuardrails(v, key, kp)
		case "thresholds":
			c.thresholds = y.parseThresholds(v, key, kp)
		}
	})
	if !c.nameOK && !hasKey(root, "name") {
		y.add(experiment.CodeBadConfig, root, "name", "name is required: add \"name: <display name>\"")
	}
	return c
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

// metricName reads a CSV column name as written in YAML: trimmed and
// lower-cased like the CSV header.
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
		y.add(experiment.CodeBadConfig, key, kp, "%s cannot be the %s column; name a count column such as conversions", kp, s)
		return "", false
	}
	return s, true
}

func (y *ydoc) parseSplit(v, key *yaml.Node, kp string) *experiment.Split {
	if isNull(deref(v)) {
		return nil
	}
	var w [2]float64
	var got [2]bool
	y.fields(v, key, kp, splitKeys, nil, func(name string, key, v *yaml.Node, kp string) {
		i := 0
		if name == "treatment" {
			i = 1
		}
		d, ok := y.decimal(v, key, kp, "50")
		if !ok {
			got[i] = true // reported
			return
		}
		if d.Sign() <= 0 {
			y.add(experiment.CodeBadConfig, key, kp, "%s is a traffic weight and must be above 0, not %s", kp, d)
			got[i] = true
			return
		}
		w[i], got[i] = d.Float64(), true
	})
	if deref(v).Kind != yaml.MappingNode {
		return nil
	}
	if !got[0] || !got[1] {
		y.add(experiment.CodeBadConfig, key, kp, "split needs both weights, such as {control: 50, treatment: 50}")
		return nil
	}
	if w[0] <= 0 || w[1] <= 0 {
		return nil
	}
	sp := &experiment.Split{Control: w[0], Treatment: w[1]}
	if !sharesUsable(sp) {
		y.add(experiment.CodeBadConfig, key, kp, "split weights %g and %g are too far apart: each arm needs a share of at least %g of the traffic", w[0], w[1], minShare)
		return nil
	}
	return sp
}

// minShare is the smallest share of the traffic an arm may be planned
// to get: below it the SRM test's expected counts would underflow.
const minShare = 1e-100

func sharesUsable(sp *experiment.Split) bool {
	sh := sp.Shares()
	return sh[0] >= minShare && sh[1] >= minShare && sh[0] <= 1 && sh[1] <= 1
}

func (y *ydoc) parseGuardrails(v, key *yaml.Node, kp string) []guardrailConfig {
	v = deref(v)
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		y.add(experiment.CodeBadConfig, key, kp, "guardrails must be a list of \"- metric: <column>\" entries, not %s", kindName(v))
		return nil
	}
	if len(v.Content) > y.lim.MaxGuardrails {
		y.add(experiment.CodeLimitExceeded, key, kp, "has %d guardrails, more than %d (Limits.MaxGuardrails)", len(v.Content), y.lim.MaxGuardrails)
		return nil
	}
	var out []guardrailConfig
	seen := make(map[string]int)
	for i, item := range v.Content {
		ip := kp + "[" + itoa(i) + "]"
		item = deref(item)
		if item.Kind != yaml.MappingNode {
			y.add(experiment.CodeBadConfig, item, ip, "a guardrail must be a mapping such as {metric: guardrail_error}, not %s", kindName(item))
			continue
		}
		g := guardrailConfig{typ: experiment.MetricAuto}
		ok := true
		y.fields(item, item, ip, guardrailKeys, nil, func(name string, key, v *yaml.Node, kp string) {
			switch name {
			case "metric":
				if s, good := y.metricName(v, key, kp); good {
					g.metric, g.metricAt = s, y.at(key, kp)
				} else {
					ok = false
				}
			case "label":
				g.label, _ = y.text(v, key, kp)
			case "type":
				if s, good := y.enum(v, key, kp, "auto", "proportion", "events"); good {
					g.typ = experiment.MetricType(s)
				}
			case "desired":
				if s, good := y.enum(v, key, kp, "increase", "decrease"); good {
					g.desired = experiment.Direction(s)
				}
			case "worsened_threshold":
				g.worsened = y.threshold(v, key, kp)
			case "severe_threshold":
				g.severe = y.threshold(v, key, kp)
			}
		})
		if g.metric == "" {
			if ok && !hasKey(item, "metric") {
				y.add(experiment.CodeBadConfig, item, ip, "a guardrail needs metric: naming its CSV column")
			}
			continue
		}
		if first, dup := seen[g.metric]; dup {
			y.add(experiment.CodeBadConfig, item, ip+".metric", "guardrail %s is listed twice (first as guardrails[%d])", quote(g.metric), first)
			continue
		}
		seen[g.metric] = i
		out = append(out, g)
	}
	if out == nil {
		out = []guardrailConfig{}
	}
	return out
}

// threshold reads a guardrail threshold: an absolute rate change >= 0.
func (y *ydoc) threshold(v, key *yaml.Node, kp string) decSetting {
	d, ok := y.decimal(v, key, kp, "0.001")
	if !ok {
		return decSetting{}
	}
	if d.Sign() < 0 {
		y.add(experiment.CodeBadConfig, key, kp, "%s is an absolute rate change and cannot be negative, not %s", kp, d)
		return decSetting{}
	}
	return decSetting{v: d, at: y.at(key, kp)}
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
					c.gdefaults.worsened = y.threshold(v, key, kp)
				case "severe_threshold":
					c.gdefaults.severe = y.threshold(v, key, kp)
				}
			})
		}
	})
	return c
}
