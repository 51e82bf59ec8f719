package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/itchyny/gojq"
	"go.yaml.in/yaml/v3"
)

// outputs are the values of -o: table (the default, readable), wide (table
// without truncating long cells), json, yaml and csv.
var outputs = []string{"table", "wide", "json", "yaml", "csv"}

// table reports whether the output is a table (table or wide).
func (g *globals) table() bool { return g.output == "table" || g.output == "wide" }

// structured writes v as the structured output asked for — JSON, YAML, or
// the results of --jq over its JSON form — and reports whether it did; a
// command then skips its table and CSV forms. Field names are the JSON ones
// in every form.
func (g *globals) structured(v any) (bool, error) {
	switch {
	case g.jq != "":
		return true, g.runJQ(v)
	case g.output == "json":
		return true, writeJSON(g.env.Stdout, v)
	case g.output == "yaml":
		return true, writeYAML(g.env.Stdout, v)
	}
	return false, nil
}

// writeYAML writes v as YAML with v's JSON field names (it goes through the
// JSON form, so omitempty and custom marshalers apply as in JSON).
func writeYAML(w io.Writer, v any) error {
	tree, err := jsonTree(v)
	if err != nil {
		return err
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(tree); err != nil {
		return err
	}
	return enc.Close()
}

// jsonTree is v's JSON form as maps, slices and scalars.
func jsonTree(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, err
	}
	return normalizeNumbers(tree), nil
}

// normalizeNumbers turns json.Number into int64 or float64 (gojq and the
// YAML encoder want plain numbers).
func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return int(i)
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalizeNumbers(e)
		}
	}
	return v
}

// checkJQ parses --jq once, before any work, so a bad expression is a usage
// error naming it.
func (g *globals) checkJQ() error {
	if g.jq == "" {
		return nil
	}
	if g.output == "csv" {
		return usagef("--jq filters the JSON output: it does not go with -o csv")
	}
	if _, err := gojq.Parse(g.jq); err != nil {
		return usagef("--jq %q: %v", g.jq, err)
	}
	return nil
}

// runJQ runs --jq over v's JSON form and prints each result: a string as is
// (as `jq -r` does), anything else as indented JSON.
func (g *globals) runJQ(v any) error {
	q, err := gojq.Parse(g.jq)
	if err != nil {
		return usagef("--jq %q: %v", g.jq, err)
	}
	tree, err := jsonTree(v)
	if err != nil {
		return err
	}
	iter := q.Run(tree)
	for {
		r, ok := iter.Next()
		if !ok {
			return nil
		}
		if err, ok := r.(error); ok {
			return usagef("--jq %q: %v", g.jq, err)
		}
		if s, ok := r.(string); ok {
			if _, err := fmt.Fprintln(g.env.Stdout, s); err != nil {
				return err
			}
			continue
		}
		if err := writeJSON(g.env.Stdout, r); err != nil {
			return err
		}
	}
}
