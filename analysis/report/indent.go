package report

// appendIndent appends src, compact JSON as encoding/json writes it, to dst
// indented exactly as json.Indent would (each element on its own line
// after prefix and one indent per level, ": " after keys, empty objects and
// arrays as {} and []). It does not validate: the spooled findings were
// written by encoding/json. json.Indent runs its full scanner on every
// byte, and indenting was a fifth of a JSON report's CPU.
func appendIndent(dst, src []byte, prefix, indent string) []byte {
	newline := func(depth int) {
		dst = append(dst, '\n')
		dst = append(dst, prefix...)
		for range depth {
			dst = append(dst, indent...)
		}
	}
	depth := 0
	needIndent := false // after { or [: indent before the first element, unless it closes at once
	for i := 0; i < len(src); i++ {
		c := src[i]
		if needIndent && c != '}' && c != ']' {
			needIndent = false
			depth++
			newline(depth)
		}
		switch c {
		case '"':
			// A string, copied whole: its punctuation is text.
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
			needIndent = true
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			newline(depth)
		case ':':
			dst = append(dst, c, ' ')
		case '}', ']':
			if needIndent {
				needIndent = false
			} else {
				depth--
				newline(depth)
			}
			dst = append(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
