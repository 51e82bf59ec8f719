package cli_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/cmd/cli"
)

const estate = "../../testdata/estate"

// estateArgs are the ingest arguments of the estate sample, formats named as
// FORMAT=PATH for two of them and detected for the rest.
func estateArgs(dir string, links string) []string {
	return []string{"ingest", "--k8s-config", filepath.Join(dir, "k8s-config.yaml"), "--link", links,
		"k8s-rbac=" + filepath.Join(dir, "k8s"), filepath.Join(dir, "aws", "authorization-details.json"),
		"sap=" + filepath.Join(dir, "sap"), "vault=" + filepath.Join(dir, "vault"), filepath.Join(dir, "people.yaml")}
}

// Five sources of four formats and a link file ingest as one snapshot; the
// CI workload's chain to SAP journal entries shows with its evidence; a bad
// link file exits 2 with its lines and stores nothing.
func TestEstateIngestWithLinks(t *testing.T) {
	store := newStore(t)
	out, stderr, code := run(t, append([]string{"--store", store}, estateArgs(estate, filepath.Join(estate, "links.yaml"))...)...)
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Contains(t, out, "source k8s-rbac:prod+aws-iam:111122223333+sap:PRD:100+vault:prod+idp-and-ci")

	out, stderr, code = run(t, "--store", store, "reach", "--identity", "k8s:prod:sa:ci/ledger-sync", "--action", "approve", "-o", "wide")
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Contains(t, out, "sap:PRD:100:bukrs:1000:journal_entry  approve  effective")
	assert.Contains(t, out, "-STORED_IN-> sap:PRD:100:user:RFC_FI:password")
	out, stderr, code = run(t, "--store", store, "ls", "identities", "--type", "human", "-o", "csv")
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Contains(t, out, "\nokta:bob.smith,Bob Smith,human,active,k8s:prod:user:bob.smith@example.com (join email = bob.smith@example.com (links.yaml:5))\n",
		"same_as shows both ways with the rule that made it")
	assert.Contains(t, out, "\nsap:PRD:100:user:CAROL,CAROL,human,active,\n")
	before, _, _ := run(t, "--store", store, "snapshots", "-o", "json")

	bad := filepath.Join(t.TempDir(), "links.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("act_as:\n  - from: \"k8s:prod:sa:ci/ledger-synk\"\n    to: \"aws:111122223333:role/gl-publish\"\nstored_in: {}\n"), 0o600))
	_, stderr, code = run(t, append([]string{"--store", store}, estateArgs(estate, bad)...)...)
	require.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, stderr, "nothing was stored")
	assert.Contains(t, stderr, `links.yaml:2: act_as from "k8s:prod:sa:ci/ledger-synk" does not exist in the sources of this ingest (want the id of an Identity or Group) (did you mean "k8s:prod:sa:ci/ledger-sync"?)`)
	assert.Contains(t, stderr, "links.yaml:4: stored_in: want a list, got a mapping")
	after, _, _ := run(t, "--store", store, "snapshots", "-o", "json")
	assert.Equal(t, before, after, "nothing stored")
}

// FORMAT=PATH overrides detection for that source only; an unknown format
// name is no format (the argument is a path).
func TestSourceFormatPrefix(t *testing.T) {
	store := newStore(t)
	_, stderr, code := run(t, "--store", store, "ingest", "aws-iam="+filepath.Join(estate, "people.yaml"))
	require.Equal(t, cli.ExitUsage, code, "a bundle read as aws-iam is rejected")
	assert.NotContains(t, stderr, "no such file")
	_, stderr, code = run(t, "--store", store, "ingest", "nosuch="+filepath.Join(estate, "people.yaml"))
	require.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, stderr, "nosuch=")
}

func TestDemoEmbedsEstateSample(t *testing.T) {
	n := 0
	err := filepath.WalkDir("demodata/estate", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		rel := strings.TrimPrefix(filepath.ToSlash(path), "demodata/estate/")
		want, err := os.ReadFile(filepath.Join(estate, rel))
		require.NoError(t, err)
		got, err := os.ReadFile(path)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got), "cmd/cli/demodata/estate/%s must be a copy of testdata/estate/%s", rel, rel)
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, 23, n, "every file of the sample but its golden file and notes")
}
