package bundle_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/bundle"
)

// records strips the snapshot metadata, leaving only the records.
func records(d *graph.Dataset) *graph.Dataset {
	c := *d
	c.Info = graph.SnapshotMeta{}
	return &c
}

func TestSameRecordsInEverySyntax(t *testing.T) {
	yaml := mustLoad(t, "testdata/small.yaml")
	for _, path := range []string{"testdata/small.json", "testdata/small_csv"} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			require.Equal(t, records(yaml), records(mustLoad(t, path)))
		})
	}
	// The fixture really covers every section.
	c := yaml.Meta().Counts
	require.Equal(t, graph.Counts{Systems: 3, Resources: 4, Identities: 5, Groups: 2, Memberships: 3, Grants: 5, Credentials: 3, Delegations: 2}, c)
}

func TestTrickyIDsSurvive(t *testing.T) {
	want := []string{`svc "batch" \ runner`, "ünïcødé-bot ${env}", "agent-{gpt}", "bank portal/EU", "vault:/secret/sap/batch"}
	for _, path := range []string{"testdata/small.yaml", "testdata/small.json", "testdata/small_csv"} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			d := mustLoad(t, path)
			var got []string
			for _, r := range d.IdentityList {
				got = append(got, r.ID)
			}
			for _, r := range d.SystemList {
				got = append(got, r.ID)
			}
			for _, r := range d.ResourceList {
				got = append(got, r.ID)
			}
			require.Subset(t, got, want)
			require.Equal(t, `svc "batch" \ runner`, d.DelegationList[0].To)
			require.Equal(t, `SU01 "impersonate", BATCH`, d.DelegationList[0].Native)
			require.Empty(t, d.DelegationList[1].Native)
			require.Equal(t, []string{"sap", "bank portal/EU"}, d.CredentialList[1].Systems)
		})
	}
}

func TestFullRecordConversion(t *testing.T) {
	d := mustLoad(t, "testdata/small.yaml")
	batch := d.IdentityList[2]
	require.Equal(t, graph.Identity{
		ID: `svc "batch" \ runner`, Name: "Batch runner", Type: "service_account", Status: "active",
		Owners:  graph.Owners{Business: "controller@example.com", Technical: "sap-basis@example.com"},
		Purpose: "nightly journal postings", NonhumanRationale: "scheduled batch, no human session",
		BreakGlass: true, Vendor: "Acme", LastUsedAt: time.Date(2026, 10, 30, 21, 59, 59, 500_000_000, time.UTC),
		CompensatingControls: []string{"quarterly review", "PAM session recording"}, Tags: map[string]string{"tier": "1"},
	}, batch)
	c := d.CredentialList[1]
	require.Equal(t, 90, c.RotationDays)
	require.True(t, c.Vaulted)
	require.Equal(t, "vault:/secret/sap/batch", c.StoredIn)
	require.Equal(t, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), c.ExpiresAt)
	require.Equal(t, time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), c.ValidFrom)
	require.True(t, d.CredentialList[0].ValidFrom.IsZero())
	require.Equal(t, "F_BKPF_BUK/ACTVT=01", d.GrantList[0].Native)
	require.True(t, d.GrantList[1].Conditional)
	require.Equal(t, "group", string(d.GroupList[0].Type))
	require.Equal(t, "disabled", string(d.IdentityList[3].Status))
	require.False(t, *d.ResourceList[1].SOXScope)
	require.Equal(t, graph.Membership{Member: "alice", Group: "g-fin", ValidFrom: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		ExpiresAt: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), Native: `HR feed: cost center 4711, "finance"`}, d.MembershipList[0])
	require.Equal(t, graph.Membership{Member: "g-fin", Group: "r-je-poster"}, d.MembershipList[1], "no window: both bounds unset")
	require.Equal(t, time.Date(2026, 6, 30, 22, 0, 0, 0, time.UTC), d.GrantList[1].ValidFrom, "an offset is kept as the same instant, in UTC")
	require.True(t, d.GrantList[0].ValidFrom.IsZero())
	require.Equal(t, time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC), d.DelegationList[1].ExpiresAt)
	require.True(t, d.DelegationList[1].ValidFrom.IsZero())
	require.Nil(t, d.ResourceList[0].SOXScope)
}

