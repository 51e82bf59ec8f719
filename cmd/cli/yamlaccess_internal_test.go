package cli

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/schema"
)

// viaYAMLEncoder is what yamlAccess must write: the access as a one-item
// sequence through the JSON tree and the YAML encoder, indented under
// "accesses:" as the report puts it.
func viaYAMLEncoder(t testing.TB, a analysis.Access) ([]byte, error) {
	tree, err := jsonTree(a)
	if err != nil {
		return nil, err
	}
	var buf, out bytes.Buffer
	if err := writeYAML(&buf, []any{tree}); err != nil {
		return nil, err
	}
	for line := range bytes.Lines(buf.Bytes()) {
		out.WriteString("  ")
		out.Write(line)
	}
	return out.Bytes(), nil
}

// requireSameYAML checks yamlAccess against the encoder, and returns
// whether yamlAccess wrote it itself (not leaving it to the encoder).
func requireSameYAML(t testing.TB, a analysis.Access, scalars *yamlScalars) bool {
	t.Helper()
	got, ok := yamlAccess([]byte("kept"), &a, scalars)
	if !ok {
		require.Equal(t, "kept", string(got), "nothing appended")
		return false
	}
	want, err := viaYAMLEncoder(t, a)
	require.NoError(t, err)
	require.Equal(t, "kept"+string(want), string(got))
	return true
}

// yamlAwkward are strings the YAML encoder quotes, or writes as they are,
// for many reasons: words YAML reads as booleans, nulls or numbers,
// timestamps, indicators at the start, ": " and " #" inside, spaces at
// the ends, non-ASCII and control characters; multi-line ones it writes as
// block scalars, which yamlAccess leaves to it.
var yamlAwkward = []string{
	"", "a", "svc-sap-batch", "sap:fi:je", "true", "False", "yes", "No", "on", "OFF", "y", "n", "null", "~", "Null",
	"0", "-1", "1.5", "1e3", "0x1F", "0o17", ".inf", "-.Inf", ".nan", "012", "1_000", "+1",
	"2026-01-01", "2026-01-01T00:00:00Z", "2026-01-01 10:00:00",
	"- x", "-", "--", "---", "...", "? x", "?", ": x", ":", "a: b", "a:b", "a #b", "a#b", "#x", "&a", "*a", "!x", "|", ">", "%x",
	"@x", "`x", "'x'", `"x"`, "[x]", "{x}", "x,y", "x]", " lead", "trail ", "tab\there", "é", "漢字", "\u202eevil", "e\u0301",
	"\x7f", "\x01", "\u2028", "\ufeffbom", "F_BKPF_BUK ACTVT=10 (FBV0 post parked document)", "Z_JE (amount <= 10,000)",
	"a -> b", "line\nbreak", "crlf\r\n", "x\n", "\xff", strings1k(),
}

func strings1k() string {
	b := make([]byte, 1000)
	for i := range b {
		b[i] = 'a' + byte(i%26)
	}
	return string(b)
}

func TestYAMLAccessIsTheEncoders(t *testing.T) {
	full := everyField()
	far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	var scalars yamlScalars
	written := 0
	for name, a := range map[string]analysis.Access{
		"zero":        {},
		"empty paths": {Identity: "i", Paths: []analysis.Path{}},
		"every field": full,
		"auth only":   {Authentication: &analysis.Authentication{}},
		"year 10000":  {Paths: []analysis.Path{{{ValidFrom: far}}}},
		"auth far":    {Authentication: &analysis.Authentication{ExpiresAt: &far}},
	} {
		t.Run(name, func(t *testing.T) {
			if requireSameYAML(t, a, &scalars) {
				written++
			}
		})
	}
	require.Equal(t, 4, written, "all but the two far times are written without the encoder")
	var left []string
	for _, s := range yamlAwkward {
		a := full
		a.Identity, a.Native = s, s
		a.Paths = []analysis.Path{{{From: s, Edge: "GRANT", To: "r", Native: s, Kind: schema.DelegationKind(s), System: s}}}
		a.Authentication = &analysis.Authentication{System: s, Via: s, Delegation: s}
		if !requireSameYAML(t, a, &scalars) {
			left = append(left, s)
		}
	}
	require.Equal(t, []string{"line\nbreak", "x\n", "\xff"}, left,
		"only the multi-line strings and invalid UTF-8 are left to the encoder")
	require.Contains(t, scalars, "true")
	require.Equal(t, `"true"`, scalars["true"], "a string YAML would read as a boolean is quoted")
	require.Equal(t, "", scalars["line\nbreak"], "a multi-line string is left to the encoder")
}

func TestYAMLScalarsStartAgainWhenFull(t *testing.T) {
	scalars := yamlScalars{}
	for i := range maxYAMLScalars {
		scalars[strconv.Itoa(i)] = "x"
	}
	require.Equal(t, "plain", scalars.form("plain"))
	require.Equal(t, 1, len(scalars), "the memory is cleared, not grown without bound")
}

func FuzzYAMLAccess(f *testing.F) {
	for _, s := range yamlAwkward {
		f.Add(s, "x", int64(0))
	}
	f.Fuzz(func(t *testing.T, id, native string, ms int64) {
		w := time.UnixMilli(ms).UTC()
		a := analysis.Access{Identity: id, Resource: native, Action: schema.ActionWrite, Effective: ms%2 == 0,
			Paths:          []analysis.Path{{{From: id, Edge: "GRANT", To: native, Native: native, ValidFrom: w}}, {}},
			Authentication: &analysis.Authentication{System: native, Via: "delegation", Delegation: id, ExpiresAt: &w}}
		var scalars yamlScalars
		requireSameYAML(t, a, &scalars)
	})
}

// FuzzPlainYAML: a string plainYAML passes is written by the YAML encoder
// as it is.
func FuzzPlainYAML(f *testing.F) {
	for _, s := range yamlAwkward {
		f.Add(s)
	}
	for _, s := range []string{"svc-sap-batch", "sap:fi:je", "aws:123456789012:role/x", "a@b.c", "Falsey", "nullable", "yes:no", "abcde:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !plainYAML(s) {
			return
		}
		out, err := yaml.Marshal(s)
		require.NoError(t, err)
		require.Equal(t, s+"\n", string(out))
	})
}

func TestPlainYAML(t *testing.T) {
	for s, want := range map[string]bool{
		"svc-sap-batch": true, "sap:fi:je": true, "aws:123456789012:role/x": true, "Falsey": true,
		"false": false, "a": false, "abcde:": false, "1abcdef": false, "-abcdef": false, "abc def": false, "abc#def": false,
	} {
		require.Equal(t, want, plainYAML(s), "%q", s)
		if want {
			out, err := yaml.Marshal(s)
			require.NoError(t, err)
			require.Equal(t, s+"\n", string(out))
		}
	}
}
