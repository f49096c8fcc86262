package load

import "strings"

// Small lexical checks, written out rather than as regular expressions:
// they run on every cell and name, and compiling expressions at start-up
// costs every run (docs/performance.md#start-up).

// isLabel reports whether s is a lower-case label, [a-z0-9][a-z0-9._-]*:
// an id segment, an arm label or a segment column
// (docs/formats.md#the-experiments-folder).
func isLabel(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return s != ""
}

// digits returns the length of the run of ASCII digits at the start of s.
func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// isCount reports whether s is digits, optionally followed by a point and
// zeros only ("1000", "1000.", "1000.00").
func isCount(s string) bool {
	n := digits(s)
	if n == 0 {
		return false
	}
	rest := s[n:]
	if rest == "" {
		return true
	}
	return rest[0] == '.' && strings.Trim(rest[1:], "0") == ""
}

// isPlainInt reports whether s is an optionally signed run of digits.
func isPlainInt(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	return s != "" && digits(s) == len(s)
}

// isDate reports whether s has the shape YYYY-MM-DD.
func isDate(s string) bool {
	return len(s) == 10 && digits(s) == 4 && s[4] == '-' && digits(s[5:]) == 2 && s[7] == '-' && digits(s[8:]) == 2
}

// yamlLine splits yaml.v3's "yaml: line N: message" into N and the
// message; ok is false when the error names no line.
func yamlLine(err string) (line int, msg string, ok bool) {
	rest := strings.TrimPrefix(strings.TrimPrefix(err, "yaml: "), "line ")
	if len(rest) == len(strings.TrimPrefix(err, "yaml: ")) {
		return 0, "", false // no "line "
	}
	n := digits(rest)
	if n == 0 || n > 9 || !strings.HasPrefix(rest[n:], ": ") {
		return 0, "", false
	}
	for _, c := range rest[:n] {
		line = line*10 + int(c-'0')
	}
	return line, rest[n+2:], true
}
