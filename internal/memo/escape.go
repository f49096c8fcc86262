package memo

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Length caps for user-supplied strings, in runes. A longer string is cut
// and ends with an ellipsis, so that one pasted essay cannot push a memo
// over GitHub's comment limit or off the printed page.
const (
	capName       = 300
	capHypothesis = 2000
	capShort      = 200 // owner, labels, column names, ids
	capMessage    = 1000
	capPath       = 500
)

const (
	zwj      = "\u200d" // zero-width joiner: breaks @mentions and #123 references
	ellipsis = "…"
)

// EscapeMarkdown neutralises a user-supplied string for GitHub-flavoured
// Markdown, in running text and in table cells alike:
//
//   - control characters and bidirectional overrides are dropped, and line
//     breaks and tabs fold to single spaces, so a string stays on its line
//     and inside its table cell;
//   - &, < and > become HTML entities, so no raw HTML, no closing
//     </details> and no <!-- comment (marker spoofing) survive;
//   - Markdown metacharacters (\ ` * _ [ ] | ~ $ #) and a leading list,
//     thematic-break or setext marker ("- ", "1. ", "---") are
//     backslash-escaped, so | cannot split a table cell, backticks cannot
//     open code and the string can follow "- " in a list item;
//   - an @ or # that GitHub would turn into a mention or an issue reference
//     (@org/team, #123, GH-123 is left alone: it needs a repository) gets a
//     zero-width joiner after it, so nobody is notified and nothing links;
//   - a leading "::" gets a backslash, so the string cannot start a
//     workflow command line should a log ever show it.
//
// It does not shorten; renderers cap lengths before escaping.
func EscapeMarkdown(s string) string {
	s = cleanText(s)
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	// "1. " or "1) " at the start would open an ordered list.
	lead := 0
	for lead < len(s) && s[lead] >= '0' && s[lead] <= '9' {
		lead++
	}
	if lead > 0 && lead < len(s) && (s[lead] == '.' || s[lead] == ')') && (lead+1 == len(s) || s[lead+1] == ' ') {
		b.WriteString(s[:lead])
		b.WriteByte('\\')
		s = s[lead:]
	}
	// "::" at the start of a line is an Actions workflow command
	// (::add-mask::, ::stop-commands::) should the text ever reach a log;
	// "\:" renders as ":" in Markdown.
	if strings.HasPrefix(s, "::") {
		b.WriteByte('\\')
	}
	for i, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\\', '`', '*', '_', '[', ']', '|', '~', '$':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '#':
			b.WriteString(`\#`)
			if next, _ := utf8.DecodeRuneInString(s[i+1:]); isRefStart(next) {
				b.WriteString(zwj)
			}
		case '@':
			b.WriteRune(r)
			if next, _ := utf8.DecodeRuneInString(s[i+1:]); isRefStart(next) {
				b.WriteString(zwj)
			}
		case '-', '+', '=':
			// At the start, "- x", "+ x", "---" and "===" would open a list,
			// a thematic break or a setext heading; "-0.02" is just a number.
			if i == 0 && b.Len() == 0 && (len(s) == 1 || s[1] == ' ' || s[1] == s[0]) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isRefStart reports whether r can begin the name of an @mention or the
// number of a #reference.
func isRefStart(r rune) bool {
	return r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
}

// escapeHTMLText is for the few places where GitHub reads raw HTML, not
// Markdown (the text of a <summary>): entities for &<>"', folded lines, and
// the same mention and reference breaking as EscapeMarkdown.
// Markdown metacharacters become numeric entities too, in case a renderer
// does read Markdown there.
func escapeHTMLText(s string) string {
	s = html.EscapeString(cleanText(s))
	return breakRefs(htmlMetaReplacer.Replace(s))
}

var htmlMetaReplacer = strings.NewReplacer("`", "&#96;", "*", "&#42;", "_", "&#95;", "[", "&#91;", "]", "&#93;",
	"|", "&#124;", "~", "&#126;", "$", "&#36;", "\\", "&#92;")

// breakRefs inserts a zero-width joiner after @ and # where GitHub would
// otherwise link or notify.
func breakRefs(s string) string {
	if !strings.ContainsAny(s, "@#") {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		b.WriteRune(r)
		// "&#" starts one of our own numeric entities (&#95; for _), not a
		// reference: a joiner there would break the entity.
		if r == '@' || r == '#' && (i == 0 || s[i-1] != '&') {
			if next, _ := utf8.DecodeRuneInString(s[i+1:]); isRefStart(next) {
				b.WriteString(zwj)
			}
		}
	}
	return b.String()
}

// cleanText folds line breaks and tabs to single spaces, drops control
// characters and bidirectional formatting characters, and trims the ends.
// It is the sanitiser for terminal output too: no ANSI escape sequence in
// a name reaches the terminal.
func cleanText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t' || r == '\u2028' || r == '\u2029' || r == '\u0085':
			space = true
			continue
		case unicode.IsControl(r) || isBidi(r):
			continue
		}
		if space {
			if b.Len() > 0 && !strings.HasSuffix(b.String(), " ") && r != ' ' {
				b.WriteByte(' ')
			}
			space = false
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

func isBidi(r rune) bool {
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069' || r == '\u200e' || r == '\u200f' || r == '\u061c'
}

// Clip cleans s (control and bidi characters dropped, line breaks folded)
// and caps it at n runes, ending a cut string with an ellipsis.
func Clip(s string, n int) string {
	s = cleanText(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, c := 0, 0
	for j := range s {
		if c == n-1 {
			i = j
			break
		}
		c++
	}
	return strings.TrimRight(s[:i], " ") + ellipsis
}

// runeLen is the length GitHub's comment limit counts: Unicode code points
// (the characters of a Ruby string), not bytes and not UTF-16 units.
func runeLen(s string) int { return utf8.RuneCountInString(s) }
