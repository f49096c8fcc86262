package load

import (
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Experiment files are small block mappings of plain keys, with scalars,
// one-line flow collections and lists of mappings; yaml.v3 spends about
// 40 µs and 22 KB on each, more than half of a 10,000-experiment run's
// loading (docs/performance.md#version-2-engine). parseBlockYAML reads
// that subset directly into the node tree yaml.v3 would build: the same
// kinds, tags, styles, values, lines and columns (comments are not kept:
// nothing reads them). Anything outside the subset (anchors, aliases,
// tags, block scalars, multi-line or escaped scalars, complex keys, tabs,
// CRs, document markers, characters YAML treats specially) makes it give
// up, and yaml.v3 parses the file as before, errors included. Giving up is
// always safe; accepting must never differ from yaml.v3, which
// FuzzParseBlockYAML and TestParseBlockYAMLMatchesYAMLv3 check.

// maxBlockNesting bounds the collections nested in the subset; deeper
// documents go to yaml.v3, whose own limits then apply.
const maxBlockNesting = 16

// blockLine is a line that holds something: not blank, not only a comment.
type blockLine struct {
	num    int    // 1-based line number
	indent int    // leading spaces
	s      string // the whole line, without its newline
}

// blockParser walks the significant lines of one document.
type blockParser struct {
	lines []blockLine
	next  int  // index of the line not yet consumed
	bad   bool // the document left the subset
	slab  []yaml.Node
}

// parseBlockYAML returns the document node yaml.v3 would parse from b, or
// false when b is outside the subset it reads.
func parseBlockYAML(b []byte) (*yaml.Node, bool) {
	if !blockText(b) {
		return nil, false
	}
	p := &blockParser{lines: blockLines(string(b))}
	if len(p.lines) == 0 || p.lines[0].indent != 0 {
		return nil, false
	}
	root := p.block(0, 0)
	if p.bad || p.next != len(p.lines) {
		return nil, false
	}
	return &yaml.Node{Kind: yaml.DocumentNode, Line: root.Line, Column: root.Column, Content: []*yaml.Node{root}}, true
}

// blockText reports whether b is text the subset can hold: printable
// UTF-8 as YAML defines it (no tabs, CRs, BOM or the NEL, LS and PS line
// breaks of YAML 1.1).
func blockText(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\n') || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && size == 1,
			r < 0xa0, r == 0x2028, r == 0x2029, r == 0xfeff,
			r > 0xd7ff && r < 0xe000, r == 0xfffe, r == 0xffff:
			return false
		}
		i += size
	}
	return true
}

// blockLines splits s into its significant lines.
func blockLines(s string) []blockLine {
	out := make([]blockLine, 0, strings.Count(s, "\n")+1)
	for num := 1; len(s) > 0; num++ {
		line := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			line, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		indent := 0
		for indent < len(line) && line[indent] == ' ' {
			indent++
		}
		if indent == len(line) || line[indent] == '#' {
			continue
		}
		out = append(out, blockLine{num: num, indent: indent, s: line})
	}
	return out
}

// fail marks the document as outside the subset.
func (p *blockParser) fail() *yaml.Node {
	p.bad = true
	return &yaml.Node{}
}

// column is the 1-based column of byte offset off of line l, counted in
// characters as yaml.v3 counts them.
func column(l blockLine, off int) int {
	return utf8.RuneCountInString(l.s[:off]) + 1
}

// block parses the mapping or list that starts on the next line at its
// indentation.
func (p *blockParser) block(depth, indent int) *yaml.Node {
	if depth >= maxBlockNesting {
		return p.fail()
	}
	l := p.lines[p.next]
	if isEntry(l.s[indent:]) {
		return p.sequence(depth, indent)
	}
	if keyEnd(l.s, indent) < 0 {
		return p.fail()
	}
	return p.mapping(depth, indent)
}

// isEntry reports whether s starts a list entry ("- ").
func isEntry(s string) bool { return strings.HasPrefix(s, "- ") }

// keyEnd returns the offset of the ':' that ends a plain key starting at
// off in s (a letter, digit or '_', then those and '.' and '-'), when the
// colon is followed by a space or the end of the line; else −1.
func keyEnd(s string, off int) int {
	i := off
	for i < len(s) && i-off <= 128 {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
		case (c == '.' || c == '-') && i > off:
		case c == ':' && i > off && (i+1 == len(s) || s[i+1] == ' '):
			return i
		default:
			return -1
		}
		i++
	}
	return -1
}

