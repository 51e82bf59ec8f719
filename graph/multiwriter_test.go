package graph_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
)

type failWriter struct{ graph.Dataset }

var errFull = errors.New("full")

func (*failWriter) PutGrant(graph.Grant) error { return errFull }

func TestMultiWriter(t *testing.T) {
	var a, b graph.Dataset
	w := graph.MultiWriter(&a, &b)
	require.NoError(t, w.PutSystem(graph.System{ID: "s"}))
	require.NoError(t, w.PutDelegation(graph.Delegation{From: "x", To: "y"}))
	require.Equal(t, a, b)
	require.Len(t, a.SystemList, 1)
	require.Len(t, b.DelegationList, 1)

	var c graph.Dataset
	w = graph.MultiWriter(&failWriter{}, &c)
	require.ErrorIs(t, w.PutGrant(graph.Grant{Principal: "p"}), errFull)
	require.Empty(t, c.GrantList, "writers after a failing one are not called")
}
