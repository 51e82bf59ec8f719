package ingest

import (
	"strings"

	"github.com/reachgraph/reachgraph/schema"
)

// topLevelNames are the keys a bundle document may have, for suggestions.
var topLevelNames = func() []string {
	var names []string
	for _, f := range schema.HeaderFields {
		names = append(names, f.Name)
	}
	for _, s := range schema.Sections {
		names = append(names, s.Name)
	}
	return names
}()

// IsSection reports whether name is a bundle section (schema.Sections).
func IsSection(name string) bool { _, ok := specByName[name]; return ok }

// IsHeaderField reports whether name is a bundle header field (schema.HeaderFields).
func IsHeaderField(name string) bool {
	for _, f := range schema.HeaderFields {
		if f.Name == name {
			return true
		}
	}
	return false
}

// UnknownTopLevel reports a top-level key of a bundle document that is neither
// a header field nor a section, with a suggestion when it looks like a typo, or
// the secret message when it names a secret. line or pointer is its position.
func (f *File) UnknownTopLevel(name string, line int, pointer string) {
	if isSecretName(name) {
		f.Problemf(line, pointer, "field %s carries a secret; %s", echo(name), secretMsg)
		return
	}
	f.Problemf(line, pointer, "unknown field %s%s", echo(name), didYouMean(name, topLevelNames))
}

// Header validates the bundle header (format, source, collected_at) of the
// file's source. A source has exactly one header; YAML and JSON readers call
// Header once per document even when it has none of the fields, so that the
// missing ones are reported. line is the header's line (0 for JSON, whose
// problems then point at "/format" …).
func (f *File) Header(fields []Field, line int) {
	in := f.in
	site := recordSite{f: f, line: line}
	if in.headerSeen {
		site.report(site.at("", 0), false, "bundle header given twice")
		return
	}
	in.headerSeen = true
	seen := map[string]bool{}
	present := map[string]bool{}
	for i := range fields {
		fld := &fields[i]
		at := site.at(fld.Name, fld.Line)
		var spec *schema.Field
		for j := range schema.HeaderFields {
			if schema.HeaderFields[j].Name == fld.Name {
				spec = &schema.HeaderFields[j]
			}
		}
		switch {
		case isSecretName(fld.Name):
			site.report(at, false, "field %s carries a secret; %s", echo(fld.Name), secretMsg)
			continue
		case spec == nil:
			site.report(at, false, "unknown field %s%s", echo(fld.Name), didYouMean(fld.Name, topLevelNames))
			continue
		case seen[fld.Name]:
			site.report(at, false, "duplicate field %s", echo(fld.Name))
			continue
		}
		seen[fld.Name] = true
		fs := fieldSpec{Field: *spec, enum: map[string]bool{}}
		for _, e := range spec.Enum {
			fs.enum[e] = true
		}
		if fld.Value.Kind != Null {
			present[fld.Name] = true
		}
		var v parsed
		if !parseField(site, &fs, fld, &v) || !v.set {
			continue
		}
		switch fld.Name {
		case "source":
			in.source = strings.Clone(v.s)
		case "collected_at":
			in.collectedAt = v.t
		}
	}
	for _, hf := range schema.HeaderFields {
		if hf.Required && !present[hf.Name] {
			site.report(site.at("", 0), false, "missing required field %s", echo(hf.Name))
		}
	}
}

// Add validates one record of a section, reports its problems, and keeps it for
// the commit when it is valid. References to ids not declared yet are checked
// after every source is read, so sections and files may come in any order.
func (f *File) Add(rec *Record) { f.add(rec, false) }

