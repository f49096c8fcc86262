package load

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/experimentos/experimentos/internal/experiment"
)

// Data-shape limits (docs/limits.md).
const (
	maxArms           = 10
	maxSegmentColumns = 3
	maxSegmentValues  = 50
	maxSegmentText    = 100
	// momentTolerance is the relative slack of the moment checks, for
	// rounding in exports (docs/formats.md#numbers).
	momentTolerance = 1e-9
)

// dataFile is one experiment's CSV being read: the table, where issues go
// and whether every value so far was usable.
type dataFile struct {
	e        *experiment.Experiment
	t        *table
	is       *[]experiment.Issue
	complete bool
	// metrics names the metrics of every row's Moments (Row.Metrics), one
	// entry per name; slot is each metric's entry, by the metric's
	// position in the list readRows read.
	metrics []string
	slot    []int
}

func (f *dataFile) header() string {
	h := strings.Join(f.t.header, ",")
	if len(h) > 200 {
		h = h[:200] + "…"
	}
	return h
}

// atHeader is an issue on the header line, at column's position.
func (f *dataFile) atHeader(code, column, format string, args ...any) {
	col := 0
	if i, ok := f.t.cols[column]; ok {
		col = i + 1
	}
	*f.is = append(*f.is, experiment.Issue{Severity: experiment.SeverityBlocked, Code: code, File: f.e.DataFile,
		Line: f.t.headerLine, Column: column, Col: col, Message: fmt.Sprintf(format, args...)})
}

// atCell is an issue on a row's cell.
func (f *dataFile) atCell(sev experiment.Severity, code string, line int, column, msg string) {
	*f.is = append(*f.is, experiment.Issue{Severity: sev, Code: code, File: f.e.DataFile,
		Line: line, Column: column, Col: f.t.cols[column] + 1, Message: msg})
	if sev == experiment.SeverityBlocked {
		f.complete = false
	}
}

// loadData reads and checks the experiment's CSV, sets Data, DataFile and
// DataSHA256, resolves every metric's columns from the kind table and auto
// guardrails from the data, and returns the metrics (with guardrails taken
// from the header when experiment.yaml lists none).
func (l *loader) loadData(e *experiment.Experiment, c *expConfig, metrics []metric, is *[]experiment.Issue) []metric {
	b, ok := l.readData(e, c, is)
	if !ok {
		return metrics
	}
	t, csvIssues := l.parseCSV(e.DataFile, b)
	*is = append(*is, csvIssues...)
	if t == nil {
		return metrics
	}
	f := &dataFile{e: e, t: t, is: is, complete: true}
	planned := e.Status == experiment.StatusPlanned
	for _, req := range append([]string{"variant", "users"}, e.Segments...) {
		if _, ok := t.cols[req]; !ok {
			what := "column"
			if req != "variant" && req != "users" {
				what = "segment column named in segments:"
			}
			f.atHeader(experiment.CodeMissingColumn, req, "has no %s %s%s (header: %s)", req, what, didYouMean(req, t.header), f.header())
			f.complete = false
		}
	}
	for i := range metrics {
		f.resolveColumns(&metrics[i])
	}
	if !c.guardrailsSet {
		auto := l.headerGuardrails(t, is, metrics)
		for i := range auto {
			f.resolveColumns(&auto[i])
		}
		metrics = append(metrics, auto...)
	}
	if len(t.rows) == 0 {
		if !planned {
			f.atHeader(experiment.CodeBadVariants, "variant", "has no data rows; add one row for the control arm %s and one for each other arm", quote(e.Control))
		}
		return metrics
	}
	if !f.complete {
		return metrics
	}
	rows := f.readRows(metrics)
	if !f.complete {
		return metrics
	}
	d := f.arms(rows, c)
	if d == nil || !f.complete {
		return metrics
	}
	for i := range metrics {
		f.checkMoments(d, &metrics[i])
	}
	if f.complete {
		e.Data = d
	}
	return metrics
}

