package cli

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestEscapeText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{in: "svc-batch", want: "svc-batch"},
		{in: `CORP\alice`, want: `CORP\alice`},
		{in: "Écritures Q4 ü", want: "Écritures Q4 ü"},
		{in: "esc\x1b[2Jx", want: `esc\x1b[2Jx`},
		{in: "row\nforged", want: `row\nforged`},
		{in: "a\tb\rc", want: `a\tb\rc`},
		{in: "del\x7f", want: `del\x7f`},
		{in: "c1\u009b31m", want: `c1\u009b31m`},
		{in: "bidi\u202egpj.exe", want: `bidi\u202egpj.exe`},
		{in: "iso\u2066x\u2069", want: `iso\u2066x\u2069`},
		{in: "zero\u200bwidth\u200d\ufeff", want: `zero\u200bwidth\u200d\ufeff`},
		{in: "line\u2028sep", want: `line\u2028sep`},
		{in: "bad\xffutf8", want: `bad\xffutf8`},
	} {
		require.Equal(t, c.want, escapeText(c.in), "escapeText(%q)", c.in)
	}
}

// FuzzEscapeText: whatever an id holds, its table form is valid UTF-8 with
// no control, bidi or invisible character, and safe text is left alone.
func FuzzEscapeText(f *testing.F) {
	for _, s := range []string{"svc-batch", "esc\x1b[2Jx", "row\nforged", "bidi\u202egpj.exe", "bad\xff", "Écritures"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := escapeText(s)
		if !utf8.ValidString(out) {
			t.Fatalf("escapeText(%q) = %q is not valid UTF-8", s, out)
		}
		for _, r := range out {
			if unsafeRune(r) {
				t.Fatalf("escapeText(%q) = %q keeps %U", s, out, r)
			}
		}
		if !needsEscape(s) && out != s {
			t.Fatalf("escapeText(%q) changed safe text to %q", s, out)
		}
	})
}
