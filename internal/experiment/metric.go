package experiment

// Kind is a metric's kind: how its columns are read, which test and
// interval compare it, and the unit it prints in (docs/formats.md#metric-kinds).
type Kind string

// Metric kinds. Load resolves KindAuto (guardrails only) to one of the
// others from the data.
const (
	KindAuto       Kind = "auto"
	KindProportion Kind = "proportion" // users with at least one event; at most users
	KindEvents     Kind = "events"     // events, compared as a rate per user
	KindMean       Kind = "mean"       // per-user mean from its sum and sum of squares
	KindRatio      Kind = "ratio"      // Σ numerator / Σ denominator, by the delta method
)

// Role names one column a metric reads. A metric's Columns map a Role to
// the CSV column that holds it; `columns:` in experiment.yaml may name them
// explicitly, with these roles as keys.
type Role string

// Column roles.
const (
	RoleCount             Role = "count"           // proportion and events: the count column m
	RoleSum               Role = "sum"             // mean: Σx; ratio: Σ numerator
	RoleSumSquares        Role = "sum_squares"     // mean: Σx²; ratio: Σ numerator²; events: Σ count² (Welch)
	RoleDenominatorSum    Role = "denominator_sum" // ratio: Σy
	RoleDenominatorSquare Role = "denominator_sum_squares"
	RoleSumProduct        Role = "sum_product" // ratio: Σxy
	RolePreSum            Role = "pre_sum"     // CUPED: Σ pre-period X
	RolePreSumSquares     Role = "pre_sum_squares"
	RolePreSumProduct     Role = "pre_sum_product" // CUPED: Σ Y·X
)

// Value says how a column's cells are written: Count cells are plain
// non-negative integers, Sum cells decimals (scientific notation allowed),
// SumSquares cells non-negative decimals (docs/formats.md#numbers).
type Value int

// Cell forms.
const (
	Count Value = iota
	Sum
	SumSquares
)

// ColumnSpec is one column a kind reads: its role, the default column name
// for a metric, how its cells are written, and whether the kind can do
// without it.
type ColumnSpec struct {
	Role     Role
	Value    Value
	Optional bool
	// Name returns the default column for metric m (lower-case).
	Name func(m *Metric) string
}

// Unit says how a kind's values and differences print.
type Unit int

// Units.
const (
	UnitRate    Unit = iota // a share of users: percent, differences in pp
	UnitPerUser             // events per user: "/user"
	UnitPlain               // the metric's own unit: plain numbers
)

// KindSpec is one row of the metric-kind table: everything that differs
// between kinds, so that no other package branches on the kind for it.
type KindSpec struct {
	Kind    Kind
	Columns []ColumnSpec
	// CUPED reports whether `cuped: true` is supported for the kind.
	CUPED bool
	Unit  Unit
	// RelativeMargins reports whether the built-in guardrail margins are
	// relative to the control value (events, mean, ratio) rather than
	// absolute (proportion: 0.1 pp / 0.3 pp).
	RelativeMargins bool
}

func named(suffix string) func(*Metric) string {
	return func(m *Metric) string { return m.Name + suffix }
}

func ratioName(which string) func(*Metric) string {
	return func(m *Metric) string {
		switch which {
		case "num":
			return m.Numerator + "_sum"
		case "num2":
			return m.Numerator + "_sum_squares"
		case "den":
			return m.Denominator + "_sum"
		case "den2":
			return m.Denominator + "_sum_squares"
		}
		return m.Numerator + "_" + m.Denominator + "_sum_product"
	}
}

// cupedColumns are the pre-period columns of a metric with cuped: true.
var cupedColumns = []ColumnSpec{
	{Role: RolePreSum, Value: Sum, Name: named("_pre_sum")},
	{Role: RolePreSumSquares, Value: SumSquares, Name: named("_pre_sum_squares")},
	{Role: RolePreSumProduct, Value: Sum, Name: named("_pre_sum_product")},
}

