package postgres

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"time"

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
		f, err := in.Open(opts.Config)
		if err != nil {
			return err
		}
		c, probs, err := ParseConfig(f)
		if err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		if len(probs) > 0 {
			for _, p := range probs {
				f.Problem(p.Line, "", p.Msg)
			}
			in.NoHeader(name, "invalid postgres configuration")
			return nil
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

func str(name, v string) ingest.Field {
	return ingest.Field{Name: name, Value: ingest.Value{Kind: ingest.String, Text: v}}
}

// fields collects a record's fields, leaving out empty values.
type fields []ingest.Field

func (fs *fields) s(name, v string) {
	if v != "" {
		*fs = append(*fs, str(name, v))
	}
}

func (fs *fields) b(name string, v bool) {
	if v {
		*fs = append(*fs, ingest.Field{Name: name, Value: ingest.Value{Kind: ingest.Bool, Text: "true"}})
	}
}

func (fs *fields) t(name string, v time.Time) {
	if !v.IsZero() {
		*fs = append(*fs, str(name, v.UTC().Format(time.RFC3339Nano)))
	}
}

// emit hands the records of ds to f, numbering them from n; with skip
// (the cluster was declared by an earlier source) it emits nothing. It
// returns the next number.
func emit(f *ingest.File, ds *graph.Dataset, n int, skip bool) int {
	if skip {
		return n
	}
	add := func(section string, fs fields) {
		f.Add(&ingest.Record{Section: section, Fields: fs, Index: n, Pointer: "/" + section + "/" + strconv.Itoa(n)})
		n++
	}
	for _, r := range ds.SystemList {
		fs := fields{}
		fs.s("id", r.ID)
		fs.s("name", r.Name)
		fs.s("kind", r.Kind)
		fs.b("sox_scope", r.SOXScope)
		fs.s("owner", r.Owner)
		add("systems", fs)
	}
	for _, r := range ds.ResourceList {
		fs := fields{}
		fs.s("id", r.ID)
		fs.s("system", r.System)
		fs.s("parent", r.Parent)
		fs.s("name", r.Name)
		fs.s("kind", r.Kind)
		if r.SOXScope != nil {
			fs = append(fs, ingest.Field{Name: "sox_scope", Value: ingest.Value{Kind: ingest.Bool, Text: strconv.FormatBool(*r.SOXScope)}})
		}
		add("resources", fs)
	}
	for _, r := range ds.IdentityList {
		fs := fields{}
		fs.s("id", r.ID)
		fs.s("name", r.Name)
		fs.s("type", string(r.Type))
		fs.s("status", string(r.Status))
		add("identities", fs)
	}
	for _, r := range ds.GroupList {
		fs := fields{}
		fs.s("id", r.ID)
		fs.s("name", r.Name)
		fs.s("type", string(r.Type))
		fs.s("system", r.System)
		add("groups", fs)
	}
	for _, r := range ds.MembershipList {
		fs := fields{}
		fs.s("member", r.Member)
		fs.s("group", r.Group)
		add("memberships", fs)
	}
	for _, r := range ds.GrantList {
		fs := fields{}
		fs.s("principal", r.Principal)
		fs.s("action", string(r.Action))
		fs.s("resource", r.Resource)
		fs.s("native", r.Native)
		fs.b("conditional", r.Conditional)
		add("grants", fs)
	}
	for _, r := range ds.CredentialList {
		fs := fields{}
		fs.s("id", r.ID)
		fs.s("identity", r.Identity)
		fs.s("type", string(r.Type))
		if len(r.Systems) > 0 {
			fs = append(fs, ingest.Field{Name: "systems", Value: ingest.Value{Kind: ingest.List, Items: []ingest.Value{{Kind: ingest.String, Text: r.Systems[0]}}}})
		}
		fs.t("expires_at", r.ExpiresAt)
		fs.b("revoked", r.Revoked)
		add("credentials", fs)
	}
	for _, r := range ds.DelegationList {
		fs := fields{}
		fs.s("from", r.From)
		fs.s("to", r.To)
		fs.s("kind", string(r.Kind))
		fs.s("system", r.System)
		fs.s("native", r.Native)
		add("delegations", fs)
	}
	return n
}