// readData reads the data file named by data: (default results.csv),
// confined to the experiments root, and sets DataFile and DataSHA256.
func (l *loader) readData(e *experiment.Experiment, c *expConfig, is *[]experiment.Issue) ([]byte, bool) {
	rel := dataName
	if c.dataAt.set() {
		rel = c.data
	}
	if msg := badDataPath(rel); msg != "" {
		*is = append(*is, blockedAt(c.dataAt, experiment.CodePathEscape, "data %s %s; name a file inside the experiments root, relative to this folder", quote(rel), msg))
		return nil, false
	}
	p := path.Join(e.ID, rel)
	if p == "." || !fs.ValidPath(p) { // ValidPath refuses any ".." element
		*is = append(*is, blockedAt(c.dataAt, experiment.CodePathEscape, "data %s leaves the experiments root; name a file inside it, relative to this folder", quote(rel)))
		return nil, false
	}
	e.DataFile = l.displayPath(p)
	b, prob := l.readFile(p)
	if prob != nil {
		if e.Status == experiment.StatusPlanned && *prob == missingFile {
			return nil, false // planned: no data needed
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
		return nil, false
	}
	sum := sha256.Sum256(b)
	e.DataSHA256 = hex.EncodeToString(sum[:])
	return b, true
}

// headerGuardrails are the guardrails of an experiment.yaml that lists
// none: every guardrail_x count column (kind auto), and every
// guardrail_x_sum with a guardrail_x_sum_squares beside it (a mean
// guardrail named guardrail_x), except a name or column one of the listed
// metrics (resolved already) has: a metric is one set of columns, read
// once (a primary named guardrail_rev with CUPED columns
// guardrail_rev_pre_sum… is not also three guardrails).
func (l *loader) headerGuardrails(t *table, is *[]experiment.Issue, listed []metric) []metric {
	taken := map[string]bool{}
	for _, m := range listed {
		taken[m.m.Name] = true
		for _, col := range m.m.Columns {
			taken[col] = true
		}
	}
	var out []metric
	for i, h := range t.header {
		if !strings.HasPrefix(h, "guardrail_") || t.cols[h] != i || strings.HasSuffix(h, "_sum_squares") || taken[h] {
			continue
		}
		c := metricConfig{metric: h}
		if name, ok := strings.CutSuffix(h, "_sum"); ok {
			if _, sq := t.cols[name+"_sum_squares"]; sq {
				c = metricConfig{metric: name, kind: experiment.KindMean}
			}
		}
		if taken[c.metric] {
			continue
		}
		out = append(out, l.newMetric(c, roleGuardrail, is))
	}
	if len(out) > l.lim.MaxGuardrails {
		*is = append(*is, experiment.Issue{Severity: experiment.SeverityBlocked, Code: experiment.CodeLimitExceeded, Line: t.headerLine,
			Message: fmt.Sprintf("has %d guardrail_* columns, more than %d (Limits.MaxGuardrails)", len(out), l.lim.MaxGuardrails)})
		return nil
	}
	return out
}

// resolveColumns maps each role the metric's kind reads to a CSV column:
// the one `columns:` names, else the kind's default name. A missing
// required column is reported where the user can fix it. Auto guardrails
// read a count column (and an optional sum of squares).
func (f *dataFile) resolveColumns(g *metric) {
	m := &g.m
	kind := m.Kind
	if kind == experiment.KindAuto {
		m.Kind = experiment.KindEvents // the columns of proportion plus the optional squares
		defer func() { m.Kind = experiment.KindAuto }()
	}
	m.Columns = map[experiment.Role]string{}
	if m.Kind == experiment.KindRatio && (m.Numerator == "" || m.Denominator == "") {
		f.complete = false // reported by newMetric
		return
	}
	for role, col := range g.c.columns {
		if !slices.ContainsFunc(m.ColumnSpecs(), func(s experiment.ColumnSpec) bool { return s.Role == role }) {
			*f.is = append(*f.is, blockedAt(g.c.columnsAt, experiment.CodeBadConfig,
				"columns: %s is not a column a %s metric reads (it reads %s)", role, m.Kind, roleList(m.ColumnSpecs())))
			f.complete = false
			continue
		}
		if _, ok := f.t.cols[col]; !ok {
			*f.is = append(*f.is, blockedAt(g.c.columnsAt, experiment.CodeBadConfig,
				"columns: %s names %s, which is not a column of the CSV%s (header: %s)", role, quote(col), didYouMean(col, f.t.header), f.header()))
			f.complete = false
		}
	}
	var missing []string
	for _, s := range m.ColumnSpecs() {
		col, explicit := g.c.columns[s.Role]
		if !explicit {
			col = s.Name(m)
		}
		if _, ok := f.t.cols[col]; ok {
			m.Columns[s.Role] = col
		} else if !s.Optional && !explicit {
			missing = append(missing, col)
		}
	}
	if len(missing) == 0 {
		return
	}
	f.complete = false
	list := strings.Join(missing, ", ")
	hint := didYouMean(missing[0], f.t.header)
	switch {
	case m.CUPED && slices.ContainsFunc(missing, func(c string) bool { return strings.Contains(c, "_pre_") }):
		*f.is = append(*f.is, blockedAt(g.c.cupedAt, experiment.CodeBadConfig,
			"cuped: true needs the pre-period columns %s, which the CSV lacks%s (header: %s)", list, hint, f.header()))
	case g.role == rolePrimary:
		f.atHeader(experiment.CodeMissingColumn, missing[0], "has no %s column for the %s primary metric %s%s (header: %s)", list, kind, quote(m.Name), hint, f.header())
	default:
		what := "guardrail"
		if g.role == roleSecondary {
			what = "secondary metric"
		}
		*f.is = append(*f.is, blockedAt(g.c.metricAt, experiment.CodeBadConfig,
			"%s %s (%s) needs the column %s, which the CSV lacks%s (header: %s)", what, quote(m.Name), kind, list, hint, f.header()))
	}
}

func roleList(specs []experiment.ColumnSpec) string {
	var out []string
	for _, s := range specs {
		out = append(out, string(s.Role))
	}
	return strings.Join(out, ", ")
}

// csvRow is one parsed data row.
type csvRow struct {
	experiment.Row
	raw string // the variant label as written
}

// readRows parses every row's label, users, segment cell and the cells of
// every column a metric reads, by the kind table's value forms.
func (f *dataFile) readRows(metrics []metric) []csvRow {
	t := f.t
	f.slots(metrics)
	plan := f.cellPlan(metrics)
	vi, ui := t.cols["variant"], t.cols["users"]
	segCols := make([]int, len(f.e.Segments))
	for i, s := range f.e.Segments {
		segCols[i] = t.cols[s]
	}
	// One backing array for every row's moments and one for every row's
	// cell, rather than two allocations per row.
	k, ns := len(f.metrics), len(segCols)
	moments := make([]experiment.Moments, len(t.rows)*k)
	var cells []string
	if ns > 0 {
		cells = make([]string, len(t.rows)*ns)
	}
	out := make([]csvRow, 0, len(t.rows))
	for ri, r := range t.rows {
		if len(r.fields) > len(t.header) && !blank(r.fields[len(t.header):]) {
			*f.is = append(*f.is, experiment.Issue{Severity: experiment.SeverityBlocked, Code: experiment.CodeBadValue, File: f.e.DataFile, Line: r.line, Col: len(t.header) + 1,
				Message: fmt.Sprintf("row has %d fields but the header has %d; a number written with a thousands separator (1,000) splits into two fields: write 1000", len(r.fields), len(t.header))})
			f.complete = false
			continue
		}
		raw := strings.TrimSpace(r.cell(vi))
		cr := csvRow{Row: experiment.Row{Arm: strings.ToLower(raw), Line: r.line, Metrics: f.metrics, Moments: moments[ri*k : (ri+1)*k : (ri+1)*k]}, raw: raw}
		if !isLabel(cr.Arm) {
			f.atCell(experiment.SeverityBlocked, experiment.CodeBadVariants, r.line, "variant",
				fmt.Sprintf("variant %s is not an arm label: use letters, digits, '.', '_' and '-', starting with a letter or digit", quote(raw)))
			continue
		}
		n, code, msg := parseCount(r.cell(ui))
		switch {
		case code != "":
			f.atCell(experiment.SeverityBlocked, code, r.line, "users", "users "+msg)
		case n == 0:
			f.atCell(experiment.SeverityBlocked, experiment.CodeBadValue, r.line, "users", "users is 0; an arm needs at least 1 user")
		default:
			cr.Users = n
		}
		if ns > 0 {
			cr.Cell = cells[ri*ns : ri*ns : (ri+1)*ns]
		}
		for i, s := range f.e.Segments {
			v := strings.TrimSpace(r.cell(segCols[i]))
			if n := utf8.RuneCountInString(v); n > maxSegmentText {
				f.atCell(experiment.SeverityBlocked, experiment.CodeBadValue, r.line, s,
					fmt.Sprintf("segment value is %d characters long, more than %d; shorten it", n, maxSegmentText))
			}
			cr.Cell = append(cr.Cell, v)
		}
		for i := range plan {
			mo := &cr.Moments[plan[i].slot]
			if plan[i].replace {
				*mo = experiment.Moments{}
			}
			f.readMoments(r, plan[i].cells, mo)
		}
		out = append(out, cr)
	}
	return out
}

// cell is the row's field i, or "" past its end.
func (r row) cell(i int) string {
	if i < len(r.fields) {
		return r.fields[i]
	}
	return ""
}

// slots sets f.metrics and f.slot: one entry per metric name, and each
// metric's. Two metrics of one name (a primary also listed as a guardrail)
// share the entry, and the later one's moments are the ones kept.
func (f *dataFile) slots(metrics []metric) {
	f.metrics, f.slot = nil, make([]int, len(metrics))
	for i := range metrics {
		k := slices.Index(f.metrics, metrics[i].m.Name)
		if k < 0 {
			k = len(f.metrics)
			f.metrics = append(f.metrics, metrics[i].m.Name)
		}
		f.slot[i] = k
	}
}

// metricCells is where one metric's cells go: its entry in the row's
// moments, whether an earlier metric of the same name filled it first
// (then this one's moments replace them), and the cells it reads.
type metricCells struct {
	slot    int
	replace bool
	cells   []cellPlan
}

// cellPlan is one cell a metric reads: the column (index and name), how
// it is written and the field of Moments it fills.
type cellPlan struct {
	col   int
	name  string
	value experiment.Value
	field field
}

// field is a field of experiment.Moments that a sum cell fills.
type field int

const (
	fieldSum field = iota
	fieldSumSquares
	fieldDenSum
	fieldDenSumSquares
	fieldSumProduct
	fieldPreSum
	fieldPreSumSquares
	fieldPreSumProduct
	fieldNone // a role without a Decimal field: the cell is checked, not kept
)

var roleField = map[experiment.Role]field{
	experiment.RoleSum: fieldSum, experiment.RoleSumSquares: fieldSumSquares,
	experiment.RoleDenominatorSum: fieldDenSum, experiment.RoleDenominatorSquare: fieldDenSumSquares,
	experiment.RoleSumProduct: fieldSumProduct, experiment.RolePreSum: fieldPreSum,
	experiment.RolePreSumSquares: fieldPreSumSquares, experiment.RolePreSumProduct: fieldPreSumProduct,
}

// decimal returns mo's field x.
func (x field) decimal(mo *experiment.Moments) *experiment.Decimal {
	switch x {
	case fieldSum:
		return &mo.Sum
	case fieldSumSquares:
		return &mo.SumSquares
	case fieldDenSum:
		return &mo.DenSum
	case fieldDenSumSquares:
		return &mo.DenSumSquares
	case fieldSumProduct:
		return &mo.SumProduct
	case fieldPreSum:
		return &mo.PreSum
	case fieldPreSumSquares:
		return &mo.PreSumSquares
	case fieldPreSumProduct:
		return &mo.PreSumProduct
	}
	return nil
}

// cellPlan resolves, once per file, every metric's cells: the columns of
// its kind's roles (an auto guardrail reads as events) that the CSV has,
// in the kind table's order, so that reading a row looks nothing up.
func (f *dataFile) cellPlan(metrics []metric) []metricCells {
	plan := make([]metricCells, len(metrics))
	for i := range metrics {
		m := &metrics[i].m
		specs := m.ColumnSpecs()
		if m.Kind == experiment.KindAuto {
			specs = experiment.KindEvents.Spec().Columns
		}
		plan[i].slot = f.slot[i]
		plan[i].replace = slices.Contains(f.slot[:i], f.slot[i])
		for _, s := range specs {
			col, ok := m.Columns[s.Role]
			if !ok {
				continue
			}
			x, ok := roleField[s.Role]
			if !ok {
				x = fieldNone
			}
			plan[i].cells = append(plan[i].cells, cellPlan{col: f.t.cols[col], name: col, value: s.Value, field: x})
		}
	}
	return plan
}

// readMoments reads one row's cells of one metric into mo, which is zero.
func (f *dataFile) readMoments(r row, cells []cellPlan, mo *experiment.Moments) {
	for _, c := range cells {
		text := r.cell(c.col)
		if c.value == experiment.Count {
			n, code, msg := parseCount(text)
			if code != "" {
				f.atCell(experiment.SeverityBlocked, code, r.line, c.name, c.name+" "+msg)
			}
			mo.Count = n
			continue
		}
		d, msg := parseSum(text, c.value == experiment.SumSquares)
		if msg != "" {
			f.atCell(experiment.SeverityBlocked, experiment.CodeBadValue, r.line, c.name, c.name+" "+msg)
			continue
		}
		if p := c.field.decimal(mo); p != nil {
			*p = d
		}
	}
}

// parseSum parses a sum cell: a decimal, with scientific notation as
// warehouses export large floats; squares cannot be negative. On failure it
// returns a message that says how to write the number.
func parseSum(s string, squares bool) (experiment.Decimal, string) {
	s = strings.TrimSpace(s)
	d, err := experiment.ParseDecimal(s)
	if err != nil { // empty, separators and NaN are not decimals either
		switch {
		case s == "":
			return experiment.Decimal{}, "is empty; write a decimal such as 251234.50 (0 when there were none)"
		case strings.Contains(s, ","):
			return experiment.Decimal{}, fmt.Sprintf("is %s; remove the thousands separators, e.g. write 1234.5 rather than 1,234.5", quote(s))
		case notANumber[strings.ToLower(s)]:
			return experiment.Decimal{}, fmt.Sprintf("is %s, not a finite number; write a decimal such as 251234.50", quote(s))
		}
		return experiment.Decimal{}, fmt.Sprintf("is %s, not a number; write a decimal such as 251234.50 or 1.9102e8", quote(s))
	}
	if i := exponentAt(s); i >= 0 {
		if e, _ := strconv.Atoi(s[i+1:]); e > 300 || e < -300 {
			return experiment.Decimal{}, fmt.Sprintf("is %s, out of range; write a decimal such as 1.9102e8", quote(s))
		}
	}
	if math.IsInf(d.Float64(), 0) {
		return experiment.Decimal{}, fmt.Sprintf("is %s, too large to analyse", quote(s))
	}
	if squares && d.Sign() < 0 {
		return experiment.Decimal{}, fmt.Sprintf("is %s, but a sum of squares cannot be negative", quote(s))
	}
	return d, ""
}

// exponentAt is the index of s's exponent mark (e or E), or -1: a loop
// rather than strings.IndexAny, which is slow on every sum cell's few bytes.
func exponentAt(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == 'e' || s[i] == 'E' {
			return i
		}
	}
	return -1
}

