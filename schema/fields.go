package schema

// FieldType is the value type of a bundle field.
type FieldType int

// Field value types.
const (
	TString     FieldType = iota // free text
	TBool                        // true / false
	TInt                         // whole number
	TTime                        // RFC 3339 timestamp
	TEnum                        // one of Field.Enum
	TRef                         // id of a node of one of Field.Ref
	TRefList                     // list of ids of nodes of Field.Ref
	TStringList                  // list of free text
	TStringMap                   // string → string (tags)
	TObject                      // nested object with Field.Sub fields (owners)
)

// Field declares one field of a bundle section.
type Field struct {
	Name     string
	Type     FieldType
	Required bool
	Enum     []string   // allowed values, for TEnum
	Ref      []NodeKind // target kinds, for TRef and TRefList
	Sub      []Field    // sub-fields, for TObject (CSV columns owner_business, owner_technical)
	Doc      string
}

// Section declares one top-level list of a reachgraph/v1 bundle.
type Section struct {
	Name   string   // "systems", "grants", …
	Node   NodeKind // node kind declared by the section, "" for edge sections
	Edge   EdgeKind // edge kind declared by the section, "" for node sections
	Fields []Field
}

// Field returns the field called name, or false.
func (s Section) Field(name string) (Field, bool) {
	for _, f := range s.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// FormatV1 is the required value of a bundle's format field.
const FormatV1 = "reachgraph/v1"

// HeaderFields are the top-level scalar fields of a bundle (bundle.csv's columns).
var HeaderFields = []Field{
	{Name: "format", Type: TEnum, Required: true, Enum: []string{FormatV1}, Doc: "bundle format; must be reachgraph/v1"},
	{Name: "source", Type: TString, Required: true, Doc: "provenance label, e.g. sap-prod-2026-10"},
	{Name: "collected_at", Type: TTime, Doc: "when the data was collected; the default as_of"},
}

// SecretFields are field names that carry secret values. reachgraph never stores
// secrets, so any of them in any section is an error naming the field.
var SecretFields = []string{"secret", "password", "value", "private_key", "token", "secret_value", "client_secret", "secret_access_key"}

var principalKinds = []NodeKind{KindIdentity, KindGroup}

// Sections lists the bundle sections in load order: a section only refers to
// kinds declared by itself or by sections before it… except resources' parent and
// credentials' stored_in, which refer to resources; validation resolves all
// references after the whole bundle is read, so section order in a file is free.
var Sections = []Section{
	{Name: "systems", Node: KindSystem, Fields: []Field{
		{Name: "id", Type: TString, Required: true},
		{Name: "name", Type: TString},
		{Name: "kind", Type: TString, Doc: "erp, general_ledger, bank_portal, database, vault, cloud, idp, ci …"},
		{Name: "sox_scope", Type: TBool},
		{Name: "owner", Type: TString},
	}},
	{Name: "resources", Node: KindResource, Fields: []Field{
		{Name: "id", Type: TString, Required: true},
		{Name: "system", Type: TRef, Required: true, Ref: []NodeKind{KindSystem}},
		{Name: "parent", Type: TRef, Ref: []NodeKind{KindResource}},
		{Name: "name", Type: TString},
		{Name: "kind", Type: TString, Doc: "journal_entry, vendor_master, secret … (free text)"},
		{Name: "sox_scope", Type: TBool, Doc: "overrides the system's sox_scope when set"},
	}},
	{Name: "identities", Node: KindIdentity, Fields: []Field{
		{Name: "id", Type: TString, Required: true},
		{Name: "name", Type: TString},
		{Name: "type", Type: TEnum, Required: true, Enum: Strings(IdentityTypes)},
		{Name: "status", Type: TEnum, Enum: Strings(Statuses), Doc: "default active"},
		{Name: "owners", Type: TObject, Sub: []Field{{Name: "business", Type: TString}, {Name: "technical", Type: TString}}},
		{Name: "purpose", Type: TString},
		{Name: "nonhuman_rationale", Type: TString},
		{Name: "shared", Type: TBool},
		{Name: "break_glass", Type: TBool},
		{Name: "vendor", Type: TString},
		{Name: "created_at", Type: TTime},
		{Name: "last_used_at", Type: TTime},
		{Name: "compensating_controls", Type: TStringList},
		{Name: "same_as", Type: TRefList, Ref: []NodeKind{KindIdentity}},
		{Name: "tags", Type: TStringMap},
	}},
	{Name: "groups", Node: KindGroup, Fields: []Field{
		{Name: "id", Type: TString, Required: true},
		{Name: "name", Type: TString},
		{Name: "type", Type: TEnum, Enum: Strings(GroupTypes), Doc: "default group"},
		{Name: "system", Type: TRef, Ref: []NodeKind{KindSystem}},
	}},
	{Name: "memberships", Edge: EdgeMemberOf, Fields: []Field{
		{Name: "member", Type: TRef, Required: true, Ref: principalKinds},
		{Name: "group", Type: TRef, Required: true, Ref: []NodeKind{KindGroup}},
		{Name: "valid_from", Type: TTime, Doc: "the membership counts from this instant on (inclusive); unset = always did"},
		{Name: "expires_at", Type: TTime, Doc: "the membership no longer counts at or after this instant; unset = never expires"},
		{Name: "native", Type: TString, Doc: "the source's own text for the membership, kept as evidence"},
	}},
	{Name: "grants", Edge: EdgeGrant, Fields: []Field{
		{Name: "principal", Type: TRef, Required: true, Ref: principalKinds},
		{Name: "action", Type: TEnum, Required: true, Enum: Strings(Actions)},
		{Name: "resource", Type: TRef, Required: true, Ref: []NodeKind{KindResource, KindSystem}},
		{Name: "native", Type: TString, Doc: "the source's own permission string, kept as evidence"},
		{Name: "conditional", Type: TBool},
		{Name: "last_used_at", Type: TTime},
		{Name: "valid_from", Type: TTime, Doc: "the grant counts from this instant on (inclusive); unset = always did"},
		{Name: "expires_at", Type: TTime, Doc: "the grant no longer counts at or after this instant; unset = never expires"},
	}},
	{Name: "credentials", Node: KindCredential, Fields: []Field{
		{Name: "id", Type: TString, Required: true},
		{Name: "identity", Type: TRef, Required: true, Ref: []NodeKind{KindIdentity}},
		{Name: "type", Type: TEnum, Required: true, Enum: Strings(CredentialTypes)},
		{Name: "systems", Type: TRefList, Ref: []NodeKind{KindSystem}, Doc: "where it is accepted; empty = every system"},
		{Name: "created_at", Type: TTime},
		{Name: "last_rotated_at", Type: TTime},
		{Name: "valid_from", Type: TTime, Doc: "the credential is valid from this instant on (inclusive); unset = always was"},
		{Name: "expires_at", Type: TTime},
		{Name: "last_used_at", Type: TTime},
		{Name: "rotation_days", Type: TInt},
		{Name: "revoked", Type: TBool},
		{Name: "vaulted", Type: TBool},
		{Name: "stored_in", Type: TRef, Ref: []NodeKind{KindResource}},
	}},
	{Name: "delegations", Edge: EdgeCanActAs, Fields: []Field{
		{Name: "from", Type: TRef, Required: true, Ref: principalKinds},
		{Name: "to", Type: TRef, Required: true, Ref: []NodeKind{KindIdentity}},
		{Name: "kind", Type: TEnum, Enum: Strings(DelegationKinds), Doc: "default other"},
		{Name: "system", Type: TRef, Ref: []NodeKind{KindSystem}},
		{Name: "native", Type: TString, Doc: "the source's own text for the delegation, kept as evidence"},
		{Name: "valid_from", Type: TTime, Doc: "the delegation counts from this instant on (inclusive); unset = always did"},
		{Name: "expires_at", Type: TTime, Doc: "the delegation no longer counts at or after this instant; unset = never expires"},
	}},
}

// SectionByName returns the section called name, or false.
func SectionByName(name string) (Section, bool) {
	for _, s := range Sections {
		if s.Name == name {
			return s, true
		}
	}
	return Section{}, false
}
