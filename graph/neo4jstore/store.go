package neo4jstore

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"

	"github.com/reachgraph/reachgraph/graph"
)

// Defaults of Options.
const (
	DefaultDatabase  = "neo4j"
	DefaultBatchSize = 10000
	// DefaultParallelism is the number of write transactions an ingest
	// keeps in flight.
	DefaultParallelism    = 4
	DefaultConnectTimeout = 10 * time.Second
	// DefaultTxTimeout bounds every transaction on the server, so a stuck
	// query or lock wait ends instead of holding the client forever.
	DefaultTxTimeout = 10 * time.Minute
	// acquireTimeout bounds waiting for a pooled connection.
	acquireTimeout = 30 * time.Second
)

// Sentinel errors of the package.
var (
	// ErrInvalidURI is returned by Open for a URI that does not parse; the
	// message never repeats the URI, which may carry a password.
	ErrInvalidURI = errors.New("neo4jstore: invalid URI")
	// ErrDanglingReference is returned by Ingest when a membership, grant or
	// delegation names an endpoint that no record of the snapshot declares: a
	// Neo4j relationship needs both nodes. (ingest validates references, so
	// loaded bundles never hit it.)
	ErrDanglingReference = errors.New("neo4jstore: edge endpoint not in the snapshot")
)

// Options configure Open. The zero value connects without authentication to
// the "neo4j" database with the defaults below.
type Options struct {
	// Username and Password are used when the URI carries no user info
	// (bolt://user:pass@host). No username means no authentication. The
	// package reads no environment variables; graph/stores fills these from
	// NEO4J_USERNAME and NEO4J_PASSWORD.
	Username string
	Password string
	// Database is the Neo4j database name; "" means DefaultDatabase.
	Database string
	// BatchSize is the number of rows per UNWIND write transaction; 0 means
	// DefaultBatchSize.
	BatchSize int
	// Parallelism is the number of UNWIND write transactions an ingest
	// runs at once, across node and relationship kinds; 0 means
	// DefaultParallelism. Concurrent batches that lock the same nodes may
	// deadlock; the server aborts one and the driver retries it.
	Parallelism int
	// ConnectTimeout bounds opening a socket; 0 means DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// TxTimeout is the server-side timeout of every transaction; 0 means
	// DefaultTxTimeout, a negative value the server's own default.
	TxTimeout time.Duration
	// Derived is data computed from each snapshot's records at ingest and
	// stored with it, by name (graph.DerivedReader): the CLI stores the
	// projection, so that opening a snapshot reads it instead of every
	// record. A derivation that fails is not stored.
	Derived map[string]graph.DeriveFunc
	// DerivedCheck tells, per name of Derived, whether stored data is in the
	// current form: a re-ingest of an existing snapshot keeps intact data
	// that passes it without computing it again (without a check, it
	// computes the data and compares).
	DerivedCheck map[string]graph.DeriveCheck
	// Notify, when set, is handed a line for each repair an ingest makes
	// beyond adding a snapshot (derived data of an existing snapshot
	// stored anew).
	Notify func(msg string)
	// SpoolBudget is how many bytes of an ingest's records, encoded, stay
	// in memory while they are written; the rest wait in an unnamed
	// temporary file in SpoolDir ("" for $TMPDIR), removed when the ingest
	// ends (in chunks of at most a quarter of it). 0 means 64 MiB.
	SpoolBudget int
	SpoolDir    string
	// TLSConfig customises TLS (for example RootCAs for a private CA). TLS
	// itself is chosen by the URI scheme: neo4j+s, bolt+s (verified) and
	// neo4j+ssc, bolt+ssc (self-signed accepted).
	TLSConfig *tls.Config
}

// Store is a graph.Store on a Neo4j 5 server. It is safe for concurrent use.
// Every node and relationship carries its snapshot id in the `snapshot`
// property, so any number of snapshots coexist and old ones stay queryable.
type Store struct {
	driver neo4j.DriverWithContext
	opts   Options
	where  string // redacted URI, for error messages
}