// arms groups the rows into arms (and cells with segments), checks the
// labels and the split, and sums each arm's cells into its total.
func (f *dataFile) arms(rows []csvRow, c *expConfig) *experiment.Data {
	e := f.e
	var labels []string
	first := map[string]int{}
	armOf := make([]int, len(rows)) // each row's arm, by index in labels
	for i, r := range rows {
		a, ok := first[r.Arm]
		if !ok {
			a = len(labels)
			first[r.Arm] = a
			labels = append(labels, r.Arm)
		}
		armOf[i] = a
	}
	found := func() string {
		var w []string
		for _, l := range labels {
			w = append(w, quote(l))
		}
		return strings.Join(w, ", ")
	}
	d := &experiment.Data{Columns: make(map[string]int, len(f.t.cols)), Rows: make([]experiment.Row, 0, len(rows))}
	for h, i := range f.t.cols {
		d.Columns[h] = i + 1
	}
	rowArm := make([]int, 0, len(rows)) // the arm of each of d.Rows
	// Cells: one row per arm and combination of segment values. A cell is
	// found by its values joined with NULs (built in key, so that a lookup
	// allocates nothing), and holds the line of each arm's row (0: none).
	type cell struct {
		values []string
		line   int
		arms   []int
	}
	cellAt := map[string]int{}
	var cells []cell
	var key []byte
	values := make([]map[string]bool, len(e.Segments))
	for i := range values {
		values[i] = map[string]bool{}
	}
	// tooMany is the line of the row that brings each column's first value
	// beyond maxSegmentValues (0: none).
	tooMany := make([]int, len(e.Segments))
	for ri, r := range rows {
		key = key[:0]
		for i, v := range r.Cell {
			if i > 0 {
				key = append(key, 0)
			}
			key = append(key, v...)
		}
		ci, known := cellAt[string(key)]
		if !known {
			ci = len(cells)
			cellAt[string(key)] = ci
			cells = append(cells, cell{values: r.Cell, line: r.Line, arms: make([]int, len(labels))})
		}
		if line := cells[ci].arms[armOf[ri]]; line != 0 {
			msg := fmt.Sprintf("a second row for arm %s (the first is on line %d); aggregate each arm into one row", quote(r.raw), line)
			if len(e.Segments) > 0 {
				msg = fmt.Sprintf("a second row for arm %s in cell %s (the first is on line %d); give each arm one row per cell", quote(r.raw), cellName(e.Segments, r.Cell), line)
			}
			f.atCell(experiment.SeverityBlocked, experiment.CodeBadVariants, r.Line, "variant", msg)
			continue
		}
		cells[ci].arms[armOf[ri]] = r.Line
		for i, v := range r.Cell {
			if !known && !values[i][v] { // a known cell brings no new value
				values[i][v] = true
				if len(values[i]) == maxSegmentValues+1 {
					tooMany[i] = r.Line
				}
			}
		}
		d.Rows = append(d.Rows, r.Row)
		rowArm = append(rowArm, armOf[ri])
	}
	ctl, hasControl := first[e.Control]
	switch {
	case !hasControl:
		hint := ""
		if s := suggest(e.Control, labels); s != "" {
			hint = " (did you mean " + quote(s) + "? set control: to the control arm's label)"
		}
		f.atHeader(experiment.CodeBadVariants, "variant", "has no row for the control arm %s%s; found %s. Any number of arms (2 to %d) is supported: one control row, set by control:, and one row per other arm",
			quote(e.Control), hint, found(), maxArms)
		return nil
	case len(labels) < 2:
		f.atHeader(experiment.CodeBadVariants, "variant", "has only the control arm %s; add a row for at least one other arm", quote(e.Control))
		return nil
	case len(labels) > maxArms:
		f.atHeader(experiment.CodeBadVariants, "variant", "has %d arms (%s), more than %d; an experiment compares 2 to %d arms", len(labels), found(), maxArms, maxArms)
		return nil
	}
	if !f.checkSplit(labels, c) {
		return nil
	}
	d.Control = ctl
	for i, s := range e.Segments {
		if n := len(values[i]); n > maxSegmentValues {
			f.atCell(experiment.SeverityBlocked, experiment.CodeLimitExceeded, tooMany[i], s,
				fmt.Sprintf("segment column %s has %d values, more than %d; this row brings value %d. Group rare values into one (such as other) in the query", quote(s), n, maxSegmentValues, maxSegmentValues+1))
		}
	}
	for _, cl := range cells {
		for ai, a := range labels {
			if cl.arms[ai] == 0 {
				f.atCell(experiment.SeverityBlocked, experiment.CodeBadVariants, cl.line, "variant",
					fmt.Sprintf("cell %s has no row for arm %s (its first row is on this line); every cell needs a row for every arm, with at least 1 user: if the arm has no users in this cell, merge the value into another", cellName(e.Segments, cl.values), quote(a)))
			}
		}
	}
	if !f.complete {
		return nil
	}
	d.Arms = make([]experiment.Row, len(labels))
	for i, l := range labels {
		d.Arms[i] = experiment.Row{Arm: l, Metrics: f.metrics, Moments: make([]experiment.Moments, len(f.metrics))}
	}
	if len(e.Segments) == 0 { // one row per arm: the rows are the totals
		for i, r := range d.Rows {
			d.Arms[rowArm[i]] = r
		}
		d.Rows = d.Arms
		return d
	}
	for i, r := range d.Rows {
		a := &d.Arms[rowArm[i]]
		if a.Line == 0 {
			a.Line = r.Line
		}
		a.Users += r.Users
		for k := range r.Moments {
			a.Moments[k].Accumulate(&r.Moments[k])
		}
	}
	return d
}

