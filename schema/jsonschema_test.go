package schema_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/schema"
)

type jsonObj = map[string]any

func parseBundleSchema(t *testing.T) jsonObj {
	t.Helper()
	var root jsonObj
	require.NoError(t, json.Unmarshal(schema.BundleJSONSchema, &root))
	return root
}

// schemaDrift compares a parsed bundle JSON Schema with schema.HeaderFields
// and schema.Sections and returns every difference, sorted.
func schemaDrift(root jsonObj) []string {
	var diffs []string
	bad := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	if root["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		bad("$schema is %v, want draft 2020-12", root["$schema"])
	}
	if root["additionalProperties"] != false {
		bad("top level: additionalProperties must be false")
	}
	props, _ := root["properties"].(jsonObj)
	defs, _ := root["$defs"].(jsonObj)
	want := map[string]bool{}
	var required []string
	for _, f := range schema.HeaderFields {
		want[f.Name] = true
		if f.Required {
			required = append(required, f.Name)
		}
		p, ok := props[f.Name].(jsonObj)
		if !ok {
			bad("header field %s missing", f.Name)
			continue
		}
		diffs = append(diffs, fieldDrift("header."+f.Name, f, p)...)
	}
	diffs = append(diffs, requiredDrift("top level", required, root["required"])...)
	usedDefs := map[string]bool{}
	for _, s := range schema.Sections {
		want[s.Name] = true
		p, ok := props[s.Name].(jsonObj)
		if !ok {
			bad("section %s missing", s.Name)
			continue
		}
		items, _ := p["items"].(jsonObj)
		ref, _ := items["$ref"].(string)
		if p["type"] != "array" || len(ref) < len("#/$defs/") {
			bad("section %s: want an array of $ref items", s.Name)
			continue
		}
		name := ref[len("#/$defs/"):]
		usedDefs[name] = true
		def, ok := defs[name].(jsonObj)
		if !ok {
			bad("section %s: $defs/%s missing", s.Name, name)
			continue
		}
		diffs = append(diffs, objectDrift(s.Name, s.Fields, def)...)
	}
	for name := range props {
		if !want[name] {
			bad("property %s is not in schema.HeaderFields or schema.Sections", name)
		}
	}
	for name := range defs {
		if !usedDefs[name] {
			bad("$defs/%s is not used by any section", name)
		}
	}
	sort.Strings(diffs)
	return diffs
}

func objectDrift(where string, fields []schema.Field, def jsonObj) []string {
	var diffs []string
	if def["type"] != "object" || def["additionalProperties"] != false {
		diffs = append(diffs, where+": want type object with additionalProperties false")
	}
	props, _ := def["properties"].(jsonObj)
	var required []string
	names := map[string]bool{}
	for _, f := range fields {
		names[f.Name] = true
		if f.Required {
			required = append(required, f.Name)
		}
		p, ok := props[f.Name].(jsonObj)
		if !ok {
			diffs = append(diffs, fmt.Sprintf("%s.%s missing", where, f.Name))
			continue
		}
		diffs = append(diffs, fieldDrift(where+"."+f.Name, f, p)...)
	}
	for name := range props {
		if !names[name] {
			diffs = append(diffs, fmt.Sprintf("%s.%s is not in the Go schema", where, name))
		}
	}
	return append(diffs, requiredDrift(where, required, def["required"])...)
}

func requiredDrift(where string, want []string, got any) []string {
	var have []string
	list, _ := got.([]any)
	for _, v := range list {
		s, _ := v.(string)
		have = append(have, s)
	}
	slices.Sort(want)
	slices.Sort(have)
	if !slices.Equal(want, have) {
		return []string{fmt.Sprintf("%s: required is %v, want %v", where, have, want)}
	}
	return nil
}

