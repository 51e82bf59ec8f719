package ingest

import "strings"

// AddPlaceholder is Add for a node that the reader only knows exists: it
// declares the node unless another record of the same load declares the same
// id. A reader uses it for nodes its input names but does not own, such as the
// users of an AWS credential report read as a source of its own next to the
// authorization details that declare them.
//
// A regular record (Add) with the same id wins wherever it is in the load, and
// the placeholder is dropped silently; of several placeholders with one id the
// first in load order is kept. A placeholder is validated like any record (its
// problems are reported at its position, its references checked, whether it
// is kept or not), and the id's kind must agree: a placeholder Identity and a
// System with the same id are a duplicate id. The snapshot holds exactly what
// a load of the kept records alone would hold, in the same order, so it has
// the same id.
//
// Only records of node sections (with an id) can be placeholders;
// AddPlaceholder panics on an edge section such as grants.
func (f *File) AddPlaceholder(rec *Record) { f.add(rec, true) }

// placeholder is a node declared by AddPlaceholder that no regular record has
// declared (yet).
type placeholder struct {
	section int     // index in specs
	at      spot    // the id's position, for duplicate messages
	kept    bool    // the record is valid and stored at span
	span    bufSpan // where it is in l.bufs[section]
	link    int     // its index in l.parents, -1 for none
}

// addPlaceholder registers the placeholder that declared id.
func (l *loader) addPlaceholder(site recordSite, sp *sectionSpec, id string, line int) *placeholder {
	at := site.at("id", line)
	at.section, at.recPtr = sp.Name, strings.Clone(at.recPtr)
	ph := &placeholder{section: sp.index, at: at, link: -1}
	if l.placeholders == nil {
		l.placeholders = map[string]*placeholder{}
	}
	l.placeholders[id] = ph
	return ph
}

// supersede drops the placeholder ph of id, which a regular record declares:
// its record is left out of the snapshot and out of the cycle check.
func (l *loader) supersede(id string, ph *placeholder) {
	if ph.kept {
		l.bufs[ph.section].drop(ph.span)
	}
	if ph.link >= 0 {
		l.parents[ph.link].dropped = true
	}
	delete(l.placeholders, id)
}
