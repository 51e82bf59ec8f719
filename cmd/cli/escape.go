package cli

import (
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"
)

// escapeText makes s safe to print in a terminal table: control characters
// (C0 such as ESC, newline, tab and carriage return, DEL, C1), bidi
// overrides and isolates, zero-width and other invisible format characters
// (Unicode category Cf) and line/paragraph separators are shown as Go
// escapes (\x1b, \n, \u202e), and invalid UTF-8 bytes as \xNN. Ids and
// labels come from customer exports: raw, they could clear the screen, move
// the cursor, forge table rows or make one id look like another. Other
// text, backslashes included, is unchanged.
func escapeText(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80 && unsafeRune(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// plainText reports whether s is printable ASCII only, which escapeText
// keeps as it is and which is as many runes wide as it is long.
func plainText[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || unsafeRune(r) {
			return true
		}
		i += n
	}
	return false
}

// unsafeRune reports whether r is invisible or moves the cursor.
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}

// cells escapes the string arguments of a table row (escapeText), so that
// fmt.Fprintf(tw, "%s\t%s\n", cells(a, b)...) keeps one row per line and
// one cell per tab.
func cells(args ...any) []any {
	for i, a := range args {
		switch v := a.(type) {
		case string:
			args[i] = escapeText(v)
		case fmt.Stringer:
			args[i] = escapeText(v.String())
		default:
			if rv := reflect.ValueOf(a); rv.Kind() == reflect.String {
				args[i] = escapeText(rv.String())
			}
		}
	}
	return args
}
