package gqlserver

import (
	"context"
	"encoding/base64"
	"fmt"

	"github.com/reachgraph/reachgraph/analysis/diff"
	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/schema"
	"github.com/reachgraph/reachgraph/schema/gqlserver/model"
)

// findingsOf returns the built-in ruleset's findings on v at the engine's
// instant, evaluated once per (snapshot, as-of) and cached on the view. The
// first call also reads every record of the snapshot (the rules need fields
// the projection does not keep). The returned slice is shared: never modify it.
// It also returns the rules' view of the snapshot at that instant (for diff).
func (s *Server) findingsOf(ctx context.Context, v *view, e *reach.Engine) (rules.Snapshot, []rules.Finding, error) {
	k := e.AsOf().UnixNano()
	v.ruleMu.Lock()
	defer v.ruleMu.Unlock()
	if v.data == nil {
		r, err := s.opts.Store.Snapshot(ctx, v.meta.ID)
		if err != nil {
			return rules.Snapshot{}, nil, err
		}
		snap, err := rules.NewSnapshot(ctx, e, r)
		if err != nil {
			return rules.Snapshot{}, nil, fmt.Errorf("read snapshot %s: %w", v.meta.ID, err)
		}
		v.data = snap.Data
	}
	snap := rules.Snapshot{Engine: e, Data: v.data}
	if fs, ok := v.findings[k]; ok {
		return snap, fs, nil
	}
	rs, err := s.builtin()
	if err != nil {
		return rules.Snapshot{}, nil, fmt.Errorf("built-in ruleset: %w", err)
	}
	fs, err := rules.Evaluate(snap, rs)
	if err != nil {
		return rules.Snapshot{}, nil, fmt.Errorf("evaluate rules on %s: %w", v.meta.ID, err)
	}
	if len(v.findings) >= maxEnginesPerView {
		clear(v.findings)
	}
	v.findings[k] = fs
	return snap, fs, nil
}

// findingsBounded is findingsOf under the request's deadline. The evaluation
// runs detached from the request, so a timed-out request still leaves the
// findings cached for the next one.
func (s *Server) findingsBounded(ctx context.Context, v *view, e *reach.Engine) ([]rules.Finding, error) {
	return bounded(ctx, func() ([]rules.Finding, error) {
		_, fs, err := s.findingsOf(context.WithoutCancel(ctx), v, e)
		return fs, err
	})
}

// compare answers diff(from, to): both snapshots at their own as-of, with
// their cached built-in findings, compared under the request's deadline.
func (s *Server) compare(ctx context.Context, va, vb *view) (*diff.Result, error) {
	return bounded(ctx, func() (*diff.Result, error) {
		side := func(v *view) (diff.Side, error) {
			snap, fs, err := s.findingsOf(context.WithoutCancel(ctx), v, v.engine(v.meta.AsOf()))
			return diff.Side{Snapshot: snap, Findings: fs}, err
		}
		a, err := side(va)
		if err != nil {
			return nil, err
		}
		b, err := side(vb)
		if err != nil {
			return nil, err
		}
		return diff.Compare(a, b)
	})
}

// identitiesByID maps identity ids of a diff to identities of v.
func identitiesByID(v *view, sc model.Scope, ids []string) []*model.Identity {
	out := make([]*model.Identity, len(ids))
	for i, id := range ids {
		x, ok := v.idx.identities[id]
		if !ok {
			bug("diff names identity %q absent from snapshot %s", id, v.meta.ID)
		}
		out[i] = toIdentity(sc, x)
	}
	return out
}

// findingFilter holds the arguments of findings(…); nil fields match anything.
type findingFilter struct {
	severity *schema.Severity // minimum
	category *schema.Category
	rule     *string
	identity *string
}

func (f findingFilter) match(x rules.Finding) bool {
	switch {
	case f.severity != nil && x.Severity.Rank() > f.severity.Rank():
		return false
	case f.category != nil && x.Category != *f.category:
		return false
	case f.rule != nil && x.Rule != *f.rule:
		return false
	case f.identity != nil && x.Identity != *f.identity:
		return false
	}
	return true
}

// findingCursorPrefix versions the opaque cursor format.
const findingCursorPrefix = "finding:"

func encodeFindingCursor(id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(findingCursorPrefix + id))
}

func decodeFindingCursor(c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < len(findingCursorPrefix) || string(b[:len(findingCursorPrefix)]) != findingCursorPrefix {
		return "", userErrorf("after: %q is not a findings cursor returned by this API", c)
	}
	return string(b[len(findingCursorPrefix):]), nil
}

// findingPage filters fs (in report order), counts the matches per severity,
// and returns the page of first findings after the cursor. A cursor whose
// finding does not match is an error: cursors are valid only for the same
// arguments on the same snapshot and instant.
func findingPage(sc model.Scope, fs []rules.Finding, f findingFilter, first *int, after *string) (*model.FindingConnection, error) {
	n := 50
	if first != nil {
		n = *first
	}
	if n < 0 || n > MaxPageSize {
		return nil, userErrorf("first: want 0 to %d, got %d", MaxPageSize, n)
	}
	if f.severity != nil && f.severity.Rank() < 0 {
		bug("severity %q passed GraphQL validation but is not in the vocabulary", *f.severity)
	}
	counts := make([]int, len(schema.Severities))
	var hits []rules.Finding
	for _, x := range fs {
		if f.match(x) {
			hits = append(hits, x)
			if r := x.Severity.Rank(); r >= 0 {
				counts[r]++
			}
		}
	}
	total := len(hits)
	if after != nil {
		id, err := decodeFindingCursor(*after)
		if err != nil {
			return nil, err
		}
		i := indexFinding(hits, id)
		if i < 0 {
			return nil, userErrorf("after: cursor does not belong to this result (finding %s is not in it)", id)
		}
		hits = hits[i+1:]
	}
	conn := &model.FindingConnection{TotalCount: total, PageInfo: &model.PageInfo{HasNextPage: len(hits) > n}, Edges: []*model.FindingEdge{}}
	for _, x := range hits[:min(n, len(hits))] {
		conn.Edges = append(conn.Edges, &model.FindingEdge{Cursor: encodeFindingCursor(x.ID), Node: toFinding(sc, x)})
	}
	if len(conn.Edges) > 0 {
		c := conn.Edges[len(conn.Edges)-1].Cursor
		conn.PageInfo.EndCursor = &c
	}
	conn.BySeverity = make([]*model.SeverityCount, len(schema.Severities))
	for i, sev := range schema.Severities {
		conn.BySeverity[i] = &model.SeverityCount{Severity: sev, Count: counts[i]}
	}
	return conn, nil
}

func indexFinding(fs []rules.Finding, id string) int {
	for i, x := range fs {
		if x.ID == id {
			return i
		}
	}
	return -1
}
