package load

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/experimentos/experimentos/internal/experiment"
)

// pos is where a setting was written: file, line, column and key path.
// The zero pos means "not set" (a default applies).
type pos struct {
	file      string
	line, col int
	key       string
}

func (p pos) set() bool { return p.file != "" }

// ydoc walks one YAML file's node tree, recording issues with their
// location. Decoding into structs is avoided on purpose: walking the nodes
// keeps a line and column for every finding.
type ydoc struct {
	file   string // display path
	lim    Limits
	issues []experiment.Issue
	name   string // name: of a document refused by a limit, for the report
}

// plainName returns a short top-level "name:" scalar of doc, without
// expanding anything.
func plainName(doc *yaml.Node) string {
	if len(doc.Content) == 0 {
		return ""
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Value == "name" && v.Kind == yaml.ScalarNode && len(v.Value) <= 256 {
			return v.Value
		}
	}
	return ""
}

func (y *ydoc) at(n *yaml.Node, key string) pos {
	return pos{file: y.file, line: n.Line, col: n.Column, key: key}
}

func (y *ydoc) add(code string, n *yaml.Node, key, format string, args ...any) {
	is := experiment.Issue{
		Severity: experiment.SeverityBlocked,
		Code:     code,
		Message:  fmt.Sprintf(format, args...),
		File:     y.file,
		Column:   key,
	}
	if n != nil {
		is.Line, is.Col = n.Line, n.Column
	}
	y.issues = append(y.issues, is)
}

// parse parses b into its top-level mapping. It returns nil for an empty
// document and when the file cannot be used (an issue says why).
func (y *ydoc) parse(b []byte) (root *yaml.Node, ok bool) {
	defer func() {
		if r := recover(); r != nil { // yaml.v3 must not take the tool down
			y.add(experiment.CodeUnreadable, nil, "", "is not valid YAML (the parser failed: %v)", r)
			root, ok = nil, false
		}
	}()
	var doc yaml.Node
	if !mayHoldDocuments(b) {
		// One document: most are in the subset parseBlockYAML reads, and
		// the rest parse from the bytes, which skips the Decoder's reader
		// buffers, a quarter of the parser's allocations
		// (docs/performance.md).
		if fast, ok := parseBlockYAML(b); ok {
			return y.root(fast)
		}
		if err := yaml.Unmarshal(b, &doc); err != nil {
			y.syntaxError(err)
			y.tabHint(b)
			return nil, false
		}
		return y.root(&doc)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, true
		}
		y.syntaxError(err)
		y.tabHint(b)
		return nil, false
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		y.add(experiment.CodeBadConfig, &extra, "", "holds more than one YAML document; remove the second \"---\"")
		return nil, false
	} else if !errors.Is(err, io.EOF) {
		y.syntaxError(err)
		return nil, false
	}
	return y.root(&doc)
}

// mayHoldDocuments reports whether b may hold a document marker ("---" or
// "..." at the start of a line), so that only such files pay for the
// Decoder that finds a second document.
func mayHoldDocuments(b []byte) bool {
	return bytes.HasPrefix(b, []byte("---")) || bytes.HasPrefix(b, []byte("...")) ||
		bytes.Contains(b, []byte("\n---")) || bytes.Contains(b, []byte("\n..."))
}

// root checks the parsed document's limits and returns its top mapping
// (nil for an empty document).
func (y *ydoc) root(doc *yaml.Node) (*yaml.Node, bool) {
	if !y.withinLimits(doc) {
		y.name = plainName(doc)
		return nil, false
	}
	if len(doc.Content) == 0 {
		return nil, true
	}
	top := deref(doc.Content[0])
	if isNull(top) {
		return nil, true
	}
	if top.Kind != yaml.MappingNode {
		y.add(experiment.CodeBadConfig, top, "", "must be a mapping of keys such as \"name: Home banner\", not %s", kindName(top))
		return nil, false
	}
	return top, true
}