// fieldDrift checks one property against its field's type, enum and format.
func fieldDrift(where string, f schema.Field, p jsonObj) []string {
	var diffs []string
	bad := func(format string, args ...any) {
		diffs = append(diffs, where+": "+fmt.Sprintf(format, args...))
	}
	wantType := map[schema.FieldType]string{
		schema.TString: "string", schema.TBool: "boolean", schema.TInt: "integer", schema.TTime: "string",
		schema.TEnum: "string", schema.TRef: "string", schema.TRefList: "array", schema.TStringList: "array",
		schema.TStringMap: "object", schema.TObject: "object",
	}[f.Type]
	if p["type"] != wantType {
		bad("type is %v, want %s", p["type"], wantType)
	}
	if (p["format"] == "date-time") != (f.Type == schema.TTime) {
		bad("format date-time must be set exactly on time fields")
	}
	var enum []string
	if list, ok := p["enum"].([]any); ok {
		for _, v := range list {
			s, _ := v.(string)
			enum = append(enum, s)
		}
	}
	if !slices.Equal(enum, f.Enum) {
		bad("enum is %v, want %v", enum, f.Enum)
	}
	switch f.Type {
	case schema.TRefList, schema.TStringList:
		if items, _ := p["items"].(jsonObj); items["type"] != "string" {
			bad("items must be strings")
		}
	case schema.TStringMap:
		if ap, _ := p["additionalProperties"].(jsonObj); ap["type"] != "string" {
			bad("additionalProperties must be strings")
		}
	case schema.TObject:
		diffs = append(diffs, objectDrift(where, f.Sub, p)...)
	}
	return diffs
}

func TestBundleJSONSchemaMatchesSpecs(t *testing.T) {
	require.Empty(t, schemaDrift(parseBundleSchema(t)))
}

// TestBundleJSONSchemaDriftDetected shows the comparison fails when either
// side has something the other lacks.
func TestBundleJSONSchemaDriftDetected(t *testing.T) {
	defs := func(root jsonObj, name string) jsonObj {
		return root["$defs"].(jsonObj)[name].(jsonObj)["properties"].(jsonObj)
	}
	tests := []struct {
		name   string
		mutate func(root jsonObj)
		want   string
	}{
		{name: "field missing", mutate: func(r jsonObj) { delete(defs(r, "grant"), "native") }, want: "grants.native missing"},
		{name: "extra field", mutate: func(r jsonObj) { defs(r, "grant")["nativ"] = jsonObj{"type": "string"} }, want: "grants.nativ is not in the Go schema"},
		{name: "type changed", mutate: func(r jsonObj) { defs(r, "credential")["rotation_days"] = jsonObj{"type": "string"} }, want: "credentials.rotation_days: type is string, want integer"},
		{name: "enum changed", mutate: func(r jsonObj) {
			defs(r, "grant")["action"].(jsonObj)["enum"] = []any{"read", "write"}
		}, want: "grants.action: enum is [read write], want [read write approve export admin]"},
		{name: "required dropped", mutate: func(r jsonObj) { r["$defs"].(jsonObj)["grant"].(jsonObj)["required"] = []any{"principal", "action"} }, want: "grants: required is [action principal], want [action principal resource]"},
		{name: "section missing", mutate: func(r jsonObj) { delete(r["properties"].(jsonObj), "delegations") }, want: "section delegations missing"},
		{name: "open object", mutate: func(r jsonObj) { r["$defs"].(jsonObj)["system"].(jsonObj)["additionalProperties"] = true }, want: "systems: want type object with additionalProperties false"},
		{name: "owners sub-field missing", mutate: func(r jsonObj) {
			delete(defs(r, "identity")["owners"].(jsonObj)["properties"].(jsonObj), "technical")
		}, want: "identities.owners.technical missing"},
		{name: "time format dropped", mutate: func(r jsonObj) { delete(defs(r, "grant")["expires_at"].(jsonObj), "format") }, want: "grants.expires_at: format date-time must be set exactly on time fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := parseBundleSchema(t)
			tt.mutate(root)
			require.Contains(t, schemaDrift(root), tt.want)
		})
	}
}

func TestBundleJSONSchemaClosedEverywhere(t *testing.T) {
	var walk func(path string, v any)
	var open []string
	walk = func(path string, v any) {
		switch x := v.(type) {
		case jsonObj:
			if _, has := x["properties"]; has && x["additionalProperties"] != false {
				open = append(open, path)
			}
			for k, c := range x {
				walk(path+"/"+k, c)
			}
		case []any:
			for i, c := range x {
				walk(fmt.Sprintf("%s/%d", path, i), c)
			}
		}
	}
	walk("", parseBundleSchema(t))
	require.Empty(t, open, "objects with properties must set additionalProperties false")
}
