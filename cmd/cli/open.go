package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/graph/stores"
)

// openStore opens the store named by --store / REACHGRAPH_STORE.
func (g *globals) openStore(ctx context.Context) (graph.Store, error) {
	st, err := stores.Open(ctx, g.storeURL(), stores.Options{Getenv: g.env.Getenv})
	if err != nil {
		return nil, usageErr(err)
	}
	return st, nil
}

// session is an engine over the chosen snapshot.
type session struct {
	meta   graph.SnapshotMeta
	engine *reach.Engine
}

// openEngine opens the store, picks --snapshot (default newest), builds the
// projection and an engine at --as-of (default the snapshot's as_of).
func (g *globals) openEngine(ctx context.Context) (*session, error) {
	asOf, err := g.parseAsOf()
	if err != nil {
		return nil, err
	}
	st, err := g.openStore(ctx)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	r, err := st.Snapshot(ctx, graph.SnapshotID(g.snapshot))
	if err != nil {
		if errors.Is(err, graph.ErrSnapshotNotFound) && g.snapshot == "" {
			return nil, usagef("store %s holds no snapshot yet: run `reachgraph ingest BUNDLE` first", g.storeURL())
		}
		return nil, usageErr(err)
	}
	p, err := projection.Build(ctx, r)
	if err != nil {
		return nil, err
	}
	return newSession(p, asOf), nil
}

func newSession(p *projection.Projection, asOf time.Time) *session {
	if asOf.IsZero() {
		asOf = p.Meta.AsOf()
	}
	return &session{meta: p.Meta, engine: reach.New(p, asOf)}
}

// defaultIsTerminal reports whether w is a terminal (progress is drawn only then).
func defaultIsTerminal(w io.Writer) func() bool {
	return func() bool {
		f, ok := w.(*os.File)
		return ok && term.IsTerminal(int(f.Fd()))
	}
}

// progress returns a progress callback drawing a bar on a terminal, or nil
// (quiet) when stderr is not one. done is called to finish the bar.
func (g *globals) progress(what string, bytes bool) (update func(done, total int64), done func()) {
	if !g.env.IsTerminal() {
		return nil, func() {}
	}
	var bar *progressbar.ProgressBar
	update = func(n, total int64) {
		if bar == nil {
			opts := []progressbar.Option{progressbar.OptionSetWriter(g.env.Stderr), progressbar.OptionSetDescription(what),
				progressbar.OptionThrottle(100 * time.Millisecond), progressbar.OptionShowCount(), progressbar.OptionClearOnFinish()}
			if bytes {
				opts = append(opts, progressbar.OptionShowBytes(true))
			}
			bar = progressbar.NewOptions64(total, opts...)
		}
		_ = bar.Set64(n)
	}
	return update, func() {
		if bar != nil {
			_ = bar.Finish()
			fmt.Fprintln(g.env.Stderr)
		}
	}
}
