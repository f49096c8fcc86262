package experiment

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
)

// Decimal is a threshold as written in YAML ("0.001"), held exactly so that
// comparisons against it are not subject to binary rounding
// (docs/formats.md#numbers, docs/rules.md#exact-comparisons).
// The zero value is 0. A Decimal is immutable.
type Decimal struct {
	r *big.Rat // nil means 0
	s string   // the text as written, canonical
	f float64  // the float64 nearest r
	c int      // the sign of f − r: where r lies against f
}

var decimalRE = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// ParseDecimal parses a plain or scientific decimal ("0.05", "1e-5").
func ParseDecimal(s string) (Decimal, error) {
	if len(s) > 64 || !decimalRE.MatchString(s) {
		return Decimal{}, fmt.Errorf("%q is not a decimal number", s)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return Decimal{}, fmt.Errorf("%q is not a decimal number", s)
	}
	d := Decimal{r: r, s: strings.TrimPrefix(s, "+")}
	var exact bool
	d.f, exact = r.Float64()
	switch {
	case exact:
	case math.IsInf(d.f, 0):
		d.c = int(math.Copysign(1, d.f))
	default:
		d.c = new(big.Rat).SetFloat64(d.f).Cmp(r)
	}
	return d, nil
}

// MustDecimal is ParseDecimal for constants; it panics on a malformed literal.
func MustDecimal(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic("experiment: " + err.Error())
	}
	return d
}

// Rat returns a copy of the exact value.
func (d Decimal) Rat() *big.Rat {
	if d.r == nil {
		return new(big.Rat)
	}
	return new(big.Rat).Set(d.r)
}

// Float64 returns the nearest float64.
func (d Decimal) Float64() float64 { return d.f }

// Sign returns -1, 0 or +1.
func (d Decimal) Sign() int {
	if d.r == nil {
		return 0
	}
	return d.r.Sign()
}

// String returns the decimal as written.
func (d Decimal) String() string {
	if d.r == nil {
		return "0"
	}
	return d.s
}

// Cmp compares d and e exactly.
func (d Decimal) Cmp(e Decimal) int { return d.Rat().Cmp(e.Rat()) }

// FloatAbove reports whether the float x is strictly greater than d,
// compared exactly: no float lies strictly between d and f, its nearest
// float, so x > d exactly when x > f, or x == f and f lies above d. NaN and
// Inf are never above.
func (d Decimal) FloatAbove(x float64) bool {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return false
	}
	return x > d.f || x == d.f && d.c > 0
}

// FloatBelow reports whether the float x is strictly below d ("p <
// alpha"), compared exactly as FloatAbove is. NaN and Inf are never below.
func (d Decimal) FloatBelow(x float64) bool {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return false
	}
	return x < d.f || x == d.f && d.c < 0
}

// MarshalJSON writes the decimal as a JSON number (shortest form that
// round-trips to the same float64).
func (d Decimal) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, d.Float64(), 'g', -1, 64), nil
}
