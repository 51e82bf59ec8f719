package link_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/graph/storetest"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/awsiam"
	"github.com/reachgraph/reachgraph/ingest/bundle"
	"github.com/reachgraph/reachgraph/ingest/k8srbac"
	"github.com/reachgraph/reachgraph/ingest/link"
	"github.com/reachgraph/reachgraph/ingest/sap"
	"github.com/reachgraph/reachgraph/ingest/vault"
	"github.com/reachgraph/reachgraph/schema/iam"
)

// estate is the multi-platform sample.
const estate = "../../testdata/estate"

// asOf is the sample's collection time.
var asOf = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

// copyEstate copies the sample to a temporary directory, for tests that
// change it.
func copyEstate(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(estate, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(estate, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o600)
	})
	require.NoError(t, err)
	return dst
}

// edit replaces old (which must be there) by new in dir/name.
func edit(t *testing.T, dir, name, old, new string) {
	t.Helper()
	path := filepath.Join(dir, name)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(b), old, "the sample still holds what the test removes")
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o600))
}

// estateSources are the sources of the sample in dir, in mixed formats,
// detected.
func estateSources(dir string) []ingest.Source {
	return []ingest.Source{
		{Path: filepath.Join(dir, "k8s")}, {Path: filepath.Join(dir, "aws", "authorization-details.json")},
		{Path: filepath.Join(dir, "sap")}, {Path: filepath.Join(dir, "vault")}, {Path: filepath.Join(dir, "people.yaml")},
	}
}

// estateReaders are the readers of the sample in dir.
func estateReaders(dir string) ingest.Readers {
	return ingest.Readers{Bundle: bundle.Read, AWSIAM: awsiam.Read, SAP: sap.Read, Vault: vault.Read,
		K8sRBAC: k8srbac.NewReader(filepath.Join(dir, "k8s-config.yaml"))}
}

// loadDir ingests the sample in dir with its link file (links: the link
// files; nil for dir/links.yaml).
func loadDir(dir string, links ...string) (*graph.Dataset, error) {
	if links == nil {
		links = []string{filepath.Join(dir, "links.yaml")}
	}
	st := &storetest.Capture{}
	vr := vault.New("")
	readers := estateReaders(dir)
	readers.Vault = vr.Read
	_, err := ingest.Load(context.Background(), st, estateSources(dir), ingest.Options{
		Readers: readers, CollectedAt: asOf, Link: link.Config{Files: links, SecretWritten: vr.KVUpdated}.LinkFunc(),
		Now: func() time.Time { return asOf },
	})
	return st.Data, err
}

func mustLoad(t *testing.T, dir string, links ...string) *graph.Dataset {
	t.Helper()
	d, err := loadDir(dir, links...)
	require.NoError(t, err)
	return d
}

// problems loads dir expecting invalid input; it returns the problems as
// strings with the directory cut off, and checks nothing was stored.
func problems(t *testing.T, dir string, links ...string) []string {
	t.Helper()
	d, err := loadDir(dir, links...)
	require.Nil(t, d, "nothing is stored")
	var ve *ingest.ValidationError
	require.True(t, errors.As(err, &ve), "want a validation error, got %v", err)
	var out []string
	for _, p := range ve.Problems {
		out = append(out, strings.TrimPrefix(p.String(), filepath.ToSlash(dir)+"/"))
	}
	return out
}

// access is identity's access to (resource, action), if any.
func access(t *testing.T, d *graph.Dataset, identity, action, resource string) (analysis.Access, bool) {
	t.Helper()
	p, err := projection.Build(context.Background(), d)
	require.NoError(t, err)
	acc, err := reach.New(p, asOf).WhoCan(context.Background(), reach.WhoCanQuery{Action: schemaAction(action), Resource: resource})
	require.NoError(t, err)
	for _, a := range acc {
		if a.Identity == identity {
			return a, true
		}
	}
	return analysis.Access{}, false
}

func identity(d *graph.Dataset, id string) graph.Identity {
	for _, r := range d.IdentityList {
		if r.ID == id {
			return r
		}
	}
	return graph.Identity{}
}

func credential(d *graph.Dataset, id string) graph.Credential {
	for _, c := range d.CredentialList {
		if c.ID == id {
			return c
		}
	}
	return graph.Credential{}
}

// The tags ingest/link reads are the ones its sibling readers write.
func TestTagsAgreeWithReaders(t *testing.T) {
	require.Equal(t, k8srbac.IRSAAnnotation, link.IRSAAnnotation)
	require.NotEqual(t, iam.OIDCSubjectTag("p", false), iam.OIDCSubjectTag("p", true))
}
