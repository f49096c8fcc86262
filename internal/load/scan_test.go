package load

import (
	"regexp"
	"strconv"
	"testing"
)

// The hand-written checks accept exactly what the regular expressions they
// replace accepted.
func TestScanMatchesRegexps(t *testing.T) {
	t.Parallel()
	checks := []struct {
		name string
		re   *regexp.Regexp
		f    func(string) bool
	}{
		{"isLabel", regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`), isLabel},
		{"isCount", regexp.MustCompile(`^[0-9]+(\.0*)?$`), isCount},
		{"isPlainInt", regexp.MustCompile(`^[-+]?[0-9]+$`), isPlainInt},
		{"isDate", regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`), isDate},
	}
	inputs := []string{"", "a", "A", "0", "-", ".", "_", "a-b", "a.b_c-9", "-a", ".a", "ab!", "é", "a b",
		"12", "12.", "12.0", "12.00", "12.01", ".0", "12.0.0", "+12", "-12", "+", "1e5", " 12", "12 ",
		"2026-01-31", "2026-1-31", "20260131", "2026-01-3x", "02026-01-31", "2026/01/31", "٣٣"}
	for _, c := range checks {
		for _, s := range inputs {
			if got, want := c.f(s), c.re.MatchString(s); got != want {
				t.Errorf("%s(%q) = %v, the expression says %v", c.name, s, got, want)
			}
		}
	}
	line := regexp.MustCompile(`^(?:yaml: )?line (\d+): `)
	for _, s := range []string{"yaml: line 3: did not find expected key", "line 12: x", "yaml: mapping values are not allowed",
		"yaml: line x: y", "yaml: line 3 x", "yaml: line : y", "line 7: "} {
		n, msg, ok := yamlLine(s)
		m := line.FindStringSubmatch(s)
		if ok != (m != nil) || ok && (msg != s[len(m[0]):] || strconv.Itoa(n) != m[1]) {
			t.Errorf("yamlLine(%q) = %d, %q, %v; the expression says %q", s, n, msg, ok, m)
		}
	}
}