// kinds is the metric-kind table (docs/formats.md#metric-kinds).
var kinds = map[Kind]*KindSpec{
	KindProportion: {
		Kind:    KindProportion,
		Columns: []ColumnSpec{{Role: RoleCount, Value: Count, Name: named("")}},
		CUPED:   true,
		Unit:    UnitRate,
	},
	KindEvents: {
		Kind: KindEvents,
		Columns: []ColumnSpec{
			{Role: RoleCount, Value: Count, Name: named("")},
			{Role: RoleSumSquares, Value: SumSquares, Optional: true, Name: named("_sum_squares")},
		},
		Unit:            UnitPerUser,
		RelativeMargins: true,
	},
	KindMean: {
		Kind: KindMean,
		Columns: []ColumnSpec{
			{Role: RoleSum, Value: Sum, Name: named("_sum")},
			{Role: RoleSumSquares, Value: SumSquares, Name: named("_sum_squares")},
		},
		CUPED:           true,
		Unit:            UnitPlain,
		RelativeMargins: true,
	},
	KindRatio: {
		Kind: KindRatio,
		Columns: []ColumnSpec{
			{Role: RoleSum, Value: Sum, Name: ratioName("num")},
			{Role: RoleSumSquares, Value: SumSquares, Name: ratioName("num2")},
			{Role: RoleDenominatorSum, Value: Sum, Name: ratioName("den")},
			{Role: RoleDenominatorSquare, Value: SumSquares, Name: ratioName("den2")},
			{Role: RoleSumProduct, Value: Sum, Name: ratioName("prod")},
		},
		Unit:            UnitPlain,
		RelativeMargins: true,
	},
}

// Kinds lists the concrete kinds in a stable order.
var Kinds = []Kind{KindProportion, KindEvents, KindMean, KindRatio}

// Spec returns the kind's row of the table, or nil for KindAuto and
// unknown kinds.
func (k Kind) Spec() *KindSpec { return kinds[k] }

// ColumnSpecs returns every column the metric reads: its kind's, and the
// pre-period columns when CUPED is on.
func (m *Metric) ColumnSpecs() []ColumnSpec {
	s := m.Kind.Spec()
	if s == nil {
		return nil
	}
	if !m.CUPED {
		return s.Columns
	}
	return append(append([]ColumnSpec{}, s.Columns...), cupedColumns...)
}

// Margin is a guardrail threshold: absolute in the metric's unit, or, when
// Relative, a fraction of the control value (written "5%": Value 0.05).
type Margin struct {
	Value    Decimal
	Relative bool
}

// String renders the margin as written ("0.001", "5%").
func (m Margin) String() string {
	if !m.Relative {
		return m.Value.String()
	}
	r := m.Value.Rat()
	r.Mul(r, ratHundred)
	return ratString(r) + "%"
}

// Metric is one metric the experiment analyzes: the primary, a guardrail or
// a secondary metric.
type Metric struct {
	Name    string // the metric as named in experiment.yaml (lower-case)
	Label   string // display name
	Kind    Kind
	Desired Direction
	// Numerator and Denominator name a ratio metric's parts.
	Numerator, Denominator string
	// Columns maps each role the metric reads to its CSV column; an
	// optional column absent from the CSV has no entry.
	Columns map[Role]string
	// CUPED adjusts the metric with its pre-period columns
	// (docs/statistics.md#cuped).
	CUPED bool
	// Worsened and Severe are a guardrail's harm margins
	// (docs/rules.md#guardrail-states); zero for the primary and secondary.
	Worsened, Severe Margin
}

// Column returns the CSV column that holds role, and whether there is one.
func (m *Metric) Column(role Role) (string, bool) {
	c, ok := m.Columns[role]
	return c, ok
}

// Welch reports whether the metric is compared by Welch's test on per-user
// values: mean and ratio metrics, and events metrics with a sum-of-squares
// column (docs/statistics.md#events-metrics).
func (m *Metric) Welch() bool {
	switch m.Kind {
	case KindMean, KindRatio:
		return true
	case KindEvents:
		_, ok := m.Columns[RoleSumSquares]
		return ok
	}
	return false
}
