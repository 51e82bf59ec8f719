package report

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// appendIndent gives json.Indent's bytes for whatever encoding/json writes:
// nested objects and arrays, empty ones, strings full of punctuation,
// escapes and quotes, numbers, booleans and null.
func TestAppendIndentIsJSONIndent(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	words := []string{"", "a", `"q"`, `\`, `\"`, "{[,:]}", "é ✓ 😀", "\n\t\u0001", "<&>", "x\\\"y", `{"k": [1, 2]}`}
	var value func(depth int) any
	value = func(depth int) any {
		switch k := rng.IntN(8); {
		case depth > 4 || k == 0:
			return words[rng.IntN(len(words))]
		case k == 1:
			return rng.Float64() * 1e6
		case k == 2:
			return rng.IntN(3) == 0
		case k == 3:
			return nil
		case k < 6:
			m := map[string]any{}
			for range rng.IntN(4) {
				m[words[rng.IntN(len(words))]+strings.Repeat("k", rng.IntN(3))] = value(depth + 1)
			}
			return m
		default:
			l := make([]any, rng.IntN(4))
			for i := range l {
				l[i] = value(depth + 1)
			}
			return l
		}
	}
	for range 5000 {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		require.NoError(t, enc.Encode(value(0)))
		src := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
		var want bytes.Buffer
		require.NoError(t, json.Indent(&want, src, "    ", "  "))
		require.Equal(t, want.String(), string(appendIndent(nil, src, "    ", "  ")), "%s", src)
	}
}
