package vault

import (
	"strconv"
	"time"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest"
)

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
		fs.s(name, v.UTC().Format(time.RFC3339))
	}
}

func (fs *fields) list(name string, vs []string) {
	if len(vs) == 0 {
		return
	}
	items := make([]ingest.Value, len(vs))
	for i, v := range vs {
		items[i] = ingest.Value{Kind: ingest.String, Text: v}
	}
	*fs = append(*fs, ingest.Field{Name: name, Value: ingest.Value{Kind: ingest.List, Items: items}})
}

// emit hands the records of res to f: placeholders first (so a regular
// record of another source can supersede them), then the export's own.
func emit(f *ingest.File, res *Result) {
	n := 0
	add := func(section string, fs fields, placeholder bool) {
		rec := &ingest.Record{Section: section, Fields: fs, Index: n, Pointer: "/reachgraph/" + section + "/" + strconv.Itoa(n)}
		n++
		if placeholder {
			f.AddPlaceholder(rec)
			return
		}
		f.Add(rec)
	}
	emitNodes(&res.Placeholders, add, true)
	emitNodes(&res.Records, add, false)
	emitEdges(&res.Records, add)
}

func emitNodes(ds *graph.Dataset, add func(string, fields, bool), ph bool) {
	for _, r := range ds.SystemList {
		var fs fields
		fs.s("id", r.ID)
		fs.s("name", r.Name)
		fs.s("kind", r.Kind)
		fs.b("sox_scope", r.SOXScope)
		fs.s("owner", r.Owner)
		add("systems", fs, ph)
	}
	for _, r := range ds.ResourceList {
		var fs fields
		fs.s("id", r.ID)
		fs.s("system", r.System)
		fs.s("parent", r.Parent)
		fs.s("name", r.Name)
		fs.s("kind", r.Kind)
		add("resources", fs, ph)
	}
	for _, r := range ds.IdentityList {
		var fs fields
		fs.s("id", r.ID)
		fs.s("name", r.Name)
		fs.s("type", string(r.Type))
		fs.s("purpose", r.Purpose)
		add("identities", fs, ph)
	}
	for _, r := range ds.GroupList {
		var fs fields
		fs.s("id", r.ID)
		fs.s("name", r.Name)
		fs.s("type", string(r.Type))
		fs.s("system", r.System)
		add("groups", fs, ph)
	}
	for _, r := range ds.CredentialList {
		var fs fields
		fs.s("id", r.ID)
		fs.s("identity", r.Identity)
		fs.s("type", string(r.Type))
		fs.list("systems", r.Systems)
		fs.t("created_at", r.CreatedAt)
		fs.t("last_rotated_at", r.LastRotatedAt)
		fs.t("expires_at", r.ExpiresAt)
		fs.s("stored_in", r.StoredIn)
		add("credentials", fs, ph)
	}
}

func emitEdges(ds *graph.Dataset, add func(string, fields, bool)) {
	for _, r := range ds.MembershipList {
		var fs fields
		fs.s("member", r.Member)
		fs.s("group", r.Group)
		add("memberships", fs, false)
	}
	for _, r := range ds.GrantList {
		var fs fields
		fs.s("principal", r.Principal)
		fs.s("action", string(r.Action))
		fs.s("resource", r.Resource)
		fs.s("native", r.Native)
		fs.b("conditional", r.Conditional)
		add("grants", fs, false)
	}
	for _, r := range ds.DelegationList {
		var fs fields
		fs.s("from", r.From)
		fs.s("to", r.To)
		fs.s("kind", string(r.Kind))
		fs.s("system", r.System)
		fs.s("native", r.Native)
		add("delegations", fs, false)
	}
}
