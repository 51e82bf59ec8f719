package ingest

import (
	"strings"
)

// deferredRef is a reference whose target had not been declared when it was
// read; it is resolved once every source has been read.
type deferredRef struct {
	target string
	mask   uint8
	at     spot
}

// parentLink is a resource with a parent, for the cycle check.
type parentLink struct {
	id, parent string
	at         spot
	dropped    bool // the resource was a placeholder a later declaration superseded
}

// declare adds a node id to the one namespace shared by every node kind.
// isPlaceholder tells whether the record was added by AddPlaceholder. It returns
// the entry of a placeholder that declared its id (nil otherwise), and whether
// the record is a placeholder to drop because its id is declared already.
func (l *loader) declare(site recordSite, sp *sectionSpec, id string, line int, isPlaceholder bool) (ph *placeholder, dropped bool) {
	prev, dup := l.ids[id]
	if !dup {
		id = strings.Clone(id)
		l.ids[id] = uint32(sp.nodeBit) | site.f.idx<<8
		if isPlaceholder {
			ph = l.addPlaceholder(site, sp, id, line)
		}
		return ph, false
	}
	old := l.placeholders[id] // nil when the id was declared by a regular record
	switch {
	case uint8(prev) != sp.nodeBit || old == nil && !isPlaceholder:
		// Kinds must agree even with a placeholder; two regular records
		// never share an id.
		l.duplicate(site, sp, id, line, prev, old, isPlaceholder)
		return nil, isPlaceholder
	case isPlaceholder: // the id is declared already: this placeholder is dropped
		return nil, true
	default: // a regular declaration supersedes the placeholder
		l.supersede(id, old)
		l.ids[strings.Clone(id)] = uint32(sp.nodeBit) | site.f.idx<<8
		return nil, false
	}
}

// duplicate reports a duplicate id at the record being declared. prev is the
// id's entry in l.ids, old its placeholder when a placeholder declared it;
// isPlaceholder tells whether the record being declared is one.
func (l *loader) duplicate(site recordSite, sp *sectionSpec, id string, line int, prev uint32, old *placeholder, isPlaceholder bool) {
	this := ""
	if isPlaceholder {
		this = " of a placeholder " + kindName(sp.nodeBit)
	}
	by := kindNames(uint8(prev)) + " in " + l.fileNames[prev>>8]
	if old != nil {
		by = "a placeholder " + kindName(uint8(prev)) + " " + old.at.position()
	}
	site.report(site.at("id", line), false, "duplicate id %s%s (already used by %s)", echo(id), this, by)
}

// resolved is the last target a reference field resolved to a node of an
// allowed kind. Exports are usually sorted, so consecutive records often
// reference the same id; since an id never changes its kind (a regular record
// supersedes a placeholder only of its own kind), the answer holds.
type resolved struct{ target string }

// checkRefs checks the references of one field: now when the target is known,
// else after every source has been read.
func (l *loader) checkRefs(site recordSite, fs *fieldSpec, fld *Field, v *parsed, last *resolved) {
	at := site.at(fs.Name, fld.Line)
	if v.list == nil {
		if v.s == last.target && v.s != "" {
			return
		}
		if l.ref(site, at, v.s, fs.refMask) {
			last.target = v.s
		}
		return
	}
	for i, target := range v.list {
		iat := at
		iat.item = i
		if at.line > 0 && fld.Value.Kind == List && i < len(fld.Value.Items) && fld.Value.Items[i].Line > 0 {
			iat.line = fld.Value.Items[i].Line
		}
		l.ref(site, iat, target, fs.refMask)
	}
}

// ref checks one reference and reports whether it resolved to an allowed kind.
func (l *loader) ref(site recordSite, at spot, target string, mask uint8) bool {
	if v, ok := l.ids[target]; ok {
		if uint8(v)&mask == 0 {
			site.report(at, true, "%s is %s, not %s", echo(target), kindNames(uint8(v)), kindNames(mask))
			return false
		}
		return true
	}
	at.recPtr = strings.Clone(at.recPtr)
	l.deferred = append(l.deferred, deferredRef{target: strings.Clone(target), mask: mask, at: at})
	return false
}

// finishRefs resolves the deferred references and checks resource parent
// chains for cycles, in input order.
func (l *loader) finishRefs() {
	if l.stopped {
		return
	}
	for _, d := range l.deferred {
		v, ok := l.ids[d.target]
		switch {
		case !ok:
			l.report(d.at.problem(echo(d.target)+" does not exist (want the id of "+kindNames(d.mask)+")", true))
		case uint8(v)&d.mask == 0:
			l.report(d.at.problem(echo(d.target)+" is "+kindNames(uint8(v))+", not "+kindNames(d.mask), true))
		}
	}
	l.deferred = nil
	l.findCycles()
}

// findCycles reports every cycle of resource parent links once, at the first
// resource of the cycle in input order.
func (l *loader) findCycles() {
	if len(l.parents) == 0 {
		return
	}
	link := make(map[string]int, len(l.parents))
	for i, p := range l.parents {
		if _, dup := link[p.id]; !dup && !p.dropped {
			link[p.id] = i
		}
	}
	const (
		onPath = 1
		done   = 2
	)
	state := make(map[string]uint8, len(l.parents))
	var path []string
	for _, start := range l.parents {
		if state[start.id] != 0 || start.dropped {
			continue
		}
		path = path[:0]
		for cur := start.id; ; {
			state[cur] = onPath
			path = append(path, cur)
			i, ok := link[cur]
			if !ok {
				break
			}
			next := l.parents[i].parent
			if state[next] == onPath {
				l.reportCycle(path, next, link)
				break
			}
			if state[next] == done {
				break
			}
			cur = next
		}
		for _, id := range path {
			state[id] = done
		}
	}
}

func (l *loader) reportCycle(path []string, back string, link map[string]int) {
	from := 0
	for path[from] != back {
		from++
	}
	cycle := path[from:]
	first := link[cycle[0]]
	for _, id := range cycle {
		first = min(first, link[id])
	}
	names := make([]string, 0, min(len(cycle), 10)+2)
	for i, id := range cycle {
		if i == 10 {
			names = append(names, "…")
			break
		}
		names = append(names, echo(id))
	}
	names = append(names, echo(back))
	at := l.parents[first].at
	l.report(at.problem("resource parent chain is a cycle: "+strings.Join(names, " → "), true))
}

// linkParent remembers a resource's parent for the cycle check.
func (l *loader) linkParent(site recordSite, rec *Record, sp *sectionSpec, vals []parsed, where [32]int) {
	j, ok := sp.byName["parent"]
	if !ok || !vals[j].set || !vals[sp.idField].set {
		return
	}
	at := site.at("parent", rec.Fields[where[j]].Line)
	at.recPtr = strings.Clone(at.recPtr)
	l.parents = append(l.parents, parentLink{id: strings.Clone(vals[sp.idField].s), parent: strings.Clone(vals[j].s), at: at})
}
