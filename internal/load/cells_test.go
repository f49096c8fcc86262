package load

import (
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/experimentos/experimentos/internal/experiment"
)

// TestParseCount covers each branch of parseCount, including the edges of
// its digits-only fast path (15 digits) and of the 2^53 limit.
func TestParseCount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		n    int64
		code string
		msg  string
	}{
		{"0", 0, "", ""},
		{" 1200 ", 1200, "", ""},
		{"000123", 123, "", ""},
		{"999999999999999", 999999999999999, "", ""},      // 15 digits: the fast path
		{"9007199254740992", 9007199254740992, "", ""},    // 2^53, 16 digits: the full path
		{"0009007199254740992", 9007199254740992, "", ""}, // leading zeros do not count
		{"1000.00", 1000, "", ""},
		{"9007199254740993", 0, experiment.CodeLimitExceeded, `is "9007199254740993", above 9007199254740992 (2^53), the largest count that is analysed exactly`},
		{"12345678901234567", 0, experiment.CodeLimitExceeded, `is "12345678901234567", above 9007199254740992 (2^53), the largest count that is analysed exactly`},
		{"", 0, experiment.CodeBadValue, "is empty; write a whole number such as 1200 (0 when there were none)"},
		{"+5", 0, experiment.CodeBadValue, `is "+5"; write the number without a sign, in plain digits such as 1200`},
		{"-5", 0, experiment.CodeBadValue, `is "-5", a negative number; counts are whole numbers of 0 or more`},
		{"1,000", 0, experiment.CodeBadValue, `is "1,000"; remove the thousands separators, e.g. write 1000 rather than 1,000`},
		{"NaN", 0, experiment.CodeBadValue, `is "NaN", not a number; write a whole number in plain digits such as 1200`},
		{"1e3", 0, experiment.CodeBadValue, `is "1e3" in scientific notation; write the number in plain digits, e.g. 1000 rather than 1e3`},
		{"12.5", 0, experiment.CodeBadValue, `is "12.5", not a whole number; counts are whole numbers of users or events such as 1200`},
		{"12a", 0, experiment.CodeBadValue, `is "12a", not a number; write a whole number in plain digits such as 1200`},
	} {
		n, code, msg := parseCount(tc.in)
		if n != tc.n || code != tc.code || msg != tc.msg {
			t.Errorf("parseCount(%q) = %d, %q, %q; want %d, %q, %q", tc.in, n, code, msg, tc.n, tc.code, tc.msg)
		}
	}
}

// TestParseSum covers each branch of parseSum: a decimal is parsed before
// the checks that explain why a text is not one, and the messages keep
// their order of precedence.
func TestParseSum(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in      string
		squares bool
		want    string // the decimal as written, when msg is ""
		msg     string
	}{
		{" 251234.50 ", false, "251234.50", ""},
		{"-12.5", false, "-12.5", ""},
		{"1.9102e8", true, "1.9102e8", ""},
		{"+3", false, "3", ""},
		{"", false, "", "is empty; write a decimal such as 251234.50 (0 when there were none)"},
		{"1,234.5", false, "", `is "1,234.5"; remove the thousands separators, e.g. write 1234.5 rather than 1,234.5`},
		{"-Inf", false, "", `is "-Inf", not a finite number; write a decimal such as 251234.50`},
		{"nan", false, "", `is "nan", not a finite number; write a decimal such as 251234.50`},
		{"12x", false, "", `is "12x", not a number; write a decimal such as 251234.50 or 1.9102e8`},
		{"1e400", false, "", `is "1e400", out of range; write a decimal such as 1.9102e8`},
		{"1e-301", false, "", `is "1e-301", out of range; write a decimal such as 1.9102e8`},
		{"9e300", false, "", ""}, // finite: accepted
		{"-1", true, "", `is "-1", but a sum of squares cannot be negative`},
	} {
		d, msg := parseSum(tc.in, tc.squares)
		if msg != tc.msg {
			t.Errorf("parseSum(%q) message %q; want %q", tc.in, msg, tc.msg)
			continue
		}
		if tc.msg == "" && tc.want != "" && d.String() != tc.want {
			t.Errorf("parseSum(%q) = %s; want %s", tc.in, d, tc.want)
		}
	}
}

// TestPlainRecords checks the quote-free reader against encoding/csv's
// (csvRecords) on texts without quotes or carriage returns: the same
// records and the same start lines, including empty lines, empty and
// space-only fields, trailing commas, a last line without a newline and
// non-ASCII text.
func TestPlainRecords(t *testing.T) {
	t.Parallel()
	texts := []string{
		"", "\n", "\n\n\n", "a", "a\n", "variant,users\ncontrol,10\n", "a,b\n\nc,d\n\n", ",\n,,\n", " , \n  \n",
		"x,y,\n,\n", "é,ü\n日本,語", "a,b\nc", "\na,b\n\n\nc,d,e,f\n",
	}
	rng := rand.New(rand.NewPCG(7, 8))
	alphabet := []byte("ab ,\n\n,1.5e3é")
	for range 500 {
		var b []byte
		for range rng.IntN(60) {
			b = append(b, alphabet[rng.IntN(len(alphabet))])
		}
		texts = append(texts, strings.ToValidUTF8(string(b), "?"))
	}
	for _, text := range texts {
		samePlainRecords(t, text)
	}
}

// FuzzPlainRecords compares the two readers on any text plainRecords would
// be given: valid UTF-8 without quotes or carriage returns.
func FuzzPlainRecords(f *testing.F) {
	for _, s := range []string{"variant,users\ncontrol,10\n", "a,,b\n\n,\n", "é, x \ny"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) || strings.ContainsAny(text, "\"\r\x00") {
			return
		}
		samePlainRecords(t, text)
	})
}

// samePlainRecords fails unless plainRecords reads text as csvRecords does.
func samePlainRecords(t *testing.T, text string) {
	t.Helper()
	want, got := csvRecords([]byte(text)), plainRecords([]byte(text), 3)
	for k := 0; ; k++ {
		wr, wl, werr := want()
		gr, gl, gerr := got()
		if werr != nil && !errors.Is(werr, io.EOF) {
			t.Fatalf("%q: csv error %v", text, werr)
		}
		if !slices.Equal(gr, wr) || gl != wl || (gerr == nil) != (werr == nil) {
			t.Fatalf("%q: record %d = %q at line %d (%v), want %q at line %d (%v)", text, k, gr, gl, gerr, wr, wl, werr)
		}
		if werr != nil {
			return
		}
	}
}
