package ingest

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ConfigProblem is a problem DecodeConfig found in a YAML configuration
// file: Line is 1-based (0 when the decoder names none), Msg is the decoder's
// message without its "yaml: " and "line N: " prefixes (the line is in Line),
// Raw is the message as the decoder gave it.
type ConfigProblem struct {
	Line int
	Msg  string
	Raw  string
}

// ReadConfig reads a YAML configuration file from r and decodes it with
// DecodeConfig. When max > 0 and r holds more than max bytes, nothing is
// decoded and the one problem says so. The error is for read failures only.
func ReadConfig(r io.Reader, max int64, v any) (ConfigLines, []ConfigProblem, error) {
	if max > 0 {
		r = io.LimitReader(r, max+1)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return ConfigLines{}, nil, err
	}
	if max > 0 && int64(len(data)) > max {
		msg := "configuration larger than " + ByteSize(max)
		return ConfigLines{}, []ConfigProblem{{Msg: msg, Raw: msg}}, nil
	}
	lines, probs := DecodeConfig(data, v)
	return lines, probs, nil
}

// DecodeConfig decodes the first YAML document of data into v strictly: a
// key that v has no field for is a problem, and so is a value of the wrong
// type or YAML that cannot be read. Empty input (or only comments) leaves v
// as it is and is no problem. On success it returns the lines of the
// document's top-level keys, list items and map keys, for the problems the
// caller finds in the values; on failure the problems, every one with its
// line when the decoder gives one, and no lines.
func DecodeConfig(data []byte, v any) (ConfigLines, []ConfigProblem) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return ConfigLines{}, []ConfigProblem{newConfigProblem(err.Error())}
		}
		probs := make([]ConfigProblem, 0, len(te.Errors))
		for _, m := range te.Errors {
			probs = append(probs, newConfigProblem(m))
		}
		return ConfigLines{}, probs
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil || len(root.Content) == 0 {
		return ConfigLines{}, nil
	}
	if top := root.Content[0]; top.Kind == yaml.MappingNode {
		return ConfigLines{top: top}, nil
	}
	return ConfigLines{}, nil
}

func newConfigProblem(raw string) ConfigProblem {
	return ConfigProblem{Line: YAMLLine(raw), Msg: YAMLMessage(raw), Raw: raw}
}

// ConfigLines tells where the parts of a decoded configuration stand: the
// line of each top-level key and value, of each item of a top-level list and
// of each key of a top-level map. Every method returns 0 for what the
// document does not have; the zero ConfigLines has nothing.
type ConfigLines struct {
	top *yaml.Node // the document's top-level mapping; nil when it is none
}

// Key is the line of top-level key name.
func (l ConfigLines) Key(name string) int {
	if k, _ := l.entry(name); k != nil {
		return k.Line
	}
	return 0
}

// Value is the line where the value of top-level key name starts.
func (l ConfigLines) Value(name string) int {
	if _, v := l.entry(name); v != nil {
		return v.Line
	}
	return 0
}

// Item is the line of item i of the top-level list name.
func (l ConfigLines) Item(name string, i int) int {
	if _, v := l.entry(name); v != nil {
		v = resolve(v)
		if v.Kind == yaml.SequenceNode && i >= 0 && i < len(v.Content) {
			return v.Content[i].Line
		}
	}
	return 0
}

// MapKey is the line of key sub of the top-level map name.
func (l ConfigLines) MapKey(name, sub string) int {
	if _, v := l.entry(name); v != nil {
		if k, _ := pair(resolve(v), sub); k != nil {
			return k.Line
		}
	}
	return 0
}

func (l ConfigLines) entry(name string) (key, value *yaml.Node) {
	if l.top == nil {
		return nil, nil
	}
	return pair(l.top, name)
}

// pair is the key and value nodes of key name in mapping m (nils when m is
// no mapping or has no such key).
func pair(m *yaml.Node, name string) (key, value *yaml.Node) {
	if m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == name {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// resolve follows an alias (*name) to the node it stands for.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// YAMLLine is the line number of the first "line N" in a YAML decoder's
// message (0 when it has none).
func YAMLLine(msg string) int {
	_, rest, ok := strings.Cut(msg, "line ")
	if !ok {
		return 0
	}
	end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if end < 0 {
		end = len(rest)
	}
	n, _ := strconv.Atoi(rest[:end])
	return n
}

// YAMLMessage is a YAML decoder's message without its "yaml: " and
// "line N: " prefixes, for problems that carry the line apart.
func YAMLMessage(msg string) string {
	msg = strings.TrimPrefix(msg, "yaml: ")
	rest, ok := strings.CutPrefix(msg, "line ")
	if !ok {
		return msg
	}
	digits := len(rest) - len(strings.TrimLeft(rest, "0123456789"))
	if after, ok := strings.CutPrefix(rest[digits:], ": "); ok && digits > 0 {
		return after
	}
	return msg
}

// ConvertProblems turns configuration problems into a reader's own problem
// type, in order (nil for none).
func ConvertProblems[T any](probs []ConfigProblem, conv func(ConfigProblem) T) []T {
	if len(probs) == 0 {
		return nil
	}
	out := make([]T, len(probs))
	for i, p := range probs {
		out[i] = conv(p)
	}
	return out
}
