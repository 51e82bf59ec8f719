package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/export"
	"github.com/reachgraph/reachgraph/schema"
)

// compileSchema compiles one schema file of testdata/opengraph/schema (its
// relative $refs resolve to the files next to it).
func compileSchema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	path, err := filepath.Abs(filepath.Join(shared, "opengraph", "schema", name))
	require.NoError(t, err)
	sch, err := jsonschema.NewCompiler().Compile(path)
	require.NoError(t, err)
	return sch
}

func validate(t *testing.T, sch *jsonschema.Schema, doc []byte) error {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	require.NoError(t, err)
	return sch.Validate(v)
}

type payload struct {
	Metadata struct {
		SourceKind string `json:"source_kind"`
	} `json:"metadata"`
	Graph struct {
		Nodes []struct {
			ID         string         `json:"id"`
			Kinds      []string       `json:"kinds"`
			Properties map[string]any `json:"properties"`
		} `json:"nodes"`
		Edges []struct {
			Kind  string `json:"kind"`
			Start struct {
				MatchBy string `json:"match_by"`
				Value   string `json:"value"`
			} `json:"start"`
			End struct {
				MatchBy string `json:"match_by"`
				Value   string `json:"value"`
			} `json:"end"`
			Properties map[string]any `json:"properties"`
		} `json:"edges"`
	} `json:"graph"`
}

func TestOpenGraphFinanceValidates(t *testing.T) {
	r := financeSnapshot(t)
	var buf bytes.Buffer
	stats, err := export.WriteOpenGraph(context.Background(), &buf, r)
	require.NoError(t, err)
	golden(t, "finance.opengraph.json", buf.Bytes())

	require.NoError(t, validate(t, compileSchema(t, "payload.derived.schema.json"), buf.Bytes()))

	var p payload
	require.NoError(t, json.Unmarshal(buf.Bytes(), &p))
	c := r.Meta().Counts
	require.Equal(t, c.Systems+c.Resources+c.Identities+c.Groups+c.Credentials, len(p.Graph.Nodes))
	require.Equal(t, stats.Nodes, len(p.Graph.Nodes))
	require.Equal(t, stats.Edges, len(p.Graph.Edges))
	require.Equal(t, schema.OpenGraphSourceKind, p.Metadata.SourceKind)

	// Each node and edge on its own against the published schemas, the way
	// BloodHound validates while it streams an upload.
	nodeSchema, edgeSchema := compileSchema(t, "node.json"), compileSchema(t, "edge.json")
	kinds := map[string]int{}
	for _, n := range p.Graph.Nodes {
		b, _ := json.Marshal(n)
		require.NoError(t, validate(t, nodeSchema, b), "node %s", n.ID)
		require.True(t, strings.HasPrefix(n.Kinds[0], "RG_"), n.Kinds)
		for k := range n.Properties {
			require.NotContains(t, schema.SecretFields, k)
			require.NotEqual(t, "objectid", k, "objectid is reserved by BloodHound")
		}
	}
	for _, e := range p.Graph.Edges {
		b, _ := json.Marshal(e)
		require.NoError(t, validate(t, edgeSchema, b), "edge %s", e.Kind)
		require.Equal(t, "id", e.Start.MatchBy)
		require.Equal(t, "id", e.End.MatchBy)
		kinds[e.Kind]++
	}
	grants := 0
	for _, a := range schema.Actions {
		grants += kinds[schema.OpenGraphGrantKind(a)]
	}
	require.Equal(t, c.Grants, grants)
	require.Equal(t, c.Memberships, kinds[schema.OGMemberOf])
	require.Equal(t, c.Delegations, kinds[schema.OGCanActAs])
	require.Equal(t, c.Credentials, kinds[schema.OGHasCredential])
	require.Equal(t, c.Resources, kinds[schema.OGInSystem])
	require.Positive(t, kinds[schema.OGStoredIn])
	require.Positive(t, kinds[schema.OGChildOf])
}