func TestSnapshotMeta(t *testing.T) {
	st, meta, err := load(t, ingest.Options{}, "testdata/small_csv")
	require.NoError(t, err)
	require.Equal(t, 1, st.committed)
	require.Equal(t, "small-test", meta.Source)
	require.Equal(t, time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC), meta.CollectedAt)
	var names []string
	for _, f := range meta.Files {
		names = append(names, f.Name)
		require.Len(t, f.SHA256, 64)
	}
	require.Equal(t, []string{
		"small_csv/bundle.csv", "small_csv/systems.csv", "small_csv/resources.csv",
		"small_csv/identities.csv", "small_csv/groups.csv", "small_csv/memberships.csv",
		"small_csv/grants.csv", "small_csv/credentials.csv", "small_csv/delegations.csv",
	}, names)
}

func TestSeveralSourcesMergeIntoOneSnapshot(t *testing.T) {
	dir := t.TempDir()
	extra := write(t, dir, "extra.yaml", `format: reachgraph/v1
source: bank-2026-10
collected_at: 2026-11-02T00:00:00Z
identities:
  - {id: treasurer, type: human}
grants:
  - {principal: treasurer, action: approve, resource: "bank:payments"}
`)
	st, meta, err := load(t, ingest.Options{}, "testdata/small.json", extra)
	require.NoError(t, err)
	require.Equal(t, 1, st.committed)
	require.Equal(t, "small-test+bank-2026-10", meta.Source)
	require.Equal(t, time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), meta.CollectedAt)
	require.Len(t, meta.Files, 2)
	require.Len(t, st.data.IdentityList, 6)
	require.Equal(t, "treasurer", st.data.GrantList[5].Principal)

	// Without small.json, the same file twice: its id is a duplicate and its
	// grants dangle.
	msgs, _ := problems(t, ingest.Options{}, extra, extra)
	dangling := extra + `:7: resource: "bank:payments" does not exist (want the id of a System or Resource)`
	require.Equal(t, []string{extra + `:5: duplicate id "treasurer" (already used by an Identity in ` + extra + ")", dangling, dangling}, msgs)
}

func TestDetectSyntax(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		path    string
		content string
		want    string
	}{
		{name: "json extension", path: "b.JSON", content: "format: x", want: bundle.SyntaxJSON},
		{name: "yaml extension", path: "b.yml", content: "{}", want: bundle.SyntaxYAML},
		{name: "sniffed json", path: "bundle", content: "\n  \t{\"format\": 1}", want: bundle.SyntaxJSON},
		{name: "sniffed yaml", path: "bundle.txt", content: "\n# comment\nformat: reachgraph/v1", want: bundle.SyntaxYAML},
		{name: "empty file", path: "empty", content: "", want: bundle.SyntaxYAML},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := bundle.DetectSyntax(write(t, dir, tt.path, tt.content))
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
	got, err := bundle.DetectSyntax(dir)
	require.NoError(t, err)
	require.Equal(t, bundle.SyntaxCSV, got)
	_, err = bundle.DetectSyntax(filepath.Join(dir, "missing"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestSniffedJSONWithoutExtension(t *testing.T) {
	raw, err := os.ReadFile("testdata/small.json")
	require.NoError(t, err)
	path := write(t, t.TempDir(), "bundle", string(raw))
	require.Equal(t, records(mustLoad(t, "testdata/small.json")), records(mustLoad(t, path)))
}

// write creates dir/name with content and returns its path.
func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// A bundle larger than the JSON reader's buffers and the loader's chunks, with
// one record larger than a whole read buffer, reads back exactly.
func TestLargeBundleRoundTrip(t *testing.T) {
	d := synthetic(5000)
	big := make(map[string]string, 20000)
	for i := range 20000 {
		big[fmt.Sprintf("tag-%05d", i)] = strings.Repeat("v", 20)
	}
	d.IdentityList[17].Tags = big
	path := writeJSON(t, d, t.TempDir())
	info, err := os.Stat(path)
	require.NoError(t, err)
	require.Greater(t, info.Size(), int64(2<<20))
	require.Equal(t, d, records(mustLoad(t, path)))
}
