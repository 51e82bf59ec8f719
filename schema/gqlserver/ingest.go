package gqlserver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/reachgraph/reachgraph/schema/gqlserver/model"
)

// ingest runs the ingest mutation: the bundle text is written to a private
// temporary file named bundle.yaml (YAML is a superset of JSON) and handed to
// the injected IngestFunc, which lands it atomically or changes nothing. The
// new snapshot's view is built before returning, so the next query is fast.
func (s *Server) ingest(ctx context.Context, bundle string) (*model.Snapshot, error) {
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
	meta, err := s.opts.Ingest(ctx, s.opts.Store, path)
	if err != nil {
		if errors.Is(err, ErrInvalidInput) {
			// Do not leak the temporary directory.
			return nil, userErrorf("%s", redactPath(err.Error(), dir))
		}
		return nil, err
	}
	if _, err := s.views.get(ctx, meta.ID); err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "ingested snapshot", "snapshot", string(meta.ID), "source", meta.Source)
	return toSnapshot(meta), nil
}