// parserError reports whether msg is one of yaml.v3's parser errors (as
// opposed to its scanner errors), from parserc.go.
func parserError(msg string) bool {
	for _, p := range []string{"did not find expected", "found undefined tag handle", "found duplicate %", "found incompatible YAML document"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

func (y *ydoc) syntaxError(err error) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if n, rest, ok := yamlLine(err.Error()); ok {
		line, msg = n, rest
	}
	if parserError(msg) {
		// yaml.v3 reports a parser (not scanner) error's line 0-based and
		// omits it on the first line.
		line++
	}
	y.issues = append(y.issues, experiment.Issue{
		Severity: experiment.SeverityBlocked,
		Code:     experiment.CodeUnreadable,
		Message:  "is not valid YAML: " + msg,
		File:     y.file,
		Line:     line,
	})
}

// tabHint rewrites the syntax error just recorded when a line at (or just
// after: yaml.v3 may name the line before) the error's line is indented
// with a tab, which YAML forbids: the issue then names that line and the
// tab's column and says what to do.
func (y *ydoc) tabHint(b []byte) {
	is := &y.issues[len(y.issues)-1]
	errLine := max(is.Line, 1)
	line := 1
	for len(b) > 0 && line <= errLine+1 {
		end := bytes.IndexByte(b, '\n')
		if end < 0 {
			end = len(b)
		}
		indent := b[:end]
		if i := bytes.IndexFunc(indent, func(r rune) bool { return r != ' ' && r != '\t' }); i >= 0 {
			indent = indent[:i]
		}
		if t := bytes.IndexByte(indent, '\t'); t >= 0 && line >= errLine {
			is.Line, is.Col = line, t+1
			is.Message = fmt.Sprintf("is not valid YAML: line %d is indented with a tab (column %d); YAML indents with spaces only: replace the tab with spaces", line, t+1)
			return
		}
		b = b[min(end+1, len(b)):]
		line++
	}
}

// withinLimits visits every node, expanding aliases, and refuses the
// document once MaxYAMLNodes nodes were visited or collections nest deeper
// than MaxYAMLDepth. The budget makes a "billion laughs" document, or an
// alias that refers to itself, fail after a bounded number of steps.
func (y *ydoc) withinLimits(doc *yaml.Node) bool {
	budget := y.lim.MaxYAMLNodes
	var keys []pathElem  // key path of the node being visited, built into text only for an issue
	var alias *yaml.Node // the outermost alias being expanded, if any
	var aliasKeys int    // len(keys) where it was met
	// where reports a node as written: inside an alias expansion, the
	// alias that led there.
	where := func(n *yaml.Node) (*yaml.Node, string) {
		if alias != nil {
			return alias, keyPath(keys[:aliasKeys])
		}
		return n, keyPath(keys)
	}
	var visit func(n *yaml.Node, depth int) bool
	visit = func(n *yaml.Node, depth int) bool {
		budget--
		if budget < 0 {
			at, kp := where(n)
			y.add(experiment.CodeLimitExceeded, at, kp, "has more than %d YAML nodes, counting each use of an alias (Limits.MaxYAMLNodes)", y.lim.MaxYAMLNodes)
			return false
		}
		switch n.Kind {
		case yaml.AliasNode:
			if n.Alias == nil {
				return true
			}
			if alias != nil {
				return visit(n.Alias, depth)
			}
			alias, aliasKeys = n, len(keys)
			ok := visit(n.Alias, depth)
			if ok {
				alias = nil
			}
			return ok
		case yaml.MappingNode, yaml.SequenceNode:
			depth++
			if depth > y.lim.MaxYAMLDepth {
				at, kp := where(n)
				y.add(experiment.CodeLimitExceeded, at, kp, "nests deeper than %d levels (Limits.MaxYAMLDepth)", y.lim.MaxYAMLDepth)
				return false
			}
		}
		for i, c := range n.Content {
			switch n.Kind {
			case yaml.MappingNode:
				if i%2 == 1 {
					keys = append(keys, pathElem{key: n.Content[i-1].Value, index: -1})
				}
			case yaml.SequenceNode:
				keys = append(keys, pathElem{index: i})
			}
			ok := visit(c, depth)
			if n.Kind == yaml.SequenceNode || n.Kind == yaml.MappingNode && i%2 == 1 {
				keys = keys[:len(keys)-1]
			}
			if !ok {
				return false
			}
		}
		return true
	}
	return visit(doc, 0)
}

// pathElem is one step of a key path: a mapping key, or a list index
// (index ≥ 0).
type pathElem struct {
	key   string
	index int
}

func keyPath(elems []pathElem) string {
	var b strings.Builder
	for _, e := range elems {
		if e.index >= 0 {
			b.WriteString("[" + strconv.Itoa(e.index) + "]")
		} else {
			b.WriteString("." + e.key)
		}
	}
	s := strings.TrimPrefix(b.String(), ".")
	if len(s) > 256 {
		s = s[:256] + "…"
	}
	return s
}

// deref follows aliases to the node they name. withinLimits has already
// bounded the expansion; the hop limit only guards against a cycle.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "empty"
		case "!!int", "!!float":
			return "the number " + quote(n.Value)
		case "!!bool":
			return "the boolean " + n.Value
		}
		return "the text " + quote(n.Value)
	}
	return "empty"
}

