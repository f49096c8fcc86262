package experiment

import (
	"cmp"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
)

// Decimal is a threshold as written in YAML ("0.001"), held exactly so that
// comparisons against it are not subject to binary rounding
// (docs/formats.md#numbers, docs/rules.md#exact-comparisons).
// The zero value is 0. A Decimal is immutable.
type Decimal struct {
	// A parsed Decimal keeps its text and builds the exact value only when
	// it is used (sum cells are many, exact uses few); a computed one keeps
	// the exact value and renders text only when asked. Both empty is 0.
	r *big.Rat // the exact value of a computed Decimal
	s string   // the text as written, for a parsed Decimal
	f float64  // the float64 nearest the value
	// fx is the value as m·10^−sc with |m| < 2^63 and |sc| ≤ maxScale,
	// when it fits: sums of sum cells stay in it, so that adding the
	// cells of an arm or a segment needs no big.Rat
	// (docs/performance.md#segments). A computed Decimal with ok set and
	// no r holds its value here only.
	fx fixed
}

// fixed is a decimal m·10^−sc held in machine integers.
type fixed struct {
	m  int64
	sc int16
	ok bool
}

// maxScale bounds the scale of a fixed value, so that aligning two of
// them multiplies by at most 10^36 split in two int64-safe steps.
const maxScale = 18

var pow10 = func() [maxScale*2 + 1]int64 {
	var p [maxScale*2 + 1]int64
	p[0] = 1
	for i := 1; i <= maxScale; i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

var pow10f = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseFixed reads a text isDecimal accepted as m·10^−sc, when its
// digits fit in an int64 (at most 18 significant digits) and its scale
// in ±maxScale.
func parseFixed(s string) fixed {
	i, neg := 0, false
	if s[0] == '+' || s[0] == '-' {
		neg = s[0] == '-'
		i++
	}
	var m int64
	digits, frac, point := 0, 0, false
	for ; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			point = true
			continue
		}
		if c < '0' || c > '9' {
			break
		}
		if digits > 0 || c != '0' {
			digits++
		}
		if digits > 18 {
			return fixed{}
		}
		m = m*10 + int64(c-'0')
		if point {
			frac++
		}
	}
	exp := 0
	if i < len(s) { // e[+-]digits, at most 4 digits
		e, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
		if err != nil {
			return fixed{}
		}
		exp = e
	}
	sc := frac - exp
	if sc > maxScale || sc < -maxScale {
		return fixed{}
	}
	if neg {
		m = -m
	}
	return fixed{m: m, sc: int16(sc), ok: true}
}

// align returns m·10^k when it fits in an int64.
func align(m int64, k int) (int64, bool) {
	for k > 0 {
		step := min(k, maxScale)
		p := pow10[step]
		if m > math.MaxInt64/p || m < -math.MaxInt64/p {
			return 0, false
		}
		m *= p
		k -= step
	}
	return m, true
}

// add returns a + b when it fits.
func (a fixed) add(b fixed) (fixed, bool) {
	sc := max(a.sc, b.sc)
	am, ok1 := align(a.m, int(sc-a.sc))
	bm, ok2 := align(b.m, int(sc-b.sc))
	if !ok1 || !ok2 {
		return fixed{}, false
	}
	m, ok := addInt(am, bm)
	if !ok {
		return fixed{}, false
	}
	return fixed{m: m, sc: sc, ok: true}, true
}

// addInt returns a + b, and false when the sum overflows an int64.
func addInt(a, b int64) (int64, bool) {
	m := a + b
	if (a > 0 && b > 0 && m < 0) || (a < 0 && b < 0 && m >= 0) {
		return 0, false
	}
	return m, true
}

// float is the float64 nearest m·10^−sc: one correctly rounded IEEE
// operation on exact operands when |m| < 2^53 and |sc| ≤ 22, else
// strconv's correctly rounded parse.
func (a fixed) float() float64 {
	if a.m < 1<<53 && a.m > -(1<<53) {
		if a.sc >= 0 {
			return float64(a.m) / pow10f[a.sc]
		}
		return float64(a.m) * pow10f[-a.sc]
	}
	f, _ := strconv.ParseFloat(strconv.FormatInt(a.m, 10)+"e"+strconv.Itoa(int(-a.sc)), 64)
	return f
}

