package ingest_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/ingest"
)

type testRule struct {
	Match string `yaml:"match"`
	Kind  string `yaml:"kind"`
}

type testConfig struct {
	Cluster  string            `yaml:"cluster"`
	SOXScope bool              `yaml:"sox_scope"`
	Rules    []testRule        `yaml:"rules"`
	Accounts map[string]string `yaml:"accounts"`
}

func TestDecodeConfigProblems(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []ingest.ConfigProblem
	}{
		{name: "unknown top-level key", yaml: "cluster: a\nclustre: b\n",
			want: []ingest.ConfigProblem{{Line: 2, Msg: "field clustre not found in type ingest_test.testConfig",
				Raw: "line 2: field clustre not found in type ingest_test.testConfig"}}},
		{name: "unknown key in a list item", yaml: "rules:\n  - match: x\n    colour: red\n",
			want: []ingest.ConfigProblem{{Line: 3, Msg: "field colour not found in type ingest_test.testRule",
				Raw: "line 3: field colour not found in type ingest_test.testRule"}}},
		{name: "wrong type, and every problem reported", yaml: "sox_scope: maybe\nrules: {}\nnope: 1\n",
			want: []ingest.ConfigProblem{
				{Line: 1, Msg: "cannot unmarshal !!str `maybe` into bool", Raw: "line 1: cannot unmarshal !!str `maybe` into bool"},
				{Line: 2, Msg: "cannot unmarshal !!map into []ingest_test.testRule", Raw: "line 2: cannot unmarshal !!map into []ingest_test.testRule"},
				{Line: 3, Msg: "field nope not found in type ingest_test.testConfig", Raw: "line 3: field nope not found in type ingest_test.testConfig"},
			}},
		{name: "bad YAML", yaml: "cluster: a\nrules: x: y\n",
			want: []ingest.ConfigProblem{{Line: 2, Msg: "mapping values are not allowed in this context", Raw: "yaml: line 2: mapping values are not allowed in this context"}}},
		{name: "bad YAML without a line", yaml: "cluster: \x01\n",
			want: []ingest.ConfigProblem{{Msg: "control characters are not allowed", Raw: "yaml: control characters are not allowed"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cfg testConfig
			lines, probs := ingest.DecodeConfig([]byte(tt.yaml), &cfg)
			require.Equal(t, tt.want, probs)
			require.Zero(t, lines.Key("cluster"), "no lines with problems")
		})
	}
}

func TestDecodeConfigEmpty(t *testing.T) {
	for _, in := range []string{"", "# only a comment\n", "---\n"} {
		cfg := testConfig{Cluster: "kept"}
		lines, probs := ingest.DecodeConfig([]byte(in), &cfg)
		require.Empty(t, probs, "%q", in)
		require.Equal(t, "kept", cfg.Cluster, "%q leaves the value as it was", in)
		require.Zero(t, lines.Key("cluster"))
		require.Zero(t, lines.Item("rules", 0))
	}
}

func TestDecodeConfigLines(t *testing.T) {
	const in = `# a comment
cluster:
  prod
rules:
  - match: a

  - {match: b}
accounts:
  "111111111111": ledger
  "222222222222": payroll
aliased: &rs
  - match: c
other: *rs
`
	var cfg struct {
		testConfig `yaml:",inline"`
		Aliased    []testRule `yaml:"aliased"`
		Other      []testRule `yaml:"other"`
	}
	lines, probs := ingest.DecodeConfig([]byte(in), &cfg)
	require.Empty(t, probs)
	require.Equal(t, "prod", cfg.Cluster)
	require.Len(t, cfg.Rules, 2)

	require.Equal(t, 2, lines.Key("cluster"))
	require.Equal(t, 3, lines.Value("cluster"))
	require.Equal(t, 4, lines.Key("rules"))
	require.Equal(t, 5, lines.Item("rules", 0))
	require.Equal(t, 7, lines.Item("rules", 1))
	require.Zero(t, lines.Item("rules", 2), "past the end")
	require.Zero(t, lines.Item("rules", -1))
	require.Zero(t, lines.Item("cluster", 0), "not a list")
	require.Equal(t, 9, lines.MapKey("accounts", "111111111111"))
	require.Equal(t, 10, lines.MapKey("accounts", "222222222222"))
	require.Zero(t, lines.MapKey("accounts", "333333333333"))
	require.Zero(t, lines.MapKey("rules", "match"), "not a map")
	require.Equal(t, 12, lines.Item("other", 0), "an alias has the lines of what it stands for")
	require.Zero(t, lines.Key("absent"))
	require.Zero(t, lines.Value("absent"))
}