func join(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// fields walks the mapping n (key path kp), calling fn for each key of
// known. Unknown keys (with a "did you mean" hint), duplicate keys, merge
// keys and non-text keys are bad_config. A null n is an empty mapping.
func (y *ydoc) fields(n, at *yaml.Node, kp string, known []string, elsewhere map[string]string, fn func(name string, key, val *yaml.Node, kp string)) {
	n = deref(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		y.add(experiment.CodeBadConfig, at, kp, "%s must be a mapping (key: value lines), not %s", kp, kindName(n))
		return
	}
	seen := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], deref(n.Content[i+1])
		if key.Kind != yaml.ScalarNode {
			y.add(experiment.CodeBadConfig, key, kp, "a key must be a plain name, not %s", kindName(key))
			continue
		}
		if key.Tag == "!!merge" {
			y.add(experiment.CodeBadConfig, key, join(kp, key.Value), "merge keys (<<) are not supported; write the keys out")
			continue
		}
		name := key.Value
		p := join(kp, name)
		if first, dup := seen[name]; dup {
			y.add(experiment.CodeBadConfig, key, p, "key %s appears twice (first on line %d); keep one", quote(name), first.Line)
			continue
		}
		seen[name] = key
		if !slices.Contains(known, name) {
			hint := ""
			if s, ok := elsewhere[name]; ok {
				hint = "; " + s
			} else if s := suggest(name, known); s != "" {
				hint = "; did you mean " + s + "?"
			}
			y.add(experiment.CodeBadConfig, key, p, "unknown key %s%s (known here: %s)", quote(name), hint, strings.Join(known, ", "))
			continue
		}
		fn(name, key, val, p)
	}
}

// text returns a scalar as text; false when it is null or wrong.
func (y *ydoc) text(v, at *yaml.Node, kp string) (string, bool) {
	if isNull(v) {
		return "", false
	}
	if v.Kind != yaml.ScalarNode {
		y.add(experiment.CodeBadConfig, at, kp, "%s must be text, not %s", kp, kindName(v))
		return "", false
	}
	if len(v.Value) > y.lim.MaxTextBytes {
		y.add(experiment.CodeLimitExceeded, at, kp, "%s is longer than %d bytes (Limits.MaxTextBytes)", kp, y.lim.MaxTextBytes)
		return "", false
	}
	return v.Value, true
}

// enum returns a scalar that must be one of allowed.
func (y *ydoc) enum(v, at *yaml.Node, kp string, allowed ...string) (string, bool) {
	s, ok := y.text(v, at, kp)
	if !ok {
		if isNull(v) {
			y.add(experiment.CodeBadConfig, at, kp, "%s is empty; write one of %s", kp, strings.Join(allowed, ", "))
		}
		return "", false
	}
	if slices.Contains(allowed, s) {
		return s, true
	}
	hint := ""
	if m := suggest(s, allowed); m != "" {
		hint = " (did you mean " + m + "?)"
	}
	y.add(experiment.CodeBadConfig, at, kp, "%s must be one of %s, not %s%s", kp, strings.Join(allowed, ", "), quote(s), hint)
	return "", false
}

// number checks that v is an unquoted YAML number.
func (y *ydoc) number(v, at *yaml.Node, kp, example string) bool {
	if isNull(v) {
		y.add(experiment.CodeBadConfig, at, kp, "%s is empty; write a number such as %s", kp, example)
		return false
	}
	if v.Kind != yaml.ScalarNode || v.Tag != "!!int" && v.Tag != "!!float" {
		if quotedNumber(v) {
			y.add(experiment.CodeBadConfig, at, kp, "%s is the text %s in quotes, not a number: remove the quotes, as in %s: %s", kp, quote(v.Value), kp[strings.LastIndex(kp, ".")+1:], v.Value)
			return false
		}
		y.add(experiment.CodeBadConfig, at, kp, "%s must be a number such as %s, not %s", kp, example, kindName(v))
		return false
	}
	return true
}

// quotedNumber reports whether v is a quoted scalar ("0.05", '100') whose
// text is a number: what a user meant as one.
func quotedNumber(v *yaml.Node) bool {
	if v.Kind != yaml.ScalarNode || v.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 {
		return false
	}
	_, err := experiment.ParseDecimal(strings.TrimSpace(v.Value))
	return err == nil
}