// add is Add, and AddPlaceholder when isPlaceholder is set.
func (f *File) add(rec *Record, isPlaceholder bool) {
	l := f.l
	sp, ok := specByName[rec.Section]
	site := recordSite{f: f, rec: rec, line: rec.Line}
	if !ok {
		site.report(site.at("", 0), false, "unknown section %s%s", echo(rec.Section), didYouMean(rec.Section, topLevelNames))
		return
	}
	if f.edgesOnly && sp.idField >= 0 {
		site.report(site.at("", 0), false, "a link file declares no %s: it only connects what the sources declare", sp.Name)
		return
	}
	if isPlaceholder && sp.idField < 0 {
		panic("ingest: AddPlaceholder on section " + sp.Name + ": only node sections (records with an id) can be placeholders")
	}
	vals := l.vals[:len(sp.fields)]
	clear(vals)
	where, bad := f.parseFields(site, sp, vals)
	// An invalid record still declares its id and checks its references, so
	// one mistake does not cascade into "does not exist" problems elsewhere.
	var ph *placeholder // this record's entry when it is a placeholder that declared its id
	dropped := false    // a placeholder whose id is declared already
	if sp.idField >= 0 && vals[sp.idField].set {
		fld := &rec.Fields[where[sp.idField]]
		if id := vals[sp.idField].s; len(id) > MaxIDBytes {
			site.report(site.at(fld.Name, fld.Line), true, "an id of %d bytes: ids are at most %d bytes (every store indexes them; Neo4j refuses longer keys)", len(id), MaxIDBytes)
		}
		ph, dropped = l.declare(site, sp, vals[sp.idField].s, fld.Line, isPlaceholder)
	}
	for j := range sp.fields {
		if fs := &sp.fields[j]; fs.refMask != 0 && vals[j].set {
			l.checkRefs(site, fs, &rec.Fields[where[j]], &vals[j], &l.lastRef[sp.index][j])
		}
	}
	if sp.Node == schema.KindResource && !dropped {
		n := len(l.parents)
		l.linkParent(site, rec, sp, vals, where)
		if ph != nil && len(l.parents) > n {
			ph.link = n
		}
	}
	if !dropped && !bad && !l.failed() { // once the load has failed, records are no longer kept
		span := l.keep(sp, vals)
		if ph != nil {
			ph.span, ph.kept = span, true
		}
	}
}

// parseFields validates the fields of site.rec into vals (indexed like
// sp.fields) and returns where each field is in the record. It reports unknown,
// secret, duplicate, invalid and missing required fields; bad is true if any.
func (f *File) parseFields(site recordSite, sp *sectionSpec, vals []parsed) (where [32]int, bad bool) {
	var seen, failed uint32 // fields present, fields reported invalid
	next := 0               // fields usually come in schema order: look ahead first
	for i := range site.rec.Fields {
		fld := &site.rec.Fields[i]
		j, known := next, false
		for ; j < len(sp.fields); j++ {
			if sp.fields[j].Name == fld.Name {
				known = true
				break
			}
		}
		if !known {
			j, known = sp.byName[fld.Name]
		}
		next = j + 1
		switch {
		case !known && isSecretName(fld.Name):
			site.report(site.at(fld.Name, fld.Line), false, "field %s carries a secret; %s", echo(fld.Name), secretMsg)
		case !known:
			site.report(site.at(fld.Name, fld.Line), false, "unknown field %s%s", echo(fld.Name), didYouMean(fld.Name, fieldNames(sp)))
		case seen&(1<<j) != 0:
			site.report(site.at(fld.Name, fld.Line), false, "duplicate field %s", echo(fld.Name))
		default:
			seen |= 1 << j
			where[j] = i
			if parseField(site, &sp.fields[j], fld, &vals[j]) {
				continue
			}
			failed |= 1 << j
		}
		bad = true
	}
	for j := range sp.fields {
		fs := &sp.fields[j]
		if fs.Required && !vals[j].set && failed&(1<<j) == 0 && !f.skipped(sp.Name, fs.Name) {
			site.report(site.at("", 0), false, "missing required field %s", echo(fs.Name))
			bad = true
		}
	}
	return where, bad
}

func (f *File) skipped(section, field string) bool {
	return f.skip != nil && f.skip[section+"."+field]
}

// keep converts a valid record to its graph record and stores it encoded; it
// returns where the encoding is in the section's buffer.
func (l *loader) keep(sp *sectionSpec, vals []parsed) bufSpan {
	b := &l.b
	sp.ops.reset(b)
	for j := range sp.fields {
		if vals[j].set {
			sp.fields[j].set(b, &vals[j])
		}
	}
	if sp.ops.defaults != nil {
		sp.ops.defaults(b)
	}
	return l.bufs[sp.index].add(func(dst []byte) []byte { return sp.ops.encode(b, dst) })
}

func fieldNames(sp *sectionSpec) []string {
	names := make([]string, len(sp.fields))
	for i := range sp.fields {
		names[i] = sp.fields[i].Name
	}
	return names
}

// finish reports a source that never gave a header.
func (in *Input) finish() {
	if !in.headerSeen && !in.l.stopped {
		in.Problemf(in.path, "missing bundle header: %s", strings.Join(headerNames(), ", "))
	}
}

func headerNames() []string {
	var names []string
	for _, f := range schema.HeaderFields {
		names = append(names, f.Name)
	}
	return names
}
