package session

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/reachgraph/reachgraph/analysis/diff"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/graph"
)

// findingsKey identifies one evaluation: the ruleset (by identity) and the
// instant.
type findingsKey struct {
	rs   *rules.Ruleset
	asOf int64
}

type findingsEntry struct {
	snap     rules.Snapshot
	findings []rules.Finding
}

// RuleSnapshot returns what the rules read of this snapshot at asOf: the
// engine at that instant and the records (read on first use).
func (s *Session) RuleSnapshot(ctx context.Context, asOf time.Time) (rules.Snapshot, error) {
	recs, err := s.Records(ctx)
	if err != nil {
		return rules.Snapshot{}, err
	}
	snap := rules.Snapshot{Engine: s.Engine(asOf), Data: recs.Data(), Index: recs}
	if s.nodesOnly {
		snap.Grants = s.grants
	}
	return snap, nil
}

// grants streams the snapshot's grants from the store.
func (s *Session) grants(ctx context.Context) iter.Seq2[graph.Grant, error] {
	return func(yield func(graph.Grant, error) bool) {
		r, err := s.st.Snapshot(ctx, s.meta.ID)
		if err != nil {
			yield(graph.Grant{}, fmt.Errorf("read the grants of snapshot %s: %w", s.meta.ID, err))
			return
		}
		for g, err := range r.Grants(ctx) {
			if !yield(g, err) || err != nil {
				return
			}
		}
	}
}

// Findings returns rs's findings at asOf (zero: the snapshot's default),
// sorted and without suppressions applied, evaluated once per (ruleset,
// instant) and cached: the returned slice is shared, never modify it — clone
// it first (as Suppress and MarkNew modify). When ctx ends first, nothing is
// cached and ctx's error is returned.
func (s *Session) Findings(ctx context.Context, rs *rules.Ruleset, asOf time.Time, opts ...rules.Option) (rules.Snapshot, []rules.Finding, error) {
	snap, err := s.RuleSnapshot(ctx, asOf)
	if err != nil {
		return rules.Snapshot{}, nil, err
	}
	k := findingsKey{rs: rs, asOf: snap.Engine.AsOf().UnixNano()}
	s.ruleMu.Lock()
	defer s.ruleMu.Unlock()
	if got, ok := s.findings[k]; ok {
		return got.snap, got.findings, nil
	}
	fs, err := rules.Evaluate(ctx, snap, rs, opts...)
	if err != nil {
		return rules.Snapshot{}, nil, fmt.Errorf("evaluate rules on %s: %w", s.meta.ID, err)
	}
	if len(s.findings) >= maxFindings {
		clear(s.findings)
	}
	s.findings[k] = findingsEntry{snap: snap, findings: fs}
	return snap, fs, nil
}

// StreamFindings evaluates rs at asOf (zero: the snapshot's default) and
// hands the findings to emit in batches as rules.Stream does (concurrently,
// in no order, without suppressions applied); nothing is cached. It returns
// what the rules read.
func (s *Session) StreamFindings(ctx context.Context, rs *rules.Ruleset, asOf time.Time, emit func([]rules.Finding) error,
	opts ...rules.Option) (rules.Snapshot, error) {
	snap, err := s.RuleSnapshot(ctx, asOf)
	if err != nil {
		return rules.Snapshot{}, err
	}
	if err := rules.Stream(ctx, snap, rs, emit, opts...); err != nil {
		return rules.Snapshot{}, fmt.Errorf("evaluate rules on %s: %w", s.meta.ID, err)
	}
	return snap, nil
}

// Diff compares snapshot a (older) with b (newer), each evaluated with rs at
// its own default instant.
func Diff(ctx context.Context, a, b *Session, rs *rules.Ruleset) (*diff.Result, error) {
	side := func(s *Session) (diff.Side, error) {
		snap, fs, err := s.Findings(ctx, rs, time.Time{})
		return diff.Side{Snapshot: snap, Findings: fs}, err
	}
	sa, err := side(a)
	if err != nil {
		return nil, err
	}
	sb, err := side(b)
	if err != nil {
		return nil, err
	}
	return diff.Compare(ctx, sa, sb)
}
