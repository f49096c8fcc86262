package experiment

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestDecimalFixedAdd checks the machine-integer path of Add against
// big.Rat: the same exact value, the nearest float64, and the text of a
// computed sum; sums that would overflow fall back to big.Rat.
func TestDecimalFixedAdd(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	texts := []string{"0", "-0.5", "251234.50", "1.9102e8", "1e-5", "-12.5", "123456789012345678", "0.000000000000000001",
		"9.99999999999999999e18", "-9.99999999999999999e18", "1e18", "3e-18", "7", "0.1", "0.2", "1234567890123456789012"}
	for range 2000 {
		m := rng.Int64N(2_000_000_000_000) - 1_000_000_000_000
		texts = append(texts, strconv.FormatInt(m, 10)+"e"+strconv.Itoa(rng.IntN(25)-14))
	}
	for i := 0; i+1 < len(texts); i++ {
		a, err1 := ParseDecimal(texts[i])
		b, err2 := ParseDecimal(texts[i+1])
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		for _, x := range []struct {
			d    Decimal
			text string
		}{{a, texts[i]}, {b, texts[i+1]}} {
			if want, _ := strconv.ParseFloat(x.text, 64); x.d.Float64() != want {
				t.Fatalf("ParseDecimal(%s).Float64() = %v, want strconv's %v", x.text, x.d.Float64(), want)
			}
		}
		sum := a.Add(b).Add(a)
		want := new(big.Rat).Add(a.Rat(), b.Rat())
		want.Add(want, a.Rat())
		if sum.Rat().Cmp(want) != 0 {
			t.Fatalf("%s + %s + %s = %s, want %s", texts[i], texts[i+1], texts[i], sum.Rat().RatString(), want.RatString())
		}
		if f, _ := want.Float64(); sum.Float64() != f {
			t.Fatalf("%s + %s + %s: float %v, want the nearest %v", texts[i], texts[i+1], texts[i], sum.Float64(), f)
		}
		if got, want := sum.String(), ratDecimal(want).String(); sum.s == "" && got != want {
			t.Fatalf("text %q, want %q", got, want)
		}
		if sum.Sign() != want.Sign() {
			t.Fatalf("sign %d, want %d", sum.Sign(), want.Sign())
		}
	}
}

// TestMomentsAccumulate checks that Accumulate equals Add.
func TestMomentsAccumulate(t *testing.T) {
	t.Parallel()
	d := func(s string) Decimal { return MustDecimal(s) }
	a := Moments{Count: 3, Sum: d("1.5"), SumSquares: d("2.25"), PreSum: d("-4"), PreSumProduct: d("1e-3")}
	b := Moments{Count: 4, Sum: d("2.25"), DenSum: d("7"), DenSumSquares: d("49"), SumProduct: d("0.1"), PreSumSquares: d("16"), PreSumProduct: d("2e3")}
	want := a.Add(b)
	got := a
	got.Accumulate(&b)
	if got.Count != want.Count {
		t.Fatalf("count %d, want %d", got.Count, want.Count)
	}
	for i, p := range [][2]Decimal{{got.Sum, want.Sum}, {got.SumSquares, want.SumSquares}, {got.DenSum, want.DenSum},
		{got.DenSumSquares, want.DenSumSquares}, {got.SumProduct, want.SumProduct}, {got.PreSum, want.PreSum},
		{got.PreSumSquares, want.PreSumSquares}, {got.PreSumProduct, want.PreSumProduct}} {
		if p[0].Cmp(p[1]) != 0 || p[0].Float64() != p[1].Float64() {
			t.Errorf("field %d = %s, want %s", i, p[0], p[1])
		}
	}
}

