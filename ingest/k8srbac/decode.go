package k8srbac

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/reachgraph/reachgraph/ingest"
)

// MaxYAMLBytes caps one YAML input file. A YAML document is parsed whole
// (a `kind: List` of a large cluster is one document), so its size bounds
// memory; JSON is streamed item by item and has no cap.
const MaxYAMLBytes = 256 << 20

// Pos is an object's position: Line (YAML) or Pointer (JSON) in File.
type Pos struct {
	File    string
	Line    int
	Pointer string
	node    *yaml.Node // YAML only, while the object is being checked
}

// At locates a field of the object by its path of keys and list indexes:
// the line of the deepest YAML node found on it, or the JSON pointer.
func (p Pos) At(path ...string) (line int, pointer string) {
	if p.node == nil {
		if p.Line > 0 {
			return p.Line, ""
		}
		ptr := p.Pointer
		for _, s := range path {
			ptr += "/" + strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
		}
		return 0, ptr
	}
	n, line := p.node, p.node.Line
	for _, s := range path {
		if n = child(n, s); n == nil {
			break
		}
		line = n.Line
	}
	return line, ""
}

// child is the value under key s of a mapping, or item s of a sequence.
func child(n *yaml.Node, s string) *yaml.Node {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == s {
				return n.Content[i+1]
			}
		}
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(s); err == nil && i >= 0 && i < len(n.Content) {
			return n.Content[i]
		}
	}
	return nil
}

// Decode reads one file of kubectl output, YAML (one or more documents) or
// JSON (one or more values; told apart by the first character), and calls
// emit with every object the ingester uses, checked (Check) and trimmed to
// what it keeps: objects of other kinds are skipped, `kind: List` and typed
// lists (RoleBindingList …) are unpacked. Problems go to problem; stop is set
// when the rest of the file cannot be read (a syntax error, the size cap).
// The returned error is an I/O error of r.
func Decode(r io.Reader, file string, emit func(*Object), problem func(p Problem, stop bool)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	d := &decoder{file: file, emit: emit, problem: problem}
	for {
		b, err := br.Peek(1)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			_, _ = br.ReadByte()
			continue
		case '{', '[':
			return d.json(br)
		}
		return d.yaml(br)
	}
}

type decoder struct {
	file    string
	emit    func(*Object)
	problem func(Problem, bool)
}

// object checks o, trims it and emits it when its kind is used.
func (d *decoder) object(o *Object) {
	o.Pos.File = d.file
	if o.Kind == "" {
		line, ptr := o.Pos.At()
		d.problem(Problem{File: d.file, Line: line, Pointer: ptr, Msg: "not a Kubernetes object: missing kind"}, false)
		return
	}
	if !used(o.Kind) {
		return
	}
	for _, p := range Check(o) {
		d.problem(p, false)
	}
	o.Pos.node = nil
	o.trim()
	d.emit(o)
}

// trim drops what the ingester never uses, above all every annotation but the
// service-account name of token Secrets (kubectl's last-applied-configuration
// annotation holds a Secret's values) and the IRSA role of ServiceAccounts.
func (o *Object) trim() {
	sa := o.Metadata.Annotations[saNameAnnotation]
	role := o.Metadata.Annotations[IRSAAnnotation]
	o.Metadata.Annotations = nil
	switch {
	case o.Kind == KindSecret && sa != "":
		o.Metadata.Annotations = map[string]string{saNameAnnotation: sa}
	case o.Kind == KindServiceAccount && role != "":
		o.Metadata.Annotations = map[string]string{IRSAAnnotation: role}
	}
	if o.Kind != KindClusterRole {
		o.Metadata.Labels = nil
	}
	if o.Kind != KindPod {
		o.Spec = nil
	}
}

// capReader fails once more than n bytes were read.
type capReader struct {
	r    io.Reader
	n    int64
	over bool
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		c.over = true
		return 0, errOverCap
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	n, err := c.r.Read(p)
	c.n -= int64(n)
	return n, err
}

var errOverCap = errors.New("over the size cap")

func (d *decoder) yaml(r io.Reader) error {
	cr := &capReader{r: r, n: MaxYAMLBytes}
	dec := yaml.NewDecoder(cr)
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case cr.over:
			d.problem(Problem{File: d.file, Msg: fmt.Sprintf("YAML file larger than %d MiB: export it as JSON (kubectl get … -o json), which is read item by item", MaxYAMLBytes>>20)}, true)
			return nil
		case err != nil:
			d.problem(Problem{File: d.file, Line: ingest.YAMLLine(err.Error()), Msg: "invalid YAML: " + cleanMsg(err.Error())}, true)
			return nil
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
			continue // an empty document
		}
		if root.Kind != yaml.MappingNode {
			d.problem(Problem{File: d.file, Line: root.Line, Msg: "a document must be a Kubernetes object or list (a mapping)"}, false)
			continue
		}
		if items := child(root, "items"); items != nil && strings.HasSuffix(scalar(child(root, "kind")), "List") {
			d.yamlItems(items)
			continue
		}
		d.yamlObject(root)
	}
}

