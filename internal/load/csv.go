package load

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/experimentos/experimentos/internal/experiment"
)

// table is results.csv split into a header and data rows.
type table struct {
	headerLine int
	header     []string       // trimmed, lower-cased
	cols       map[string]int // header name → 0-based index of its first occurrence
	rows       []row          // data rows, blank rows dropped
}

type row struct {
	line   int // 1-based line where the record starts
	fields []string
}

func (t *table) colName(i int) string {
	if i < len(t.header) {
		return t.header[i]
	}
	return ""
}

func normHeader(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// parseCSV splits results.csv (docs/formats.md#resultscsv): UTF-8 with an
// optional BOM, RFC 4180 quoting, LF or CRLF, blank lines ignored. It
// returns nil when the file cannot be used at all; issues explain why. A
// header named twice is reported and the first occurrence is used.
func (l *loader) parseCSV(file string, b []byte) (*table, []experiment.Issue) {
	var issues []experiment.Issue
	add := func(code string, line, col int, column, format string, args ...any) {
		issues = append(issues, experiment.Issue{
			Severity: experiment.SeverityBlocked, Code: code, Message: fmt.Sprintf(format, args...),
			File: file, Line: line, Column: column, Col: col,
		})
	}
	body := bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if off, what := badByte(body); off >= 0 {
		add(experiment.CodeUnreadable, 1+bytes.Count(body[:off], []byte("\n")), 0, "",
			"is not valid UTF-8 text: %s at byte %d; save the file as UTF-8 CSV", what, off+len(b)-len(body))
		return nil, issues
	}

	next := csvRecords(body)
	if bytes.IndexByte(body, '"') < 0 && bytes.IndexByte(body, '\r') < 0 {
		next = plainRecords(body, l.lim.MaxRows*(l.lim.MaxColumns+1))
	}
	// Room for every line up to the row limit (which stops the loop).
	t := &table{rows: make([]row, 0, min(bytes.Count(body, []byte("\n"))+1, l.lim.MaxRows+1))}
	records := 0
	for {
		rec, line, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				add(experiment.CodeUnreadable, pe.Line, 0, "", "is not valid CSV: %v (line %d, byte column %d); quote fields that hold commas or quotes", pe.Err, pe.Line, pe.Column)
			} else {
				add(experiment.CodeUnreadable, 0, 0, "", "is not valid CSV: %v", err)
			}
			return nil, issues
		}
		records++
		if records > l.lim.MaxRows {
			add(experiment.CodeLimitExceeded, line, 0, "", "has more than %d records (Limits.MaxRows); results.csv holds one row per arm", l.lim.MaxRows)
			return nil, issues
		}
		if len(rec) > l.lim.MaxColumns {
			add(experiment.CodeLimitExceeded, line, l.lim.MaxColumns+1, "", "has %d columns, more than %d (Limits.MaxColumns)", len(rec), l.lim.MaxColumns)
			return nil, issues
		}
		for i, f := range rec {
			if len(f) > l.lim.MaxFieldBytes {
				add(experiment.CodeLimitExceeded, line, i+1, t.colName(i), "field %d is longer than %d bytes (Limits.MaxFieldBytes)", i+1, l.lim.MaxFieldBytes)
				return nil, issues
			}
		}
		if t.header == nil {
			t.headerLine = line
			t.header = make([]string, len(rec))
			t.cols = make(map[string]int, len(rec))
			for i, h := range rec {
				h = normHeader(h)
				t.header[i] = h
				if h == "" {
					continue // unnamed columns are ignored
				}
				if first, dup := t.cols[h]; dup {
					add(experiment.CodeDuplicateColumn, line, i+1, h, "header %s appears twice (columns %d and %d); keep one", quote(h), first+1, i+1)
					continue
				}
				t.cols[h] = i
			}
			continue
		}
		if blank(rec) {
			continue
		}
		t.rows = append(t.rows, row{line: line, fields: rec})
	}
	if t.header == nil {
		add(experiment.CodeUnreadable, 0, 0, "", "is empty; it needs a header such as variant,users,conversions and one row per arm")
		return nil, issues
	}
	if is := separatorIssue(t, file); is != nil {
		return nil, append(issues, *is)
	}
	return t, issues
}

// csvRecords returns a reader of body's records by encoding/csv (RFC 4180
// quoting, LF or CRLF): each record, the line it starts on, and io.EOF
// after the last.
func csvRecords(body []byte) func() ([]string, int, error) {
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = -1
	r.LazyQuotes = false
	return func() ([]string, int, error) {
		rec, err := r.Read()
		if err != nil {
			return nil, 0, err
		}
		line, _ := r.FieldPos(0)
		return rec, line, nil
	}
}

// plainRecords reads a body with no quote and no carriage return, the
// common export, as encoding/csv would (each line split at its commas,
// empty lines skipped, no error possible) but faster: one string per line
// as csv makes, and the records' fields cut from one shared slice
// (docs/performance.md#segments).
// Room for at most maxFields fields is made up front (beyond it, append
// grows the slice as usual).
func plainRecords(body []byte, maxFields int) func() ([]string, int, error) {
	fields := make([]string, 0, min(bytes.Count(body, []byte(","))+bytes.Count(body, []byte("\n"))+1, maxFields))
	pos, line := 0, 0
	return func() ([]string, int, error) {
		for pos < len(body) {
			line++
			end := bytes.IndexByte(body[pos:], '\n')
			if end < 0 {
				end = len(body) - pos
			}
			b := body[pos : pos+end]
			pos += end + 1
			if len(b) == 0 {
				continue // csv skips empty lines
			}
			s := string(b)
			start := len(fields)
			for {
				i := strings.IndexByte(s, ',')
				if i < 0 {
					fields = append(fields, s)
					break
				}
				fields = append(fields, s[:i])
				s = s[i+1:]
			}
			return fields[start:len(fields):len(fields)], line, nil
		}
		return nil, 0, io.EOF
	}
}

