package experiment

import "slices"

// Moments are one arm's (or one segment cell's) sufficient statistics for
// one metric, as the CSV states them: the fields its kind's columns fill
// (docs/formats.md#metric-kinds). Sums are exact decimals as written, so
// that guardrail margins compare exactly (docs/rules.md#guardrail-states),
// and Moments of cells add up to the arm's.
type Moments struct {
	Count         int64   // proportion, events
	Sum           Decimal // mean: Σx; ratio: Σ numerator
	SumSquares    Decimal // mean: Σx²; ratio: Σ numerator²; events: Σ count²
	DenSum        Decimal // ratio: Σ denominator
	DenSumSquares Decimal
	SumProduct    Decimal // ratio: Σ numerator·denominator
	PreSum        Decimal // CUPED: Σ pre-period value
	PreSumSquares Decimal
	PreSumProduct Decimal // CUPED: Σ value·pre-period value
}

// Add returns the moments of two disjoint groups of users together.
func (m Moments) Add(o Moments) Moments {
	return Moments{
		Count:         m.Count + o.Count,
		Sum:           m.Sum.Add(o.Sum),
		SumSquares:    m.SumSquares.Add(o.SumSquares),
		DenSum:        m.DenSum.Add(o.DenSum),
		DenSumSquares: m.DenSumSquares.Add(o.DenSumSquares),
		SumProduct:    m.SumProduct.Add(o.SumProduct),
		PreSum:        m.PreSum.Add(o.PreSum),
		PreSumSquares: m.PreSumSquares.Add(o.PreSumSquares),
		PreSumProduct: m.PreSumProduct.Add(o.PreSumProduct),
	}
}

// Accumulate adds o into m: Add in place, skipping o's zero fields and
// adding fixed sums of one scale as integers, for summing many rows without
// copying the moments at every step.
func (m *Moments) Accumulate(o *Moments) {
	m.Count += o.Count
	m.Sum.accumulate(&o.Sum)
	m.SumSquares.accumulate(&o.SumSquares)
	m.DenSum.accumulate(&o.DenSum)
	m.DenSumSquares.accumulate(&o.DenSumSquares)
	m.SumProduct.accumulate(&o.SumProduct)
	m.PreSum.accumulate(&o.PreSum)
	m.PreSumSquares.accumulate(&o.PreSumSquares)
	m.PreSumProduct.accumulate(&o.PreSumProduct)
}

// Row is one row of results.csv, or the total of an arm's rows: an arm, the
// segment cell it belongs to (one value per segment column; nil for a
// total), its users and the moments of every metric.
type Row struct {
	Arm   string
	Cell  []string
	Users int64
	// Metrics names the metric of each entry of Moments: Moments[i] holds
	// metric Metrics[i]'s. The rows of one Data share one Metrics, in the
	// order the loader reads the metrics (the primary, the guardrails, the
	// secondary metrics), so that a position stands for the same metric in
	// every row and summing rows needs no lookup by name
	// (docs/performance.md#segments).
	Metrics []string
	Moments []Moments
	// Line is the row's 1-based line in the CSV; for a total, the line of
	// the arm's first row.
	Line int
}

// Moment returns metric name's moments: zero when the row has none.
func (r *Row) Moment(name string) Moments {
	if p := r.Lookup(name); p != nil {
		return *p
	}
	return Moments{}
}

// Lookup returns a pointer to metric name's moments in the row, or nil
// when the row has none.
func (r *Row) Lookup(name string) *Moments {
	for i, n := range r.Metrics {
		if n == name {
			return &r.Moments[i]
		}
	}
	return nil
}

// WithMoments returns r holding the moments of m, by metric name in
// sorted order: rows built by hand rather than by the loader.
func (r Row) WithMoments(m map[string]Moments) Row {
	r.Metrics = make([]string, 0, len(m))
	for name := range m {
		r.Metrics = append(r.Metrics, name)
	}
	slices.Sort(r.Metrics)
	r.Moments = make([]Moments, len(r.Metrics))
	for i, name := range r.Metrics {
		r.Moments[i] = m[name]
	}
	return r
}

// Data is the parsed results.csv of an experiment.
type Data struct {
	// Arms holds one total per arm, in the order the arms first appear in
	// the CSV; Arms[Control] is the control.
	Arms    []Row
	Control int
	// Rows are the CSV's rows as written; with no segments they are the
	// totals themselves.
	Rows []Row
	// Columns maps a lower-cased header name to its 1-based column number.
	Columns map[string]int
}

// ControlRow returns the control arm's total.
func (d *Data) ControlRow() *Row { return &d.Arms[d.Control] }

// Shares returns the expected share of each arm of d, in d's arm order:
// the split's weights normalised, or equal shares when split is nil.
func Shares(split map[string]float64, d *Data) []float64 {
	out := make([]float64, len(d.Arms))
	total := 0.0
	for i, a := range d.Arms {
		w := 1.0
		if split != nil {
			w = split[a.Arm]
		}
		out[i] = w
		total += w
	}
	for i := range out {
		out[i] /= total
	}
	return out
}

// Plan is an optional pre-registered plan (docs/formats.md#plan).
type Plan struct {
	UsersPerArm int64    // 0: not set
	MDE         *float64 // relative minimum detectable effect; its sign is ignored
	Baseline    *float64 // expected control value before data exists
	BaselineSD  *float64 // expected per-user standard deviation (mean metrics)
	DailyUsers  int64    // expected users per day over all arms; 0: not set
	// Line and Col locate users_per_arm in experiment.yaml (0: unknown).
	Line, Col int
}
