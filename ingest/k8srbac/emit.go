package k8srbac

import (
	"strconv"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest"
)

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

// emit hands every record of ds to f (the shared loader validates them).
func emit(f *ingest.File, ds *graph.Dataset) {
	n := 0
	add := func(section string, fs fields) {
		f.Add(&ingest.Record{Section: section, Fields: fs, Index: n, Pointer: "/reachgraph/" + section + "/" + strconv.Itoa(n)})
		n++
	}
	for _, r := range ds.SystemList {
		var fs fields
		fs.s("id", r.ID)
		fs.s("name", r.Name)
		fs.s("kind", r.Kind)
		fs.b("sox_scope", r.SOXScope)
		fs.s("owner", r.Owner)
		add("systems", fs)
	}
	for _, r := range ds.ResourceList {
		var fs fields
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
		var fs fields
		fs.s("id", r.ID)
		fs.s("name", r.Name)
		fs.s("type", string(r.Type))
		fs.s("status", string(r.Status))
		if len(r.Tags) > 0 {
			tags := ingest.Value{Kind: ingest.Map}
			for _, k := range sortedKeys(r.Tags) {
				tags.Fields = append(tags.Fields, str(k, r.Tags[k]))
			}
			fs = append(fs, ingest.Field{Name: "tags", Value: tags})
		}
		add("identities", fs)
	}
	for _, r := range ds.GroupList {
		var fs fields
		fs.s("id", r.ID)
		fs.s("name", r.Name)
		fs.s("type", string(r.Type))
		fs.s("system", r.System)
		add("groups", fs)
	}
	for _, r := range ds.MembershipList {
		var fs fields
		fs.s("member", r.Member)
		fs.s("group", r.Group)
		add("memberships", fs)
	}
	for _, r := range ds.GrantList {
		var fs fields
		fs.s("principal", r.Principal)
		fs.s("action", string(r.Action))
		fs.s("resource", r.Resource)
		fs.s("native", r.Native)
		fs.b("conditional", r.Conditional)
		add("grants", fs)
	}
	for _, r := range ds.CredentialList {
		var fs fields
		fs.s("id", r.ID)
		fs.s("identity", r.Identity)
		fs.s("type", string(r.Type))
		fs.list("systems", r.Systems)
		fs.s("stored_in", r.StoredIn)
		add("credentials", fs)
	}
	for _, r := range ds.DelegationList {
		var fs fields
		fs.s("from", r.From)
		fs.s("to", r.To)
		fs.s("kind", string(r.Kind))
		fs.s("system", r.System)
		fs.s("native", r.Native)
		add("delegations", fs)
	}
}
