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

	"github.com/reachgraph/reachgraph/analysis/session"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/graph/stores"
	"github.com/reachgraph/reachgraph/schema"
)

// openStore opens the store named by --store / REACHGRAPH_STORE.
func (g *globals) openStore(ctx context.Context) (graph.Store, error) {
	st, err := stores.Open(ctx, g.storeURL(), stores.Options{Getenv: g.env.Getenv, Derived: storedDerived(),
		DerivedCheck: map[string]graph.DeriveCheck{projection.StoredName: projection.Current},
		// Repairs an ingest makes to a snapshot that exists (docs/stores.md).
		Notify: func(msg string) { fmt.Fprintln(g.env.Stderr, msg) }})
	if err != nil {
		return nil, usageErr(err)
	}
	return st, nil
}

// storedDerived is the data every store keeps with each snapshot from
// ingest on: the projection, so that a question reads it instead of
// rebuilding it from the records (docs/stores.md).
func storedDerived() map[string]graph.DeriveFunc {
	return map[string]graph.DeriveFunc{projection.StoredName: projection.Derive}
}

// query is one open snapshot and the instant asked for (--as-of; zero means
// the snapshot's default, which only the session decides).
type query struct {
	s    *session.Session
	asOf time.Time
}

// at returns the instant of analysis.
func (q query) at() time.Time { return q.s.AsOf(q.asOf) }

// openQuery opens the store, picks --snapshot (default newest) and opens a
// session on it; done closes the session and the store and must be called
// when the command has finished with the session. The one-question
// commands open it in place (inPlace): the stored projection is used from
// the store file, not copied.
func (g *globals) openQuery(ctx context.Context, opts ...session.Option) (q query, done func(), err error) {
	if q.asOf, err = g.parseAsOf(); err != nil {
		return query{}, nil, err
	}
	st, err := g.openStore(ctx)
	if err != nil {
		return query{}, nil, err
	}
	q.s, err = g.openSession(ctx, st, g.snapshot, opts...)
	if err != nil {
		st.Close()
		return query{}, nil, err
	}
	return q, func() { q.s.Close(); st.Close() }, nil
}

// inPlace is the session option of the one-question commands: the stored
// projection used from the store file, its checksums checked unless
// --no-verify.
func (g *globals) inPlace() session.Option {
	if g.noVerify {
		return session.WithInPlaceUnchecked()
	}
	return session.WithInPlace()
}

// openSession opens snapshot id of st, mapping "no snapshot" and unknown ids
// to usage errors.
func (g *globals) openSession(ctx context.Context, st graph.Store, id string, opts ...session.Option) (*session.Session, error) {
	s, err := session.Open(ctx, st, graph.SnapshotID(id), opts...)
	switch {
	case err == nil:
		if !s.ProjectionStored() && g.env.IsTerminal() {
			fmt.Fprintf(g.env.Stderr, "note: snapshot %s has no stored projection (ingested by an earlier version?), so it "+
				"was built from the records; `reachgraph ingest` of the same sources stores it and makes opening fast\n", s.Meta().ID)
		}
		return s, nil
	case errors.Is(err, graph.ErrSnapshotNotFound) && id == "":
		return nil, usagef("store %s holds no snapshot yet: run `reachgraph ingest BUNDLE` first", g.storeURL())
	case errors.Is(err, session.ErrUnknown):
		return nil, usagef("%v: `reachgraph snapshots` lists them", err)
	case errors.Is(err, graph.ErrSnapshotNotFound), errors.Is(err, graph.ErrAmbiguousSnapshot):
		return nil, usageErr(err)
	}
	return nil, err
}

// queryErr maps an error of a question to its exit code: what the user asked
// wrong (unknown ids, bad combinations, bad enum values) is a usage error.
func queryErr(err error) error {
	var enum *schema.EnumError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, session.ErrUnknown), errors.Is(err, session.ErrInvalidQuestion), errors.As(err, &enum):
		return usageErr(err)
	}
	return err
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
