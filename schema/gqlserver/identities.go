package gqlserver

import (
	"context"
	"encoding/base64"
	"slices"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema/gqlserver/model"
)

// cursorPrefix versions the opaque cursor format.
const cursorPrefix = "identity:"

func encodeCursor(id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + id))
}

func decodeCursor(c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < len(cursorPrefix) || string(b[:len(cursorPrefix)]) != cursorPrefix {
		return "", userErrorf("after: %q is not a cursor returned by this API", c)
	}
	return string(b[len(cursorPrefix):]), nil
}

// identityPage answers identities(filter, first, after) on v: identities
// sorted by id, filtered, then the page after the cursor.
func identityPage(ctx context.Context, v *view, sc model.Scope, f *model.IdentityFilter, first *int, after *string) (*model.IdentityConnection, error) {
	n := 50
	if first != nil {
		n = *first
	}
	if n < 0 || n > MaxPageSize {
		return nil, userErrorf("first: want 0 to %d, got %d", MaxPageSize, n)
	}
	var crit map[string]bool
	if f != nil && f.HasCriticalAccess != nil {
		var err error
		if crit, err = v.sess.CriticalIdentities(ctx, sc.AsOf); err != nil {
			return nil, err
		}
	}
	var ids []string
	for _, id := range v.idx.IdentityIDs() {
		if matches(f, mustIdentity(v, id), crit) {
			ids = append(ids, id)
		}
	}
	total := len(ids)
	if after != nil {
		cur, err := decodeCursor(*after)
		if err != nil {
			return nil, err
		}
		i, _ := slices.BinarySearch(ids, cur)
		if i < len(ids) && ids[i] == cur {
			i++
		}
		ids = ids[i:]
	}
	conn := &model.IdentityConnection{TotalCount: total, Complete: true, PageInfo: &model.PageInfo{HasNextPage: len(ids) > n}, Edges: []*model.IdentityEdge{}}
	for _, id := range ids[:min(n, len(ids))] {
		conn.Edges = append(conn.Edges, &model.IdentityEdge{Cursor: encodeCursor(id), Node: toIdentity(sc, mustIdentity(v, id))})
	}
	if len(conn.Edges) > 0 {
		c := conn.Edges[len(conn.Edges)-1].Cursor
		conn.PageInfo.EndCursor = &c
	}
	return conn, nil
}

func matches(f *model.IdentityFilter, x graph.Identity, crit map[string]bool) bool {
	if f == nil {
		return true
	}
	if len(f.Type) > 0 && !slices.Contains(f.Type, x.Type) {
		return false
	}
	if f.Status != nil && *f.Status != x.Status {
		return false
	}
	if f.OwnerMissing != nil && *f.OwnerMissing != (x.Owners.Business == "" || x.Owners.Technical == "") {
		return false
	}
	if f.HasCriticalAccess != nil && *f.HasCriticalAccess != crit[x.ID] {
		return false
	}
	return true
}
