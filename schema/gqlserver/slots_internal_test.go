package gqlserver

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSlotsCapPerPrincipal(t *testing.T) {
	s := newSlots(2)
	r1, ok := s.acquire("alice")
	require.True(t, ok)
	r2, ok := s.acquire("alice")
	require.True(t, ok)
	_, ok = s.acquire("alice")
	require.False(t, ok, "a third request of alice waits for a slot")
	rb, ok := s.acquire("bob")
	require.True(t, ok, "bob has slots of his own")
	r1()
	r3, ok := s.acquire("alice")
	require.True(t, ok, "a released slot is free again")
	r2()
	r3()
	rb()
	require.Empty(t, s.in)
}
