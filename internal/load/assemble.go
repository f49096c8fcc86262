package load

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/experimentos/experimentos/internal/experiment"
)

// Built-in guardrail thresholds (docs/formats.md#guardrails).
var (
	defaultWorsened = experiment.MustDecimal("0.001")
	defaultSevere   = experiment.MustDecimal("0.003")
)

var segmentRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

func itoa(i int) string { return strconv.Itoa(i) }

// base returns an experiment with its id, paths and every default filled
// in, so that a report can be rendered however broken its files are.
func (l *loader) base(id string) *experiment.Experiment {
	return &experiment.Experiment{
		ID:         id,
		Path:       l.displayPath(id),
		Name:       id,
		Status:     experiment.StatusRunning,
		Deployment: experiment.DeploymentExperiment,
		ConfigFile: l.displayPath(path.Join(id, configName)),
		DataFile:   l.displayPath(path.Join(id, dataName)),
		Split:      experiment.Split{Control: 50, Treatment: 50},
		Primary: experiment.Metric{
			Column: "conversions", Label: "conversions",
			Desired: experiment.Increase, Type: experiment.MetricProportion,
		},
		Guardrails: []experiment.Metric{},
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
	g := l.repo.gdefaults
	checkSevere(pick(decSetting{}, g.worsened, defaultWorsened), pick(decSetting{}, g.severe, defaultSevere), "guardrail_defaults", &is)
	l.repoIssues = append(l.repoIssues, y.issues...)
	l.repoIssues = append(l.repoIssues, is...)
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
	switch {
	case own.minUsersAt.set():
		t.MinUsers = own.minUsers
	case repo.minUsersAt.set():
		t.MinUsers = repo.minUsers
	}
	switch {
	case own.ciAt.set():
		t.CIMethod = own.ci
	case repo.ciAt.set():
		t.CIMethod = repo.ci
	}
	return t
}

func checkSevere(worsened, severe picked, what string, is *[]experiment.Issue) {
	if severe.v.Cmp(worsened.v) >= 0 {
		return
	}
	at := severe.at
	if !at.set() {
		at = worsened.at
	}
	*is = append(*is, blockedAt(at, experiment.CodeBadConfig,
		"%s: severe_threshold (%s) is below worsened_threshold (%s); a severe move must be at least a worsening", what, severe.v, worsened.v))
}

// guardrail is a resolved guardrail and where its metric was named (unset
// for a guardrail taken from the CSV header).
type guardrail struct {
	m        experiment.Metric
	metricAt pos
}

// newGuardrail resolves one guardrail against the repo defaults.
func (l *loader) newGuardrail(g guardrailConfig, is *[]experiment.Issue) guardrail {
	d := l.repo.gdefaults
	m := experiment.Metric{Column: g.metric, Label: g.label, Desired: g.desired, Type: g.typ}
	if m.Label == "" {
		m.Label = m.Column
	}
	if m.Desired == "" {
		m.Desired = d.desired
	}
	if m.Desired == "" {
		m.Desired = experiment.Decrease
	}
	if m.Type == "" {
		m.Type = experiment.MetricAuto
	}
	w, s := pick(g.worsened, d.worsened, defaultWorsened), pick(g.severe, d.severe, defaultSevere)
	m.Worsened, m.Severe = w.v, s.v
	checkSevere(w, s, "guardrail "+quote(m.Column), is)
	return guardrail{m: m, metricAt: g.metricAt}
}

// experiment loads the experiment in folder id.
func (l *loader) experiment(id string) *experiment.Experiment {
	e := l.base(id)
	var is []experiment.Issue
	is = append(is, l.ownIssues[id]...)
	for _, seg := range strings.Split(id, "/") {
		if !segmentRE.MatchString(seg) {
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
	e.Hypothesis, e.Owner = c.hypothesis, c.owner
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
	if c.split != nil {
		e.Split = *c.split
	}
	e.Plan = c.plan
	e.Thresholds = l.thresholds(&c, &is)
	if c.primaryMetric != "" {
		e.Primary.Column, e.Primary.Label = c.primaryMetric, c.primaryMetric
	}
	if c.primaryLabel != "" {
		e.Primary.Label = c.primaryLabel
	}
	if c.primaryDesired != "" {
		e.Primary.Desired = c.primaryDesired
	}
	var guards []guardrail
	for _, g := range c.guardrails {
		guards = append(guards, l.newGuardrail(g, &is))
	}

	if usable {
		guards = l.loadData(e, &c, guards, &is)
	}
	for _, g := range guards {
		if g.m.Type == experiment.MetricAuto {
			g.m.Type = experiment.MetricProportion // no data to tell: proportion
		}
		e.Guardrails = append(e.Guardrails, g.m)
	}
	is = append(is, l.repoIssues...)
	e.Issues = dedupe(is)
	return e
}

// loadData reads and checks the experiment's CSV, sets Data, DataFile and
// DataSHA256, resolves auto guardrails and returns the guardrails (taken
// from the header when experiment.yaml lists none).
func (l *loader) loadData(e *experiment.Experiment, c *expConfig, guards []guardrail, is *[]experiment.Issue) []guardrail {
	rel := dataName
	if c.dataAt.set() {
		rel = c.data
	}
	if msg := badDataPath(rel); msg != "" {
		*is = append(*is, blockedAt(c.dataAt, experiment.CodePathEscape, "data %s %s; name a file inside the experiments root, relative to this folder", quote(rel), msg))
		return guards
	}
	p := path.Join(e.ID, rel)
	if p == "." || !fs.ValidPath(p) { // ValidPath refuses any ".." element
		*is = append(*is, blockedAt(c.dataAt, experiment.CodePathEscape, "data %s leaves the experiments root; name a file inside it, relative to this folder", quote(rel)))
		return guards
	}
	e.DataFile = l.displayPath(p)
	planned := e.Status == experiment.StatusPlanned
	b, prob := l.readFile(p)
	if prob != nil {
		if planned && *prob == missingFile {
			return guards // planned: no data needed
		}
		hint := ""
		if *prob == missingFile {
			hint = l.nearFileHint(rel, p)
		}
		is1 := experiment.Issue{Severity: experiment.SeverityBlocked, Code: prob.code, Message: quote(path.Base(p)) + " " + prob.msg + hint, File: e.DataFile}
		if c.dataAt.set() && prob.code != experiment.CodeLimitExceeded {
			is1 = blockedAt(c.dataAt, prob.code, "data file %s %s%s", quote(rel), prob.msg, hint)
		}
		*is = append(*is, is1)
		return guards
	}
	sum := sha256.Sum256(b)
	e.DataSHA256 = hex.EncodeToString(sum[:])

	t, csvIssues := l.parseCSV(e.DataFile, b)
	*is = append(*is, csvIssues...)
	if t == nil {
		return guards
	}
	at := func(code, column, format string, args ...any) experiment.Issue {
		col := 0
		if i, ok := t.cols[column]; ok {
			col = i + 1
		}
		return experiment.Issue{Severity: experiment.SeverityBlocked, Code: code, File: e.DataFile, Line: t.headerLine, Column: column, Col: col, Message: fmt.Sprintf(format, args...)}
	}
	header := strings.Join(t.header, ",")
	if len(header) > 200 {
		header = header[:200] + "…"
	}
	for _, req := range []string{"variant", "users"} {
		if _, ok := t.cols[req]; !ok {
			*is = append(*is, at(experiment.CodeMissingColumn, req, "has no %s column%s (header: %s)", req, columnHint(req, t), header))
		}
	}
	if _, ok := t.cols[e.Primary.Column]; !ok {
		*is = append(*is, at(experiment.CodeMissingColumn, e.Primary.Column, "has no %s column for the primary metric%s (header: %s)", quote(e.Primary.Column), columnHint(e.Primary.Column, t), header))
	}
	if !c.guardrailsSet {
		for i, h := range t.header {
			if strings.HasPrefix(h, "guardrail_") && t.cols[h] == i {
				guards = append(guards, l.newGuardrail(guardrailConfig{metric: h}, is))
			}
		}
		if len(guards) > l.lim.MaxGuardrails {
			*is = append(*is, at(experiment.CodeLimitExceeded, "", "has %d guardrail_* columns, more than %d (Limits.MaxGuardrails)", len(guards), l.lim.MaxGuardrails))
			guards = nil
		}
	} else {
		for _, g := range guards {
			if _, ok := t.cols[g.m.Column]; !ok {
				*is = append(*is, blockedAt(g.metricAt, experiment.CodeBadConfig, "guardrail metric %s is not a column of %s%s (header: %s)", quote(g.m.Column), path.Base(p), columnHint(g.m.Column, t), header))
			}
		}
	}

	vi, okV := t.cols["variant"]
	ui, okU := t.cols["users"]
	if len(t.rows) == 0 {
		if !planned {
			*is = append(*is, at(experiment.CodeBadVariants, "variant", "has no data rows; add one control row and one treatment row"))
		}
		return guards
	}
	if !okV || !okU {
		return guards
	}

	// The count columns some metric names.
	var needed []string
	if _, ok := t.cols[e.Primary.Column]; ok {
		needed = append(needed, e.Primary.Column)
	}
	for _, g := range guards {
		if _, ok := t.cols[g.m.Column]; ok && g.m.Column != e.Primary.Column && !slices.Contains(needed, g.m.Column) {
			needed = append(needed, g.m.Column)
		}
	}

	var arms [2]*experiment.Arm
	complete := true
	cell := func(r row, i int) string {
		if i < len(r.fields) {
			return r.fields[i]
		}
		return ""
	}
	value := func(r row, column string, i int, code, msg string) experiment.Issue {
		return experiment.Issue{Severity: experiment.SeverityBlocked, Code: code, File: e.DataFile, Line: r.line, Column: column, Col: i + 1, Message: msg}
	}
	for _, r := range t.rows {
		wide := len(r.fields) > len(t.header) && !blank(r.fields[len(t.header):])
		if wide {
			*is = append(*is, experiment.Issue{Severity: experiment.SeverityBlocked, Code: experiment.CodeBadValue, File: e.DataFile, Line: r.line, Col: len(t.header) + 1,
				Message: fmt.Sprintf("row has %d fields but the header has %d; a number written with a thousands separator (1,000) splits into two fields: write 1000", len(r.fields), len(t.header))})
			complete = false
		}
		label := strings.TrimSpace(cell(r, vi)) // as written, for messages
		v := normHeader(label)
		var k int
		switch v {
		case "control":
			k = 0
		case "treatment":
			k = 1
		default:
			*is = append(*is, value(r, "variant", vi, experiment.CodeBadVariants, fmt.Sprintf("variant %s is neither control nor treatment; results.csv holds exactly one row for each", quote(label))))
			complete = false
			continue
		}
		if arms[k] != nil {
			*is = append(*is, value(r, "variant", vi, experiment.CodeBadVariants, fmt.Sprintf("a second %s row, %s (the first is on line %d); aggregate each arm into one row", v, quote(label), arms[k].Line)))
			complete = false
			continue
		}
		arm := &experiment.Arm{Line: r.line, Counts: make(map[string]int64, len(needed))}
		arms[k] = arm
		if wide {
			continue // its values cannot be trusted
		}
		n, code, msg := parseCount(cell(r, ui))
		switch {
		case code != "":
			*is = append(*is, value(r, "users", ui, code, "users "+msg))
			complete = false
		case n == 0:
			*is = append(*is, value(r, "users", ui, experiment.CodeBadValue, "users is 0; an arm needs at least 1 user"))
			complete = false
		default:
			arm.Users = n
		}
		for _, col := range needed {
			i := t.cols[col]
			n, code, msg := parseCount(cell(r, i))
			if code != "" {
				*is = append(*is, value(r, col, i, code, col+" "+msg))
				complete = false
				continue
			}
			arm.Counts[col] = n
		}
	}
	for k, name := range []string{"control", "treatment"} {
		if arms[k] == nil {
			*is = append(*is, at(experiment.CodeBadVariants, "variant", "has no %s row; results.csv needs exactly one control row and one treatment row", name))
			complete = false
		}
	}
	if !complete {
		return guards
	}
	e.Data = &experiment.Data{Control: *arms[0], Treatment: *arms[1], Columns: make(map[string]int, len(t.cols))}
	for h, i := range t.cols {
		e.Data.Columns[h] = i + 1
	}

	cellIssue := func(a *experiment.Arm, col, code, msg string) experiment.Issue {
		return experiment.Issue{Severity: experiment.SeverityBlocked, Code: code, File: e.DataFile, Line: a.Line, Column: col, Col: t.cols[col] + 1, Message: msg}
	}
	if _, ok := t.cols[e.Primary.Column]; ok {
		for k, a := range arms {
			if x := a.Counts[e.Primary.Column]; x > a.Users {
				*is = append(*is, cellIssue(a, e.Primary.Column, experiment.CodeConversionsExceed,
					fmt.Sprintf("%s %s = %d is above its users = %d; the primary metric counts users who converted", armName(k), e.Primary.Column, x, a.Users)))
			}
		}
	}
	for gi := range guards {
		g := &guards[gi].m
		if _, ok := t.cols[g.Column]; !ok {
			continue
		}
		var above []int
		for k, a := range arms {
			if a.Counts[g.Column] > a.Users {
				above = append(above, k)
			}
		}
		switch g.Type {
		case experiment.MetricProportion:
			for _, k := range above {
				a := arms[k]
				*is = append(*is, cellIssue(a, g.Column, experiment.CodeBadValue,
					fmt.Sprintf("%s %s = %d is above its users = %d, but the guardrail's type is proportion (users with an event); count users, or set type: events", armName(k), g.Column, a.Counts[g.Column], a.Users)))
			}
		case experiment.MetricAuto:
			g.Type = experiment.MetricProportion
			if len(above) > 0 {
				g.Type = experiment.MetricEvents
				a := arms[above[0]]
				w := cellIssue(a, g.Column, experiment.CodeEventsPerUser,
					fmt.Sprintf("%s %s = %d is above its users = %d: read as events per user and compared with a Poisson test; set type: events to say so", armName(above[0]), g.Column, a.Counts[g.Column], a.Users))
				w.Severity = experiment.SeverityWarning
				*is = append(*is, w)
			}
		}
	}
	return guards
}

func armName(k int) string {
	if k == 0 {
		return "control"
	}
	return "treatment"
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