// TestOpenGraphSchemaRejects makes sure the validation above can fail: the
// published schemas reject what BloodHound rejects.
func TestOpenGraphSchemaRejects(t *testing.T) {
	sch := compileSchema(t, "payload.derived.schema.json")
	cases := []struct {
		name string
		doc  string
	}{
		{name: "edge kind with a dash", doc: `{"graph":{"nodes":[],"edges":[{"kind":"RG-Bad","start":{"value":"a"},"end":{"value":"b"}}]}}`},
		{name: "node without kinds", doc: `{"graph":{"nodes":[{"id":"a"}],"edges":[]}}`},
		{name: "four kinds", doc: `{"graph":{"nodes":[{"id":"a","kinds":["A","B","C","D"]}],"edges":[]}}`},
		{name: "objectid property", doc: `{"graph":{"nodes":[{"id":"a","kinds":["A"],"properties":{"objectid":"x"}}],"edges":[]}}`},
		{name: "nested object property", doc: `{"graph":{"nodes":[{"id":"a","kinds":["A"],"properties":{"o":{"x":1}}}],"edges":[]}}`},
		{name: "unknown metadata field", doc: `{"metadata":{"collected_at":"2026-10-31"},"graph":{"nodes":[],"edges":[]}}`},
		{name: "no graph", doc: `{"nodes":[]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Error(t, validate(t, sch, []byte(tc.doc)))
		})
	}
	require.NoError(t, validate(t, sch, []byte(`{"graph":{"nodes":[{"id":"a","kinds":["A"]}],"edges":[]}}`)))
}

func TestOpenGraphEmptySnapshot(t *testing.T) {
	var buf bytes.Buffer
	_, err := export.WriteOpenGraph(context.Background(), &buf, &graph.Dataset{})
	require.NoError(t, err)
	require.NoError(t, validate(t, compileSchema(t, "payload.derived.schema.json"), buf.Bytes()))
}

// TestOpenGraphSorted shows the output does not depend on the order records
// were written in.
func TestOpenGraphSorted(t *testing.T) {
	build := func(reverse bool) []byte {
		d := &graph.Dataset{
			SystemList:   []graph.System{{ID: "s2"}, {ID: "s1", SOXScope: true}},
			ResourceList: []graph.Resource{{ID: "r2", System: "s1", Parent: "r1"}, {ID: "r1", System: "s2"}},
			IdentityList: []graph.Identity{{ID: "b", Type: schema.IdentityBot, Status: schema.StatusActive, Tags: map[string]string{"z": "1", "a": "2"}},
				{ID: "a", Type: schema.IdentityHuman, Status: schema.StatusActive}},
			GrantList: []graph.Grant{{Principal: "b", Action: schema.ActionWrite, Resource: "r1", Native: "x"},
				{Principal: "a", Action: schema.ActionWrite, Resource: "r1"}, {Principal: "a", Action: schema.ActionRead, Resource: "r2"}},
			MembershipList: []graph.Membership{{Member: "b", Group: "g"}, {Member: "a", Group: "g", ExpiresAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}},
		}
		if reverse {
			slices.Reverse(d.SystemList)
			slices.Reverse(d.ResourceList)
			slices.Reverse(d.IdentityList)
			slices.Reverse(d.GrantList)
			slices.Reverse(d.MembershipList)
		}
		var buf bytes.Buffer
		_, err := export.WriteOpenGraph(context.Background(), &buf, d)
		require.NoError(t, err)
		return buf.Bytes()
	}
	a, b := build(false), build(true)
	require.Equal(t, string(a), string(b))
	s := string(a)
	require.Less(t, strings.Index(s, `"id":"s1"`), strings.Index(s, `"id":"s2"`))
	require.Less(t, strings.Index(s, `"kind":"RG_CanRead"`), strings.Index(s, `"kind":"RG_CanWrite"`))
	require.Contains(t, s, `"tags":["a=2","z=1"]`)
	require.Contains(t, s, `"properties":{"expires_at":"2026-01-01T00:00:00Z"}`)
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n -= len(p); f.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestExportWriteErrors(t *testing.T) {
	r := financeSnapshot(t)
	_, err := export.WriteOpenGraph(context.Background(), &failWriter{n: 10 << 10}, r)
	require.ErrorContains(t, err, "disk full")
	_, err = export.WriteGraphML(context.Background(), &failWriter{n: 10 << 10}, r)
	require.ErrorContains(t, err, "disk full")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = export.WriteOpenGraph(ctx, &bytes.Buffer{}, r)
	require.ErrorIs(t, err, context.Canceled)
}

func TestOpenGraphExtension(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, export.WriteOpenGraphExtension(&buf))
	golden(t, "reachgraph-extension.json", buf.Bytes())
	require.NoError(t, validate(t, compileSchema(t, "extension.derived.schema.json"), buf.Bytes()))

	var ext struct {
		Schema struct {
			Namespace string `json:"namespace"`
		} `json:"schema"`
		NodeKinds []struct {
			Name string `json:"name"`
		} `json:"node_kinds"`
		RelationshipKinds []struct {
			Name          string `json:"name"`
			IsTraversable bool   `json:"is_traversable"`
		} `json:"relationship_kinds"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &ext))
	// Namespacing rule of the extension definition schema: unique names,
	// each the namespace, "_" and more.
	seen := map[string]bool{}
	var traversable []string
	check := func(name string) {
		require.True(t, strings.HasPrefix(name, ext.Schema.Namespace+"_") && len(name) > len(ext.Schema.Namespace)+1, name)
		require.False(t, seen[name], "duplicate %s", name)
		seen[name] = true
	}
	for _, k := range ext.NodeKinds {
		check(k.Name)
	}
	for _, k := range ext.RelationshipKinds {
		check(k.Name)
		if k.IsTraversable {
			traversable = append(traversable, k.Name)
		}
	}
	require.Equal(t, []string{"RG_MemberOf", "RG_CanRead", "RG_CanWrite", "RG_CanApprove", "RG_CanExport", "RG_CanAdmin", "RG_CanActAs"}, traversable)
}

// TestOpenGraphStrings checks ids and values with JSON's special characters
// survive encoding/json, and invalid UTF-8 becomes U+FFFD.
func TestOpenGraphStrings(t *testing.T) {
	ids := []string{`q"uote`, `back\slash`, "tab\tnew\nline\x01", "ünï €𝄞 <&>", "bad\xffutf8"}
	d := &graph.Dataset{}
	for _, id := range ids {
		d.SystemList = append(d.SystemList, graph.System{ID: id, Name: id})
	}
	var buf bytes.Buffer
	_, err := export.WriteOpenGraph(context.Background(), &buf, d)
	require.NoError(t, err)
	var p payload
	require.NoError(t, json.Unmarshal(buf.Bytes(), &p))
	var got []string
	for _, n := range p.Graph.Nodes {
		got = append(got, n.ID)
		require.Equal(t, n.ID, n.Properties["name"])
	}
	want := slices.Clone(ids)
	want[4] = "bad\ufffdutf8"
	slices.Sort(want)
	require.ElementsMatch(t, want, got)
	require.Contains(t, buf.String(), `"ünï €𝄞 <&>"`)
}
