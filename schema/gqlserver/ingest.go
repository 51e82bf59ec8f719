package gqlserver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/schema/gqlserver/model"
)

// ingest runs the ingest mutation: the bundle text is written to a private
// temporary file named bundle.yaml (YAML is a superset of JSON) and handed to
// the injected IngestFunc, which lands it atomically or changes nothing. An
// invalid bundle is answered with its located problems (and no snapshot),
// not an error; the new snapshot's view is built before returning, so the
// next query is fast. The lines of what the store repaired on the way
// (graph.WithNotices) are answered as notices; `serve` also prints them on
// its standard error (the store's Notify).
func (s *Server) ingest(ctx context.Context, bundle string) (*model.IngestPayload, error) {
	if p, ok := PrincipalFrom(ctx); ok && p.Role != RoleAdmin {
		return nil, fmt.Errorf("%w: the ingest mutation requires the admin role", ErrForbidden)
	}
	if s.opts.Ingest == nil {
		return nil, userErrorf("ingest is not enabled on this server")
	}
	dir, err := os.MkdirTemp("", "reachgraph-ingest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "bundle.yaml")
	if err := os.WriteFile(path, []byte(bundle), 0o600); err != nil {
		return nil, err
	}
	var mu sync.Mutex
	notices := []string{}
	nctx := graph.WithNotices(ctx, func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		notices = append(notices, msg)
	})
	meta, err := s.opts.Ingest(nctx, s.opts.Store, path)
	if err != nil {
		var ve *ingest.ValidationError
		switch {
		case errors.As(err, &ve):
			return &model.IngestPayload{Problems: toProblems(ve), Notices: []string{}}, nil
		case errors.Is(err, ErrInvalidInput):
			// Do not leak the temporary directory.
			return &model.IngestPayload{Problems: []*model.IngestProblem{{Message: redactPath(err.Error(), dir)}}, Notices: []string{}}, nil
		}
		return nil, err
	}
	if _, err := s.views.get(ctx, meta.ID); err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "ingested snapshot", "snapshot", string(meta.ID), "source", meta.Source)
	mu.Lock()
	defer mu.Unlock()
	return &model.IngestPayload{Snapshot: toSnapshot(meta), Problems: []*model.IngestProblem{}, Notices: notices}, nil
}

// toProblems lists a validation error's problems for the payload: line or
// JSON pointer within the bundle and the message (the temporary file's name
// is the bundle itself, so it is left out); a last entry counts those the
// per-file cap left out.
func toProblems(ve *ingest.ValidationError) []*model.IngestProblem {
	out := make([]*model.IngestProblem, 0, len(ve.Problems)+1)
	for _, p := range ve.Problems {
		out = append(out, &model.IngestProblem{Line: p.Line, Pointer: p.Pointer, Message: p.Msg})
	}
	if ve.Omitted > 0 {
		out = append(out, &model.IngestProblem{Message: fmt.Sprintf("%d more problems not listed", ve.Omitted)})
	}
	return out
}
