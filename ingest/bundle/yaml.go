package bundle

import (
	"bufio"
	"context"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/reachgraph/reachgraph/ingest"
)

// aliasAllowance is how many node visits beyond the input's size the reader
// allows: without aliases every node is visited once and takes at least one
// byte, so the budget only runs out when aliases multiply the work
// ("billion laughs").
const aliasAllowance = 1 << 20

// yamlLineRE pulls the line out of go.yaml.in/yaml error messages.
var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// readYAML reads one reachgraph/v1 YAML document from f. YAML is parsed whole
// (the YAML library builds a node tree of the entire document), so very large
// inputs should use JSON or CSV, which stream. Problems carry lines.
func readYAML(ctx context.Context, f *ingest.File) error {
	f.ReadWhole(true)
	cr := &countingReader{r: bufio.NewReaderSize(f, readBufSize)}
	dec := yaml.NewDecoder(cr)
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			f.Stop(0, "", "empty document, expected a YAML mapping with format, source and the sections")
			return nil
		}
		return yamlError(f, err, cr)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		f.Stop(extra.Line, "", "more than one YAML document; a bundle is one document")
		return nil
	} else if !errors.Is(err, io.EOF) {
		return yamlError(f, err, cr)
	}
	w := &yamlWalker{f: f, budget: cr.n + aliasAllowance}
	return w.document(ctx, &doc)
}

// yamlError reports a YAML syntax error, or returns a read error. An
// encoding error, which the YAML library reports without a line, gets the
// line cr saw the first bad byte on.
func yamlError(f *ingest.File, err error, cr *countingReader) error {
	if f.Err() != nil {
		return f.Err() // the file is over its cap (the YAML library hides why it stopped reading)
	}
	var te *yaml.TypeError
	if !errors.As(err, &te) && !strings.HasPrefix(err.Error(), "yaml: ") {
		return err // an I/O error from the file
	}
	msg := err.Error()
	line := 0
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		// Parser errors ("did not find expected …") carry the 0-based line of
		// the construct left open; scanner errors the 1-based line of the fault.
		if strings.HasPrefix(msg, "did not find expected") {
			line++
		}
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
		cr.enc.finish()
		line = cr.enc.bad
	}
	f.Stop(line, "", "invalid YAML: "+msg)
	return nil
}

type yamlWalker struct {
	f      *ingest.File
	budget int64
	stop   bool
}

// resolve follows aliases and charges one visit to the budget.
func (w *yamlWalker) resolve(n *yaml.Node) *yaml.Node {
	w.budget--
	at := n.Line
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		w.budget--
		n = n.Alias
	}
	if w.budget < 0 && !w.stop {
		w.stop = true
		w.f.Stop(at, "", "aliases expand to too many nodes; write the data out")
	}
	return n
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r   io.Reader
	n   int64
	enc encodingCheck
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.enc.feed(p[:n])
	return n, err
}

func (w *yamlWalker) document(ctx context.Context, doc *yaml.Node) error {
	root := doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			w.f.Stop(root.Line, "", "empty document, expected a YAML mapping")
			return nil
		}
		root = w.resolve(root.Content[0])
	}
	if root.Kind != yaml.MappingNode {
		w.f.Stop(root.Line, "", "a bundle is a YAML mapping with format, source and the sections; found "+yamlKind(root))
		return nil
	}
	var header []ingest.Field
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := w.resolve(root.Content[i]), w.resolve(root.Content[i+1])
		if w.stop {
			return nil
		}
		if k.Kind != yaml.ScalarNode {
			w.f.Problem(k.Line, "", "a key must be a plain string, found "+yamlKind(k))
			continue
		}
		name := k.Value
		dup := seen[name]
		seen[name] = true
		switch {
		case ingest.IsHeaderField(name):
			header = append(header, ingest.Field{Name: name, Value: w.value(v, 2), Line: k.Line})
		case ingest.IsSection(name) && dup:
			w.f.Problem(k.Line, "", "section "+strconv.Quote(name)+" given twice")
		case ingest.IsSection(name):
			if err := w.section(ctx, name, k, v); err != nil {
				return err
			}
		default:
			w.f.UnknownTopLevel(name, k.Line, "")
		}
	}
	if w.stop {
		return nil
	}
	w.f.Header(header, root.Line)
	return nil
}

func (w *yamlWalker) section(ctx context.Context, name string, k, v *yaml.Node) error {
	if isYAMLNull(v) {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		w.f.Problem(v.Line, "", "expected a list of "+name+", found "+yamlKind(v))
		return nil
	}
	rec := ingest.Record{Section: name}
	for i, el := range v.Content {
		if i%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		el = w.resolve(el)
		if w.stop {
			return nil
		}
		if el.Kind != yaml.MappingNode {
			w.f.Problem(el.Line, "", "expected an object in "+name+", found "+yamlKind(el))
			continue
		}
		val := w.value(el, 1)
		if w.stop {
			return nil
		}
		rec.Fields, rec.Line, rec.Index = val.Fields, el.Line, i
		w.f.Add(&rec)
	}
	return nil
}

// value converts a node to an ingest Value; depth 1 is a record, and
// containers are only built down to buildDepth.
func (w *yamlWalker) value(n *yaml.Node, depth int) ingest.Value {
	n = w.resolve(n)
	if w.stop {
		return ingest.Value{}
	}
	v := ingest.Value{Line: n.Line}
	switch n.Kind {
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			v.Kind = ingest.Null
		case "!!bool":
			v.Kind, v.Text = ingest.Bool, strconv.FormatBool(yamlTrue(n.Value))
		case "!!int", "!!float":
			v.Kind, v.Text = ingest.Number, n.Value
		default: // !!str, !!timestamp and custom tags keep their text
			v.Kind, v.Text = ingest.String, n.Value
		}
	case yaml.SequenceNode:
		v.Kind = ingest.List
		if depth < buildDepth {
			v.Items = make([]ingest.Value, 0, len(n.Content))
			for _, c := range n.Content {
				v.Items = append(v.Items, w.value(c, depth+1))
			}
		}
	case yaml.MappingNode:
		v.Kind = ingest.Map
		if depth < buildDepth {
			v.Fields = make([]ingest.Field, 0, len(n.Content)/2)
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := w.resolve(n.Content[i])
				if w.stop {
					return v
				}
				if k.Kind != yaml.ScalarNode {
					w.f.Problem(k.Line, "", "a key must be a plain string, found "+yamlKind(k))
					continue
				}
				if k.ShortTag() == "!!merge" {
					w.f.Problem(k.Line, "", "merge keys (<<) are not supported; write the fields out")
					continue
				}
				v.Fields = append(v.Fields, ingest.Field{Name: k.Value, Value: w.value(n.Content[i+1], depth+1), Line: k.Line})
			}
		}
	}
	return v
}

func yamlTrue(s string) bool {
	switch s {
	case "true", "True", "TRUE":
		return true
	}
	return false
}

func isYAMLNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

func yamlKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.ScalarNode:
		return "a scalar " + strconv.Quote(truncate(n.Value, 40))
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	return "nothing"
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
