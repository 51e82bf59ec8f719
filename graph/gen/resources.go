package gen

import (
	"strconv"

	"github.com/reachgraph/reachgraph/graph"
)

func (g *generator) writeSystems() error {
	for s := range g.systems {
		sys := &g.systems[s]
		r := graph.System{ID: sys.id, Name: sys.name, Kind: sysKinds[sys.kind].name, SOXScope: sys.sox, Owner: sys.owner}
		if err := g.record(g.w.PutSystem(r), "system", s); err != nil {
			return err
		}
	}
	return nil
}

// writeResources writes each system's resources as a forest of trees (see
// layout.parentOf): roots and inner nodes carry the system kind's container
// kinds, leaves its finance kinds; vault resources are all secret paths. About
// 3 % override the SOX scope they would inherit.
func (g *generator) writeResources() error {
	for s := range g.systems {
		sys := &g.systems[s]
		info := &sysKinds[sys.kind]
		for k := sys.resStart; k < sys.resStart+sys.resCount; k++ {
			d := g.draws(tagResource, k)
			r := graph.Resource{ID: g.resourceID(k), System: sys.id}
			switch parent := g.parentOf(s, k); {
			case parent < 0:
				r.Kind = info.rootKind
			case g.isLeaf(s, k):
				r.Parent = g.resourceID(parent)
				r.Kind = info.leafKinds[d.intn(len(info.leafKinds))]
			default:
				r.Parent = g.resourceID(parent)
				r.Kind = info.midKind
			}
			r.Name = g.resourceName(s, k, r.Kind)
			if d.intn(100) < 3 {
				scope := !sys.sox
				r.SOXScope = &scope
			}
			if err := g.record(g.w.PutResource(r), "resource", k); err != nil {
				return err
			}
		}
	}
	return nil
}

// resourceName is "<system slug><index>/<tree>/<kind>-<position>", a path
// that reads like a vault path or an object hierarchy.
func (g *generator) resourceName(s, k int, kind string) string {
	sys := &g.systems[s]
	loc := k - sys.resStart
	b := append(g.buf[:0], sysKinds[sys.kind].slug...)
	b = strconv.AppendInt(b, int64(s), 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(loc/sys.treeSize), 10)
	b = append(b, '/')
	b = append(b, kind...)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(loc%sys.treeSize), 10)
	g.buf = b
	return string(b)
}