// decimal returns a number exactly as written.
func (y *ydoc) decimal(v, at *yaml.Node, kp, example string) (experiment.Decimal, bool) {
	if !y.number(v, at, kp, example) {
		return experiment.Decimal{}, false
	}
	s := v.Value
	if len(s) > maxDecimalLen {
		y.add(experiment.CodeBadConfig, at, kp, "%s = %s is longer than %d characters; write it with fewer digits, or in exponent form such as 1e-70", kp, quote(s), maxDecimalLen)
		return experiment.Decimal{}, false
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		// An exponent beyond ±1000 puts any mantissa of 64 characters or
		// fewer outside the range below; refuse it before math/big builds
		// a huge number.
		if e, err := strconv.Atoi(s[i+1:]); err != nil || e > 1000 || e < -1000 {
			y.add(experiment.CodeBadConfig, at, kp, "%s = %s is out of range: a number's size must lie between %s and %s", kp, quote(s), decMinMag, decMaxMag)
			return experiment.Decimal{}, false
		}
	}
	d, err := experiment.ParseDecimal(s)
	if err != nil {
		y.add(experiment.CodeBadConfig, at, kp, "%s must be a decimal number such as %s, not %s", kp, example, quote(s))
		return experiment.Decimal{}, false
	}
	if !inRange(d) {
		y.add(experiment.CodeBadConfig, at, kp, "%s = %s is out of range: a number's size must lie between %s and %s", kp, quote(s), decMinMag, decMaxMag)
		return experiment.Decimal{}, false
	}
	return d, true
}

// Numbers in YAML are taken exactly, in plain or exponent form (0.00001
// and 1e-5 are the same value), when 0 or of a size between 1e-300 and
// 1e300: the same rule for every setting and every way of writing a value,
// and the bounds keep the nearest float64 finite and non-zero
// (docs/formats.md#numbers). Each setting then checks its own range.
var (
	maxDecimalLen = 64 // experiment.ParseDecimal's bound
	decMinMag     = experiment.MustDecimal("1e-300")
	decMaxMag     = experiment.MustDecimal("1e300")
)

func inRange(d experiment.Decimal) bool {
	if f := math.Abs(d.Float64()); d.Sign() == 0 || f >= 1e-299 && f <= 1e299 {
		return true // well inside the bounds: no exact comparison needed
	}
	a := d.Rat()
	a.Abs(a)
	return a.Cmp(decMinMag.Rat()) >= 0 && a.Cmp(decMaxMag.Rat()) <= 0
}

// integer returns a whole number written in plain digits.
func (y *ydoc) integer(v, at *yaml.Node, kp, example string) (int64, bool) {
	if !y.number(v, at, kp, example) {
		return 0, false
	}
	if !isPlainInt(v.Value) {
		y.add(experiment.CodeBadConfig, at, kp, "%s must be a whole number in plain digits such as %s, not %s", kp, example, quote(v.Value))
		return 0, false
	}
	n, err := strconv.ParseInt(v.Value, 10, 64)
	if err != nil {
		y.add(experiment.CodeBadConfig, at, kp, "%s = %s is out of range", kp, quote(v.Value))
		return 0, false
	}
	return n, true
}

// date returns a YYYY-MM-DD date.
func (y *ydoc) date(v, at *yaml.Node, kp string) (time.Time, bool) {
	if isNull(v) {
		return time.Time{}, false
	}
	if v.Kind == yaml.ScalarNode && isDate(v.Value) {
		if t, err := time.Parse(time.DateOnly, v.Value); err == nil {
			return t, true
		}
	}
	y.add(experiment.CodeBadConfig, at, kp, "%s must be a date written YYYY-MM-DD, such as 2026-11-01, not %s", kp, kindName(v))
	return time.Time{}, false
}

// suggest returns the candidate nearest to s by edit distance when it is
// near enough to be a likely typo, else "".
func suggest(s string, candidates []string) string {
	if len(s) > 64 {
		return ""
	}
	ls := strings.ToLower(s)
	best, bestD := "", 1<<30
	for _, c := range candidates {
		if d := editDistance(ls, c); d < bestD {
			best, bestD = c, d
		}
	}
	if bestD <= 2 && bestD < len(s) || bestD <= len(s)/3 {
		return best
	}
	return ""
}

// editDistance is the optimal string alignment distance (Levenshtein with
// transpositions) between a and b, by bytes.
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