func (d *decoder) yamlItems(items *yaml.Node) {
	if items.Kind == yaml.ScalarNode && items.Tag == "!!null" {
		return
	}
	if items.Kind != yaml.SequenceNode {
		d.problem(Problem{File: d.file, Line: items.Line, Msg: "items must be a list"}, false)
		return
	}
	for _, it := range items.Content {
		if it.Kind != yaml.MappingNode {
			d.problem(Problem{File: d.file, Line: it.Line, Msg: "a list item must be a Kubernetes object (a mapping)"}, false)
			continue
		}
		d.yamlObject(it)
	}
}

func (d *decoder) yamlObject(n *yaml.Node) {
	var o Object
	if err := n.Decode(&o); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			for _, m := range te.Errors {
				d.problem(Problem{File: d.file, Line: ingest.YAMLLine(m), Msg: cleanMsg(m)}, false)
			}
			return
		}
		d.problem(Problem{File: d.file, Line: n.Line, Msg: cleanMsg(err.Error())}, false)
		return
	}
	o.Pos = Pos{Line: n.Line, node: n}
	d.object(&o)
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// cleanMsg drops the "yaml: line N: " prefix (the position is reported
// apart) and Go package names from decoder messages.
func cleanMsg(msg string) string {
	return strings.ReplaceAll(ingest.YAMLMessage(msg), "k8srbac.", "")
}

func (d *decoder) json(r io.Reader) error {
	dec := json.NewDecoder(r)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return d.jsonErr(err, "")
		}
		if tok != json.Delim('{') {
			d.problem(Problem{File: d.file, Msg: "a JSON document must be a Kubernetes object or list (an object)"}, true)
			return nil
		}
		if stop, err := d.jsonDoc(dec); stop || err != nil {
			return err
		}
	}
}

// jsonDoc reads one top-level object after its "{": a list's items are
// decoded one at a time, any other object as a whole.
func (d *decoder) jsonDoc(dec *json.Decoder) (stop bool, err error) {
	raw := map[string]json.RawMessage{}
	list := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return true, d.jsonErr(err, "")
		}
		key, _ := tok.(string)
		if key != "items" {
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return true, d.jsonErr(err, "/"+key)
			}
			raw[key] = v
			continue
		}
		list = true
		if stop, err := d.jsonItems(dec); stop || err != nil {
			return true, err
		}
	}
	if _, err := dec.Token(); err != nil {
		return true, d.jsonErr(err, "")
	}
	if list {
		return false, nil
	}
	b, _ := json.Marshal(raw)
	var o Object
	if err := json.Unmarshal(b, &o); err != nil {
		d.jsonType(err, "")
		return false, nil
	}
	d.object(&o)
	return false, nil
}

func (d *decoder) jsonItems(dec *json.Decoder) (stop bool, err error) {
	tok, err := dec.Token()
	if err != nil {
		return true, d.jsonErr(err, "/items")
	}
	if tok == nil {
		return false, nil
	}
	if tok != json.Delim('[') {
		d.problem(Problem{File: d.file, Pointer: "/items", Msg: "items must be a list"}, true)
		return true, nil
	}
	for i := 0; dec.More(); i++ {
		ptr := "/items/" + strconv.Itoa(i)
		var o Object
		if err := dec.Decode(&o); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) {
				return true, d.jsonErr(err, ptr)
			}
			if !d.jsonType(err, ptr) {
				return true, d.jsonErr(err, ptr)
			}
			continue
		}
		o.Pos = Pos{Pointer: ptr}
		d.object(&o)
	}
	if _, err := dec.Token(); err != nil {
		return true, d.jsonErr(err, "/items")
	}
	return false, nil
}

// jsonType reports a type mismatch at its field; false when err is not one.
func (d *decoder) jsonType(err error, ptr string) bool {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return false
	}
	field := ptr
	if te.Field != "" {
		field += "/" + strings.ReplaceAll(te.Field, ".", "/")
	}
	d.problem(Problem{File: d.file, Pointer: field, Msg: fmt.Sprintf("cannot use a JSON %s here (want %s)", te.Value, goKind(te.Type.Kind().String()))}, false)
	return true
}

func goKind(k string) string {
	switch k {
	case "slice":
		return "a list"
	case "struct", "map", "ptr":
		return "an object"
	}
	return "a " + k
}

// jsonErr reports a syntax or read error as the file's last problem; I/O
// errors of the underlying reader are returned.
func (d *decoder) jsonErr(err error, ptr string) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		d.problem(Problem{File: d.file, Pointer: ptr, Msg: fmt.Sprintf("invalid JSON at byte offset %d: %s", se.Offset, se.Error())}, true)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		d.problem(Problem{File: d.file, Pointer: ptr, Msg: "invalid JSON: unexpected end of input"}, true)
	default:
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			d.jsonType(err, ptr)
			return nil
		}
		return err
	}
	return nil
}