// rat is the exact value.
func (a fixed) rat() *big.Rat {
	r := new(big.Rat).SetInt64(a.m)
	if a.sc > 0 {
		return r.Quo(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(a.sc)), nil)))
	}
	if a.sc < 0 {
		return r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-a.sc)), nil)))
	}
	return r
}

// ParseDecimal parses a plain or scientific decimal ("0.05", "1e-5",
// docs/formats.md#numbers): an optional sign, digits with at most one
// point, and an optional exponent of at most four digits. It is on the
// hot path of every sum cell, so it scans by hand rather than by regexp
// and takes the nearest float from strconv, which rounds exactly as
// big.Rat does (to nearest, ties to even).
func ParseDecimal(s string) (Decimal, error) {
	if len(s) > 64 || !isDecimal(s) {
		return Decimal{}, fmt.Errorf("%q is not a decimal number", s)
	}
	fx := parseFixed(s)
	var f float64
	if fx.ok && fx.m < 1<<53 && fx.m > -(1<<53) {
		f = fx.float() // one correctly rounded operation, as strconv would round
		if fx.m == 0 && strings.HasPrefix(s, "-") {
			f = math.Copysign(0, -1)
		}
	} else {
		f, _ = strconv.ParseFloat(s, 64) // ±Inf or 0 beyond float64's range, as big.Rat's Float64 gives
	}
	return Decimal{s: strings.TrimPrefix(s, "+"), f: f, fx: fx}, nil
}

// rat returns the exact value, shared with d for a computed Decimal: the
// caller must not modify it.
func (d Decimal) rat() *big.Rat {
	switch {
	case d.r != nil:
		return d.r
	case d.s == "" && d.fx.ok:
		return d.fx.rat()
	case d.s == "":
		return new(big.Rat)
	}
	r, ok := new(big.Rat).SetString(d.s)
	if !ok { // isDecimal accepted s, and big.Rat reads every such text
		panic("experiment: unreadable decimal " + strconv.Quote(d.s))
	}
	return r
}

// zero reports whether d is the zero value (a parsed "0" is not, but
// equals it).
func (d Decimal) zero() bool { return d.r == nil && d.s == "" && !d.fx.ok }

// isDecimal reports whether s is [+-]digits[.digits][e[+-]digits], with a
// digit on at least one side of the point and 1 to 4 exponent digits.
func isDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			exp++
		}
		if exp == 0 || exp > 4 {
			return false
		}
	}
	return i == len(s)
}

// MustDecimal is ParseDecimal for constants; it panics on a malformed
// literal. A constant is compared often, so its exact value is built once.
func MustDecimal(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic("experiment: " + err.Error())
	}
	d.r = d.rat()
	return d
}

// Rat returns a copy of the exact value.
func (d Decimal) Rat() *big.Rat {
	if d.r == nil {
		return d.rat() // a fresh value
	}
	return new(big.Rat).Set(d.r)
}

// Float64 returns the nearest float64.
func (d Decimal) Float64() float64 { return d.f }

// Sign returns -1, 0 or +1.
func (d Decimal) Sign() int {
	switch {
	case d.zero():
		return 0
	case d.f > 0:
		return 1
	case d.f < 0:
		return -1
	}
	return d.rat().Sign() // 0, or below float64's smallest
}

// String returns the decimal as written.
func (d Decimal) String() string {
	switch {
	case d.s != "":
		return d.s
	case d.r == nil && d.fx.ok:
		return ratString(d.fx.rat())
	case d.r == nil:
		return "0"
	}
	return ratString(d.r)
}

// Cmp compares d and e exactly.
func (d Decimal) Cmp(e Decimal) int { return d.rat().Cmp(e.rat()) }

// FloatAbove reports whether the float x is strictly greater than d,
// compared exactly: no float lies strictly between d and f, its nearest
// float, so x > d exactly when x > f, or x == f and f lies above d. NaN and
// Inf are never above.
func (d Decimal) FloatAbove(x float64) bool {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return false
	}
	return x > d.f || x == d.f && d.floatSide() > 0
}

// FloatBelow reports whether the float x is strictly below d ("p <
// alpha"), compared exactly as FloatAbove is. NaN and Inf are never below.
func (d Decimal) FloatBelow(x float64) bool {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return false
	}
	return x < d.f || x == d.f && d.floatSide() < 0
}

