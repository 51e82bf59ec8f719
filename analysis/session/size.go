package session

import (
	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/graph"
)

// Bytes estimates the memory the session holds: its projection, its records
// (once read) and the findings it caches. It is an estimate for cache
// budgets (strings and fixed overheads counted, not exact allocations).
func (s *Session) Bytes() int64 {
	n := int64(s.proj.Bytes()) + s.recsBytes.Load()
	s.ruleMu.Lock()
	for _, e := range s.findings {
		n += findingsBytes(e.findings)
	}
	s.ruleMu.Unlock()
	return n
}

// Per-record overheads of the estimate: struct and map-entry sizes, roughly.
const (
	recordOverhead  = 160
	findingOverhead = 400
	hopOverhead     = 120
)

func datasetBytes(d *graph.Dataset) int64 {
	var n int64
	str := func(ss ...string) {
		for _, s := range ss {
			n += int64(len(s))
		}
	}
	for _, r := range d.SystemList {
		str(r.ID, r.Name, r.Kind, r.Owner)
	}
	for _, r := range d.ResourceList {
		str(r.ID, r.System, r.Parent, r.Name, r.Kind)
	}
	for _, r := range d.IdentityList {
		str(r.ID, r.Name, r.Purpose, r.NonhumanRationale, r.Vendor, r.Owners.Business, r.Owners.Technical)
		str(r.SameAs...)
		str(r.CompensatingControls...)
		for k, v := range r.Tags {
			str(k, v)
		}
	}
	for _, r := range d.GroupList {
		str(r.ID, r.Name, r.System)
	}
	for _, r := range d.GrantList {
		str(r.Principal, r.Resource, r.Native)
	}
	for _, r := range d.CredentialList {
		str(r.ID, r.Identity, r.StoredIn)
		str(r.Systems...)
	}
	for _, r := range d.DelegationList {
		str(r.From, r.To, r.System, r.Native)
	}
	m := d.Meta().Counts
	return n + int64(m.Total())*recordOverhead
}

func findingsBytes(fs []rules.Finding) int64 {
	var n int64
	for i := range fs {
		f := &fs[i]
		n += findingOverhead + int64(len(f.Message)+len(f.ID)+len(f.Identity)+len(f.Resource))
		for _, p := range f.Paths {
			n += pathBytes(p)
		}
	}
	return n
}

func pathBytes(p analysis.Path) int64 {
	var n int64
	for _, h := range p {
		n += hopOverhead + int64(len(h.From)+len(h.To)+len(h.Native))
	}
	return n
}
