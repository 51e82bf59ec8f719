package gqlserver

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/session"
	"github.com/reachgraph/reachgraph/schema/gqlserver/model"
)

// accessCursorPrefix versions the opaque cursor of access connections: the
// position in the answer, which is deterministic for one question on one
// snapshot at one instant.
const accessCursorPrefix = "access:"

func encodeAccessCursor(i int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(accessCursorPrefix + strconv.Itoa(i)))
}

func decodeAccessCursor(c string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	s, ok := strings.CutPrefix(string(b), accessCursorPrefix)
	i, aerr := strconv.Atoi(s)
	if err != nil || !ok || aerr != nil || i < 0 {
		return 0, userErrorf("after: %q is not an access cursor returned by this API", c)
	}
	return i, nil
}

// pageBounds returns the half-open range [lo, hi) of the page of n items
// that first and after ask for.
func pageBounds(n int, first *int, after *string) (lo, hi int, err error) {
	size := defaultAccessPage
	if first != nil {
		size = *first
	}
	if size < 0 || size > MaxPageSize {
		return 0, 0, userErrorf("first: want 0 to %d, got %d", MaxPageSize, size)
	}
	if after != nil {
		i, err := decodeAccessCursor(*after)
		if err != nil {
			return 0, 0, err
		}
		if i >= n {
			return 0, 0, userErrorf("after: cursor does not belong to this answer")
		}
		lo = i + 1
	}
	return lo, min(n, lo+size), nil
}

// accessConnection pages all: only the page is converted to models.
func accessConnection(sc model.Scope, all []analysis.Access, complete bool, first *int, after *string) (*model.AccessConnection, error) {
	lo, hi, err := pageBounds(len(all), first, after)
	if err != nil {
		return nil, err
	}
	conn := &model.AccessConnection{TotalCount: len(all), Complete: complete, Edges: make([]*model.AccessEdge, 0, hi-lo),
		PageInfo: &model.PageInfo{HasNextPage: hi < len(all)}}
	for i := lo; i < hi; i++ {
		conn.Edges = append(conn.Edges, &model.AccessEdge{Cursor: encodeAccessCursor(i), Node: toAccess(sc, all[i])})
	}
	if hi > lo {
		c := encodeAccessCursor(hi - 1)
		conn.PageInfo.EndCursor = &c
	}
	return conn, nil
}

// nativeAccessConnection pages a whoCanNative answer like accessConnection.
func nativeAccessConnection(sc model.Scope, all []analysis.Access, complete bool, first *int, after *string) (*model.NativeAccessConnection, error) {
	lo, hi, err := pageBounds(len(all), first, after)
	if err != nil {
		return nil, err
	}
	conn := &model.NativeAccessConnection{TotalCount: len(all), Complete: complete, Edges: make([]*model.NativeAccessEdge, 0, hi-lo),
		PageInfo: &model.PageInfo{HasNextPage: hi < len(all)}}
	for i := lo; i < hi; i++ {
		a := all[i]
		conn.Edges = append(conn.Edges, &model.NativeAccessEdge{Cursor: encodeAccessCursor(i), Node: &model.NativeAccess{Scope: sc,
			IdentityID: a.Identity, NativeAction: a.Native, Resource: a.Resource, Action: a.Action, Authorized: a.Authorized,
			Effective: a.Effective, Critical: a.Critical, Conditional: a.Conditional, Paths: toPaths(a.Paths),
			Authentication: toAuthentication(a.Authentication)}})
	}
	if hi > lo {
		c := encodeAccessCursor(hi - 1)
		conn.PageInfo.EndCursor = &c
	}
	return conn, nil
}

// budgetCut tells a budget cut (the answer so far is kept, marked
// incomplete) from a real error.
func budgetCut(err error) (complete bool, _ error) {
	if errors.Is(err, session.ErrBudgetExceeded) {
		return false, nil
	}
	return err == nil, err
}

// accessResult wraps a session answer of field.
func accessResult(v *view, sc model.Scope, field string, accs []analysis.Access, err error) (*model.AccessResult, error) {
	complete, err := budgetCut(err)
	if err != nil {
		return nil, questionError(field, err)
	}
	return &model.AccessResult{Scope: sc, Snapshot: toSnapshot(v.meta), AsOf: sc.AsOf, All: accs, Complete: complete}, nil
}