// floatSide returns the sign of f − d: where d's nearest float lies
// against the exact value. It is needed only when a float equals f, so it
// is computed then rather than for every parsed cell.
func (d Decimal) floatSide() int {
	switch {
	case d.zero():
		return 0
	case math.IsInf(d.f, 0):
		return int(math.Copysign(1, d.f))
	}
	return new(big.Rat).SetFloat64(d.f).Cmp(d.rat())
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
	f, _ := r.Float64()
	return Decimal{r: r, f: f} // String renders r when asked
}

// Add returns d + e exactly.
func (d Decimal) Add(e Decimal) Decimal {
	switch {
	case e.zero():
		return d
	case d.zero():
		return e
	}
	if d.fx.ok && e.fx.ok {
		if sum, ok := d.fx.add(e.fx); ok {
			if sum.m == 0 {
				return Decimal{}
			}
			return Decimal{f: sum.float(), fx: sum}
		}
	}
	return ratDecimal(new(big.Rat).Add(d.rat(), e.rat()))
}

// accumulate sets *d to d.Add(*e), the same value and representation,
// without copying: two fixed values of one scale (a column's cells
// summed, the common case) add as integers in place; anything else goes
// through Add (docs/performance.md#segments).
func (d *Decimal) accumulate(e *Decimal) {
	switch {
	case e.zero():
		return
	case d.zero():
		*d = *e
		return
	}
	if d.fx.ok && e.fx.ok && d.fx.sc == e.fx.sc {
		m, ok := addInt(d.fx.m, e.fx.m)
		switch {
		case ok && m == 0:
			*d = Decimal{}
			return
		case ok && d.r == nil && d.s == "": // a computed sum: set only the numbers (no pointer writes)
			d.fx.m = m
			d.f = d.fx.float()
			return
		case ok:
			fx := fixed{m: m, sc: d.fx.sc, ok: true}
			*d = Decimal{f: fx.float(), fx: fx}
			return
		}
	}
	*d = d.Add(*e)
}

// CmpQuo compares a/n with b/m exactly (-1, 0 or +1) for n, m > 0. Two
// fixed values (sums of sum cells) compare by 128-bit integer products,
// without big.Rat (docs/performance.md#segments); others, and n or m not
// positive, as big.Rat quotients (which panic on a zero divisor).
func CmpQuo(a Decimal, n int64, b Decimal, m int64) int {
	if n > 0 && m > 0 && (a.fx.ok || a.zero()) && (b.fx.ok || b.zero()) {
		x, y := a.fx, b.fx // the zero value's is 0 at scale 0
		sc := max(x.sc, y.sc)
		xm, ok1 := align(x.m, int(sc-x.sc))
		ym, ok2 := align(y.m, int(sc-y.sc))
		if ok1 && ok2 {
			return CmpFrac(xm, n, ym, m)
		}
	}
	l := new(big.Rat).Quo(a.rat(), new(big.Rat).SetInt64(n))
	return l.Cmp(new(big.Rat).Quo(b.rat(), new(big.Rat).SetInt64(m)))
}

// CmpFrac compares x/n with y/m exactly (-1, 0 or +1) for n, m > 0, as
// x·m against y·n in 128 bits.
func CmpFrac(x, n, y, m int64) int {
	sx, sy := sign64(x), sign64(y)
	switch {
	case sx != sy:
		return cmp.Compare(sx, sy)
	case sx == 0:
		return 0
	}
	// One sign: compare the magnitudes |x|·m and |y|·n.
	h1, l1 := bits.Mul64(abs64(x), uint64(m))
	h2, l2 := bits.Mul64(abs64(y), uint64(n))
	c := cmp.Compare(h1, h2)
	if c == 0 {
		c = cmp.Compare(l1, l2)
	}
	return c * sx
}

func sign64(x int64) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// abs64 is |x| as a uint64, exact for math.MinInt64 too.
func abs64(x int64) uint64 {
	if x < 0 {
		return uint64(-x) // -MinInt64 wraps to MinInt64, whose uint64 is 2^63
	}
	return uint64(x)
}

// DivInt returns d / n exactly; it panics when n is 0 (a programmer error).
func (d Decimal) DivInt(n int64) Decimal {
	if n == 0 {
		panic("experiment: Decimal.DivInt by 0")
	}
	if d.zero() {
		return d
	}
	return ratDecimal(new(big.Rat).Quo(d.rat(), new(big.Rat).SetInt64(n)))
}
