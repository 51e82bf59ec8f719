package graph

import (
	"context"
	"iter"
)

// Dataset is an in-memory snapshot: a Writer that keeps every record and a
// Reader over them. Tests, the generator and the conformance suite use it; it
// does not validate.
type Dataset struct {
	Info           SnapshotMeta
	SystemList     []System
	ResourceList   []Resource
	IdentityList   []Identity
	GroupList      []Group
	MembershipList []Membership
	GrantList      []Grant
	CredentialList []Credential
	DelegationList []Delegation
}

var (
	_ Writer = (*Dataset)(nil)
	_ Reader = (*Dataset)(nil)
)

// PutSystem appends r.
func (d *Dataset) PutSystem(r System) error { d.SystemList = append(d.SystemList, r); return nil }

// PutResource appends r.
func (d *Dataset) PutResource(r Resource) error {
	d.ResourceList = append(d.ResourceList, r)
	return nil
}

// PutIdentity appends r.
func (d *Dataset) PutIdentity(r Identity) error {
	d.IdentityList = append(d.IdentityList, r)
	return nil
}

// PutGroup appends r.
func (d *Dataset) PutGroup(r Group) error { d.GroupList = append(d.GroupList, r); return nil }

// PutMembership appends r.
func (d *Dataset) PutMembership(r Membership) error {
	d.MembershipList = append(d.MembershipList, r)
	return nil
}

// PutGrant appends r.
func (d *Dataset) PutGrant(r Grant) error { d.GrantList = append(d.GrantList, r); return nil }

// PutCredential appends r.
func (d *Dataset) PutCredential(r Credential) error {
	d.CredentialList = append(d.CredentialList, r)
	return nil
}

// PutDelegation appends r.
func (d *Dataset) PutDelegation(r Delegation) error {
	d.DelegationList = append(d.DelegationList, r)
	return nil
}

// Meta returns Info with Counts filled from the lists.
func (d *Dataset) Meta() SnapshotMeta {
	m := d.Info
	m.Counts = Counts{Systems: len(d.SystemList), Resources: len(d.ResourceList), Identities: len(d.IdentityList),
		Groups: len(d.GroupList), Memberships: len(d.MembershipList), Grants: len(d.GrantList),
		Credentials: len(d.CredentialList), Delegations: len(d.DelegationList)}
	return m
}

// WriteTo writes every record of d to w, section by section in load order.
func (d *Dataset) WriteTo(w Writer) error {
	for _, r := range d.SystemList {
		if err := w.PutSystem(r); err != nil {
			return err
		}
	}
	for _, r := range d.ResourceList {
		if err := w.PutResource(r); err != nil {
			return err
		}
	}
	for _, r := range d.IdentityList {
		if err := w.PutIdentity(r); err != nil {
			return err
		}
	}
	for _, r := range d.GroupList {
		if err := w.PutGroup(r); err != nil {
			return err
		}
	}
	for _, r := range d.MembershipList {
		if err := w.PutMembership(r); err != nil {
			return err
		}
	}
	for _, r := range d.GrantList {
		if err := w.PutGrant(r); err != nil {
			return err
		}
	}
	for _, r := range d.CredentialList {
		if err := w.PutCredential(r); err != nil {
			return err
		}
	}
	for _, r := range d.DelegationList {
		if err := w.PutDelegation(r); err != nil {
			return err
		}
	}
	return nil
}

func seq[T any](ctx context.Context, list []T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, r := range list {
			if err := ctx.Err(); err != nil {
				var zero T
				yield(zero, err)
				return
			}
			if !yield(r, nil) {
				return
			}
		}
	}
}

// Systems iterates the systems.
func (d *Dataset) Systems(ctx context.Context) iter.Seq2[System, error] {
	return seq(ctx, d.SystemList)
}

// Resources iterates the resources.
func (d *Dataset) Resources(ctx context.Context) iter.Seq2[Resource, error] {
	return seq(ctx, d.ResourceList)
}

// Identities iterates the identities.
func (d *Dataset) Identities(ctx context.Context) iter.Seq2[Identity, error] {
	return seq(ctx, d.IdentityList)
}

// Groups iterates the groups.
func (d *Dataset) Groups(ctx context.Context) iter.Seq2[Group, error] { return seq(ctx, d.GroupList) }

// Memberships iterates the memberships.
func (d *Dataset) Memberships(ctx context.Context) iter.Seq2[Membership, error] {
	return seq(ctx, d.MembershipList)
}

// Grants iterates the grants.
func (d *Dataset) Grants(ctx context.Context) iter.Seq2[Grant, error] { return seq(ctx, d.GrantList) }

// Credentials iterates the credentials.
func (d *Dataset) Credentials(ctx context.Context) iter.Seq2[Credential, error] {
	return seq(ctx, d.CredentialList)
}

// Delegations iterates the delegations.
func (d *Dataset) Delegations(ctx context.Context) iter.Seq2[Delegation, error] {
	return seq(ctx, d.DelegationList)
}

// ReadAll copies every record of r into a new Dataset.
func ReadAll(ctx context.Context, r Reader) (*Dataset, error) {
	d, err := ReadNodes(ctx, r)
	if err != nil {
		return nil, err
	}
	c := d.Info.Counts
	if err := collect(r.Memberships(ctx), &d.MembershipList, c.Memberships); err != nil {
		return nil, err
	}
	if err := collect(r.Grants(ctx), &d.GrantList, c.Grants); err != nil {
		return nil, err
	}
	return d, collect(r.Delegations(ctx), &d.DelegationList, c.Delegations)
}

// ReadNodes copies r's systems, resources, identities, groups and
// credentials into a new Dataset, and none of its edges (memberships,
// grants, delegations): for a reader of record fields that takes the edges
// from the projection, as the rules do. The edges are most of the records
// of a large estate.
func ReadNodes(ctx context.Context, r Reader) (*Dataset, error) {
	d := &Dataset{Info: r.Meta()}
	c := d.Info.Counts
	if err := collect(r.Systems(ctx), &d.SystemList, c.Systems); err != nil {
		return nil, err
	}
	if err := collect(r.Resources(ctx), &d.ResourceList, c.Resources); err != nil {
		return nil, err
	}
	if err := collect(r.Identities(ctx), &d.IdentityList, c.Identities); err != nil {
		return nil, err
	}
	if err := collect(r.Groups(ctx), &d.GroupList, c.Groups); err != nil {
		return nil, err
	}
	if err := collect(r.Credentials(ctx), &d.CredentialList, c.Credentials); err != nil {
		return nil, err
	}
	newInterner().own(d)
	return d, nil
}

// maxPrealloc bounds the records collect allocates room for up front (16M:
// more than tier L's 10M identities): the counts come from the snapshot's
// metadata, which a damaged store may get wrong, and room reserved counts
// toward the collector's heap goal even untouched; past it the list grows
// as it is read.
const maxPrealloc = 1 << 24

// collect appends what s yields to into, which it first sizes for count
// records (the snapshot's count of that kind): a list grown by appending
// keeps room it never fills (Go grows a large slice by a quarter at a time)
// and copies itself each time it grows.
func collect[T any](s iter.Seq2[T, error], into *[]T, count int) error {
	if count > 0 && *into == nil {
		*into = make([]T, 0, min(count, maxPrealloc))
	}
	for r, err := range s {
		if err != nil {
			return err
		}
		*into = append(*into, r)
	}
	return nil
}