// scalar is a scalar node as yaml.v3 makes it: quoted scalars are !!str,
// plain ones take the tag their text resolves to.
func (p *blockParser) scalar(value string, style yaml.Style, line, col int) *yaml.Node {
	n := p.node()
	*n = yaml.Node{Kind: yaml.ScalarNode, Value: value, Style: style, Line: line, Column: col}
	if style == 0 {
		n.Tag = plainTag(value, n)
	} else {
		n.Tag = "!!str"
	}
	return n
}

// plainTag is the tag yaml.v3 resolves a plain scalar's text to. Text that
// starts with a letter resolves to !!str unless it is one of YAML 1.2's
// booleans or nulls (yaml.v3's resolve table); the rest (numbers, dates,
// .inf, ~) is left to yaml.v3's own resolution of n, whose tag is unset.
func plainTag(value string, n *yaml.Node) string {
	if c := value[0]; c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
		switch value {
		case "true", "True", "TRUE", "false", "False", "FALSE":
			return "!!bool"
		case "null", "Null", "NULL":
			return "!!null"
		}
		return "!!str"
	}
	if value == "<<" { // yaml.v3's parser tags a plain << as a merge key wherever it is
		return "!!merge"
	}
	return n.ShortTag()
}

// node returns a zero node from the parser's slab: one allocation for the
// nodes of a small document instead of one per node.
func (p *blockParser) node() *yaml.Node {
	if len(p.slab) == cap(p.slab) {
		p.slab = make([]yaml.Node, 0, 32)
	}
	p.slab = p.slab[:len(p.slab)+1]
	return &p.slab[len(p.slab)-1]
}

// mapping parses a block mapping whose keys sit at column indent; its
// first key is on the next line (after "- " for a list entry's mapping).
func (p *blockParser) mapping(depth, indent int) *yaml.Node {
	first := p.lines[p.next]
	n := p.node()
	*n = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: first.num, Column: column(first, indent)}
	for !p.bad {
		l := p.lines[p.next]
		colon := keyEnd(l.s, indent)
		if colon < 0 {
			return p.fail()
		}
		n.Content = append(n.Content, p.scalar(l.s[indent:colon], 0, l.num, column(l, indent)))
		p.next++
		v := skipSpaces(l.s, colon+1)
		var value *yaml.Node
		switch {
		case v == len(l.s) || (l.s[v] == '#' && v > colon+1):
			value = p.nested(depth, indent, l, colon+1)
		default:
			value = p.inline(depth, l, v)
			if !p.bad && p.next < len(p.lines) && p.lines[p.next].indent > indent {
				return p.fail() // a continuation line, or a syntax error
			}
		}
		n.Content = append(n.Content, value)
		if p.next == len(p.lines) || p.lines[p.next].indent < indent {
			return n
		}
		if p.lines[p.next].indent > indent {
			return p.fail()
		}
	}
	return n
}

// nested parses the value of a key that ends its line: a block collection
// on the lines below (a list may sit at the key's own indentation), or
// null, which yaml.v3 places just after the colon.
func (p *blockParser) nested(depth, indent int, l blockLine, afterColon int) *yaml.Node {
	if p.next < len(p.lines) {
		nl := p.lines[p.next]
		switch {
		case nl.indent > indent:
			return p.block(depth+1, nl.indent)
		case nl.indent == indent && isEntry(nl.s[indent:]):
			return p.sequence(depth+1, indent)
		}
	}
	n := p.node()
	*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: l.num, Column: column(l, afterColon)}
	return n
}

// sequence parses a block list whose dashes sit at column indent.
func (p *blockParser) sequence(depth, indent int) *yaml.Node {
	if depth >= maxBlockNesting {
		return p.fail()
	}
	first := p.lines[p.next]
	n := p.node()
	*n = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: first.num, Column: column(first, indent)}
	for !p.bad {
		l := p.lines[p.next]
		v := skipSpaces(l.s, indent+1)
		switch {
		case v == len(l.s) || l.s[v] == '#' || isEntry(l.s[v:]) || l.s[v:] == "-":
			return p.fail() // an empty entry or a list in a list
		case keyEnd(l.s, v) >= 0:
			// A mapping that starts on the entry's line: its keys sit
			// where the first one does, so the line is re-read from there.
			n.Content = append(n.Content, p.mapping(depth+1, v))
		default:
			n.Content = append(n.Content, p.inline(depth, l, v))
			p.next++
			if !p.bad && p.next < len(p.lines) && p.lines[p.next].indent > indent {
				return p.fail()
			}
		}
		if p.bad || p.next == len(p.lines) {
			return n
		}
		nl := p.lines[p.next]
		switch {
		case nl.indent > indent:
			return p.fail()
		case nl.indent < indent || !isEntry(nl.s[indent:]):
			return n
		}
	}
	return n
}

