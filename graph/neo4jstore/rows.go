package neo4jstore

import (
	"fmt"
	"slices"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// Rows are the $rows parameter maps of the write queries; their keys are the
// property names of cypher.go. Unset values (empty strings, zero times, empty
// lists, nil SOXScope) are nil, so the property is not stored; booleans and
// integers are always stored.

func str(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func tm(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func list(ss []string) any {
	if len(ss) == 0 {
		return nil
	}
	return ss
}

func optBool(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

// tagLists splits m into keys sorted and their values.
func tagLists(m map[string]string) (keys, values any) {
	if len(m) == 0 {
		return nil, nil
	}
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	vs := make([]string, len(ks))
	for i, k := range ks {
		vs[i] = m[k]
	}
	return ks, vs
}

func systemRow(r graph.System) map[string]any {
	return map[string]any{"id": r.ID, "name": str(r.Name), "kind": str(r.Kind), "sox_scope": r.SOXScope, "owner": str(r.Owner)}
}

func resourceRow(r graph.Resource) map[string]any {
	return map[string]any{"id": r.ID, "system": str(r.System), "parent": str(r.Parent), "name": str(r.Name),
		"kind": str(r.Kind), "sox_scope": optBool(r.SOXScope)}
}

func identityRow(r graph.Identity) map[string]any {
	keys, values := tagLists(r.Tags)
	return map[string]any{"id": r.ID, "name": str(r.Name), "type": str(string(r.Type)), "status": str(string(r.Status)),
		"owners_business": str(r.Owners.Business), "owners_technical": str(r.Owners.Technical),
		"purpose": str(r.Purpose), "nonhuman_rationale": str(r.NonhumanRationale),
		"shared": r.Shared, "break_glass": r.BreakGlass, "vendor": str(r.Vendor),
		"created_at": tm(r.CreatedAt), "last_used_at": tm(r.LastUsedAt),
		"compensating_controls": list(r.CompensatingControls), "same_as": list(r.SameAs),
		"tags_keys": keys, "tags_values": values}
}

func groupRow(r graph.Group) map[string]any {
	return map[string]any{"id": r.ID, "name": str(r.Name), "type": str(string(r.Type)), "system": str(r.System)}
}

func credentialRow(r graph.Credential) map[string]any {
	return map[string]any{"id": r.ID, "identity": str(r.Identity), "type": str(string(r.Type)), "systems": list(r.Systems),
		"created_at": tm(r.CreatedAt), "last_rotated_at": tm(r.LastRotatedAt), "valid_from": tm(r.ValidFrom),
		"expires_at":   tm(r.ExpiresAt),
		"last_used_at": tm(r.LastUsedAt), "rotation_days": int64(r.RotationDays), "revoked": r.Revoked, "vaulted": r.Vaulted,
		"stored_in": str(r.StoredIn)}
}

func membershipRow(r graph.Membership) map[string]any {
	return map[string]any{"member": r.Member, "group": r.Group, "valid_from": tm(r.ValidFrom), "expires_at": tm(r.ExpiresAt),
		"native": str(r.Native)}
}

func grantRow(r graph.Grant) map[string]any {
	return map[string]any{"principal": r.Principal, "action": str(string(r.Action)), "resource": r.Resource,
		"native": str(r.Native), "conditional": r.Conditional, "last_used_at": tm(r.LastUsedAt), "valid_from": tm(r.ValidFrom),
		"expires_at": tm(r.ExpiresAt)}
}

func delegationRow(r graph.Delegation) map[string]any {
	return map[string]any{"from": r.From, "to": r.To, "kind": str(string(r.Kind)), "system": str(r.System),
		"native": str(r.Native), "valid_from": tm(r.ValidFrom), "expires_at": tm(r.ExpiresAt)}
}

// fields decodes one result record by column name; the first failure sticks.
type fields struct {
	rec *neo4j.Record
	err error
}

func (f *fields) get(key string) any {
	v, ok := f.rec.Get(key)
	if !ok && f.err == nil {
		f.err = fmt.Errorf("neo4jstore: result has no column %q", key)
	}
	return v
}

func (f *fields) mismatch(key string, v any, want string) {
	if f.err == nil {
		f.err = fmt.Errorf("neo4jstore: column %q holds %T, want %s", key, v, want)
	}
}

func (f *fields) str(key string) string {
	switch v := f.get(key).(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		f.mismatch(key, v, "string")
		return ""
	}
}

func (f *fields) boolean(key string) bool {
	switch v := f.get(key).(type) {
	case nil:
		return false
	case bool:
		return v
	default:
		f.mismatch(key, v, "boolean")
		return false
	}
}

func (f *fields) optBool(key string) *bool {
	switch v := f.get(key).(type) {
	case nil:
		return nil
	case bool:
		return &v
	default:
		f.mismatch(key, v, "boolean")
		return nil
	}
}

func (f *fields) integer(key string) int {
	switch v := f.get(key).(type) {
	case nil:
		return 0
	case int64:
		return int(v)
	default:
		f.mismatch(key, v, "integer")
		return 0
	}
}

func (f *fields) tm(key string) time.Time {
	switch v := f.get(key).(type) {
	case nil:
		return time.Time{}
	case time.Time:
		return v.UTC()
	default:
		f.mismatch(key, v, "datetime")
		return time.Time{}
	}
}

func (f *fields) list(key string) []string {
	switch v := f.get(key).(type) {
	case nil:
		return nil
	case []any:
		if len(v) == 0 {
			return nil
		}
		out := make([]string, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				f.mismatch(key, e, "list of strings")
				return nil
			}
			out[i] = s
		}
		return out
	default:
		f.mismatch(key, v, "list")
		return nil
	}
}

func (f *fields) tags(keysKey, valuesKey string) map[string]string {
	keys, values := f.list(keysKey), f.list(valuesKey)
	if len(keys) == 0 {
		return nil
	}
	if len(keys) != len(values) {
		if f.err == nil {
			f.err = fmt.Errorf("neo4jstore: %s and %s differ in length", keysKey, valuesKey)
		}
		return nil
	}
	m := make(map[string]string, len(keys))
	for i, k := range keys {
		m[k] = values[i]
	}
	return m
}

func decodeSystem(rec *neo4j.Record) (graph.System, error) {
	f := fields{rec: rec}
	r := graph.System{ID: f.str("id"), Name: f.str("name"), Kind: f.str("kind"), SOXScope: f.boolean("sox_scope"), Owner: f.str("owner")}
	return r, f.err
}

func decodeResource(rec *neo4j.Record) (graph.Resource, error) {
	f := fields{rec: rec}
	r := graph.Resource{ID: f.str("id"), System: f.str("system"), Parent: f.str("parent"), Name: f.str("name"),
		Kind: f.str("kind"), SOXScope: f.optBool("sox_scope")}
	return r, f.err
}

func decodeIdentity(rec *neo4j.Record) (graph.Identity, error) {
	f := fields{rec: rec}
	r := graph.Identity{ID: f.str("id"), Name: f.str("name"), Type: schema.IdentityType(f.str("type")),
		Status:  schema.Status(f.str("status")),
		Owners:  graph.Owners{Business: f.str("owners_business"), Technical: f.str("owners_technical")},
		Purpose: f.str("purpose"), NonhumanRationale: f.str("nonhuman_rationale"),
		Shared: f.boolean("shared"), BreakGlass: f.boolean("break_glass"), Vendor: f.str("vendor"),
		CreatedAt: f.tm("created_at"), LastUsedAt: f.tm("last_used_at"),
		CompensatingControls: f.list("compensating_controls"), SameAs: f.list("same_as"),
		Tags: f.tags("tags_keys", "tags_values")}
	return r, f.err
}

func decodeGroup(rec *neo4j.Record) (graph.Group, error) {
	f := fields{rec: rec}
	r := graph.Group{ID: f.str("id"), Name: f.str("name"), Type: schema.GroupType(f.str("type")), System: f.str("system")}
	return r, f.err
}

func decodeCredential(rec *neo4j.Record) (graph.Credential, error) {
	f := fields{rec: rec}
	r := graph.Credential{ID: f.str("id"), Identity: f.str("identity"), Type: schema.CredentialType(f.str("type")),
		Systems: f.list("systems"), CreatedAt: f.tm("created_at"), LastRotatedAt: f.tm("last_rotated_at"),
		ValidFrom: f.tm("valid_from"), ExpiresAt: f.tm("expires_at"), LastUsedAt: f.tm("last_used_at"), RotationDays: f.integer("rotation_days"),
		Revoked: f.boolean("revoked"), Vaulted: f.boolean("vaulted"), StoredIn: f.str("stored_in")}
	return r, f.err
}

func decodeMembership(rec *neo4j.Record) (graph.Membership, error) {
	f := fields{rec: rec}
	r := graph.Membership{Member: f.str("member"), Group: f.str("group"), ValidFrom: f.tm("valid_from"),
		ExpiresAt: f.tm("expires_at"), Native: f.str("native")}
	return r, f.err
}

func decodeGrant(rec *neo4j.Record) (graph.Grant, error) {
	f := fields{rec: rec}
	r := graph.Grant{Principal: f.str("principal"), Action: schema.Action(f.str("action")), Resource: f.str("resource"),
		Native: f.str("native"), Conditional: f.boolean("conditional"), LastUsedAt: f.tm("last_used_at"),
		ValidFrom: f.tm("valid_from"), ExpiresAt: f.tm("expires_at")}
	return r, f.err
}

func decodeDelegation(rec *neo4j.Record) (graph.Delegation, error) {
	f := fields{rec: rec}
	r := graph.Delegation{From: f.str("from"), To: f.str("to"), Kind: schema.DelegationKind(f.str("kind")), System: f.str("system"),
		Native: f.str("native"), ValidFrom: f.tm("valid_from"), ExpiresAt: f.tm("expires_at")}
	return r, f.err
}
