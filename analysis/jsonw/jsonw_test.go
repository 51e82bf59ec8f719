package jsonw_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/jsonw"
)

// TestPlain: Plain is true exactly when encoding/json writes a
// string as it is between quotes, for one odd byte or rune at every
// position of strings up to 24 bytes, so at every place in the eight-byte
// words it scans and in the tail after them.
func TestPlain(t *testing.T) {
	plain := func(s string) bool {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		require.NoError(t, enc.Encode(s))
		return buf.String() == `"`+s+`"`+"\n"
	}
	odd := []string{"\x00", "\x1f", " ", "!", "\"", "#", "[", "\\", "]", "~", "\x7f", "\x80", "\xff", "é", "\u2028", "\u2029", "\u2027", "\ufffd", "\xef\xbf\xbd", "漢"}
	for n := range 25 {
		for at := 0; at <= n; at++ {
			for _, o := range odd {
				s := strings.Repeat("a", at) + o + strings.Repeat("b", n-at)
				require.Equal(t, plain(s), jsonw.Plain(s), "%q", s)
			}
		}
	}
}
