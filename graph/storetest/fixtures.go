package storetest

import (
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

func ptr[T any](v T) *T { return &v }

// at returns a fixed UTC instant with a nanosecond part, so that stores which
// round times to seconds or milliseconds fail the suite.
func at(day int, nsec int) time.Time {
	return time.Date(2026, time.October, day, 13, 45, 30, nsec, time.UTC)
}

// EveryFieldSet returns a dataset with at least one record of every kind in
// which every field is set to a non-zero value, including Resource.SOXScope as
// both &true and &false. Every call returns a fresh copy.
func EveryFieldSet() *graph.Dataset {
	return &graph.Dataset{
		Info: graph.SnapshotMeta{
			Source:      "every-field-set",
			CollectedAt: at(31, 123456789),
			IngestedAt:  at(31, 987654321).Add(time.Hour),
			Files:       []graph.SourceFile{{Name: "bundle.yaml", SHA256: strings.Repeat("ab", 32)}, {Name: "extra.json", SHA256: strings.Repeat("cd", 32)}},
		},
		SystemList: []graph.System{
			{ID: "sap", Name: "SAP S/4HANA", Kind: "erp", SOXScope: true, Owner: "finance-it"},
			{ID: "bank", Name: "Bank portal", Kind: "bank_portal", SOXScope: true, Owner: "treasury"},
		},
		ResourceList: []graph.Resource{
			{ID: "sap:fi", System: "sap", Parent: "", Name: "FI", Kind: "module", SOXScope: ptr(true)},
			{ID: "sap:fi:je", System: "sap", Parent: "sap:fi", Name: "Journal entries", Kind: "journal_entry", SOXScope: ptr(false)},
		},
		IdentityList: []graph.Identity{{
			ID: "svc-batch", Name: "Batch posting", Type: schema.IdentityServiceAccount, Status: schema.StatusDisabled,
			Owners:  graph.Owners{Business: "alice", Technical: "bob"},
			Purpose: "nightly postings", NonhumanRationale: "scheduler needs it",
			Shared: true, BreakGlass: true, Vendor: "Acme Corp",
			CreatedAt: at(1, 1), LastUsedAt: at(30, 999999999),
			CompensatingControls: []string{"quarterly review", "PAM session recording"},
			SameAs:               []string{"alice", "alice-bank"},
			Tags:                 map[string]string{"env": "prod", "cost-center": "4711", "owner team": "gl-ops"},
		}},
		GroupList: []graph.Group{
			{ID: "r-je-poster", Name: "JE poster", Type: schema.GroupRole, System: "sap"},
			{ID: "g-fin", Name: "Finance", Type: schema.GroupGroup, System: "bank"},
		},
		MembershipList: []graph.Membership{
			{Member: "svc-batch", Group: "r-je-poster", ValidFrom: at(6, 6), ExpiresAt: at(7, 7).AddDate(1, 0, 0),
				Native: "USREFUS REFUSER=REF_POST (AGR_USERS Z_JE_POST)"},
			{Member: "r-je-poster", Group: "g-fin", ExpiresAt: at(8, 8).AddDate(1, 0, 0)},
		},
		GrantList: []graph.Grant{{
			Principal: "r-je-poster", Action: schema.ActionWrite, Resource: "sap:fi:je", Native: "F_BKPF_BUK/ACTVT=01",
			Conditional: true, LastUsedAt: at(29, 5), ValidFrom: at(9, 9), ExpiresAt: at(31, 7).AddDate(1, 0, 0),
		}},
		CredentialList: []graph.Credential{{
			ID: "c-svc-batch", Identity: "svc-batch", Type: schema.CredAPIKey, Systems: []string{"sap", "bank"},
			CreatedAt: at(2, 2), LastRotatedAt: at(3, 3), ValidFrom: at(12, 12), ExpiresAt: at(4, 4).AddDate(2, 0, 0),
			LastUsedAt:   at(5, 5),
			RotationDays: 90, Revoked: true, Vaulted: true, StoredIn: "sap:fi",
		}},
		DelegationList: []graph.Delegation{{From: "g-fin", To: "svc-batch", Kind: schema.DelegRunAs, System: "sap",
			Native: "SM37 run as BATCH_POST", ValidFrom: at(10, 10), ExpiresAt: at(11, 11).AddDate(1, 0, 0)}},
	}
}

// EveryFieldUnset returns a dataset with one record of every kind in which
// every field but the identifying ones is zero: empty strings (enums
// included), false, zero times, nil lists, maps and SOXScope. The store does
// not validate, so it must keep these as they are.
func EveryFieldUnset() *graph.Dataset {
	return &graph.Dataset{
		Info:           graph.SnapshotMeta{Source: "every-field-unset"},
		SystemList:     []graph.System{{ID: "sys"}},
		ResourceList:   []graph.Resource{{ID: "res", System: "sys"}},
		IdentityList:   []graph.Identity{{ID: "id"}},
		GroupList:      []graph.Group{{ID: "grp"}},
		MembershipList: []graph.Membership{{Member: "id", Group: "grp"}},
		GrantList:      []graph.Grant{{Principal: "grp", Resource: "res"}},
		CredentialList: []graph.Credential{{ID: "cred", Identity: "id"}},
		DelegationList: []graph.Delegation{{From: "grp", To: "id"}},
	}
}

// Denormalized returns EveryFieldSet written the way a careless ingester
// might: times in a non-UTC zone and empty (not nil) lists and maps. A store
// must read it back as Normalize(Denormalized()).
func Denormalized() *graph.Dataset {
	d := EveryFieldSet()
	zone := time.FixedZone("IST", 5*3600+1800)
	d.Info.Source = "denormalized"
	d.Info.CollectedAt = d.Info.CollectedAt.In(zone)
	d.Info.IngestedAt = d.Info.IngestedAt.In(zone)
	d.Info.Files = []graph.SourceFile{}
	id := &d.IdentityList[0]
	id.CreatedAt, id.LastUsedAt = id.CreatedAt.In(zone), id.LastUsedAt.In(zone)
	id.CompensatingControls, id.SameAs, id.Tags = []string{}, []string{}, map[string]string{}
	g := &d.GrantList[0]
	g.LastUsedAt, g.ExpiresAt = g.LastUsedAt.In(zone), g.ExpiresAt.In(zone)
	g.ValidFrom = g.ValidFrom.In(zone)
	for i := range d.MembershipList {
		m := &d.MembershipList[i]
		m.ValidFrom, m.ExpiresAt = m.ValidFrom.In(zone), m.ExpiresAt.In(zone)
	}
	dl := &d.DelegationList[0]
	dl.ValidFrom, dl.ExpiresAt = dl.ValidFrom.In(zone), dl.ExpiresAt.In(zone)
	c := &d.CredentialList[0]
	c.Systems = []string{}
	c.CreatedAt, c.LastRotatedAt = c.CreatedAt.In(zone), c.LastRotatedAt.In(zone)
	c.ExpiresAt, c.LastUsedAt = c.ExpiresAt.In(zone), c.LastUsedAt.In(zone)
	c.ValidFrom = c.ValidFrom.In(zone)
	return d
}

// SpecialIDs lists ids that break naive stores: quotes, backticks, braces,
// '$', slashes, backslashes, whitespace and control characters, Unicode,
// Cypher and SQL keywords and injection attempts, and a long id.
func SpecialIDs() []string {
	return []string{
		`double"quote`, `single'quote`, "back`tick", "{brace}", "}) RETURN 1 //",
		"$param", "a/b/c", `back\slash`, `\u0041`, "with space", " leading and trailing ",
		"tab\tnew\nline\r", "ünïcødé-日本語-🙂", "MATCH (n) DETACH DELETE n", "RETURN",
		"'; DROP TABLE x; --", "%s%v", "s-0000", strings.Repeat("long-", 200),
	}
}

// SpecialIDsDataset returns a dataset whose node ids, references, names,
// grant and delegation native strings and tag keys and values are the SpecialIDs strings.
func SpecialIDsDataset() *graph.Dataset {
	d := &graph.Dataset{Info: graph.SnapshotMeta{Source: "special ids: \"quoted\" `tick` $x {y} ü"}}
	for i, id := range SpecialIDs() {
		sys, res, ident, grp, cred := "sys:"+id, "res:"+id, id, "grp:"+id, "cred:"+id
		d.SystemList = append(d.SystemList, graph.System{ID: sys, Name: id, Owner: id})
		d.ResourceList = append(d.ResourceList, graph.Resource{ID: res, System: sys, Name: id, Kind: id})
		d.IdentityList = append(d.IdentityList, graph.Identity{ID: ident, Name: id, SameAs: []string{id, sys},
			Tags: map[string]string{id: id, "k" + id: "v"}, CompensatingControls: []string{id}})
		d.GroupList = append(d.GroupList, graph.Group{ID: grp, Name: id, System: sys})
		d.MembershipList = append(d.MembershipList, graph.Membership{Member: ident, Group: grp})
		d.GrantList = append(d.GrantList, graph.Grant{Principal: grp, Action: schema.Actions[i%len(schema.Actions)],
			Resource: res, Native: id})
		d.CredentialList = append(d.CredentialList, graph.Credential{ID: cred, Identity: ident, Systems: []string{sys, id},
			StoredIn: res})
		d.DelegationList = append(d.DelegationList, graph.Delegation{From: grp, To: ident, System: sys, Native: id})
	}
	return d
}

// Normalize returns a deep copy of d as a conforming store reads it back (see
// the package documentation): times in UTC, empty lists and maps as nil. The
// metadata is normalised the same way; its ID and Counts are left as they are.
func Normalize(d *graph.Dataset) *graph.Dataset {
	out := &graph.Dataset{Info: NormalizeMeta(d.Info)}
	out.SystemList = normList(d.SystemList, func(r graph.System) graph.System { return r })
	out.ResourceList = normList(d.ResourceList, func(r graph.Resource) graph.Resource {
		if r.SOXScope != nil {
			r.SOXScope = ptr(*r.SOXScope)
		}
		return r
	})
	out.IdentityList = normList(d.IdentityList, func(r graph.Identity) graph.Identity {
		r.CreatedAt, r.LastUsedAt = utc(r.CreatedAt), utc(r.LastUsedAt)
		r.CompensatingControls, r.SameAs = strs(r.CompensatingControls), strs(r.SameAs)
		if len(r.Tags) == 0 {
			r.Tags = nil
		} else {
			tags := make(map[string]string, len(r.Tags))
			for k, v := range r.Tags {
				tags[k] = v
			}
			r.Tags = tags
		}
		return r
	})
	out.GroupList = normList(d.GroupList, func(r graph.Group) graph.Group { return r })
	out.MembershipList = normList(d.MembershipList, func(r graph.Membership) graph.Membership {
		r.ValidFrom, r.ExpiresAt = utc(r.ValidFrom), utc(r.ExpiresAt)
		return r
	})
	out.GrantList = normList(d.GrantList, func(r graph.Grant) graph.Grant {
		r.LastUsedAt, r.ValidFrom, r.ExpiresAt = utc(r.LastUsedAt), utc(r.ValidFrom), utc(r.ExpiresAt)
		return r
	})
	out.CredentialList = normList(d.CredentialList, func(r graph.Credential) graph.Credential {
		r.Systems = strs(r.Systems)
		r.CreatedAt, r.LastRotatedAt = utc(r.CreatedAt), utc(r.LastRotatedAt)
		r.ExpiresAt, r.LastUsedAt = utc(r.ExpiresAt), utc(r.LastUsedAt)
		r.ValidFrom = utc(r.ValidFrom)
		return r
	})
	out.DelegationList = normList(d.DelegationList, func(r graph.Delegation) graph.Delegation {
		r.ValidFrom, r.ExpiresAt = utc(r.ValidFrom), utc(r.ExpiresAt)
		return r
	})
	return out
}

// NormalizeMeta returns m as a conforming store reports it: CollectedAt and
// IngestedAt in UTC, an empty Files list as nil (a non-empty one copied).
func NormalizeMeta(m graph.SnapshotMeta) graph.SnapshotMeta {
	m.CollectedAt, m.IngestedAt = utc(m.CollectedAt), utc(m.IngestedAt)
	if len(m.Files) == 0 {
		m.Files = nil
	} else {
		m.Files = append([]graph.SourceFile(nil), m.Files...)
	}
	return m
}

func normList[T any](in []T, f func(T) T) []T {
	if len(in) == 0 {
		return nil
	}
	out := make([]T, len(in))
	for i, r := range in {
		out[i] = f(r)
	}
	return out
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func strs(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	return append([]string(nil), ss...)
}

// SnapshotID returns the content id every store must assign to d when it is
// ingested with d.Info as metadata and its records written by d.WriteTo.
func SnapshotID(d *graph.Dataset) graph.SnapshotID {
	h := graph.NewIDHasher(d.Info)
	if err := d.WriteTo(h); err != nil {
		panic("storetest: IDHasher failed: " + err.Error()) // IDHasher never fails
	}
	return h.Sum()
}
