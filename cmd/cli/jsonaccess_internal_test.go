package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/schema"
)

// viaEncodingJSON is what jsonAccess must write: encoding/json, indented as
// inside the access report, without HTML escaping.
func viaEncodingJSON(a analysis.Access) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("    ", "  ")
	err := enc.Encode(a)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), err
}

func requireSameJSON(t *testing.T, a analysis.Access) {
	t.Helper()
	want, werr := viaEncodingJSON(a)
	got, ok := jsonAccess([]byte("kept"), &a, "    ")
	if werr != nil {
		require.False(t, ok, "encoding/json refuses %+v: %v", a, werr)
		require.Equal(t, "kept", string(got), "nothing appended")
		return
	}
	require.True(t, ok)
	require.Equal(t, "kept"+string(want), string(got))
}

// everyField is an access with every field of it and of its paths and
// authentication set, in awkward text, for the writers' tests; its paths
// include an empty and a nil one.
func everyField() analysis.Access {
	at := time.Date(2026, 3, 1, 12, 30, 0, 500, time.UTC)
	east := time.Date(2027, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 5*3600+1800))
	return analysis.Access{Identity: "svc<&>", Resource: "r\"\\", Action: schema.ActionApprove, Authorized: true, Critical: true,
		Paths: []analysis.Path{{
			{From: "a", Edge: "MEMBER_OF", To: "g", ValidFrom: at},
			{From: "g", Edge: "GRANT", To: "r", Action: schema.ActionApprove, Native: "F_BKPF/ACTVT=\t01", Conditional: true, ExpiresAt: east},
			{From: "x", Edge: "CAN_ACT_AS", To: "y", Kind: "impersonate", System: "sap", ValidFrom: at, ExpiresAt: east},
		}, {}, nil, {{From: "p", Edge: "GRANT", To: "q"}}},
		Authentication: &analysis.Authentication{System: "sap", Via: "credential", Credential: "c", CredentialType: "password",
			ExpiresAt: &at, LastRotatedAt: &east, Delegation: "a -> b"},
		Native: "s3:GetObject", Conditional: true}
}

func TestJSONAccessIsEncodingJSON(t *testing.T) {
	full := everyField()
	far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	for name, a := range map[string]analysis.Access{
		"zero":          {},
		"empty paths":   {Identity: "i", Paths: []analysis.Path{}},
		"every field":   full,
		"control chars": {Identity: "\b\f\x01\x1f\x7f\n\r\t", Resource: "\u2028\u2029\u00e9\U0001F600"},
		"invalid utf8":  {Identity: "a\xffb\xc3", Resource: "\xed\xa0\x80"},
		"bidi":          {Identity: "\u202eevil", Resource: "e\u0301"},
		"auth only":     {Authentication: &analysis.Authentication{}},
		"year 10000":    {Paths: []analysis.Path{{{ValidFrom: far}}}},
		"auth far":      {Authentication: &analysis.Authentication{ExpiresAt: &far}},
	} {
		t.Run(name, func(t *testing.T) { requireSameJSON(t, a) })
	}
}

func FuzzJSONAccess(f *testing.F) {
	f.Add("svc-1", "sap:fi:je", "F_BKPF", "a -> b", int64(0))
	f.Add("<\"\\\n\u2028>", "\xff", "", "", int64(1_700_000_000_123))
	f.Fuzz(func(t *testing.T, id, res, native, deleg string, ms int64) {
		w := time.UnixMilli(ms).UTC()
		a := analysis.Access{Identity: id, Resource: res, Action: schema.ActionWrite, Effective: ms%2 == 0,
			Paths:          []analysis.Path{{{From: id, Edge: "GRANT", To: res, Native: native, ValidFrom: w}}},
			Authentication: &analysis.Authentication{System: res, Via: "delegation", Delegation: deleg, ExpiresAt: &w}}
		requireSameJSON(t, a)
	})
}

// fmtPath is formatPath as it was written with fmt, before it appended.
func fmtPath(p analysis.Path) string {
	if len(p) == 0 {
		return "-"
	}
	var b strings.Builder
	b.WriteString(p[0].From)
	for i, h := range p {
		if i > 0 && h.From != p[i-1].To {
			fmt.Fprintf(&b, " ~ %s", h.From)
		}
		var args []string
		switch {
		case h.Action != "" && h.Native != "":
			args = append(args, fmt.Sprintf("%s %q", h.Action, h.Native))
		case h.Action != "":
			args = append(args, string(h.Action))
		case h.Native != "":
			args = append(args, strconv.Quote(h.Native))
		}
		if h.Conditional {
			args = append(args, "conditional")
		}
		label := string(h.Edge)
		if len(args) > 0 {
			label += "(" + strings.Join(args, ", ") + ")"
		}
		if h.System != "" {
			label += "@" + h.System
		}
		fmt.Fprintf(&b, " -%s-> %s", label+h.WindowLabel(), h.To)
	}
	return b.String()
}

func TestFormatPathIsTheFmtOne(t *testing.T) {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	hops := []analysis.Hop{
		{From: "a", Edge: "MEMBER_OF", To: "g"},
		{From: "g", Edge: "GRANT", To: "r", Action: schema.ActionApprove, Native: "F_BKPF \"x\"\t", Conditional: true, ValidFrom: at},
		{From: "x", Edge: "CAN_ACT_AS", To: "y", Native: "sts:AssumeRole", System: "aws", ExpiresAt: at},
		{From: "y", Edge: "GRANT", To: "z", Action: schema.ActionWrite},
		{From: "z", Edge: "GRANT", To: "q", Conditional: true},
		{From: "q", Edge: "STORED_IN", To: "v", System: "vault", ValidFrom: at, ExpiresAt: at.AddDate(1, 0, 0)},
	}
	for i := range hops {
		for j := i; j <= len(hops); j++ {
			p := analysis.Path(hops[i:j])
			require.Equal(t, fmtPath(p), formatPath(p))
		}
	}
}
