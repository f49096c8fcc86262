package memo

// appendIndented appends to dst the compact JSON src (as json.Marshal
// writes it: no whitespace outside strings) laid out exactly as
// json.Indent lays it out with prefix and indent: a newline, the prefix
// and one indent per level after every '{', '[' and ',', and before every
// '}' and ']'; a space after every ':'; empty objects and arrays kept as
// {} and []. json.Indent runs its validating scanner one byte at a time,
// and re-indenting was a sixth of the CPU of a 10,000-experiment run; the
// input here is the encoder's own output, so a plain byte loop is enough
// (docs/performance.md#version-2-engine). indent_test.go checks it
// against json.Indent.
func appendIndented(dst, src []byte, prefix, indent string) []byte {
	depth := 0
	newline := func() {
		dst = append(dst, '\n')
		dst = append(dst, prefix...)
		for range depth {
			dst = append(dst, indent...)
		}
	}
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '"':
			// Copy the string through its closing quote; a backslash
			// escapes the byte after it.
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j, len(src)-1)
			dst = append(dst, src[i:j+1]...)
			i = j
		case '{', '[':
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				dst = append(dst, c, src[i+1])
				i++
				continue
			}
			dst = append(dst, c)
			depth++
			newline()
		case ',':
			dst = append(dst, c)
			newline()
		case ':':
			dst = append(dst, c, ' ')
		case '}', ']':
			depth--
			newline()
			dst = append(dst, c)
		default:
			// A number, true, false or null: copy through the next
			// structural byte.
			j := i + 1
			for j < len(src) && src[j] != ',' && src[j] != '}' && src[j] != ']' {
				j++
			}
			dst = append(dst, src[i:j]...)
			i = j - 1
		}
	}
	return dst
}