var _ graph.Store = (*Store)(nil)

// Open connects to the server at uri (neo4j://, neo4j+s://, neo4j+ssc://,
// bolt://, bolt+s://, bolt+ssc://), verifies connectivity and creates the
// constraints and indexes the store relies on (idempotent). ctx bounds all of
// it. Errors name the URI with any password redacted.
func Open(ctx context.Context, uri string, opts Options) (*Store, error) {
	u, err := url.Parse(uri)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // url.Error quotes the URL, password included
		}
		return nil, fmt.Errorf("%w: %w", ErrInvalidURI, err)
	}
	if u.User != nil {
		opts.Username = u.User.Username()
		opts.Password, _ = u.User.Password()
		u.User = nil
	}
	where := u.Redacted()
	opts = withDefaults(opts)
	auth := neo4j.NoAuth()
	if opts.Username != "" {
		auth = neo4j.BasicAuth(opts.Username, opts.Password, "")
	}
	driver, err := neo4j.NewDriverWithContext(u.String(), auth, func(c *config.Config) {
		c.SocketConnectTimeout = opts.ConnectTimeout
		c.ConnectionAcquisitionTimeout = acquireTimeout
		c.TelemetryDisabled = true
		if opts.TLSConfig != nil {
			c.TlsConfig = opts.TLSConfig
		}
	})
	if err != nil {
		return nil, fmt.Errorf("neo4jstore: open %s: %w", where, err)
	}
	s := &Store{driver: driver, opts: opts, where: where}
	if err := driver.VerifyConnectivity(ctx); err != nil {
		_ = driver.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("neo4jstore: connect %s: %w", where, err)
	}
	if err := s.ensureSchema(ctx); err != nil {
		_ = driver.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return s, nil
}

func withDefaults(o Options) Options {
	if o.Database == "" {
		o.Database = DefaultDatabase
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.Parallelism <= 0 {
		o.Parallelism = DefaultParallelism
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.TxTimeout == 0 {
		o.TxTimeout = DefaultTxTimeout
	}
	return o
}

// ensureSchema creates the constraints and indexes and waits until they are online.
func (s *Store) ensureSchema(ctx context.Context) error {
	for _, q := range append(schemaCypher(), "CALL db.awaitIndexes(300)") {
		if _, err := s.exec(ctx, q, nil); err != nil {
			return fmt.Errorf("neo4jstore: create schema on %s: %w", s.where, err)
		}
	}
	return nil
}

// Close closes the driver and its connections. Readers fail afterwards.
func (s *Store) Close() error {
	return s.driver.Close(context.Background())
}

// exec runs one statement in its own retried write transaction and returns
// its records.
func (s *Store) exec(ctx context.Context, cypher string, params map[string]any) (*neo4j.EagerResult, error) {
	return neo4j.ExecuteQuery(ctx, s.driver, cypher, params, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(s.opts.Database), s.txConfig())
}

// read runs one read-only statement and returns its records.
func (s *Store) read(ctx context.Context, cypher string, params map[string]any) (*neo4j.EagerResult, error) {
	return neo4j.ExecuteQuery(ctx, s.driver, cypher, params, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(s.opts.Database), neo4j.ExecuteQueryWithReadersRouting(), s.txConfig())
}

func (s *Store) txConfig() neo4j.ExecuteQueryConfigurationOption {
	return neo4j.ExecuteQueryWithTransactionConfig(s.txOptions()...)
}

func (s *Store) txOptions() []func(*neo4j.TransactionConfig) {
	if s.opts.TxTimeout > 0 {
		return []func(*neo4j.TransactionConfig){neo4j.WithTxTimeout(s.opts.TxTimeout)}
	}
	return nil
}

// ctxErr prefers ctx's error, so callers can match context.Canceled.
func ctxErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w: %w", cerr, err)
	}
	return err
}
