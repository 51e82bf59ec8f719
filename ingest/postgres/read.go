package postgres

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/schema"
)

// Options configure the reader of NewReader.
type Options struct {
	// Config is the --pg-config file ("" for none).
	Config string
	// Fetch tunes the catalog read (AllDatabases, statement timeout, tracer).
	Fetch FetchOptions
}

// NewReader returns the ingest.ReadFunc of postgres:// sources. Each call
// reads one URL (Fetch), transforms the catalog (Transform) and hands the
// records to the loader; the snapshot records the URL with the SHA-256 of
// the catalog rows read, so an unchanged catalog gives the same snapshot id.
//
// A reader serves one ingest.Load: when several sources name databases of
// one cluster, the cluster's roles, memberships and credentials are declared
// by the first of them only. A connection or catalog failure is a problem of
// the source (so the load stores nothing), worded without any secret.
func NewReader(opts Options) ingest.ReadFunc {
	done := map[string]bool{} // clusters declared by an earlier source
	return func(ctx context.Context, path string, in *ingest.Input) error {
		return read(ctx, path, in, opts, done)
	}
}

func read(ctx context.Context, raw string, in *ingest.Input, opts Options, done map[string]bool) error {
	name := displayURL(raw)
	var cfg *Config
	if opts.Config != "" {
		c, ok, err := ingest.ParseSideFile(in, opts.Config, name, "invalid postgres configuration", parseConfig,
			func(f *ingest.File, p Problem) { f.Problem(p.Line, "", p.Msg) })
		if !ok {
			return err
		}
		cfg = c
	}
	cat, err := Fetch(ctx, raw, opts.Fetch)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		in.NoHeader(name, err.Error())
		return nil
	}
	data, err := json.Marshal(cat)
	if err != nil {
		return err
	}
	f := in.OpenData(name, data)
	recs := Transform(cat, cfg)
	f.Header([]ingest.Field{str("format", schema.FormatV1), str("source", label(recs.SystemID, cat, opts.Fetch.AllDatabases))}, 0)
	emit(f, &recs.Objects, emit(f, &recs.Cluster, 0, done[recs.SystemID]), false)
	done[recs.SystemID] = true
	return nil
}

// displayURL is the source as recorded and shown: the URL with any password
// removed (CheckURL refuses one anyway, but problems must never echo it).
func displayURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "postgres URL"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	for k := range q {
		if secretParam(k) {
			q.Del(k)
			u.RawQuery = q.Encode()
		}
	}
	return u.String()
}

// label is the snapshot's source label: postgres:CLUSTER/DB (or
// postgres:CLUSTER with every database), with the approximation made when
// pg_hba_file_rules was not readable.
func label(sys string, cat *Catalog, all bool) string {
	l := sys
	if !all && len(cat.Databases) == 1 {
		l += "/" + cat.Databases[0].Name
	}
	if cat.HBAUnreadable {
		l += " (approximated: pg_hba_file_rules not readable, login credentials typed password)"
	}
	return l
}

// emit hands the records of ds to f, numbering them from n; with skip
// (the cluster was declared by an earlier source) it emits nothing. It
// returns the next number.
func emit(f *ingest.File, ds *graph.Dataset, n int, skip bool) int {
	if skip {
		return n
	}
	return f.Emit(ds, ingest.EmitOptions{Start: n, Pointer: func(section, _ string, i int) string {
		return "/" + section + "/" + strconv.Itoa(i)
	}})
}

func str(name, v string) ingest.Field {
	return ingest.Field{Name: name, Value: ingest.Value{Kind: ingest.String, Text: v}}
}

func parseConfig(f *ingest.File) (*Config, []Problem, error) { return ParseConfig(f) }
