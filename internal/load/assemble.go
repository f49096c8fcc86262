package load

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/experimentos/experimentos/internal/experiment"
)

// Built-in guardrail margins per kind (docs/formats.md#guardrail-defaults):
// proportion 0.1 pp / 0.3 pp absolute; events, mean and ratio 5% / 15% of
// the control value.
var builtinMargins = map[experiment.Kind]margins{
	experiment.KindProportion: {
		worsened: marginSetting{v: experiment.Margin{Value: experiment.MustDecimal("0.001")}},
		severe:   marginSetting{v: experiment.Margin{Value: experiment.MustDecimal("0.003")}},
	},
}

func init() {
	rel := margins{
		worsened: marginSetting{v: experiment.Margin{Value: experiment.MustDecimal("0.05"), Relative: true}},
		severe:   marginSetting{v: experiment.Margin{Value: experiment.MustDecimal("0.15"), Relative: true}},
	}
	for _, k := range []experiment.Kind{experiment.KindEvents, experiment.KindMean, experiment.KindRatio} {
		builtinMargins[k] = rel
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// base returns an experiment with its id, paths and every default filled
// in, so that a report can be rendered however broken its files are.
// defaultPrimary is the primary metric of an experiment.yaml without
// primary: (docs/formats.md#experimentyaml).
const defaultPrimary = "conversions"

func (l *loader) base(id string) *experiment.Experiment {
	return &experiment.Experiment{
		ID:         id,
		Path:       l.displayPath(id),
		Name:       id,
		Status:     experiment.StatusRunning,
		Deployment: experiment.DeploymentExperiment,
		ConfigFile: l.displayPath(path.Join(id, configName)),
		DataFile:   l.displayPath(path.Join(id, dataName)),
		Control:    "control",
		Primary: experiment.Metric{
			Name: defaultPrimary, Label: defaultPrimary,
			Desired: experiment.Increase, Kind: experiment.KindProportion,
		},
		Guardrails: []experiment.Metric{},
		Secondary:  []experiment.Metric{},
		Thresholds: experiment.DefaultThresholds(),
	}
}

// loadRepo reads experimentos.yaml at the root, when there is one.
func (l *loader) loadRepo() {
	k, ok := l.entries[repoName]
	if !ok || k == kindSymlink || k == kindOther {
		return // absent, or already reported as a stray
	}
	file := l.displayPath(repoName)
	b, p := l.readFile(repoName)
	if p != nil {
		l.repoIssues = append(l.repoIssues, experiment.Issue{Severity: experiment.SeverityBlocked, Code: p.code, Message: quote(repoName) + " " + p.msg, File: file})
		return
	}
	y := &ydoc{file: file, lim: l.lim}
	if root, ok := y.parse(b); ok && root != nil {
		l.repo = y.parseRepo(root)
	}
	// Conflicts within the repo file block every experiment even when no
	// experiment overrides them.
	var is []experiment.Issue
	l.thresholds(&expConfig{}, &is)
	for _, k := range experiment.Kinds {
		w, s := l.repoMargins(k)
		checkSevere(w, s, "guardrail_defaults", &is)
	}
	l.repoIssues = append(l.repoIssues, y.issues...)
	l.repoIssues = append(l.repoIssues, is...)
}

// repoMargins are the margins experimentos.yaml and the built-ins give a
// guardrail of kind k: per kind, else (proportion only) the direct ones.
func (l *loader) repoMargins(k experiment.Kind) (worsened, severe marginSetting) {
	b := builtinMargins[k]
	worsened, severe = b.worsened, b.severe
	g := l.repo.gdefaults
	if k == experiment.KindProportion {
		worsened, severe = orSetting(g.worsened, worsened), orSetting(g.severe, severe)
	}
	if m, ok := g.byKind[k]; ok {
		worsened, severe = orSetting(m.worsened, worsened), orSetting(m.severe, severe)
	}
	return worsened, severe
}

func orSetting(own, def marginSetting) marginSetting {
	if own.at.set() {
		return own
	}
	return def
}

// picked is a setting after merging: its value and where it was written
// (unset for a built-in default).
type picked struct {
	v  experiment.Decimal
	at pos
}

func pick(own, repo decSetting, def experiment.Decimal) picked {
	if own.at.set() {
		return picked(own)
	}
	if repo.at.set() {
		return picked(repo)
	}
	return picked{v: def}
}

func blockedAt(at pos, code, format string, args ...any) experiment.Issue {
	return experiment.Issue{
		Severity: experiment.SeverityBlocked, Code: code, Message: fmt.Sprintf(format, args...),
		File: at.file, Line: at.line, Col: at.col, Column: at.key,
	}
}

// thresholds merges the experiment's thresholds over the repo's over the
// defaults into Thresholds, and checks srm_blocked_p <= srm_warning_p.
func (l *loader) thresholds(c *expConfig, is *[]experiment.Issue) experiment.Thresholds {
	t := experiment.DefaultThresholds()
	own, repo := c.thresholds, l.repo.thresholds
	t.Alpha = pick(own.alpha, repo.alpha, t.Alpha).v
	warn := pick(own.srmWarn, repo.srmWarn, t.SRMWarningP)
	blocked := pick(own.srmBlocked, repo.srmBlocked, t.SRMBlockedP)
	t.SRMWarningP, t.SRMBlockedP = warn.v, blocked.v
	if blocked.v.Cmp(warn.v) > 0 {
		at := blocked.at
		if !at.set() {
			at = warn.at
		}
		*is = append(*is, blockedAt(at, experiment.CodeBadConfig,
			"srm_blocked_p (%s) is above srm_warning_p (%s); the blocking SRM threshold must be the stricter, smaller one", blocked.v, warn.v))
	}
	for _, tc := range []thresholdConfig{repo, own} {
		if tc.minUsersAt.set() {
			t.MinUsers = tc.minUsers
		}
		if tc.ciAt.set() {
			t.CIMethod = tc.ci
		}
		if tc.sequentialAt.set() {
			t.Sequential = tc.sequential
		}
		if tc.tuningAt.set() {
			t.SequentialTuning = tc.tuning
		}
		if tc.policyAt.set() {
			t.GuardrailPolicy = tc.policy
		}
	}
	return t
}

// checkSevere blocks a severe margin below the worsened one when both are
// in the same unit (both absolute or both relative).
func checkSevere(worsened, severe marginSetting, what string, is *[]experiment.Issue) {
	w, s := worsened.v, severe.v
	if w.Relative != s.Relative || s.Value.Cmp(w.Value) >= 0 {
		return
	}
	at := severe.at
	if !at.set() {
		at = worsened.at
	}
	*is = append(*is, blockedAt(at, experiment.CodeBadConfig,
		"%s: severe_threshold (%s) is below worsened_threshold (%s); a severe move must be at least a worsening", what, s, w))
}

// role is what a metric is for; it sets its defaults.
type role int

const (
	rolePrimary role = iota
	roleGuardrail
	roleSecondary
)

// metric is a resolved metric and its configuration as written (the
// guardrail's margins are set once its kind is known).
type metric struct {
	m    experiment.Metric
	c    metricConfig
	role role
}

// newMetric resolves one metric's name, kind and direction against the
// defaults, and checks what its kind allows.
func (l *loader) newMetric(c metricConfig, r role, is *[]experiment.Issue) metric {
	m := experiment.Metric{Name: c.metric, Label: c.label, Desired: c.desired, Kind: c.kind,
		Numerator: c.numerator, Denominator: c.denominator, CUPED: c.cuped}
	if m.Label == "" {
		m.Label = m.Name
	}
	if m.Desired == "" {
		m.Desired = experiment.Increase
		if r == roleGuardrail {
			m.Desired = experiment.Decrease
			if d := l.repo.gdefaults.desired; d != "" {
				m.Desired = d
			}
		}
	}
	if m.Kind == "" {
		m.Kind = experiment.KindProportion
		if r == roleGuardrail {
			m.Kind = experiment.KindAuto
		}
	}
	at := c.kindAt
	if !at.set() {
		at = c.metricAt
	}
	if m.Kind == experiment.KindRatio {
		if m.Numerator == "" || m.Denominator == "" {
			*is = append(*is, blockedAt(at, experiment.CodeBadConfig,
				"metric %s is a ratio and needs numerator: and denominator:, naming the column prefixes of its parts (for example numerator: revenue, denominator: orders)", quote(m.Name)))
		}
	} else if m.Numerator != "" || m.Denominator != "" {
		*is = append(*is, blockedAt(at, experiment.CodeBadConfig,
			"metric %s has numerator:/denominator:, which only a ratio metric takes; set type: ratio or remove them", quote(m.Name)))
	}
	if m.CUPED {
		if s := m.Kind.Spec(); (s == nil && m.Kind != experiment.KindAuto) || (s != nil && !s.CUPED) || m.Kind == experiment.KindAuto {
			*is = append(*is, blockedAt(c.cupedAt, experiment.CodeBadConfig,
				"cuped: true is supported on mean and proportion metrics, not on %s metric %s (not supported yet)", m.Kind, quote(m.Name)))
			m.CUPED = false
		}
	}
	return metric{m: m, c: c, role: r}
}

// setMargins resolves a guardrail's margins once its kind is known.
func (l *loader) setMargins(g *metric, is *[]experiment.Issue) {
	if g.role != roleGuardrail {
		return
	}
	rw, rs := l.repoMargins(g.m.Kind)
	w, s := orSetting(g.c.worsened, rw), orSetting(g.c.severe, rs)
	g.m.Worsened, g.m.Severe = w.v, s.v
	checkSevere(w, s, "guardrail "+quote(g.m.Name), is)
}

// experiment loads the experiment in folder id.
func (l *loader) experiment(id string) *experiment.Experiment {
	e := l.base(id)
	var is []experiment.Issue
	is = append(is, l.ownIssues[id]...)
	for _, seg := range strings.Split(id, "/") {
		if !isLabel(seg) {
			is = append(is, experiment.Issue{
				Severity: experiment.SeverityBlocked, Code: experiment.CodeBadConfig, File: e.ConfigFile, Column: "id",
				Message: fmt.Sprintf("folder name %s is not a valid experiment id segment: use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit", quote(seg)),
			})
			break
		}
	}

	y := &ydoc{file: e.ConfigFile, lim: l.lim}
	var c expConfig
	usable := false
	if b, p := l.readFile(path.Join(id, configName)); p != nil {
		is = append(is, experiment.Issue{Severity: experiment.SeverityBlocked, Code: p.code, Message: quote(configName) + " " + p.msg, File: e.ConfigFile})
	} else if root, ok := y.parse(b); ok {
		usable = true
		if root == nil {
			y.add(experiment.CodeBadConfig, nil, "name", "is empty; it needs at least \"name: <display name>\"")
		} else {
			c = y.parseExperiment(root)
		}
	}
	is = append(is, y.issues...)

	if c.nameOK && strings.TrimSpace(c.name) != "" {
		e.Name = c.name
	} else if strings.TrimSpace(y.name) != "" {
		e.Name = y.name
	}
	e.Hypothesis, e.Owner, e.Amendment = c.hypothesis, c.owner, c.amendment
	e.Start, e.End = c.start, c.end
	if !e.Start.IsZero() && !e.End.IsZero() && e.End.Before(e.Start) {
		is = append(is, blockedAt(c.endAt, experiment.CodeBadDates, "end (%s) is before start (%s)", e.End.Format("2006-01-02"), e.Start.Format("2006-01-02")))
	}
	if c.status != "" {
		e.Status = c.status
	}
	if c.deployment != "" {
		e.Deployment = c.deployment
	}
	if c.control != "" {
		e.Control = c.control
	}
	e.Split, e.Segments = c.split, c.segments
	e.Plan = c.plan
	e.Thresholds = l.thresholds(&c, &is)

	metrics := make([]metric, 0, 1+len(c.guardrails)+len(c.secondary))
	if c.primarySet && c.primary.metric != "" {
		metrics = append(metrics, l.newMetric(c.primary, rolePrimary, &is))
	} else {
		metrics = append(metrics, metric{m: e.Primary, role: rolePrimary})
	}
	for _, g := range c.guardrails {
		metrics = append(metrics, l.newMetric(g, roleGuardrail, &is))
	}
	for _, s := range c.secondary {
		metrics = append(metrics, l.newMetric(s, roleSecondary, &is))
	}

	if usable {
		metrics = l.loadData(e, &c, metrics, &is)
	}
	e.Guardrails = make([]experiment.Metric, 0, len(c.guardrails))
	e.Secondary = make([]experiment.Metric, 0, len(c.secondary))
	for i := range metrics {
		g := &metrics[i]
		if g.m.Kind == experiment.KindAuto {
			g.m.Kind = experiment.KindProportion // no data to tell: proportion
		}
		l.setMargins(g, &is)
		switch g.role {
		case rolePrimary:
			e.Primary = g.m
		case roleGuardrail:
			e.Guardrails = append(e.Guardrails, g.m)
		case roleSecondary:
			e.Secondary = append(e.Secondary, g.m)
		}
	}
	is = append(is, l.repoIssues...)
	e.Issues = dedupe(is)
	return e
}

// badDataPath rejects a data: path that is absolute or not a plain
// slash-separated path; ".." is checked after joining with the folder.
func badDataPath(rel string) string {
	switch {
	case rel == "":
		return "is empty"
	case strings.HasPrefix(rel, "/"):
		return "is absolute"
	case strings.Contains(rel, `\`):
		return "uses backslashes; separate folders with /"
	case strings.ContainsAny(rel, "\x00"):
		return "holds a NUL byte"
	case len(rel) >= 2 && rel[1] == ':':
		return "is absolute (a drive letter)"
	}
	return ""
}
