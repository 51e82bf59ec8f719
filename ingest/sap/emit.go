package sap

import (
	"sort"
	"strconv"
	"time"

	"github.com/reachgraph/reachgraph/ingest"
)

// Emit hands every record of res to f (the shared loader validates them).
func Emit(f *ingest.File, res *Result) {
	n := 0
	add := func(section string, fs fields) {
		f.Add(&ingest.Record{Section: section, Fields: fs, Index: n, Pointer: "/reachgraph/" + section + "/" + strconv.Itoa(n)})
		n++
	}
	for _, r := range res.Systems {
		var fs fields
		fs.s("id", r.ID)
		fs.s("name", r.Name)
		fs.s("kind", r.Kind)
		fs = append(fs, boolField("sox_scope", r.SOXScope))
		fs.s("owner", r.Owner)
		add("systems", fs)
	}
	for _, r := range res.Resources {
		var fs fields
		fs.s("id", r.ID)
		fs.s("system", r.System)
		fs.s("parent", r.Parent)
		fs.s("name", r.Name)
		fs.s("kind", r.Kind)
		add("resources", fs)
	}
	for _, r := range res.Identities {
		var fs fields
		fs.s("id", r.ID)
		fs.s("name", r.Name)
		fs.s("type", string(r.Type))
		fs.s("status", string(r.Status))
		fs.b("shared", r.Shared)
		fs.t("created_at", r.CreatedAt)
		fs.t("last_used_at", r.LastUsedAt)
		fs.tags("tags", r.Tags)
		add("identities", fs)
	}
	for _, r := range res.Groups {
		var fs fields
		fs.s("id", r.ID)
		fs.s("name", r.Name)
		fs.s("type", string(r.Type))
		fs.s("system", r.System)
		add("groups", fs)
	}
	for _, r := range res.Memberships {
		var fs fields
		fs.s("member", r.Member)
		fs.s("group", r.Group)
		if window(&fs, r.Window) {
			add("memberships", fs)
		}
	}
	for _, r := range res.Grants {
		var fs fields
		fs.s("principal", r.Principal)
		fs.s("action", string(r.Action))
		fs.s("resource", r.Resource)
		fs.s("native", r.Native)
		fs.b("conditional", r.Conditional)
		if window(&fs, r.Window) {
			add("grants", fs)
		}
	}
	for _, r := range res.Credentials {
		var fs fields
		fs.s("id", r.ID)
		fs.s("identity", r.Identity)
		fs.s("type", string(r.Type))
		fs.list("systems", r.Systems)
		fs.t("created_at", r.CreatedAt)
		fs.t("last_rotated_at", r.LastRotatedAt)
		fs.t("expires_at", r.ExpiresAt)
		fs.t("last_used_at", r.LastUsedAt)
		add("credentials", fs)
	}
	for _, r := range res.Delegations {
		var fs fields
		fs.s("from", r.From)
		fs.s("to", r.To)
		fs.s("kind", string(r.Kind))
		fs.s("system", r.System)
		fs.s("native", r.Native)
		if window(&fs, r.Window) {
			add("delegations", fs)
		}
	}
}

// window puts an edge's validity window into its record (valid_from,
// expires_at). Every edge is emitted: the analysis decides at its as_of.
func window(fs *fields, w Window) bool {
	fs.t("valid_from", w.From)
	fs.t("expires_at", w.Until)
	return true
}

func str(name, v string) ingest.Field {
	return ingest.Field{Name: name, Value: ingest.Value{Kind: ingest.String, Text: v}}
}

func boolField(name string, v bool) ingest.Field {
	return ingest.Field{Name: name, Value: ingest.Value{Kind: ingest.Bool, Text: strconv.FormatBool(v)}}
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
		*fs = append(*fs, boolField(name, v))
	}
}

func (fs *fields) t(name string, v time.Time) {
	if !v.IsZero() {
		*fs = append(*fs, str(name, v.UTC().Format(time.RFC3339)))
	}
}

func (fs *fields) list(name string, vs []string) {
	items := make([]ingest.Value, len(vs))
	for i, v := range vs {
		items[i] = ingest.Value{Kind: ingest.String, Text: v}
	}
	if len(items) > 0 {
		*fs = append(*fs, ingest.Field{Name: name, Value: ingest.Value{Kind: ingest.List, Items: items}})
	}
}

func (fs *fields) tags(name string, m map[string]string) {
	if len(m) == 0 {
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	v := ingest.Value{Kind: ingest.Map}
	for _, k := range keys {
		v.Fields = append(v.Fields, str(k, m[k]))
	}
	*fs = append(*fs, ingest.Field{Name: name, Value: v})
}
