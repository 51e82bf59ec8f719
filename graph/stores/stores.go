package stores

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/graph/neo4jstore"
)

// DefaultPath is the embedded store used when the store URL is empty.
const DefaultPath = "./reachgraph.db"

// Sentinel errors of Parse and Open.
var (
	// ErrUnknownScheme is returned for a "scheme://" URL naming no backend.
	ErrUnknownScheme = errors.New("unknown store scheme")
)

// Environment variables Open reads through Options.Getenv for Neo4j URLs
// that carry no user info.
const (
	EnvNeo4jUsername = "NEO4J_USERNAME"
	EnvNeo4jPassword = "NEO4J_PASSWORD"
)

// Kind is the backend a store URL selects.
type Kind string

// The backends.
const (
	KindFile  Kind = "file"  // the embedded single-file store (graph/memstore)
	KindNeo4j Kind = "neo4j" // a Neo4j server
)

// Target is a parsed store URL.
type Target struct {
	Kind Kind
	// Path is the store file, for KindFile: "./reachgraph.db" for an empty
	// URL, else the path exactly as written after "file:" or "file://".
	Path string
	// URL is the server URL as given, for KindNeo4j. It may carry a password:
	// print Redacted(), never URL.
	URL string
}

// Redacted returns the target for messages: the file path, or the server URL
// with any password replaced by "xxxxx".
func (t Target) Redacted() string {
	if t.Kind == KindFile {
		return t.Path
	}
	return redact(t.URL)
}

// Options tune the store that Open returns.
type Options struct {
	// LockTimeout is how long the embedded store waits for a file lock held by
	// another reachgraph process (an ingest committing, or a reader while this
	// process commits) before it fails; 0 means memstore.DefaultLockTimeout.
	LockTimeout time.Duration
	// Getenv looks up environment variables (pass os.Getenv). For a Neo4j URL
	// without user info, Open takes the credentials from NEO4J_USERNAME and
	// NEO4J_PASSWORD through it; nil means no environment is read and the
	// server is used without authentication.
	Getenv func(string) string
	// Neo4j tunes the Neo4j backend (batch size, timeouts, database, TLS);
	// its Username and Password are overridden from the environment as above
	// when they are empty.
	Neo4j neo4jstore.Options
	// Derived is data a store computes at ingest and stores with each
	// snapshot, by name (memstore.WithDerived, neo4jstore.Options.Derived):
	// the CLI stores the projection there.
	Derived map[string]graph.DeriveFunc
	// DerivedCheck tells, per name of Derived, whether stored data is in
	// the current form, so that re-ingesting an existing snapshot keeps it
	// without computing it (memstore.WithDerivedCheck,
	// neo4jstore.Options.DerivedCheck).
	DerivedCheck map[string]graph.DeriveCheck
	// Notify, when set, is handed a line for each repair an ingest makes
	// beyond adding a snapshot (memstore.WithNotify,
	// neo4jstore.Options.Notify).
	Notify func(msg string)
}

var schemeRE = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*)://`)

// neo4jSchemes are the URL schemes of the official Neo4j driver.
var neo4jSchemes = map[string]bool{
	"neo4j": true, "neo4j+s": true, "neo4j+ssc": true,
	"bolt": true, "bolt+s": true, "bolt+ssc": true,
}

// Parse tells which backend rawURL selects (see the package documentation).
// It fails with ErrUnknownScheme for an unknown "scheme://" and for an empty
// file path after "file:".
func Parse(rawURL string) (Target, error) {
	switch {
	case rawURL == "":
		return Target{Kind: KindFile, Path: DefaultPath}, nil
	case strings.HasPrefix(rawURL, "file:"):
		path := strings.TrimPrefix(rawURL, "file:")
		path = strings.TrimPrefix(path, "//") // file:///abs/path → /abs/path
		if path == "" {
			return Target{}, fmt.Errorf("store %q: empty file path", rawURL)
		}
		return Target{Kind: KindFile, Path: path}, nil
	}
	m := schemeRE.FindStringSubmatch(rawURL)
	if m == nil {
		return Target{Kind: KindFile, Path: rawURL}, nil
	}
	if scheme := strings.ToLower(m[1]); neo4jSchemes[scheme] {
		return Target{Kind: KindNeo4j, URL: rawURL}, nil
	}
	return Target{}, fmt.Errorf("store %s: %w %q (want a file path, file:PATH, neo4j://… or bolt://…)",
		redact(rawURL), ErrUnknownScheme, m[1])
}

// Open opens the store rawURL names (see Parse). The embedded store is opened
// lazily: a file that does not exist yet is an empty store, created by the
// first ingest. ctx bounds connecting to a server.
func Open(ctx context.Context, rawURL string, opts Options) (graph.Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t, err := Parse(rawURL)
	if err != nil {
		return nil, err
	}
	switch t.Kind {
	case KindFile:
		mopts := []memstore.Option{memstore.WithLockTimeout(opts.LockTimeout)}
		for name, fn := range opts.Derived {
			mopts = append(mopts, memstore.WithDerived(name, fn))
		}
		for name, check := range opts.DerivedCheck {
			mopts = append(mopts, memstore.WithDerivedCheck(name, check))
		}
		if opts.Notify != nil {
			mopts = append(mopts, memstore.WithNotify(opts.Notify))
		}
		return memstore.Open(t.Path, mopts...)
	case KindNeo4j:
		no := opts.Neo4j
		if no.Derived == nil {
			no.Derived, no.DerivedCheck = opts.Derived, opts.DerivedCheck
		}
		if no.Notify == nil {
			no.Notify = opts.Notify
		}
		if opts.Getenv != nil && no.Username == "" {
			no.Username, no.Password = opts.Getenv(EnvNeo4jUsername), opts.Getenv(EnvNeo4jPassword)
		}
		s, err := neo4jstore.Open(ctx, t.URL, no)
		if err != nil {
			return nil, fmt.Errorf("store %s: %w", t.Redacted(), err)
		}
		return s, nil
	}
	return nil, fmt.Errorf("store %s: unhandled kind %q", t.Redacted(), t.Kind)
}

// redact hides a password in a URL; strings that do not parse as a URL are
// cut at the last '@' before the host so that no user info is printed.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err == nil {
		return u.Redacted()
	}
	if i := strings.LastIndex(rawURL, "@"); i >= 0 {
		if m := schemeRE.FindString(rawURL); m != "" && len(m) <= i {
			return m + "xxxxx" + rawURL[i:]
		}
	}
	return rawURL
}

// Neo4jBulkImport returns an ingester that writes a snapshot as the CSV
// files of `neo4j-admin database import full` into dir, for a new Neo4j
// database built offline (neo4jstore.BulkImport), with the derived data
// of derived (as Options.Derived).
func Neo4jBulkImport(dir string, derived map[string]graph.DeriveFunc) graph.Ingester {
	return neo4jstore.BulkImport{Dir: dir, Derived: derived}
}
