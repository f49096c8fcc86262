// Package format renders the numbers of an analysis for people, in each
// metric kind's unit (docs/memo.md#numbers): rates as percentages and their
// differences in percentage points, events per user, and plain values for
// means and ratios. Decision reasons and every memo use it, so a number
// reads the same wherever it appears.
package format

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/experimentos/experimentos/internal/experiment"
)

// P renders a p-value: 4 significant digits, scientific below 0.0001.
func P(p float64) string {
	if math.IsNaN(p) || math.IsInf(p, 0) {
		return "n/a"
	}
	if p < math.SmallestNonzeroFloat64*1e10 { // underflowed: below any printable p
		return "<1e-300"
	}
	if p < 1e-4 {
		return fmt.Sprintf("%.2g", p)
	}
	return fmt.Sprintf("%.4g", p)
}

// PIs renders "p = 0.0142", or "p < 1e-300" for a p-value too small to
// represent.
func PIs(p float64) string {
	if s := P(p); strings.HasPrefix(s, "<") {
		return "p " + s[:1] + " " + s[1:]
	}
	return "p = " + P(p)
}

// unit is the kind's unit; an unknown kind prints plain.
func unit(k experiment.Kind) experiment.Unit {
	if s := k.Spec(); s != nil {
		return s.Unit
	}
	return experiment.UnitPlain
}

// sig renders x with enough significant digits to tell small values from
// zero: two decimals from 1 up, three significant digits below (trailing
// zeros dropped down to two decimals), never an exponent.
func sig(x float64, signed bool) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "n/a"
	}
	prec := 2
	if a := math.Abs(x); a != 0 && math.Round(a*100) < 100 {
		// Three significant digits below 1: 0.123, 0.00312.
		prec = 2 - int(math.Floor(math.Log10(a)))
	}
	s := strconv.FormatFloat(x, 'f', prec, 64)
	for prec > 2 && strings.HasSuffix(s, "0") { // 0.250 → 0.25, never below two decimals
		s, prec = s[:len(s)-1], prec-1
	}
	if signed && !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	return s
}

// plain renders a value in the metric's own unit: four significant digits,
// and all the integer digits of large values, never an exponent.
func plain(x float64, signed bool) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "n/a"
	}
	prec := 0
	if a := math.Abs(x); a != 0 && a < 1000 {
		prec = 3 - int(math.Floor(math.Log10(a)))
	}
	s := strconv.FormatFloat(x, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if signed && !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	return s
}

// Value renders one arm's value of a metric of kind k.
func Value(k experiment.Kind, v float64) string {
	switch unit(k) {
	case experiment.UnitRate:
		return sig(v*100, false) + "%"
	case experiment.UnitPerUser:
		return plain(v, false) + "/user"
	}
	return plain(v, false)
}

// Diff renders a difference of two values of a metric of kind k.
func Diff(k experiment.Kind, d float64) string {
	switch unit(k) {
	case experiment.UnitRate:
		return sig(d*100, true) + " pp"
	case experiment.UnitPerUser:
		return plain(d, true) + "/user"
	}
	return plain(d, true)
}

// Rel renders a relative change ("+4.06%").
func Rel(r float64) string { return sig(r*100, true) + "%" }

// Share renders a traffic share ("50%", "33.3%").
func Share(s float64) string {
	return strconv.FormatFloat(math.Round(s*1000)/10, 'f', -1, 64) + "%"
}

// Margin renders a guardrail margin as written and, for a relative one,
// its size in the metric's unit at the control value: "0.1 pp",
// "5% (0.012/user)".
func Margin(k experiment.Kind, m experiment.Margin, abs float64) string {
	if m.Relative {
		return fmt.Sprintf("%s of control (%s)", m, strings.TrimPrefix(Diff(k, abs), "+"))
	}
	return strings.TrimPrefix(Diff(k, m.Value.Float64()), "+")
}

// Count renders an integer with thousands separators ("1,234,567").
func Count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