func TestDecodeConfigNotAMapping(t *testing.T) {
	var v []string
	lines, probs := ingest.DecodeConfig([]byte("- a\n- b\n"), &v)
	require.Empty(t, probs)
	require.Equal(t, []string{"a", "b"}, v)
	require.Zero(t, lines.Item("a", 0))
	require.Zero(t, ingest.ConfigLines{}.Key("a"), "the zero ConfigLines has nothing")
}

func TestYAMLLineAndMessage(t *testing.T) {
	tests := []struct {
		msg  string
		line int
		want string
	}{
		{msg: "yaml: line 12: mapping values are not allowed in this context", line: 12, want: "mapping values are not allowed in this context"},
		{msg: "line 3: field x not found in type T", line: 3, want: "field x not found in type T"},
		{msg: "yaml: control characters are not allowed", want: "control characters are not allowed"},
		{msg: "yaml: unmarshal errors:\n  line 4: field x not found", line: 4, want: "unmarshal errors:\n  line 4: field x not found"},
		{msg: "line x: not a number", want: "line x: not a number"},
		{msg: "line 7", line: 7, want: "line 7"},
		{msg: "", want: ""},
	}
	for _, tt := range tests {
		require.Equal(t, tt.line, ingest.YAMLLine(tt.msg), "YAMLLine(%q)", tt.msg)
		require.Equal(t, tt.want, ingest.YAMLMessage(tt.msg), "YAMLMessage(%q)", tt.msg)
	}
}

// FuzzDecodeConfig: any input either decodes or gives problems, never
// panics, and lines asked of a decoded document are never negative.
func FuzzDecodeConfig(f *testing.F) {
	f.Add("cluster: a\nrules:\n  - match: x\n")
	f.Add("accounts: {\"1\": x}\nrules: *a\n")
	f.Add("rules: [x\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		var cfg testConfig
		lines, probs := ingest.DecodeConfig([]byte(in), &cfg)
		for _, p := range probs {
			require.GreaterOrEqual(t, p.Line, 0)
			require.NotEmpty(t, p.Raw)
		}
		require.GreaterOrEqual(t, lines.Item("rules", 0), 0)
		require.GreaterOrEqual(t, lines.MapKey("accounts", "1"), 0)
	})
}

func TestConvertProblems(t *testing.T) {
	type own struct {
		Line int
		Msg  string
	}
	conv := func(p ingest.ConfigProblem) own { return own{Line: p.Line, Msg: p.Msg} }
	require.Nil(t, ingest.ConvertProblems(nil, conv), "no problems stay nil")
	got := ingest.ConvertProblems([]ingest.ConfigProblem{{Line: 2, Msg: "b"}, {Line: 1, Msg: "a"}}, conv)
	require.Equal(t, []own{{Line: 2, Msg: "b"}, {Line: 1, Msg: "a"}}, got, "in order")
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestReadConfig(t *testing.T) {
	const in = "cluster: a\nrules:\n  - match: x\n"
	tests := []struct {
		name    string
		r       io.Reader
		max     int64
		want    []ingest.ConfigProblem
		wantErr string
		cluster string
	}{
		{name: "no cap", r: strings.NewReader(in), cluster: "a"},
		{name: "exactly at the cap", r: strings.NewReader(in), max: int64(len(in)), cluster: "a"},
		{name: "over the cap", r: strings.NewReader(strings.Repeat("#", 2048+1)), max: 2048,
			want: []ingest.ConfigProblem{{Msg: "configuration larger than 2 KiB", Raw: "configuration larger than 2 KiB"}}},
		{name: "decoder problems", r: strings.NewReader("clustre: a\n"),
			want: []ingest.ConfigProblem{{Line: 1, Msg: "field clustre not found in type ingest_test.testConfig", Raw: "line 1: field clustre not found in type ingest_test.testConfig"}}},
		{name: "read failure", r: failingReader{}, max: 10, wantErr: "disk on fire"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cfg testConfig
			lines, probs, err := ingest.ReadConfig(tt.r, tt.max, &cfg)
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, probs)
			require.Equal(t, tt.cluster, cfg.Cluster)
			if tt.want == nil {
				require.Equal(t, 3, lines.Item("rules", 0))
			}
		})
	}
}
