package projection

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIDTable(t *testing.T) {
	tab := newIDTable(4) // far too small: must grow many times
	const n = 50_000
	for i := range n {
		id := fmt.Sprintf("id-%d/\"ü\" %d", i, i*7)
		node, fresh := tab.add(id)
		require.True(t, fresh)
		require.Equal(t, int32(i), node)
	}
	for i := range n {
		id := fmt.Sprintf("id-%d/\"ü\" %d", i, i*7)
		node, ok := tab.lookup(id)
		require.True(t, ok, id)
		require.Equal(t, int32(i), node)
		require.Equal(t, id, tab.id(node))
		again, fresh := tab.add(id)
		require.False(t, fresh, "a duplicate id is refused")
		require.Equal(t, node, again)
	}
	_, ok := tab.lookup("missing")
	require.False(t, ok)
	_, ok = tab.lookup("")
	require.False(t, ok)
	require.LessOrEqual(t, 4*tab.len(), 3*len(tab.slots), "load factor stays at or below 0.75")
}