func cellName(segments, values []string) string {
	var parts []string
	for i, s := range segments {
		parts = append(parts, s+"="+quote(values[i]))
	}
	return strings.Join(parts, ", ")
}

// checkSplit checks that split: names exactly the CSV's arms.
func (f *dataFile) checkSplit(labels []string, c *expConfig) bool {
	if c.split == nil {
		return true
	}
	ok := true
	for label := range c.split {
		if !slices.Contains(labels, label) {
			*f.is = append(*f.is, blockedAt(c.splitAt[label], experiment.CodeBadConfig,
				"split names arm %s, which the CSV does not have (its arms: %s)%s", quote(label), strings.Join(labels, ", "), didYouMean(label, labels)))
			ok = false
		}
	}
	for _, l := range labels {
		if _, has := c.split[l]; !has {
			*f.is = append(*f.is, blockedAt(c.splitKeyAt, experiment.CodeBadConfig, "split has no weight for arm %s; give every arm of the CSV a weight (arms: %s)", quote(l), strings.Join(labels, ", ")))
			ok = false
		}
	}
	f.complete = f.complete && ok
	return ok
}

// checkMoments checks every row's moments of metric g against what its
// kind allows, and resolves an auto guardrail to events or proportion.
func (f *dataFile) checkMoments(d *experiment.Data, g *metric) {
	m := &g.m
	if m.Kind == experiment.KindAuto {
		m.Kind = experiment.KindProportion
		for _, r := range d.Rows {
			if r.Moment(m.Name).Count > r.Users {
				m.Kind = experiment.KindEvents
				col := m.Columns[experiment.RoleCount]
				f.atCell(experiment.SeverityWarning, experiment.CodeEventsPerUser, r.Line, col,
					fmt.Sprintf("arm %s %s = %d is above its users = %d: read as events per user and compared as a rate; set type: events to say so", r.Arm, col, r.Moment(m.Name).Count, r.Users))
				break
			}
		}
		if m.Kind == experiment.KindProportion {
			delete(m.Columns, experiment.RoleSumSquares)
		}
	}
	for _, r := range d.Rows {
		mo := r.Moment(m.Name)
		n := float64(r.Users)
		bad := func(role experiment.Role, format string, args ...any) {
			f.atCell(experiment.SeverityBlocked, experiment.CodeBadValue, r.Line, m.Columns[role], fmt.Sprintf("arm %s: ", r.Arm)+fmt.Sprintf(format, args...))
		}
		switch m.Kind {
		case experiment.KindProportion:
			if mo.Count > r.Users {
				col := m.Columns[experiment.RoleCount]
				if g.role == rolePrimary {
					f.atCell(experiment.SeverityBlocked, experiment.CodeConversionsExceed, r.Line, col,
						fmt.Sprintf("arm %s %s = %d is above its users = %d; the primary metric counts users who converted", r.Arm, col, mo.Count, r.Users))
				} else {
					bad(experiment.RoleCount, "%s = %d is above its users = %d, but the metric's type is proportion (users with an event); count users, or set type: events", col, mo.Count, r.Users)
				}
			}
		case experiment.KindEvents:
			if _, ok := m.Columns[experiment.RoleSumSquares]; ok && !squaresPossible(float64(mo.Count), mo.SumSquares.Float64(), n) {
				bad(experiment.RoleSumSquares, "the sum of squares %s is below count²/users = %.6g, so it is not a per-user sum of squares", mo.SumSquares, float64(mo.Count)*float64(mo.Count)/n)
			}
		case experiment.KindMean:
			if !squaresPossible(mo.Sum.Float64(), mo.SumSquares.Float64(), n) {
				bad(experiment.RoleSumSquares, "the sum of squares %s is below sum²/users = %.6g, so it is not a per-user sum of squares", mo.SumSquares, mo.Sum.Float64()*mo.Sum.Float64()/n)
			}
		case experiment.KindRatio:
			x, xx, y, yy, xy := mo.Sum.Float64(), mo.SumSquares.Float64(), mo.DenSum.Float64(), mo.DenSumSquares.Float64(), mo.SumProduct.Float64()
			switch {
			case !squaresPossible(x, xx, n):
				bad(experiment.RoleSumSquares, "the numerator's sum of squares %s is below sum²/users = %.6g, so it is not a per-user sum of squares", mo.SumSquares, x*x/n)
			case !squaresPossible(y, yy, n):
				bad(experiment.RoleDenominatorSquare, "the denominator's sum of squares %s is below sum²/users = %.6g, so it is not a per-user sum of squares", mo.DenSumSquares, y*y/n)
			case !crossPossible(x, xx, y, yy, xy, n):
				bad(experiment.RoleSumProduct, "the cross product %s is outside the Cauchy–Schwarz bound |Σxy − ΣxΣy/n| ≤ √((Σx² − (Σx)²/n)(Σy² − (Σy)²/n)), so the sums cannot come from the same users", mo.SumProduct)
			}
		}
		if m.CUPED {
			f.checkPre(r, m, mo, bad)
		}
	}
}

