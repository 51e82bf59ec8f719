package export

import (
	"bufio"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/reachgraph/reachgraph/graph"
)

// graphMLKey declares one GraphML attribute.
type graphMLKey struct {
	name string
	typ  string // GraphML attr.type: string, boolean or int
}

// The GraphML attributes, declared up front as GraphML requires. "kinds" (the
// OpenGraph kinds joined by ",") and "label" (name, else id) are on every
// node; "label" (the OpenGraph edge kind) on every edge. Lists are joined by
// ";". Every property Walk emits must be declared here (a test checks).
var (
	graphMLNodeKeys = []graphMLKey{
		{"label", "string"}, {"kinds", "string"},
		{"name", "string"}, {"kind", "string"}, {"type", "string"}, {"status", "string"}, {"sox_scope", "boolean"},
		{"owner", "string"}, {"owners_business", "string"}, {"owners_technical", "string"}, {"purpose", "string"},
		{"nonhuman_rationale", "string"}, {"shared", "boolean"}, {"break_glass", "boolean"}, {"vendor", "string"},
		{"created_at", "string"}, {"last_used_at", "string"}, {"compensating_controls", "string"}, {"same_as", "string"},
		{"tags", "string"}, {"system", "string"}, {"systems", "string"}, {"last_rotated_at", "string"},
		{"expires_at", "string"}, {"rotation_days", "int"}, {"revoked", "boolean"}, {"vaulted", "boolean"},
	}
	graphMLEdgeKeys = []graphMLKey{
		{"label", "string"}, {"kind", "string"}, {"native", "string"}, {"conditional", "boolean"}, {"system", "string"},
		{"last_used_at", "string"}, {"valid_from", "string"}, {"expires_at", "string"},
	}
)

// WriteGraphML writes snapshot r as a GraphML document (a directed graph;
// parallel edges occur when a principal holds several grants of one action
// on one resource). Node ids are reachgraph ids; attributes are declared with
// <key> elements, typed string, boolean or int, so networkx.read_graphml and
// Gephi load them. Output is streamed through a buffer.
func WriteGraphML(ctx context.Context, w io.Writer, r graph.Reader) (Stats, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	gw := &graphMLWriter{w: bw}
	gw.raw(xml.Header)
	gw.raw(`<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"` +
		` xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">` + "\n")
	for _, k := range graphMLNodeKeys {
		gw.raw(fmt.Sprintf(`  <key id="n_%s" for="node" attr.name="%s" attr.type="%s"/>`+"\n", k.name, k.name, k.typ))
	}
	for _, k := range graphMLEdgeKeys {
		gw.raw(fmt.Sprintf(`  <key id="e_%s" for="edge" attr.name="%s" attr.type="%s"/>`+"\n", k.name, k.name, k.typ))
	}
	gw.raw(`  <graph id="reachgraph" edgedefault="directed">` + "\n")
	err := Walk(ctx, r, Visitor{Node: gw.node, Edge: gw.edge})
	if err != nil {
		return gw.stats, fmt.Errorf("export graphml: %w", err)
	}
	gw.raw("  </graph>\n</graphml>\n")
	if gw.err == nil {
		gw.err = bw.Flush()
	}
	if gw.err != nil {
		return gw.stats, fmt.Errorf("export graphml: %w", gw.err)
	}
	return gw.stats, nil
}

type graphMLWriter struct {
	w     *bufio.Writer
	err   error
	stats Stats
	b     strings.Builder
}

func (g *graphMLWriter) raw(s string) {
	if g.err == nil {
		_, g.err = g.w.WriteString(s)
	}
}

func (g *graphMLWriter) node(n Node) error {
	b := &g.b
	b.Reset()
	b.WriteString(`    <node id="`)
	escape(b, n.ID)
	b.WriteString("\">\n")
	label := n.ID
	for _, p := range n.Props {
		if p.Key == "name" {
			label = p.Value.(string)
		}
	}
	data(b, "n_label", label)
	data(b, "n_kinds", strings.Join(n.Kinds, ","))
	if err := writeProps(b, "n_", n.Props, graphMLNodeKeys); err != nil {
		return err
	}
	b.WriteString("    </node>\n")
	g.stats.Nodes++
	g.raw(b.String())
	return g.err
}

func (g *graphMLWriter) edge(e Edge) error {
	b := &g.b
	b.Reset()
	b.WriteString(`    <edge id="e`)
	b.WriteString(strconv.Itoa(g.stats.Edges))
	b.WriteString(`" source="`)
	escape(b, e.Start)
	b.WriteString(`" target="`)
	escape(b, e.End)
	b.WriteString("\">\n")
	data(b, "e_label", e.Kind)
	if err := writeProps(b, "e_", e.Props, graphMLEdgeKeys); err != nil {
		return err
	}
	b.WriteString("    </edge>\n")
	g.stats.Edges++
	g.raw(b.String())
	return g.err
}

// writeProps writes one <data> element per property; a property without a
// declared key is a bug in this package.
func writeProps(b *strings.Builder, prefix string, ps []Prop, keys []graphMLKey) error {
	for _, p := range ps {
		declared := false
		for _, k := range keys {
			declared = declared || k.name == p.Key
		}
		if !declared {
			return fmt.Errorf("graphml: property %q has no declared key (bug)", p.Key)
		}
		var s string
		switch v := p.Value.(type) {
		case string:
			s = v
		case bool:
			s = strconv.FormatBool(v)
		case int:
			s = strconv.Itoa(v)
		case []string:
			s = strings.Join(v, ";")
		}
		data(b, prefix+p.Key, s)
	}
	return nil
}

func data(b *strings.Builder, key, value string) {
	b.WriteString(`      <data key="`)
	b.WriteString(key)
	b.WriteString(`">`)
	escape(b, value)
	b.WriteString("</data>\n")
}

// escape writes s with XML escaping; characters XML 1.0 cannot carry become
// U+FFFD (xml.EscapeText does that).
func escape(b *strings.Builder, s string) {
	_ = xml.EscapeText(b, []byte(s))
}
