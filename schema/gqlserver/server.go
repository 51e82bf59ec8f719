package gqlserver

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema/gqlserver/model"
)

// IngestFunc validates the bundle file at path and lands it in st as one
// snapshot, all or nothing. Validation errors must wrap ErrInvalidInput (their
// message is shown to the client); other errors are logged and hidden. The
// server cannot import the ingest packages (STYLE §1), so the caller wires it in.
type IngestFunc func(ctx context.Context, st graph.Store, path string) (graph.SnapshotMeta, error)

// Defaults of Options.
const (
	DefaultMaxDepth      = 12
	DefaultMaxComplexity = 50000
	DefaultMaxBodyBytes  = 16 << 20
	DefaultTimeout       = 30 * time.Second
	// DefaultMaxCost is the accesses (each with its evidence path) one
	// request may have computed over all its fields; past it answers are
	// cut and marked complete: false.
	DefaultMaxCost = 100_000
	// DefaultMaxConcurrentPerToken caps one token's requests in flight.
	DefaultMaxConcurrentPerToken = 4
	// DefaultMaxCacheBytes is the default of Options.MaxCacheBytes.
	DefaultMaxCacheBytes = 8 << 30
	// MaxPageSize caps identities(first).
	MaxPageSize = 1000
)

// Options configure a Server. Zero limits take the defaults above.
type Options struct {
	// Store is the open store; the server does not close it.
	Store graph.Store
	// Logger receives one line per request and every hidden internal error.
	Logger *slog.Logger
	// Tokens authenticate requests; nil disables auth (every caller is admin).
	// Refusing that off loopback is the caller's job (see CheckInsecure).
	Tokens *Tokens
	// Ingest implements the ingest mutation; nil makes it fail.
	Ingest IngestFunc
	// Console serves the offline query console at /.
	Console bool
	// Introspection allows __schema / __type queries; when off, validation
	// errors carry no "did you mean" suggestions either.
	Introspection bool
	// MetricsPublic serves /metrics without a token; by default it needs
	// one when Tokens are set.
	MetricsPublic bool
	// MaxDepth rejects operations nested deeper than this many fields.
	MaxDepth int
	// MaxComplexity rejects operations whose complexity exceeds it.
	MaxComplexity int
	// MaxBodyBytes caps the request body.
	MaxBodyBytes int64
	// Timeout bounds each request.
	Timeout time.Duration
	// MaxCost is the per-request budget of accesses (see DefaultMaxCost).
	MaxCost int64
	// MaxConcurrentPerToken caps the requests one token has in flight;
	// more are answered 429.
	MaxConcurrentPerToken int
	// Build names the running build in /metrics (reachgraph_build_info).
	Build BuildInfo
	// MaxCacheBytes bounds the estimated memory of the snapshots held open
	// (projections, records, cached findings); 0 means DefaultMaxCacheBytes,
	// negative no byte bound. The most recently used snapshot is always kept.
	MaxCacheBytes int64
}

// Server is the GraphQL server over one store. It is safe for concurrent use.
type Server struct {
	opts    Options
	log     *slog.Logger
	views   *views
	metrics *metrics
	slots   *slots
	// builtin parses and validates the embedded built-in ruleset once, on
	// first use. It is rules.Load() with no files, as the CLI does:
	// rules.Builtin alone skips validation, which fills defaults such as
	// each rule's category.
	builtin func() (*rules.Ruleset, error)
}

// NewServer returns a server over opts.Store.
func NewServer(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxDepth <= 0 {
		opts.MaxDepth = DefaultMaxDepth
	}
	if opts.MaxComplexity <= 0 {
		opts.MaxComplexity = DefaultMaxComplexity
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxCost <= 0 {
		opts.MaxCost = DefaultMaxCost
	}
	if opts.MaxConcurrentPerToken <= 0 {
		opts.MaxConcurrentPerToken = DefaultMaxConcurrentPerToken
	}
	m := newMetrics()
	if opts.Store != nil {
		m.registerStore(opts.Store, opts.Build)
	}
	vs := newViews(opts.Store)
	switch {
	case opts.MaxCacheBytes == 0:
		vs.maxBytes = DefaultMaxCacheBytes
	case opts.MaxCacheBytes > 0:
		vs.maxBytes = opts.MaxCacheBytes
	}
	vs.opened = m.projection
	return &Server{opts: opts, log: opts.Logger, views: vs, metrics: m, slots: newSlots(opts.MaxConcurrentPerToken),
		builtin: sync.OnceValues(func() (*rules.Ruleset, error) { return rules.Load() })}
}

// Warm builds the view of the newest snapshot, so the first query is fast
// and /readyz can report ready. A store without snapshots is not an error.
func (s *Server) Warm(ctx context.Context) error {
	_, err := s.views.get(ctx, "")
	if errors.Is(err, graph.ErrSnapshotNotFound) {
		return nil
	}
	return err
}

// scope resolves the snapshot and as-of arguments of a root field.
func (s *Server) scope(ctx context.Context, snapshot *string, asOf *time.Time) (*view, model.Scope, error) {
	id := graph.SnapshotID("")
	if snapshot != nil {
		id = graph.SnapshotID(*snapshot)
	}
	v, err := s.views.get(ctx, id)
	if err != nil {
		return nil, model.Scope{}, err
	}
	return v, model.Scope{Snapshot: v.meta.ID, AsOf: v.sess.AsOf(deref(asOf))}, nil
}

// viewOf returns the view a nested model was answered on.
func (s *Server) viewOf(ctx context.Context, sc model.Scope) (*view, error) {
	return s.views.get(ctx, sc.Snapshot)
}
