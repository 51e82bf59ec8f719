package graph

import (
	"unsafe"

	"github.com/reachgraph/reachgraph/schema"
)

// interner gives the records ReadNodes returns strings of their own. A store
// may decode records with strings that are views of the chunk they were read
// from (memstore does), so one live string keeps its whole chunk: at a
// million identities the node chunks were ~240 MB held for the report's
// whole run, most of it the same few values (types, states, owners,
// purposes, tags) over and over. Values that repeat are kept once; ids and
// names, which do not, are copied next to each other into large blocks.
type interner struct {
	seen  map[string]string
	block []byte
}

// internBlock is the size of the blocks the strings are copied into.
const internBlock = 1 << 20

func newInterner() *interner { return &interner{seen: map[string]string{}} }

// copy returns v in the interner's blocks.
func (in *interner) copy(v string) string {
	if v == "" {
		return ""
	}
	if len(v) > cap(in.block)-len(in.block) {
		in.block = make([]byte, 0, max(internBlock, len(v)))
	}
	at := len(in.block)
	in.block = append(in.block, v...)
	return unsafe.String(&in.block[at], len(v))
}

// value returns the interner's one copy of v, a value that repeats.
func (in *interner) value(v string) string {
	if v == "" {
		return ""
	}
	if s, ok := in.seen[v]; ok {
		return s
	}
	s := in.copy(v)
	in.seen[s] = s
	return s
}

func (in *interner) values(vs []string) []string {
	for i, v := range vs {
		vs[i] = in.value(v)
	}
	return vs
}

// own replaces every string of d's node records by its copy from in.
func (in *interner) own(d *Dataset) {
	for i := range d.SystemList {
		r := &d.SystemList[i]
		r.ID, r.Name, r.Kind, r.Owner = in.copy(r.ID), in.value(r.Name), in.value(r.Kind), in.value(r.Owner)
	}
	for i := range d.ResourceList {
		r := &d.ResourceList[i]
		r.ID, r.System, r.Parent = in.copy(r.ID), in.value(r.System), in.value(r.Parent)
		r.Name, r.Kind = in.copy(r.Name), in.value(r.Kind)
	}
	for i := range d.IdentityList {
		r := &d.IdentityList[i]
		r.ID, r.Name = in.copy(r.ID), in.copy(r.Name)
		r.Type, r.Status = schema.IdentityType(in.value(string(r.Type))), schema.Status(in.value(string(r.Status)))
		r.Owners.Business, r.Owners.Technical = in.value(r.Owners.Business), in.value(r.Owners.Technical)
		r.Purpose, r.NonhumanRationale, r.Vendor = in.value(r.Purpose), in.value(r.NonhumanRationale), in.value(r.Vendor)
		r.CompensatingControls, r.SameAs = in.values(r.CompensatingControls), in.values(r.SameAs)
		if len(r.Tags) > 0 {
			tags := make(map[string]string, len(r.Tags))
			for k, v := range r.Tags {
				tags[in.value(k)] = in.value(v)
			}
			r.Tags = tags
		}
	}
	for i := range d.GroupList {
		r := &d.GroupList[i]
		r.ID, r.Name = in.copy(r.ID), in.value(r.Name)
		r.Type, r.System = schema.GroupType(in.value(string(r.Type))), in.value(r.System)
	}
	for i := range d.CredentialList {
		r := &d.CredentialList[i]
		r.ID, r.Identity = in.copy(r.ID), in.copy(r.Identity)
		r.Type, r.Systems = schema.CredentialType(in.value(string(r.Type))), in.values(r.Systems)
		r.StoredIn = in.value(r.StoredIn)
	}
}
