package ingest

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/schema"
)

// timeExample is shown in every bad-time message.
const timeExample = "2026-10-31T00:00:00Z"

// maxEcho bounds how much of a bad value a message repeats.
const maxEcho = 64

// recordSite is where the problems of one record go. line > 0 means the input
// has lines (YAML, CSV); otherwise problems carry JSON pointers.
type recordSite struct {
	f    *File
	rec  *Record // nil for the bundle header
	line int
}

func (r recordSite) at(field string, fieldLine int) spot {
	s := spot{file: r.f.name, item: -1, field: field}
	if r.rec != nil {
		s.section, s.index, s.recPtr = r.rec.Section, r.rec.Index, r.rec.Pointer
	}
	if r.line > 0 {
		s.line = r.line
		if fieldLine > 0 {
			s.line = fieldLine
		}
	}
	return s
}

func (r recordSite) report(s spot, prefix bool, format string, args ...any) {
	r.f.l.report(s.problem(fmt.Sprintf(format, args...), prefix))
}

// sizeOK reports a value longer than Limits.ValueBytes at at and returns
// false; true when s fits.
func sizeOK(site recordSite, at spot, s string) bool {
	limit := site.f.l.limits.ValueBytes
	if len(s) <= limit {
		return true
	}
	site.report(at, true, "the value is %d bytes, more than the %s limit for one value", len(s), ByteSize(int64(limit)))
	return false
}

// secretFree reports a value shaped like a secret (SecretShape) at at,
// without echoing it, and returns false; true when s looks like none.
func secretFree(site recordSite, at spot, s string) bool {
	shape := SecretShape(s)
	if shape == "" {
		return true
	}
	site.report(at, true, "the value looks like %s; %s", shape, secretMsg)
	return false
}

const secretMsg = "reachgraph never stores secret values: remove it from the input (the value is not shown)"

// describe renders a bad value for a message: its kind and, for scalars, a
// quoted and truncated copy.
func describe(v *Value) string {
	switch v.Kind {
	case String, Number, Bool, Text:
		return v.Kind.String() + " " + echo(v.Text)
	}
	return v.Kind.String()
}

// echo quotes s for a message, truncated to maxEcho runes.
func echo(s string) string {
	if len(s) > maxEcho {
		r := []rune(s)
		if len(r) > maxEcho {
			return strconv.Quote(string(r[:maxEcho])) + "…"
		}
	}
	return strconv.Quote(s)
}

func scalarText(v *Value) (string, bool) {
	switch v.Kind {
	case String, Number, Text:
		return v.Text, true
	}
	return "", false
}

// parseField validates one value against its field spec and stores the result
// in out. It reports problems through site and returns false on any.
func parseField(site recordSite, fs *fieldSpec, fld *Field, out *parsed) bool {
	v := &fld.Value
	at := site.at(fs.Name, fld.Line)
	if v.Kind == Null {
		return true
	}
	if s, ok := scalarText(v); ok && (!sizeOK(site, at, s) || !secretFree(site, at, s)) {
		return false
	}
	switch fs.Type {
	case schema.TString, schema.TRef, schema.TEnum:
		s, ok := scalarText(v)
		if !ok {
			site.report(at, true, "expected a string, got %s", describe(v))
			return false
		}
		if s == "" {
			if fs.Required {
				site.report(at, true, "must not be empty")
				return false
			}
			return true
		}
		if fs.Type == schema.TEnum && !fs.enum[s] {
			site.report(at, false, "unknown %s %s (allowed: %s)", fs.Name, echo(s), strings.Join(fs.Enum, ", "))
			return false
		}
		out.s, out.set = s, true
	case schema.TBool:
		switch {
		case v.Kind == Bool || v.Kind == Text && (v.Text == "true" || v.Text == "false"):
			out.b, out.set = v.Text == "true", true
		case v.Kind == Text && v.Text == "":
		default:
			site.report(at, true, "expected true or false, got %s", describe(v))
			return false
		}
	case schema.TInt:
		if v.Kind == Text && v.Text == "" {
			return true
		}
		n, err := strconv.Atoi(v.Text)
		if (v.Kind != Number && v.Kind != Text) || err != nil {
			site.report(at, true, "expected a whole number, got %s", describe(v))
			return false
		}
		out.n, out.set = n, true
	case schema.TTime:
		s, ok := scalarText(v)
		if !ok || v.Kind == Number {
			site.report(at, true, "expected an RFC 3339 time such as %s, got %s", timeExample, describe(v))
			return false
		}
		if s == "" {
			return true
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			site.report(at, true, "invalid time %s (want RFC 3339, e.g. %s)", echo(s), timeExample)
			return false
		}
		out.t, out.set = t.UTC(), true
	case schema.TStringList, schema.TRefList:
		return parseList(site, at, fs, v, out)
	case schema.TStringMap:
		return parseMap(site, at, v, out)
	case schema.TObject:
		return parseObject(site, at, fs, v, out)
	default:
		panic(fmt.Sprintf("ingest: unhandled field type %d", fs.Type))
	}
	return true
}

