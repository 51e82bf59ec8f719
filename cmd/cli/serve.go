package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/schema/gqlserver"
)

// serveFlags are the flags of `reachgraph serve`.
type serveFlags struct {
	listen        string
	tokens        string
	insecure      bool
	noConsole     bool
	introspection bool
	maxDepth      int
	maxComplexity int
	maxBody       int64
	timeout       time.Duration
	maxCost       int64
	perToken      int
	metricsPublic bool
	cacheBytes    int64
}

func newServeCmd(g *globals) *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the GraphQL API, an offline query console, /healthz, /readyz and /metrics",
		Long: `serve answers GraphQL at /graphql over the store. Requests need a bearer token
listed in --tokens (one "name role sha256-hex-of-token" per line; roles auditor and
admin; create one with "reachgraph token NAME ROLE"). Without --tokens the server
refuses to start unless --insecure-no-auth is given and --listen is a loopback
address. Stops gracefully on SIGTERM or Ctrl-C.`,
		Example: `  reachgraph serve --tokens /etc/reachgraph/tokens
  reachgraph serve --listen 127.0.0.1:8080 --insecure-no-auth`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.serve(cmd.Context(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:8080", "address to listen on")
	fl.StringVar(&f.tokens, "tokens", "", "tokens file: one `name role sha256-hex` per line")
	fl.BoolVar(&f.insecure, "insecure-no-auth", false, "serve without authentication (loopback addresses only)")
	fl.BoolVar(&f.noConsole, "no-console", false, "do not serve the query console at /")
	fl.BoolVar(&f.introspection, "introspection", true, "allow GraphQL introspection queries")
	fl.IntVar(&f.maxDepth, "max-depth", gqlserver.DefaultMaxDepth, "reject queries nested deeper than this")
	fl.IntVar(&f.maxComplexity, "max-complexity", gqlserver.DefaultMaxComplexity, "reject queries more complex than this")
	fl.Int64Var(&f.maxBody, "max-body", gqlserver.DefaultMaxBodyBytes, "maximum request body in bytes")
	fl.DurationVar(&f.timeout, "timeout", gqlserver.DefaultTimeout, "per-request time limit")
	fl.Int64Var(&f.maxCost, "max-cost", gqlserver.DefaultMaxCost, "accesses one request may compute; past it answers are cut and marked complete: false")
	fl.IntVar(&f.perToken, "max-concurrent-per-token", gqlserver.DefaultMaxConcurrentPerToken, "requests one token may have in flight (more are answered 429)")
	fl.BoolVar(&f.metricsPublic, "metrics-public", false, "serve /metrics without a token")
	fl.Int64Var(&f.cacheBytes, "cache-bytes", gqlserver.DefaultMaxCacheBytes, "estimated memory the open snapshots may hold (projections, records, cached findings); the most recent stays")
	return cmd
}

func (g *globals) serve(ctx context.Context, f serveFlags) error {
	if ctx == nil {
		ctx = context.Background()
	}
	var tokens *gqlserver.Tokens
	if f.tokens != "" {
		fh, err := openPrivate(f.tokens) // refused when group or others can read it
		if err != nil {
			return usageErr(err)
		}
		tokens, err = gqlserver.ParseTokens(fh)
		fh.Close()
		if err != nil {
			return usageErr(err)
		}
	}
	if err := gqlserver.CheckInsecure(f.listen, tokens, f.insecure); err != nil {
		return usageErr(err)
	}
	st, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if k, ok := st.(interface{ KeepOpen(time.Duration) }); ok {
		k.KeepOpen(memstore.DefaultKeepOpen) // open once, not per request; see docs/performance.md
	}
	log := slog.New(slog.NewJSONHandler(g.env.Stderr, nil))
	srv := gqlserver.NewServer(gqlserver.Options{
		Store: st, Logger: log, Tokens: tokens, Ingest: IngestBundle,
		Console: !f.noConsole, Introspection: f.introspection,
		MaxDepth: f.maxDepth, MaxComplexity: f.maxComplexity, MaxBodyBytes: f.maxBody, Timeout: f.timeout,
		MaxCost: f.maxCost, MaxConcurrentPerToken: f.perToken, MetricsPublic: f.metricsPublic, MaxCacheBytes: f.cacheBytes,
		Build: gqlserver.BuildInfo{Version: Build().Version, Commit: Build().Commit},
	})
	if err := srv.Warm(ctx); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return usageErr(err)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	hs := newHTTPServer(srv.Handler(), f.timeout)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("serving", "addr", ln.Addr().String(), "auth", tokens != nil, "console", !f.noConsole)
	fmt.Fprintf(g.env.Stdout, "reachgraph serving GraphQL on http://%s/graphql\n", ln.Addr())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// IngestBundle is the server's ingest mutation: it loads the bundle file at
// path into st as one snapshot; validation errors wrap gqlserver.ErrInvalidInput.
func IngestBundle(ctx context.Context, st graph.Store, path string) (graph.SnapshotMeta, error) {
	meta, err := ingest.Load(ctx, st, []ingest.Source{{Path: path, Format: ingest.FormatBundle}}, ingest.Options{Readers: readers(sourceConfigs{})})
	if errors.Is(err, ingest.ErrInvalid) {
		return meta, fmt.Errorf("%w: nothing was stored:\n%w", gqlserver.ErrInvalidInput, err)
	}
	return meta, err
}

// newHTTPServer is the HTTP server of `serve`. Slow clients cannot hold
// connections: reading a request and writing an answer are bounded (the
// write bound leaves the per-request time limit room to answer), idle
// keep-alive connections are closed, and headers are capped.
func newHTTPServer(h http.Handler, requestTimeout time.Duration) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: requestTimeout + 30*time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
}