// separatorIssue recognizes a file written with another separator than
// the comma (a spreadsheet's ";" export in many locales, or tabs): its
// header has no variant column, but one field, split on ";" or a tab,
// holds variant or users (docs/formats.md#resultscsv).
func separatorIssue(t *table, file string) *experiment.Issue {
	if _, ok := t.cols["variant"]; ok {
		return nil
	}
	for i, h := range t.header {
		for _, sep := range []struct{ s, name string }{{";", "semicolon"}, {"\t", "tab"}} {
			if !strings.Contains(h, sep.s) {
				continue
			}
			for _, part := range strings.Split(h, sep.s) {
				if p := normHeader(part); p == "variant" || p == "users" {
					return &experiment.Issue{
						Severity: experiment.SeverityBlocked, Code: experiment.CodeUnreadable, File: file, Line: t.headerLine, Col: i + 1,
						Message: fmt.Sprintf("the file looks %s-separated (header %s); ExperimentOS reads comma-separated CSV: save it with commas, as in variant,users,conversions", sep.name, quote(h)),
					}
				}
			}
		}
	}
	return nil
}

// blank reports whether every field is empty or spaces (",,," rows that
// spreadsheets leave behind).
func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// badByte returns the offset of the first NUL byte or invalid UTF-8
// sequence in b, or -1.
func badByte(b []byte) (int, string) {
	if utf8.Valid(b) {
		if i := bytes.IndexByte(b, 0); i >= 0 {
			return i, "a NUL byte"
		}
		return -1, ""
	}
	for i := 0; i < len(b); {
		c := b[i]
		if c == 0 {
			return i, "a NUL byte"
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i, fmt.Sprintf("the invalid byte 0x%02x", c)
		}
		i += n
	}
	return -1, ""
}

// maxCount is the largest count accepted: 2^53, above which float64
// arithmetic in the analysis would no longer be exact.
const maxCount = 1 << 53

var (
	notANumber = map[string]bool{"nan": true, "inf": true, "+inf": true, "-inf": true, "infinity": true, "+infinity": true, "-infinity": true}
)

// parseCount parses a count cell: plain digits, or an integral decimal
// such as 1000.0 as exported by spreadsheets. On failure it returns the
// issue code and a message that says how to write the number.
func parseCount(s string) (int64, string, string) {
	s = strings.TrimSpace(s)
	if s != "" && len(s) <= 15 && digits(s) == len(s) { // below 10^15 < 2^53: the common case, without allocating
		var n int64
		for i := 0; i < len(s); i++ {
			n = n*10 + int64(s[i]-'0')
		}
		return n, "", ""
	}
	switch {
	case s == "":
		return 0, experiment.CodeBadValue, "is empty; write a whole number such as 1200 (0 when there were none)"
	case isCount(s):
		digits := strings.TrimLeft(strings.SplitN(s, ".", 2)[0], "0")
		if len(digits) > 16 {
			return 0, experiment.CodeLimitExceeded, fmt.Sprintf("is %s, above %d (2^53), the largest count that is analysed exactly", quote(s), int64(maxCount))
		}
		n, _ := strconv.ParseInt("0"+digits, 10, 64)
		if n > maxCount {
			return 0, experiment.CodeLimitExceeded, fmt.Sprintf("is %s, above %d (2^53), the largest count that is analysed exactly", quote(s), int64(maxCount))
		}
		return n, "", ""
	case strings.HasPrefix(s, "+"):
		return 0, experiment.CodeBadValue, fmt.Sprintf("is %s; write the number without a sign, in plain digits such as 1200", quote(s))
	case strings.HasPrefix(s, "-"):
		return 0, experiment.CodeBadValue, fmt.Sprintf("is %s, a negative number; counts are whole numbers of 0 or more", quote(s))
	case strings.Contains(s, ","):
		return 0, experiment.CodeBadValue, fmt.Sprintf("is %s; remove the thousands separators, e.g. write 1000 rather than 1,000", quote(s))
	case notANumber[strings.ToLower(s)]:
		return 0, experiment.CodeBadValue, fmt.Sprintf("is %s, not a number; write a whole number in plain digits such as 1200", quote(s))
	case strings.ContainsAny(s, "eE"):
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return 0, experiment.CodeBadValue, fmt.Sprintf("is %s in scientific notation; write the number in plain digits, e.g. 1000 rather than 1e3", quote(s))
		}
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "xXpP_") {
		return 0, experiment.CodeBadValue, fmt.Sprintf("is %s, not a whole number; counts are whole numbers of users or events such as 1200", quote(s))
	}
	return 0, experiment.CodeBadValue, fmt.Sprintf("is %s, not a number; write a whole number in plain digits such as 1200", quote(s))
}