func parseList(site recordSite, at spot, fs *fieldSpec, v *Value, out *parsed) bool {
	var items []string
	ok := true
	switch v.Kind {
	case List:
		items = make([]string, 0, len(v.Items))
		for i := range v.Items {
			it := &v.Items[i]
			s, isText := scalarText(it)
			iat := at
			iat.item = i
			if it.Line > 0 && at.line > 0 {
				iat.line = it.Line
			}
			switch {
			case !isText:
				site.report(iat, true, "expected a string, got %s", describe(it))
				ok = false
			case !sizeOK(site, iat, s), !secretFree(site, iat, s):
				ok = false
			case s == "":
				site.report(iat, true, "empty item")
				ok = false
			default:
				items = append(items, s)
			}
		}
	case Text:
		if v.Text == "" {
			return true
		}
		for i, s := range strings.Split(v.Text, ";") {
			if s == "" {
				iat := at
				iat.item = i
				site.report(iat, true, "empty item (lists are \";\"-separated)")
				ok = false
				continue
			}
			items = append(items, s)
		}
	default:
		site.report(at, true, "expected a list, got %s", describe(v))
		return false
	}
	if len(items) > 0 && ok {
		out.list, out.set = items, true
	}
	return ok
}

func parseMap(site recordSite, at spot, v *Value, out *parsed) bool {
	m := map[string]string{}
	ok := true
	add := func(key, val string, kat spot) {
		switch {
		case key == "":
			site.report(kat, true, "empty key")
			ok = false
		case val != "" && isSecretName(key):
			site.report(kat, false, "tag %s names a secret; %s", echo(key), secretMsg)
			ok = false
		case !sizeOK(site, kat, key) || !sizeOK(site, kat, val), !secretFree(site, kat, val):
			ok = false
		default:
			if _, dup := m[key]; dup {
				site.report(kat, false, "duplicate tag %s", echo(key))
				ok = false
			}
			m[key] = val
		}
	}
	switch v.Kind {
	case Map:
		for i := range v.Fields {
			e := &v.Fields[i]
			kat := at
			kat.sub = e.Name
			if kat.line > 0 && e.Line > 0 {
				kat.line = e.Line
			}
			s, isText := scalarText(&e.Value)
			if !isText {
				site.report(kat, true, "expected a string, got %s", describe(&e.Value))
				ok = false
				continue
			}
			add(e.Name, s, kat)
		}
	case Text:
		if v.Text == "" {
			return true
		}
		for _, pair := range strings.Split(v.Text, ";") {
			k, val, found := strings.Cut(pair, "=")
			kat := at
			kat.sub = k
			if !found {
				kat.sub = ""
				site.report(kat, true, "expected key=value pairs separated by \";\", got %s", echo(pair))
				ok = false
				continue
			}
			add(k, val, kat)
		}
	default:
		site.report(at, true, "expected a map of strings, got %s", describe(v))
		return false
	}
	if len(m) > 0 && ok {
		out.m, out.set = m, true
	}
	return ok
}

func parseObject(site recordSite, at spot, fs *fieldSpec, v *Value, out *parsed) bool {
	if v.Kind != Map {
		site.report(at, true, "expected an object with fields %s, got %s", subNames(fs.Sub), describe(v))
		return false
	}
	m := map[string]string{}
	ok := true
	for i := range v.Fields {
		e := &v.Fields[i]
		kat := at
		kat.sub = e.Name
		if kat.line > 0 && e.Line > 0 {
			kat.line = e.Line
		}
		known := false
		for _, sub := range fs.Sub {
			known = known || sub.Name == e.Name
		}
		switch {
		case !known && isSecretName(e.Name):
			site.report(kat, false, "field %s carries a secret; %s", echo(kat.label()), secretMsg)
			ok = false
			continue
		case !known:
			site.report(kat, false, "unknown field %s (allowed: %s)", echo(kat.label()), subNames(fs.Sub))
			ok = false
			continue
		}
		if _, dup := m[e.Name]; dup {
			site.report(kat, false, "duplicate field %s", echo(kat.label()))
			ok = false
			continue
		}
		s, isText := scalarText(&e.Value)
		switch {
		case e.Value.Kind == Null:
		case !isText:
			site.report(kat, true, "expected a string, got %s", describe(&e.Value))
			ok = false
		case !sizeOK(site, kat, s), !secretFree(site, kat, s):
			ok = false
		case s != "":
			m[e.Name] = s
		}
	}
	if len(m) > 0 && ok {
		out.m, out.set = m, true
	}
	return ok
}

func subNames(fs []schema.Field) string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}
