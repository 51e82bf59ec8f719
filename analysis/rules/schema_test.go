package rules_test

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/schema"
)

type jsonSchema struct {
	Properties map[string]json.RawMessage `json:"properties"`
	Defs       map[string]struct {
		Properties map[string]struct {
			Enum []string `json:"enum"`
		} `json:"properties"`
		Enum []string `json:"enum"`
	} `json:"$defs"`
}

// yamlKeys lists the yaml keys of a struct type.
func yamlKeys(v any) []string {
	var out []string
	t := reflect.TypeOf(v)
	for i := range t.NumField() {
		out = append(out, strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0])
	}
	slices.Sort(out)
	return out
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestSchemaInStep keeps rules.schema.json in step with the Go model and the
// vocabulary enums.
func TestSchemaInStep(t *testing.T) {
	b, err := os.ReadFile("rules.schema.json")
	require.NoError(t, err)
	var s jsonSchema
	require.NoError(t, json.Unmarshal(b, &s))
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{name: "top level", got: keys(s.Properties), want: yamlKeys(rules.Ruleset{})},
		{name: "rule", got: keys(s.Defs["rule"].Properties), want: yamlKeys(rules.Rule{})},
		{name: "selector", got: keys(s.Defs["selector"].Properties), want: yamlKeys(rules.Selector{})},
		{name: "function", got: keys(s.Defs["function"].Properties), want: yamlKeys(rules.Function{})},
		{name: "sod", got: keys(s.Defs["sod"].Properties), want: yamlKeys(rules.SoD{})},
		{name: "checks", got: s.Defs["rule"].Properties["check"].Enum, want: rules.Checks},
		{name: "categories", got: s.Defs["rule"].Properties["category"].Enum, want: strs(schema.Categories)},
		{name: "severities", got: s.Defs["severity"].Enum, want: strs(schema.Severities)},
		{name: "actions", got: s.Defs["action"].Enum, want: strs(schema.Actions)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { require.Equal(t, tt.want, tt.got) })
	}
}

func strs[T ~string](v []T) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = string(x)
	}
	return out
}
