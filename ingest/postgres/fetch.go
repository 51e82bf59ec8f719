package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Sentinel errors of Fetch.
var (
	// ErrPasswordInURL is returned for a URL that carries a password: it
	// would land in shell history and in the snapshot's source list.
	ErrPasswordInURL = errors.New("a password in the URL is refused; set PGPASSWORD or use ~/.pgpass")
	// ErrBadURL is returned for a source that is not a postgres:// URL.
	ErrBadURL = errors.New("not a postgres:// or postgresql:// URL")
)

// DefaultStatementTimeout bounds each catalog statement.
const DefaultStatementTimeout = 2 * time.Minute

// FetchOptions tune Fetch. The zero value reads the URL's database only.
type FetchOptions struct {
	// AllDatabases reads every database the login may connect to.
	AllDatabases bool
	// StatementTimeout bounds each statement; 0 means DefaultStatementTimeout.
	StatementTimeout time.Duration
	// Tracer, when set, sees every statement (tests check that only
	// SELECT, SHOW, SET, BEGIN, COMMIT and ROLLBACK are sent).
	Tracer pgx.QueryTracer
	// AfterList, when set, is called with the databases about to be read
	// (tests use it to drop one mid-read).
	AfterList func(dbs []string)
}

// CheckURL parses a source URL, refusing a password in it (user:password@,
// or a password or sslpassword parameter). The password comes from PGPASSWORD or the
// password file (~/.pgpass, PGPASSFILE).
func CheckURL(raw string) (*url.URL, error) {
	if !strings.HasPrefix(raw, "postgres://") && !strings.HasPrefix(raw, "postgresql://") {
		return nil, ErrBadURL
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("invalid URL: %s", strings.TrimPrefix(err.Error(), "parse "))
	}
	if _, ok := u.User.Password(); ok {
		return nil, ErrPasswordInURL
	}
	for k := range u.Query() {
		if secretParam(k) {
			return nil, ErrPasswordInURL
		}
	}
	return u, nil
}

// secretParam reports whether a URL parameter carries a secret (password,
// sslpassword — the client key's passphrase).
func secretParam(k string) bool { return strings.Contains(strings.ToLower(k), "password") }

// Fetch reads the catalog of the server at the URL raw: the cluster-wide
// catalogs and the URL's database in one read-only REPEATABLE READ
// transaction, then, with AllDatabases, every other database the login may
// connect to in one such transaction each (databases sorted by name).
// It sends only SELECT, SHOW and SET statements besides BEGIN and COMMIT /
// ROLLBACK. Errors name the database and the catalog being read.
func Fetch(ctx context.Context, raw string, opts FetchOptions) (*Catalog, error) {
	if _, err := CheckURL(raw); err != nil {
		return nil, err
	}
	cfg, err := pgx.ParseConfig(raw)
	if err != nil {
		return nil, fmt.Errorf("invalid URL: %w", err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 15 * time.Second
	}
	cfg.Tracer = opts.Tracer
	if opts.StatementTimeout == 0 {
		opts.StatementTimeout = DefaultStatementTimeout
	}
	cat := &Catalog{Address: fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)}
	var dbs []string
	first := Database{Name: cfg.Database}
	err = inTx(ctx, cfg, opts, func(tx pgx.Tx) error {
		if err := readCluster(ctx, tx, cat); err != nil {
			return err
		}
		if opts.AllDatabases {
			if dbs, err = listDatabases(ctx, tx); err != nil {
				return err
			}
		}
		if err := readDatabase(ctx, tx, &first); err != nil {
			return fmt.Errorf("database %s: %w", cfg.Database, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	cat.Databases = append(cat.Databases, first)
	if opts.AfterList != nil {
		opts.AfterList(dbs)
	}
	for _, name := range dbs {
		if name == first.Name {
			continue
		}
		db := Database{Name: name}
		dbCfg := cfg.Copy()
		dbCfg.Database = name
		if err := inTx(ctx, dbCfg, opts, func(tx pgx.Tx) error { return readDatabase(ctx, tx, &db) }); err != nil {
			return nil, fmt.Errorf("database %s: %w", name, err)
		}
		cat.Databases = append(cat.Databases, db)
	}
	sort.Slice(cat.Databases, func(i, j int) bool { return cat.Databases[i].Name < cat.Databases[j].Name })
	return cat, nil
}

// inTx connects with cfg and runs fn in one read-only REPEATABLE READ
// transaction with a statement timeout; it always rolls back (nothing is
// written, so there is nothing to commit).
func inTx(ctx context.Context, cfg *pgx.ConnConfig, opts FetchOptions, fn func(pgx.Tx) error) error {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return connectError(cfg, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("begin read-only transaction: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	ms := fmt.Sprint(max(opts.StatementTimeout.Milliseconds(), 1)) // 0 would mean no timeout
	if _, err := tx.Exec(ctx, "SELECT set_config('statement_timeout', $1, true)", ms); err != nil {
		return fmt.Errorf("set statement_timeout: %w", err)
	}
	return fn(tx)
}

// connectError words a connection failure without echoing any secret.
func connectError(cfg *pgx.ConnConfig, err error) error {
	where := fmt.Sprintf("%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "28P01", "28000":
			return fmt.Errorf("connect %s: authentication failed (%s); check PGPASSWORD or ~/.pgpass", where, pgErr.Message)
		case "3D000":
			return fmt.Errorf("connect %s: %s", where, pgErr.Message)
		}
		return fmt.Errorf("connect %s: %s (SQLSTATE %s)", where, pgErr.Message, pgErr.Code)
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) && ce.Unwrap() != nil {
		// without the "failed to connect to `user=… database=…`" repeat,
		// and each attempt's error once (TLS then plain fail alike)
		var lines []string
		for _, l := range strings.Split(ce.Unwrap().Error(), "\n") {
			if !slices.Contains(lines, l) {
				lines = append(lines, l)
			}
		}
		return fmt.Errorf("connect %s: %s", where, strings.Join(lines, "; "))
	}
	return fmt.Errorf("connect %s: %w", where, err)
}
