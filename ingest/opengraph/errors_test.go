package opengraph_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/ingest"
)

// node and edge build payload fragments.
const (
	sys  = `{"id":"s","kinds":["RG_System"]}`
	res  = `{"id":"r","kinds":["RG_Resource"]}`
	alic = `{"id":"alice","kinds":["RG_Identity","RG_Human"]}`
	inSy = `{"kind":"RG_InSystem","start":{"value":"r"},"end":{"value":"s"}}`
)

func doc(nodes, edges string) string {
	return `{"graph":{"nodes":[` + nodes + `],"edges":[` + edges + `]}}`
}

func TestMalformedPayloads(t *testing.T) {
	cases := []struct {
		name    string
		payload string
		mapText string
		want    []ingest.Problem
	}{
		{name: "syntax error", payload: `{"graph":{"nodes":[` + sys + `,]}}`,
			want: []ingest.Problem{{File: "in.json", Msg: "invalid JSON at byte offset 52: invalid character ']' looking for beginning of value"}}},
		{name: "truncated", payload: `{"graph":{"nodes":[` + sys,
			want: []ingest.Problem{{File: "in.json", Msg: "invalid JSON at byte offset 51: unexpected end of input"}}},
		{name: "trailing data", payload: doc(sys, "") + ` {}`,
			want: []ingest.Problem{{File: "in.json", Msg: "invalid JSON at byte offset 65: data after the end of the document"}}},
		{name: "not an object", payload: `[1,2]`,
			want: []ingest.Problem{{File: "in.json", Pointer: "/", Msg: "want an object, got an array"},
				{File: "in.json", Pointer: "/", Msg: `missing field "graph" (an OpenGraph payload is {"graph": {"nodes": [...], "edges": [...]}})`}}},
		{name: "unknown keys", payload: `{"graf":1,"metadata":{"source_kind":"X","version":6},"graph":{"nodes":[],"edges":[],"meta":{}}}`,
			want: []ingest.Problem{
				{File: "in.json", Pointer: "/graf", Msg: `unknown field "graf" (an OpenGraph payload has metadata and graph)`},
				{File: "in.json", Pointer: "/metadata/version", Msg: `unknown field "version" (metadata has only source_kind)`},
				{File: "in.json", Pointer: "/graph/meta", Msg: `unknown field "meta" (graph has nodes and edges)`}}},
		{name: "missing edges", payload: `{"graph":{"nodes":[` + sys + `]}}`,
			want: []ingest.Problem{{File: "in.json", Pointer: "/graph", Msg: `missing field "edges"`}}},
		{name: "node shape", payload: doc(`{"id":"x","kinds":"RG_System"},{"kinds":["RG_System"]},{"id":"y","kinds":["RG_System"],"label":1}`, ""),
			want: []ingest.Problem{
				{File: "in.json", Pointer: "/graph/nodes/0/kinds", Msg: "want an array, got string"},
				{File: "in.json", Pointer: "/graph/nodes/1/id", Msg: "missing id"},
				{File: "in.json", Pointer: "/graph/nodes/2", Msg: `unknown field "label"`}}},
		{name: "unmapped node kind", payload: doc(`{"id":"x","kinds":["User","Base"]}`, ""),
			want: []ingest.Problem{{File: "in.json", Pointer: "/graph/nodes/0/kinds",
				Msg: `no mapping for node kinds ["User", "Base"]: map one of them under nodes: in the --opengraph-map file to system, resource, identity:TYPE, group[:role] or credential:TYPE`}}},
		{name: "conflicting kinds", payload: doc(`{"id":"x","kinds":["RG_System","RG_Identity"]}`, ""),
			want: []ingest.Problem{{File: "in.json", Pointer: "/graph/nodes/0/kinds", Msg: `kinds "RG_System" and "RG_Identity" map to different node kinds (systems, identities)`}}},
		{name: "match by name", payload: doc(sys+","+res+","+alic, inSy+`,{"kind":"RG_CanRead","start":{"match_by":"name","value":"ALICE"},"end":{"value":"r"}}`),
			want: []ingest.Problem{{File: "in.json", Pointer: "/graph/edges/1/start/match_by", Msg: `match_by "name" is not supported: reachgraph matches edge ends by node id (match_by "id")`}}},
		{name: "edge without end or kind", payload: doc(sys+","+res, inSy+`,{"kind":"RG_CanRead","start":{"value":"r"}},{"start":{"value":"r"},"end":{"value":"s"}}`),
			want: []ingest.Problem{{File: "in.json", Pointer: "/graph/edges/1/end", Msg: "missing edge end"},
				{File: "in.json", Pointer: "/graph/edges/2/kind", Msg: "missing kind"}}},
		{name: "dangling grant", payload: doc(sys+","+res+","+alic, inSy+`,{"kind":"RG_CanWrite","start":{"value":"alice"},"end":{"value":"nope"}}`),
			want: []ingest.Problem{{File: "in.json", Pointer: "/graph/edges/1/properties/resource", Msg: `"nope" does not exist (want the id of a System or Resource)`}}},
		{name: "resource without system", payload: doc(res, ""),
			want: []ingest.Problem{{File: "in.json", Pointer: "/graph/nodes/0/properties", Msg: `missing required field "system"`}}},
		{name: "in-system from a non-resource", payload: doc(sys+","+res+","+alic, inSy+`,{"kind":"RG_InSystem","start":{"value":"alice"},"end":{"value":"s"}}`),
			want: []ingest.Problem{{File: "in.json", Pointer: "/graph/edges/1", Msg: `RG_InSystem edge: "alice" is not a resource node of this payload`}}},
		{name: "two systems", payload: doc(sys+`,{"id":"t","kinds":["RG_System"]},`+res, inSy+`,{"kind":"RG_InSystem","start":{"value":"r"},"end":{"value":"t"}}`),
			want: []ingest.Problem{{File: "in.json", Pointer: "/graph/edges/1", Msg: `RG_InSystem: resource "r" already has system "s" from the RG_InSystem edge at /graph/edges/0`}}},
		{name: "edge and property disagree", payload: doc(sys+`,{"id":"t","kinds":["RG_System"]},{"id":"r","kinds":["RG_Resource"],"properties":{"system":"t"}}`, inSy),
			want: []ingest.Problem{{File: "in.json", Pointer: "/graph/edges/0", Msg: `RG_InSystem edge sets system "s" of "r", but its system property says "t"`}}},
		{name: "secret property", payload: doc(`{"id":"alice","kinds":["RG_Identity"],"properties":{"type":"human","password":"hunter2"}}`, ""),
			want: []ingest.Problem{{File: "in.json", Pointer: "/graph/nodes/0/properties/password",
				Msg: "field \"password\" carries a secret; reachgraph never stores secret values: remove it from the input (the value is not shown)"}}},
		{name: "bad values", payload: doc(`{"id":"alice","kinds":["RG_Identity"],"properties":{"type":"robot","created_at":"yesterday","tags":["env"]}}`, ""),
			want: []ingest.Problem{
				{File: "in.json", Pointer: "/graph/nodes/0/properties/tags/0", Msg: `want a "key=value" string`},
				{File: "in.json", Pointer: "/graph/nodes/0/properties/created_at", Msg: `invalid time "yesterday" (want RFC 3339, e.g. 2026-10-31T00:00:00Z)`},
				{File: "in.json", Pointer: "/graph/nodes/0/properties/type", Msg: `unknown type "robot" (allowed: human, service_account, application, api_client, workload, bot, ai_agent)`}}},
		{name: "identity without type", payload: doc(`{"id":"alice","kinds":["RG_Identity"]}`, ""),
			want: []ingest.Problem{{File: "in.json", Pointer: "/graph/nodes/0/properties", Msg: `missing required field "type"`}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, problems(t, tc.payload, tc.mapText))
		})
	}
}