// checkPre checks a CUPED metric's pre-period moments.
func (f *dataFile) checkPre(r experiment.Row, m *experiment.Metric, mo experiment.Moments, bad func(experiment.Role, string, ...any)) {
	if m.Kind == experiment.KindProportion {
		f.checkPreBinary(r, mo, bad)
		return
	}
	n := float64(r.Users)
	y, yy := mo.Sum.Float64(), mo.SumSquares.Float64()
	x, xx, xy := mo.PreSum.Float64(), mo.PreSumSquares.Float64(), mo.PreSumProduct.Float64()
	switch {
	case !squaresPossible(x, xx, n):
		bad(experiment.RolePreSumSquares, "the pre-period sum of squares %s is below sum²/users = %.6g, so it is not a per-user sum of squares", mo.PreSumSquares, x*x/n)
	case !crossPossible(y, yy, x, xx, xy, n):
		bad(experiment.RolePreSumProduct, "the pre-period cross product %s is outside the Cauchy–Schwarz bound |ΣYX − ΣYΣX/n| ≤ √((ΣY² − (ΣY)²/n)(ΣX² − (ΣX)²/n)), so the pre-period sums cannot come from the same users", mo.PreSumProduct)
	}
}

// checkPreBinary checks a CUPED proportion's pre-period moments: the
// pre-period value X is 0/1 like the metric, so Σx counts users (an integer
// from 0 to users), Σx² equals Σx, and Σxy counts users with both, between
// max(0, count + Σx − users) and min(count, Σx) (docs/formats.md#cuped-columns).
func (f *dataFile) checkPreBinary(r experiment.Row, mo experiment.Moments, bad func(experiment.Role, string, ...any)) {
	count := func(d experiment.Decimal) (int64, bool) {
		q := d.Rat()
		if !q.IsInt() || !q.Num().IsInt64() {
			return 0, false
		}
		return q.Num().Int64(), true
	}
	x, okX := count(mo.PreSum)
	switch {
	case !okX || x < 0 || x > r.Users:
		bad(experiment.RolePreSum, "the pre-period count %s is not a whole number from 0 to users = %d; a proportion metric's pre-period value is 0/1 per user, so its sum counts users", mo.PreSum, r.Users)
		return
	case mo.PreSumSquares.Cmp(mo.PreSum) != 0:
		bad(experiment.RolePreSumSquares, "the pre-period sum of squares %s differs from the pre-period sum %s; for a proportion metric the pre-period value is 0/1, so the two are equal", mo.PreSumSquares, mo.PreSum)
		return
	}
	xy, okXY := count(mo.PreSumProduct)
	lo, hi := max(0, mo.Count+x-r.Users), min(mo.Count, x)
	if !okXY || xy < lo || xy > hi {
		bad(experiment.RolePreSumProduct, "the pre-period cross product %s is not a whole number from %d to %d; for a proportion metric it counts users who converted in both periods, at most min(count %d, pre-period count %d) and at least count + pre-period count − users", mo.PreSumProduct, lo, hi, mo.Count, x)
	}
}

// squaresPossible reports whether Σx² ≥ (Σx)²/n, within the export
// rounding tolerance.
func squaresPossible(sum, squares, n float64) bool {
	need := sum * sum / n
	return squares-need >= -momentTolerance*math.Max(math.Abs(squares), need)
}

// crossPossible reports whether the cross product lies within the
// Cauchy–Schwarz bound, within the export rounding tolerance.
func crossPossible(x, xx, y, yy, xy, n float64) bool {
	cov := xy - x*y/n
	vx, vy := math.Max(0, xx-x*x/n), math.Max(0, yy-y*y/n)
	bound := math.Sqrt(vx) * math.Sqrt(vy) // not √(vx·vy), which under- or overflows first
	scale := math.Max(math.Abs(xy), math.Abs(x*y/n))
	return math.Abs(cov) <= bound+momentTolerance*math.Max(scale, bound)
}
