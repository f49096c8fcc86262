package experiment

import (
	"encoding/json"
	"math"
	"math/big"
	"testing"
	"time"
)

func TestParseDecimal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    string // String()
		wantErr bool
	}{
		{"0.05", "0.05", false},
		{"+0.001", "0.001", false},
		{"1e-5", "1e-5", false},
		{".5", ".5", false},
		{"5.", "5.", false},
		{"", "", true},
		{"0x10", "", true},
		{"1,5", "", true},
		{"NaN", "", true},
		{"Inf", "", true},
		{"1e", "", true},
		{"0.1 ", "", true},
		{"-.5e+3", "-.5e+3", false},
		{"1E1234", "1E1234", false},
		{"1e12345", "", true}, // at most four exponent digits
		{".", "", true},
		{"+", "", true},
		{"1.2.3", "", true},
		{"e5", "", true},
		{"1e+", "", true},
		{"--1", "", true},
	}
	for _, tt := range tests {
		d, err := ParseDecimal(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseDecimal(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && d.String() != tt.want {
			t.Errorf("ParseDecimal(%q).String() = %q, want %q", tt.in, d.String(), tt.want)
		}
	}
}

// Comparisons are exact: the float64 nearest 0.05 is slightly above 0.05,
// so p = 0.05 is not below alpha 0.05, and the float just under it is.
func TestDecimalComparesExactly(t *testing.T) {
	t.Parallel()
	alpha := MustDecimal("0.05")
	below := 0.049999999999999996 // the float64 just below 0.05
	tests := []struct {
		x            float64
		below, above bool
	}{
		{0.05, false, true},
		{below, true, false},
		{0.04, true, false},
		{0.06, false, true},
	}
	for _, tt := range tests {
		if got := alpha.FloatBelow(tt.x); got != tt.below {
			t.Errorf("%v below 0.05 = %v, want %v", tt.x, got, tt.below)
		}
		if got := alpha.FloatAbove(tt.x); got != tt.above {
			t.Errorf("%v above 0.05 = %v, want %v", tt.x, got, tt.above)
		}
	}
	// 0.1 + 0.2 is 0.30000000000000004 in float64 arithmetic (variables,
	// not constants, which Go folds exactly): above 0.3 exactly.
	a, b := 0.1, 0.2
	if !MustDecimal("0.3").FloatAbove(a + b) {
		t.Error("0.1+0.2 should be above 0.3")
	}
	var zero Decimal
	if zero.Sign() != 0 || zero.String() != "0" || !zero.FloatAbove(1e-300) || zero.FloatBelow(0) {
		t.Errorf("zero Decimal misbehaves: %v", zero)
	}
}

func TestDecimalJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(struct{ A, B, C Decimal }{MustDecimal("0.05"), MustDecimal("0.00001"), MustDecimal("+.5")})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"A":0.05,"B":1e-05,"C":0.5}`; got != want {
		t.Errorf("JSON = %s, want %s", got, want)
	}
}

func TestIssueLocation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		is   Issue
		want string
	}{
		{Issue{File: "e/results.csv", Line: 3, Col: 2, Column: "users"}, "e/results.csv:3:2 (users)"},
		{Issue{File: "e/experiment.yaml", Line: 4, Column: "thresholds.alpha"}, "e/experiment.yaml:4 (thresholds.alpha)"},
		{Issue{File: "e/results.csv"}, "e/results.csv"},
		{Issue{}, ""},
	}
	for _, tt := range tests {
		if got := tt.is.Location(); got != tt.want {
			t.Errorf("Location() = %q, want %q", got, tt.want)
		}
	}
}

func TestDays(t *testing.T) {
	t.Parallel()
	d := func(s string) time.Time {
		v, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		start, end time.Time
		want       int
	}{
		{d("2026-11-01"), d("2026-11-14"), 14},
		{d("2026-11-01"), d("2026-11-01"), 1},
		{d("2026-11-02"), d("2026-11-01"), 0},
		{time.Time{}, d("2026-11-01"), 0},
		{d("2026-03-28"), d("2026-03-30"), 3},
		{d("0001-01-02"), d("9999-12-31"), 3652058}, // beyond a time.Duration (0001-01-01 is the zero time: unset)
	}
	for _, tt := range tests {
		e := Experiment{Start: tt.start, End: tt.end}
		if got := e.Days(); got != tt.want {
			t.Errorf("Days(%v..%v) = %d, want %d", tt.start, tt.end, got, tt.want)
		}
	}
}

// FloatBelow and FloatAbove take a float shortcut; check them against the
// exact rational comparison on the floats around many decimals.
func TestDecimalShortcutMatchesRationalComparison(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"0.05", "0.001", "0.003", "0.00001", "0.1", "0.3", "0.5", "1", "0", "1e-30", "7e29",
		"0.049999999999999996", "0.05000000000000000277", "123456789.123456789", "-0.05", "2.5e-324", "1e-400"} {
		d := MustDecimal(s)
		f := d.Float64()
		for _, x := range []float64{f, math.Nextafter(f, 1), math.Nextafter(f, -1), math.Nextafter(math.Nextafter(f, 2), 2),
			math.Nextafter(math.Nextafter(f, -2), -2), 0, -0.0, 1, -1} {
			xr := new(big.Rat).SetFloat64(x)
			if got, want := d.FloatBelow(x), xr.Cmp(d.Rat()) < 0; got != want {
				t.Errorf("%g below %s = %v, want %v", x, s, got, want)
			}
			if got, want := d.FloatAbove(x), xr.Cmp(d.Rat()) > 0; got != want {
				t.Errorf("%g above %s = %v, want %v", x, s, got, want)
			}
		}
	}
	// Computed values (sums, quotients) take the same shortcut.
	for _, d := range []Decimal{MustDecimal("0.1").Add(MustDecimal("0.2")), MustDecimal("1").DivInt(3), IntDecimal(7).DivInt(-10)} {
		f := d.Float64()
		for _, x := range []float64{f, math.Nextafter(f, 1), math.Nextafter(f, -1)} {
			xr := new(big.Rat).SetFloat64(x)
			if got, want := d.FloatBelow(x), xr.Cmp(d.Rat()) < 0; got != want {
				t.Errorf("%g below %s = %v, want %v", x, d, got, want)
			}
			if got, want := d.FloatAbove(x), xr.Cmp(d.Rat()) > 0; got != want {
				t.Errorf("%g above %s = %v, want %v", x, d, got, want)
			}
		}
	}
	if got := MustDecimal("0.1").Add(MustDecimal("0.2")).String(); got != "0.3" {
		t.Errorf("0.1 + 0.2 = %s, want 0.3", got)
	}
	for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if MustDecimal("0.05").FloatBelow(x) || MustDecimal("0.05").FloatAbove(x) {
			t.Errorf("%v compared with 0.05", x)
		}
	}
}

// FuzzParseDecimal: whatever ParseDecimal accepts, big.Rat reads to the
// same exact value, and the float it keeps is the one nearest that value
// (strconv and big.Rat round alike).
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"0.05", "-1.5e-3", ".5", "5.", "1e9999", "1e-9999", "2.5e-324", "+0", "123456789012345678901234567890.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDecimal(s)
		if err != nil {
			return
		}
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			t.Fatalf("ParseDecimal(%q) accepted what big.Rat refuses", s)
		}
		if d.Rat().Cmp(r) != 0 || d.Sign() != r.Sign() {
			t.Fatalf("ParseDecimal(%q) = %s, sign %d; want %s", s, d.Rat(), d.Sign(), r)
		}
		if want, _ := r.Float64(); d.Float64() != want && !(math.IsInf(want, 0) && math.IsInf(d.Float64(), 0)) {
			t.Fatalf("ParseDecimal(%q).Float64() = %g, want %g", s, d.Float64(), want)
		}
	})
}
