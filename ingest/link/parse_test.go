package link_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/ingest/link"
)

func TestParseValid(t *testing.T) {
	spec, probs, err := link.Parse(strings.NewReader(`same_as:
  - pair: [a, b]
  - join: email
  - join: person
    keys: [tag:employee_id, {key: name, id_prefix: "k8s:prod:user:"}]
stored_in:
  - {credential: c, resource: r, vaulted: true}
act_as:
  - {from: x, to: y, kind: assume_role, system: s, credential: cx, why: because}
`))
	require.NoError(t, err)
	require.Empty(t, probs)
	require.Equal(t, &link.Spec{
		SameAs: []link.SameAs{
			{Line: 2, Rule: "pair", Pair: []string{"a", "b"}},
			{Line: 3, Rule: "email", Keys: []link.Key{{Tag: "email"}}},
			{Line: 4, Rule: "person", Keys: []link.Key{{Tag: "employee_id"}, {IDPrefix: "k8s:prod:user:"}}},
		},
		StoredIn: []link.StoredIn{{Line: 7, Credential: "c", Resource: "r", Vaulted: true}},
		ActAs:    []link.ActAs{{Line: 9, From: "x", To: "y", Kind: "assume_role", System: "s", Credential: "cx", Why: "because"}},
	}, spec)
}

func TestParseEmpty(t *testing.T) {
	for _, in := range []string{"", "# nothing\n", "~\n", "same_as: []\n"} {
		spec, probs, err := link.Parse(strings.NewReader(in))
		require.NoError(t, err)
		require.Empty(t, probs, in)
		require.Equal(t, &link.Spec{}, spec, in)
	}
}

func TestParseProblems(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []link.Problem
	}{
		{name: "syntax", in: "same_as:\n  - pair: [a, b\n", want: []link.Problem{{Line: 1, Msg: "did not find expected ',' or ']'"}}},
		{name: "unknown top-level field", in: "same_ass: []\n", want: []link.Problem{{Line: 1,
			Msg: `link file: unknown field "same_ass" (did you mean "same_as"?) (allowed: same_as, stored_in, act_as)`}}},
		{name: "not a mapping", in: "- a\n", want: []link.Problem{{Line: 1, Msg: "link file: want a mapping, got a list"}}},
		{name: "two documents", in: "same_as: []\n---\nact_as: []\n", want: []link.Problem{{Line: 2, Msg: "a link file is one YAML document"}}},
		{name: "pair of one", in: "same_as:\n  - pair: [a]\n", want: []link.Problem{{Line: 2, Msg: "same_as pair: want two identity ids, got 1"}}},
		{name: "pair and join", in: "same_as:\n  - {pair: [a, b], join: email}\n", want: []link.Problem{{Line: 2, Msg: "same_as: give either pair or join, not both"}}},
		{name: "neither", in: "same_as:\n  - rule: x\n", want: []link.Problem{{Line: 2, Msg: "same_as: want pair: [ID, ID] or join: ATTRIBUTE"}}},
		{name: "bad key", in: "same_as:\n  - join: email\n    keys: [mail]\n", want: []link.Problem{{Line: 3,
			Msg: `same_as key "mail": want name or tag:KEY (tag:email, tag:employee_id)`}}},
		{name: "stored_in missing resource and bad vaulted", in: "stored_in:\n  - credential: c\n    vaulted: yes please\n", want: []link.Problem{
			{Line: 2, Msg: `stored_in: missing required field "resource"`},
			{Line: 3, Msg: "stored_in vaulted: want true or false, got a string"}}},
		{name: "act_as unknown field and bad kind", in: "act_as:\n  - from: a\n    to: b\n    kind: become\n    sytem: s\n", want: []link.Problem{
			{Line: 4, Msg: `act_as kind "become": want one of assume_role, impersonate, run_as, oauth_grant, other`},
			{Line: 5, Msg: `act_as: unknown field "sytem" (did you mean "system"?) (allowed: from, to, kind, system, why, credential)`}}},
		{name: "act_as credential without system", in: "act_as:\n  - {from: a, to: b, credential: c}\n", want: []link.Problem{
			{Line: 2, Msg: "act_as credential: names the credential a system accepts; give that system too"}}},
		{name: "empty id", in: "act_as:\n  - {from: '', to: 3}\n", want: []link.Problem{
			{Line: 2, Msg: "act_as from: want a non-empty string, got an empty string"},
			{Line: 2, Msg: "act_as to: want a non-empty string, got a number"}}},
		{name: "duplicate field", in: "stored_in:\n  - credential: c\n    resource: r\n    credential: d\n", want: []link.Problem{
			{Line: 4, Msg: `stored_in: duplicate field "credential"`}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec, probs, err := link.Parse(strings.NewReader(tc.in))
			require.NoError(t, err)
			require.Equal(t, tc.want, probs)
			if spec != nil {
				require.Empty(t, spec.SameAs, "items with problems are left out")
				require.Empty(t, spec.StoredIn)
				require.Empty(t, spec.ActAs)
			}
		})
	}
}

// Well-formed items are kept next to the problems of others, so their ends
// are checked in the same run.
func TestParseKeepsGoodItems(t *testing.T) {
	spec, probs, err := link.Parse(strings.NewReader("stored_in:\n  - {credential: c}\n  - {credential: d, resource: r}\n"))
	require.NoError(t, err)
	require.Equal(t, []link.Problem{{Line: 2, Msg: `stored_in: missing required field "resource"`}}, probs)
	require.Equal(t, []link.StoredIn{{Line: 3, Credential: "d", Resource: "r"}}, spec.StoredIn)
}
