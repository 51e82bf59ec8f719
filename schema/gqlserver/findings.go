package gqlserver

import (
	"context"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/reachgraph/reachgraph/analysis/diff"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/analysis/session"
	"github.com/reachgraph/reachgraph/schema"
	"github.com/reachgraph/reachgraph/schema/gqlserver/model"
)

// findingsOf returns the built-in ruleset's findings on v at asOf, evaluated
// once per (snapshot, as-of) and cached by the session; the evaluation stops
// when ctx ends (nothing is cached then). The returned slice is shared: never
// modify it.
func (s *Server) findingsOf(ctx context.Context, v *view, asOf time.Time) ([]rules.Finding, error) {
	rs, err := s.builtin()
	if err != nil {
		return nil, fmt.Errorf("built-in ruleset: %w", err)
	}
	_, fs, err := v.sess.Findings(ctx, rs, asOf)
	s.views.trim()
	if err == nil && v.sess.AsOf(asOf).Equal(v.sess.AsOf(time.Time{})) && s.isNewest(ctx, v) {
		s.metrics.setFindings(fs)
	}
	return fs, err
}

// isNewest reports whether v is the store's newest snapshot.
func (s *Server) isNewest(ctx context.Context, v *view) bool {
	metas, err := s.opts.Store.Snapshots(ctx)
	return err == nil && len(metas) > 0 && metas[len(metas)-1].ID == v.meta.ID
}

// compare answers diff(from, to): both snapshots at their own as-of, with
// their cached built-in findings.
func (s *Server) compare(ctx context.Context, va, vb *view) (*diff.Result, error) {
	rs, err := s.builtin()
	if err != nil {
		return nil, fmt.Errorf("built-in ruleset: %w", err)
	}
	return session.Diff(ctx, va.sess, vb.sess, rs)
}

// identitiesByID maps identity ids of a diff to identities of v.
func identitiesByID(v *view, sc model.Scope, ids []string) []*model.Identity {
	out := make([]*model.Identity, len(ids))
	for i, id := range ids {
		x, ok := v.idx.Identity(id)
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
	conn := &model.FindingConnection{TotalCount: total, Complete: true, PageInfo: &model.PageInfo{HasNextPage: len(hits) > n}, Edges: []*model.FindingEdge{}}
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
