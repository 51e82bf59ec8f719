package ingest

import (
	"slices"
	"strconv"
	"time"

	"github.com/reachgraph/reachgraph/graph"
)

// EmitOptions tune File.Emit.
type EmitOptions struct {
	// Placeholders adds systems and identities as placeholders
	// (AddPlaceholder): declared unless another record of the load declares
	// the same id.
	Placeholders bool
	// Pointer, when set, gives the position of a record (its section, its id
	// when it is a node or credential, else "", and its index) in the source:
	// a JSON pointer into the export. "" or a nil Pointer means
	// /reachgraph/SECTION/N.
	Pointer func(section, id string, index int) string
	// Start is the index of the first record (records of several Emit calls
	// into one file keep counting).
	Start int
}

// Emit hands every record of ds to f, section by section in load order, as
// the fields a bundle would carry (unset values left out), so a source
// reader that builds graph records in its transform loads them through the
// one validation every input goes through. It returns the index after the
// last record.
func (f *File) Emit(ds *graph.Dataset, opts EmitOptions) int {
	n := opts.Start
	add := func(section, id string, fs recordFields) {
		ptr := ""
		if opts.Pointer != nil {
			ptr = opts.Pointer(section, id, n)
		}
		if ptr == "" {
			ptr = "/reachgraph/" + section + "/" + strconv.Itoa(n)
		}
		rec := &Record{Section: section, Fields: fs, Index: n, Pointer: ptr}
		n++
		if opts.Placeholders && (section == "systems" || section == "identities") {
			f.AddPlaceholder(rec)
			return
		}
		f.Add(rec)
	}
	for _, r := range ds.SystemList {
		var fs recordFields
		fs.s("id", r.ID).s("name", r.Name).s("kind", r.Kind).b("sox_scope", r.SOXScope).s("owner", r.Owner)
		add("systems", r.ID, fs)
	}
	for _, r := range ds.ResourceList {
		var fs recordFields
		fs.s("id", r.ID).s("system", r.System).s("parent", r.Parent).s("name", r.Name).s("kind", r.Kind)
		if r.SOXScope != nil {
			fs = append(fs, boolField("sox_scope", *r.SOXScope))
		}
		add("resources", r.ID, fs)
	}
	for _, r := range ds.IdentityList {
		var fs recordFields
		fs.s("id", r.ID).s("name", r.Name).s("type", string(r.Type)).s("status", string(r.Status))
		fs.owners(r.Owners)
		fs.s("purpose", r.Purpose).s("nonhuman_rationale", r.NonhumanRationale).b("shared", r.Shared).b("break_glass", r.BreakGlass)
		fs.s("vendor", r.Vendor).t("created_at", r.CreatedAt).t("last_used_at", r.LastUsedAt)
		fs.list("compensating_controls", r.CompensatingControls).list("same_as", r.SameAs).tags("tags", r.Tags)
		add("identities", r.ID, fs)
	}
	for _, r := range ds.GroupList {
		var fs recordFields
		fs.s("id", r.ID).s("name", r.Name).s("type", string(r.Type)).s("system", r.System)
		add("groups", r.ID, fs)
	}
	for _, r := range ds.MembershipList {
		var fs recordFields
		fs.s("member", r.Member).s("group", r.Group).t("valid_from", r.ValidFrom).t("expires_at", r.ExpiresAt)
		fs.s("native", r.Native)
		add("memberships", "", fs)
	}
	for _, r := range ds.GrantList {
		var fs recordFields
		fs.s("principal", r.Principal).s("action", string(r.Action)).s("resource", r.Resource).s("native", r.Native)
		fs.b("conditional", r.Conditional).t("last_used_at", r.LastUsedAt).t("valid_from", r.ValidFrom).t("expires_at", r.ExpiresAt)
		add("grants", "", fs)
	}
	for _, r := range ds.CredentialList {
		var fs recordFields
		fs.s("id", r.ID).s("identity", r.Identity).s("type", string(r.Type)).list("systems", r.Systems)
		fs.t("created_at", r.CreatedAt).t("last_rotated_at", r.LastRotatedAt).t("valid_from", r.ValidFrom)
		fs.t("expires_at", r.ExpiresAt).t("last_used_at", r.LastUsedAt)
		if r.RotationDays != 0 {
			fs = append(fs, Field{Name: "rotation_days", Value: Value{Kind: Number, Text: strconv.Itoa(r.RotationDays)}})
		}
		fs.b("revoked", r.Revoked).b("vaulted", r.Vaulted).s("stored_in", r.StoredIn)
		add("credentials", r.ID, fs)
	}
	for _, r := range ds.DelegationList {
		var fs recordFields
		fs.s("from", r.From).s("to", r.To).s("kind", string(r.Kind)).s("system", r.System).s("native", r.Native)
		fs.t("valid_from", r.ValidFrom).t("expires_at", r.ExpiresAt)
		add("delegations", "", fs)
	}
	return n
}

// recordFields collects a record's fields, leaving out unset values.
type recordFields []Field

func (fs *recordFields) s(name, v string) *recordFields {
	if v != "" {
		*fs = append(*fs, Field{Name: name, Value: Value{Kind: String, Text: v}})
	}
	return fs
}

func (fs *recordFields) b(name string, v bool) *recordFields {
	if v {
		*fs = append(*fs, boolField(name, true))
	}
	return fs
}

func (fs *recordFields) t(name string, v time.Time) *recordFields {
	if !v.IsZero() {
		fs.s(name, v.UTC().Format(time.RFC3339Nano))
	}
	return fs
}

func (fs *recordFields) list(name string, vs []string) *recordFields {
	if len(vs) == 0 {
		return fs
	}
	items := make([]Value, len(vs))
	for i, v := range vs {
		items[i] = Value{Kind: String, Text: v}
	}
	*fs = append(*fs, Field{Name: name, Value: Value{Kind: List, Items: items}})
	return fs
}

// owners adds the owners map with the owners that are named.
func (fs *recordFields) owners(o graph.Owners) *recordFields {
	v := Value{Kind: Map}
	if o.Business != "" {
		v.Fields = append(v.Fields, Field{Name: "business", Value: Value{Kind: String, Text: o.Business}})
	}
	if o.Technical != "" {
		v.Fields = append(v.Fields, Field{Name: "technical", Value: Value{Kind: String, Text: o.Technical}})
	}
	if len(v.Fields) > 0 {
		*fs = append(*fs, Field{Name: "owners", Value: v})
	}
	return fs
}

// tags adds a map field with every entry, sorted by key (nothing when the
// map is empty).
func (fs *recordFields) tags(name string, m map[string]string) *recordFields {
	if len(m) == 0 {
		return fs
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	v := Value{Kind: Map}
	for _, k := range keys {
		v.Fields = append(v.Fields, Field{Name: k, Value: Value{Kind: String, Text: m[k]}})
	}
	*fs = append(*fs, Field{Name: name, Value: v})
	return fs
}

func boolField(name string, v bool) Field {
	return Field{Name: name, Value: Value{Kind: Bool, Text: strconv.FormatBool(v)}}
}
