package export

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// Stats counts what an export wrote.
type Stats struct {
	Nodes int `json:"nodes"`
	Edges int `json:"edges"`
}

// WriteOpenGraph writes snapshot r as one BloodHound OpenGraph data payload:
//
//	{"metadata":{"source_kind":"RGBase"},"graph":{"nodes":[…],"edges":[…]}}
//
// one node or edge per line, every edge endpoint matched by id ("match_by":
// "id"). The payload validates against BloodHound's published node, edge and
// metadata JSON schemas. Pathfinding in BloodHound needs the extension
// definition schema as well (WriteOpenGraphExtension). Output is streamed
// through a buffer; an error of w or of r is returned wrapped.
func WriteOpenGraph(ctx context.Context, w io.Writer, r graph.Reader) (Stats, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	ow := &ogWriter{w: bw}
	ow.raw(`{"metadata":{"source_kind":` + strconv.Quote(schema.OpenGraphSourceKind) + `},"graph":{"nodes":[`)
	err := Walk(ctx, r, Visitor{Node: ow.node, Edge: ow.edge})
	if err != nil {
		return ow.stats, fmt.Errorf("export opengraph: %w", err)
	}
	if !ow.inEdges {
		ow.raw("\n],\"edges\":[")
	}
	ow.raw("\n]}}\n")
	if ow.err == nil {
		ow.err = bw.Flush()
	}
	if ow.err != nil {
		return ow.stats, fmt.Errorf("export opengraph: %w", ow.err)
	}
	return ow.stats, nil
}

// ogWriter writes the elements of the two arrays; after the first error of
// the underlying writer every call is a no-op returning it.
type ogWriter struct {
	w       *bufio.Writer
	err     error
	buf     []byte
	inEdges bool
	stats   Stats
}

func (o *ogWriter) raw(s string) {
	if o.err == nil {
		_, o.err = o.w.WriteString(s)
	}
}

func (o *ogWriter) node(n Node) error {
	b := o.buf[:0]
	if o.stats.Nodes > 0 {
		b = append(b, ',')
	}
	b = append(b, "\n{\"id\":"...)
	b = appendString(b, n.ID)
	b = append(b, ",\"kinds\":["...)
	for i, k := range n.Kinds {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
	}
	b = append(b, ']')
	b = appendProps(b, n.Props)
	b = append(b, '}')
	o.stats.Nodes++
	return o.write(b)
}

func (o *ogWriter) edge(e Edge) error {
	b := o.buf[:0]
	if !o.inEdges {
		o.inEdges = true
		b = append(b, "\n],\"edges\":["...)
	} else {
		b = append(b, ',')
	}
	b = append(b, "\n{\"kind\":"...)
	b = appendString(b, e.Kind)
	b = append(b, ",\"start\":{\"match_by\":\"id\",\"value\":"...)
	b = appendString(b, e.Start)
	b = append(b, "},\"end\":{\"match_by\":\"id\",\"value\":"...)
	b = appendString(b, e.End)
	b = append(b, '}')
	b = appendProps(b, e.Props)
	b = append(b, '}')
	o.stats.Edges++
	return o.write(b)
}

func (o *ogWriter) write(b []byte) error {
	o.buf = b
	if o.err == nil {
		_, o.err = o.w.Write(b)
	}
	return o.err
}

// appendProps appends `,"properties":{…}` (nothing when there are none).
func appendProps(b []byte, ps []Prop) []byte {
	if len(ps) == 0 {
		return b
	}
	b = append(b, ",\"properties\":{"...)
	for i, p := range ps {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, p.Key)
		b = append(b, ':')
		b = appendValue(b, p.Value)
	}
	return append(b, '}')
}

func appendValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case string:
		return appendString(b, v)
	case bool:
		return strconv.AppendBool(b, v)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case []string:
		b = append(b, '[')
		for i, s := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, s)
		}
		return append(b, ']')
	}
	panic(fmt.Sprintf("export: property value of type %T", v))
}

// appendString appends s as a JSON string: quotes, backslashes and control
// characters escaped, invalid UTF-8 as U+FFFD (as encoding/json does), other
// characters as they are.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
