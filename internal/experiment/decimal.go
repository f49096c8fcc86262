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
	d := ratDecimal(r)
	d.r, d.s = r, strings.TrimPrefix(s, "+") // as written, zero included
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

var ratHundred = big.NewRat(100, 1)

// ratString renders r as a plain decimal when it has a finite one of at
// most 30 places, else to 6 significant digits.
func ratString(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	for prec := 1; prec <= 30; prec++ {
		s := r.FloatString(prec)
		if back, ok := new(big.Rat).SetString(s); ok && back.Cmp(r) == 0 {
			return s
		}
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'g', 6, 64) // a repeating decimal such as α/3
}

// IntDecimal returns n as a Decimal.
func IntDecimal(n int64) Decimal {
	return ratDecimal(new(big.Rat).SetInt64(n))
}

// ratDecimal wraps an exact value; r is owned by the result.
func ratDecimal(r *big.Rat) Decimal {
	if r.Sign() == 0 {
		return Decimal{}
	}
	d := Decimal{r: r, s: ratString(r)}
	var exact bool
	d.f, exact = r.Float64()
	switch {
	case exact:
	case math.IsInf(d.f, 0):
		d.c = int(math.Copysign(1, d.f))
	default:
		d.c = new(big.Rat).SetFloat64(d.f).Cmp(r)
	}
	return d
}

// Add returns d + e exactly.
func (d Decimal) Add(e Decimal) Decimal {
	switch {
	case e.r == nil:
		return d
	case d.r == nil:
		return e
	}
	return ratDecimal(new(big.Rat).Add(d.r, e.r))
}

// DivInt returns d / n exactly; it panics when n is 0 (a programmer error).
func (d Decimal) DivInt(n int64) Decimal {
	if n == 0 {
		panic("experiment: Decimal.DivInt by 0")
	}
	if d.r == nil {
		return d
	}
	return ratDecimal(new(big.Rat).Quo(d.r, new(big.Rat).SetInt64(n)))
}
