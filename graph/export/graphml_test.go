package export_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/export"
	"github.com/reachgraph/reachgraph/schema"
)

type graphML struct {
	XMLName xml.Name `xml:"http://graphml.graphdrawing.org/xmlns graphml"`
	Keys    []struct {
		ID   string `xml:"id,attr"`
		For  string `xml:"for,attr"`
		Name string `xml:"attr.name,attr"`
		Type string `xml:"attr.type,attr"`
	} `xml:"key"`
	Graph struct {
		EdgeDefault string `xml:"edgedefault,attr"`
		Nodes       []struct {
			ID   string    `xml:"id,attr"`
			Data []gmlData `xml:"data"`
		} `xml:"node"`
		Edges []struct {
			Source string    `xml:"source,attr"`
			Target string    `xml:"target,attr"`
			Data   []gmlData `xml:"data"`
		} `xml:"edge"`
	} `xml:"graph"`
}

type gmlData struct {
	Key   string `xml:"key,attr"`
	Value string `xml:",chardata"`
}

func TestGraphMLFinance(t *testing.T) {
	r := financeSnapshot(t)
	var buf bytes.Buffer
	stats, err := export.WriteGraphML(context.Background(), &buf, r)
	require.NoError(t, err)
	golden(t, "finance.graphml", buf.Bytes())

	var g graphML
	require.NoError(t, xml.Unmarshal(buf.Bytes(), &g))
	c := r.Meta().Counts
	require.Equal(t, "directed", g.Graph.EdgeDefault)
	require.Len(t, g.Graph.Nodes, c.Systems+c.Resources+c.Identities+c.Groups+c.Credentials)
	require.Equal(t, stats.Nodes, len(g.Graph.Nodes))
	require.Len(t, g.Graph.Edges, stats.Edges)

	// Same edges as the OpenGraph export.
	var og bytes.Buffer
	ogStats, err := export.WriteOpenGraph(context.Background(), &og, r)
	require.NoError(t, err)
	require.Equal(t, ogStats, stats)

	keyType := map[string]string{}
	for _, k := range g.Keys {
		require.Contains(t, []string{"node", "edge"}, k.For)
		require.Contains(t, []string{"string", "boolean", "int"}, k.Type)
		keyType[k.ID] = k.Type
	}
	nodes := map[string]bool{}
	for _, n := range g.Graph.Nodes {
		require.False(t, nodes[n.ID], "duplicate node %s", n.ID)
		nodes[n.ID] = true
		checkData(t, keyType, n.Data)
	}
	grants := 0
	for _, e := range g.Graph.Edges {
		require.True(t, nodes[e.Source] && nodes[e.Target], "edge %s → %s has a missing end", e.Source, e.Target)
		checkData(t, keyType, e.Data)
		for _, d := range e.Data {
			if d.Key == "e_label" && len(d.Value) > 6 && d.Value[:6] == "RG_Can" && d.Value != schema.OGCanActAs {
				grants++
			}
		}
	}
	require.Equal(t, c.Grants, grants)
}

// checkData requires every data element to use a declared key and to parse
// as its declared type.
func checkData(t *testing.T, keyType map[string]string, data []gmlData) {
	t.Helper()
	for _, d := range data {
		typ, ok := keyType[d.Key]
		require.True(t, ok, "undeclared key %s", d.Key)
		switch typ {
		case "boolean":
			_, err := strconv.ParseBool(d.Value)
			require.NoError(t, err, d.Key)
		case "int":
			_, err := strconv.Atoi(d.Value)
			require.NoError(t, err, d.Key)
		}
	}
}

// TestGraphMLEscapes checks ids and values with XML's special characters
// survive a round trip through encoding/xml.
func TestGraphMLEscapes(t *testing.T) {
	d := &graph.Dataset{
		SystemList:   []graph.System{{ID: `s<1>&"q"`, Name: "a\nb & c"}},
		IdentityList: []graph.Identity{{ID: "i'd", Type: schema.IdentityAIAgent, Status: schema.StatusActive, BreakGlass: true}},
		GrantList:    []graph.Grant{{Principal: "i'd", Action: schema.ActionAdmin, Resource: `s<1>&"q"`, Native: "<all>"}},
	}
	var buf bytes.Buffer
	_, err := export.WriteGraphML(context.Background(), &buf, d)
	require.NoError(t, err)
	var g graphML
	require.NoError(t, xml.Unmarshal(buf.Bytes(), &g))
	require.Equal(t, `s<1>&"q"`, g.Graph.Nodes[0].ID)
	require.Contains(t, g.Graph.Nodes[0].Data, gmlData{Key: "n_label", Value: "a\nb & c"})
	require.Contains(t, g.Graph.Nodes[1].Data, gmlData{Key: "n_break_glass", Value: "true"})
	require.Equal(t, `s<1>&"q"`, g.Graph.Edges[0].Target)
	require.Contains(t, g.Graph.Edges[0].Data, gmlData{Key: "e_native", Value: "<all>"})
}
