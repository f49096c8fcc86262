package stats

// Summary is one arm's per-user sufficient statistics for a metric compared
// as a mean per user: its users N, the per-user mean, and the per-user
// variance. For mean metrics Var is the sample variance with n − 1
// (docs/statistics.md#mean-metrics); for a ratio metric Mean is Σx/Σy and
// Var the delta-method variance of the ratio (docs/statistics.md#ratio-metrics);
// for an events metric compared by the normal approximation Mean is the rate
// per user and Var equals it (Poisson); for a proportion Var is p(1 − p).
type Summary struct {
	N    int64
	Mean float64
	Var  float64
}

// Estimate is a two-arm comparison of the treatment t with the control c:
// the difference of the means with its standard error and confidence
// interval, the relative difference with its own, and the p-value of the
// difference where the test that produced the Estimate defines one.
//
// OK is false when the difference has no standard error (n < 2 in an arm
// for a t-test, or se = 0); the absolute fields are then zero. RelOK is
// false when the relative difference is undefined (a control mean of 0, or
// !OK); the relative fields are then zero.
type Estimate struct {
	Diff float64 // Mean_t − Mean_c
	SE   float64 // standard error of Diff
	DF   float64 // degrees of freedom of the t quantile; 0 for normal quantiles
	P    float64 // two-sided p-value of Diff; see the producing function
	Low  float64 // confidence interval of Diff
	High float64
	OK   bool

	Rel     float64 // (Mean_t − Mean_c) / |Mean_c|
	RelSE   float64 // delta-method standard error of Rel
	RelLow  float64
	RelHigh float64
	RelOK   bool
}