func TestMapFileErrors(t *testing.T) {
	cases := []struct {
		name    string
		mapText string
		want    []ingest.Problem
	}{
		{name: "unknown section", mapText: "nodes:\n  User: person\n",
			want: []ingest.Problem{{File: "map.yaml", Line: 2, Msg: `node kind User: "person" is not one of system, resource, identity, group, credential`}}},
		{name: "bad identity type", mapText: "nodes:\n  User: identity:robot\n",
			want: []ingest.Problem{{File: "map.yaml", Line: 2, Msg: `node kind User: identity type "robot" is not one of human, service_account, application, api_client, workload, bot, ai_agent`}}},
		{name: "grant without action", mapText: "edges:\n  AdminTo: grant\n",
			want: []ingest.Problem{{File: "map.yaml", Line: 2, Msg: "edge kind AdminTo: grant needs an action: grant:read, grant:write, grant:approve, grant:export, grant:admin"}}},
		{name: "unknown target and key", mapText: "edges:\n  Contains: {as: contains, reverse: true}\n  X: {as: member_of, flip: 1}\nextra: 1\n",
			want: []ingest.Problem{
				{File: "map.yaml", Line: 2, Msg: `edge kind Contains: target "contains" is not one of member_of, grant:ACTION, can_act_as[:KIND], has_credential, stored_in, in_system, child_of`},
				{File: "map.yaml", Line: 3, Msg: `edge kind X: unknown key "flip" (want as, reverse)`},
				{File: "map.yaml", Line: 4, Msg: `unknown key "extra" (want nodes or edges)`}}},
		{name: "not yaml", mapText: "nodes: [a\n",
			want: []ingest.Problem{{File: "map.yaml", Msg: "invalid YAML: yaml: line 1: did not find expected ',' or ']'"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := problems(t, doc(sys, ""), tc.mapText)
			want := append(tc.want, ingest.Problem{File: "in.json", Msg: "invalid OpenGraph map file"})
			require.Equal(t, want, got)
		})
	}
}