// TestDecimalAccumulate checks accumulate, Accumulate's in-place sum,
// against big.Rat (the exact value and its nearest float64) and against
// Add (the same representation: text, float, fixed value and whether a
// big.Rat is held), after every step: cells of one scale (the integer fast
// path), sums that reach the int64 edge and overflow into big.Rat, either
// sign, sums through exactly 0, differing scales and values beyond fixed.
func TestDecimalAccumulate(t *testing.T) {
	t.Parallel()
	const big18 = "999999999999999999" // the largest 18-digit mantissa
	rng := rand.New(rand.NewPCG(3, 4))
	random := func(sc int, lo, hi int64) []string { // mantissas in [lo, hi)
		var out []string
		for range 200 {
			m := lo + rng.Int64N(hi-lo)
			out = append(out, strconv.FormatInt(m, 10)+"e"+strconv.Itoa(-sc))
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		texts []string
		fixed bool // whether the final sum is still held in machine integers
	}{
		{"one scale", []string{"1.5", "2.5", "-0.5", "10.0", "0.1", "-3.3"}, true},
		{"integers", []string{"7", "0", "-3", "1200"}, true},
		{"negative exponent scale", []string{"5e3", "2e3", "-1e3"}, true},
		{"int64 edge", []string{big18, big18, big18, big18, big18, big18, big18, big18, big18}, true}, // 8.999…e18 < 2^63 − 1
		{"past the int64 edge", []string{big18, big18, big18, big18, big18, big18, big18, big18, big18, big18}, false},
		{"past the negative edge", []string{"-" + big18, "-" + big18, "-" + big18, "-" + big18, "-" + big18, "-" + big18, "-" + big18, "-" + big18, "-" + big18, "-" + big18}, false},
		{"back from big.Rat", []string{big18, big18, big18, big18, big18, big18, big18, big18, big18, big18, "-" + big18, "-" + big18}, false},
		{"through zero", []string{"1.25", "-1.25", "3.00", "-3.00", "0.50"}, true},
		{"a parsed zero", []string{"0", "0", "0.0"}, true},
		{"differing scales", []string{"1.5", "2.25", "3e2", "-7e-3", "0.125"}, true},
		{"beyond fixed", []string{"1234567890123456789012", "1.5", "1.5"}, false},
		{"random, scale 2", random(2, -1e12, 1e12), true},
		{"random, scale -3", random(-3, -1e12, 1e12), true},
		{"random past the edge, scale 2", random(2, 1e17, 1e18), false},
		{"random past the negative edge, scale -3", random(-3, -1e18+1, -1e17), false},
	} {
		var acc, add Decimal
		want := new(big.Rat)
		for i, text := range tc.texts {
			d, err := ParseDecimal(text)
			if err != nil {
				t.Fatal(err)
			}
			acc.accumulate(&d)
			add = add.Add(d)
			want.Add(want, d.Rat())
			if acc.Rat().Cmp(want) != 0 {
				t.Fatalf("%s: step %d: sum %s, want %s", tc.name, i, acc.Rat().RatString(), want.RatString())
			}
			if f, _ := want.Float64(); acc.Float64() != f {
				t.Fatalf("%s: step %d: float %v, want the nearest %v", tc.name, i, acc.Float64(), f)
			}
			if acc.s != add.s || acc.f != add.f || acc.fx != add.fx || (acc.r == nil) != (add.r == nil) || acc.String() != add.String() || acc.zero() != add.zero() {
				t.Fatalf("%s: step %d: accumulate gave %+v, Add %+v", tc.name, i, acc, add)
			}
		}
		if got := acc.fx.ok && acc.r == nil; got != tc.fixed {
			t.Errorf("%s: final sum %s held in machine integers: %v, want %v", tc.name, acc, got, tc.fixed)
		}
	}
}

// TestCmpQuo checks CmpQuo and CmpFrac against big.Rat quotients: fixed
// values of one and of differing scales, zero, values beyond fixed (the
// big.Rat path), products beyond 64 bits and the int64 edges.
func TestCmpQuo(t *testing.T) {
	t.Parallel()
	rat := func(d Decimal, n int64) *big.Rat { return new(big.Rat).Quo(d.Rat(), new(big.Rat).SetInt64(n)) }
	texts := []string{"0", "-0", "1.5", "-1.5", "3", "2.25", "999999999999999999", "-999999999999999999", "1e-18", "5e17",
		"1234567890123456789012", "-7.0", "0.000001", "123456.789", "1e300", "-2.5e-9"}
	users := []int64{1, 2, 3, 7, 1000, 1 << 40, 1<<53 - 1, math.MaxInt64}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 300 {
		texts = append(texts, strconv.FormatInt(rng.Int64N(2e18)-1e18, 10)+"e"+strconv.Itoa(rng.IntN(30)-15))
		users = append(users, 1+rng.Int64N(1e12))
	}
	ds := make([]Decimal, len(texts))
	for i, s := range texts {
		d, err := ParseDecimal(s)
		if err != nil {
			t.Fatal(err)
		}
		ds[i] = d
	}
	ds = append(ds, Decimal{}, ds[2].Add(ds[3]), ds[6].Add(ds[6]).Add(ds[6])) // the zero value, a computed 0, a big.Rat sum
	for i := range ds {
		for j := range 12 {
			a, b := ds[i], ds[(i*7+j)%len(ds)]
			n, m := users[(i+j)%len(users)], users[(i*3+j*5)%len(users)]
			if got, want := CmpQuo(a, n, b, m), rat(a, n).Cmp(rat(b, m)); got != want {
				t.Errorf("CmpQuo(%s, %d, %s, %d) = %d, want %d", a, n, b, m, got, want)
			}
			if got, want := CmpQuo(a, n, a, n), 0; got != want {
				t.Errorf("CmpQuo(%s, %d, itself) = %d, want 0", a, n, got)
			}
		}
	}
	ints := []int64{0, 1, -1, 2, 3, math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1, 1 << 53, -(1 << 62)}
	for range 300 {
		ints = append(ints, rng.Int64()-rng.Int64()/2)
	}
	for i, x := range ints {
		for j := range 10 {
			y := ints[(i*5+j)%len(ints)]
			n, m := users[(i+j)%len(users)], users[(i*3+j)%len(users)]
			want := big.NewRat(x, n).Cmp(big.NewRat(y, m))
			if got := CmpFrac(x, n, y, m); got != want {
				t.Errorf("CmpFrac(%d, %d, %d, %d) = %d, want %d", x, n, y, m, got, want)
			}
		}
	}
}