func skipSpaces(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

// inline parses the value that starts at offset v of line l and must end
// the line (a comment may follow after a space).
func (p *blockParser) inline(depth int, l blockLine, v int) *yaml.Node {
	n, end := p.value(depth, l, v, false)
	if p.bad {
		return n
	}
	rest := skipSpaces(l.s, end)
	if rest < len(l.s) && (l.s[rest] != '#' || l.s[rest-1] != ' ') {
		return p.fail()
	}
	return n
}

// value parses the flow collection, quoted scalar or plain scalar that
// starts at offset v of line l, in block context or (flow) inside a flow
// collection, and returns it with the offset after it. A plain scalar ends
// at a comment; in flow context also at any of ",[]{}:?" (libyaml's flow
// indicators); in block context ": " inside it is a mapping, outside the
// subset.
func (p *blockParser) value(depth int, l blockLine, v int, flow bool) (*yaml.Node, int) {
	switch l.s[v] {
	case '{', '[':
		return p.flow(depth+1, l, v)
	case '"', '\'':
		return p.quoted(l, v)
	}
	if !plainStart(l.s, v) {
		return p.fail(), 0
	}
	end := v
	for end < len(l.s) && !(l.s[end] == '#' && l.s[end-1] == ' ') {
		c := l.s[end]
		if flow && strings.IndexByte(",[]{}:?", c) >= 0 {
			break
		}
		if !flow && c == ':' && (end+1 == len(l.s) || l.s[end+1] == ' ') {
			return p.fail(), 0 // a mapping where a scalar was expected
		}
		end++
	}
	return p.scalar(strings.TrimRight(l.s[v:end], " "), 0, l.num, column(l, v)), end
}

// plainStart reports whether a plain scalar may start at offset v of s:
// not with a YAML indicator, except a '-' before a digit or a point (a
// negative number).
func plainStart(s string, v int) bool {
	switch s[v] {
	case '-':
		return v+1 < len(s) && (s[v+1] >= '0' && s[v+1] <= '9' || s[v+1] == '.')
	case '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', ' ':
		return false
	}
	return true
}

// quoted parses a one-line quoted scalar at offset v of l without escapes
// (a doubled quote inside single quotes is one quote) and returns it with
// the offset after its closing quote.
func (p *blockParser) quoted(l blockLine, v int) (*yaml.Node, int) {
	q := l.s[v]
	var b strings.Builder
	for i := v + 1; i < len(l.s); i++ {
		switch c := l.s[i]; {
		case c == '\\' && q == '"':
			return p.fail(), 0
		case c == q && q == '\'' && i+1 < len(l.s) && l.s[i+1] == '\'':
			b.WriteByte('\'')
			i++
		case c == q:
			style := yaml.DoubleQuotedStyle
			if q == '\'' {
				style = yaml.SingleQuotedStyle
			}
			return p.scalar(b.String(), style, l.num, column(l, v)), i + 1
		default:
			b.WriteByte(c)
		}
	}
	return p.fail(), 0 // the scalar goes on to the next line
}

// flow parses a flow mapping or list that opens at offset v of l and
// closes on the same line, and returns it with the offset after it.
func (p *blockParser) flow(depth int, l blockLine, v int) (*yaml.Node, int) {
	if depth >= maxBlockNesting {
		return p.fail(), 0
	}
	n := p.node()
	*n = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle, Line: l.num, Column: column(l, v)}
	closing := byte(']')
	if l.s[v] == '{' {
		n.Kind, n.Tag, closing = yaml.MappingNode, "!!map", '}'
	}
	i := skipSpaces(l.s, v+1)
	if i < len(l.s) && l.s[i] == closing {
		return n, i + 1
	}
	for i < len(l.s) {
		if n.Kind == yaml.MappingNode {
			colon := keyEnd(l.s, i)
			if colon < 0 || colon+1 == len(l.s) {
				return p.fail(), 0
			}
			n.Content = append(n.Content, p.scalar(l.s[i:colon], 0, l.num, column(l, i)))
			i = skipSpaces(l.s, colon+1)
		}
		if i == len(l.s) {
			break
		}
		var item *yaml.Node
		item, i = p.value(depth, l, i, true)
		if p.bad {
			return item, 0
		}
		n.Content = append(n.Content, item)
		i = skipSpaces(l.s, i)
		switch {
		case i < len(l.s) && l.s[i] == closing:
			return n, i + 1
		case i < len(l.s) && l.s[i] == ',':
			i = skipSpaces(l.s, i+1)
			if i < len(l.s) && l.s[i] == closing {
				return p.fail(), 0 // a trailing comma
			}
		default:
			return p.fail(), 0
		}
	}
	return p.fail(), 0 // the collection goes on to the next line
}
