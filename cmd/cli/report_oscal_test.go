package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/cmd/cli"
)

// oscalSchema compiles NIST's OSCAL 1.1.1 assessment-results schema (see
// testdata/oscal/SOURCE.md) with format assertions on.
func oscalSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	const id = "http://csrc.nist.gov/ns/oscal/1.1.1/oscal-ar-schema.json"
	raw, err := os.ReadFile(filepath.Join("testdata", "oscal", "oscal_assessment-results_schema.json"))
	require.NoError(t, err)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	require.NoError(t, err)
	idBesideRef(doc)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	// Loaded under its own $id so its draft-07 "#name" anchors resolve.
	require.NoError(t, c.AddResource(id, doc))
	sch, err := c.Compile(id)
	require.NoError(t, err)
	return sch
}

func TestReportOSCALValidates(t *testing.T) {
	sch := oscalSchema(t)
	store := ingestFinance(t)
	out, stderr, code := run(t, "--store", store, "report", "--format", "oscal")
	require.Equal(t, cli.ExitOK, code, stderr)
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	require.NoError(t, err)
	require.NoError(t, sch.Validate(doc))

	var ar struct {
		AR struct {
			Metadata struct {
				OSCALVersion string `json:"oscal-version"`
			} `json:"metadata"`
			Results []struct {
				Findings     []json.RawMessage `json:"findings"`
				Observations []json.RawMessage `json:"observations"`
			} `json:"results"`
			BackMatter struct {
				Resources []struct {
					RLinks []struct {
						Hashes []struct{ Algorithm, Value string } `json:"hashes"`
					} `json:"rlinks"`
				} `json:"resources"`
			} `json:"back-matter"`
		} `json:"assessment-results"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &ar))
	require.Equal(t, "1.1.1", ar.AR.Metadata.OSCALVersion)
	require.Len(t, ar.AR.Results[0].Findings, 110, "one OSCAL finding per reachgraph finding")
	require.Len(t, ar.AR.Results[0].Observations, 110)
	require.Equal(t, "SHA-256", ar.AR.BackMatter.Resources[0].RLinks[0].Hashes[0].Algorithm)
	require.Contains(t, out, `GRANT(write \"F_LFA1_APP ACTVT=01,02 (XK01, XK02)\")`, "native evidence in the observation")

	again, _, _ := run(t, "--store", store, "report", "--format", "oscal")
	require.Equal(t, out, again, "deterministic UUIDs")

	t.Run("the schema rejects a broken document", func(t *testing.T) {
		bad := strings.Replace(out, `"state": "not-satisfied"`, `"state": "unknown"`, 1)
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(bad)))
		require.NoError(t, err)
		require.Error(t, sch.Validate(doc))
	})
}

// idBesideRef rewrites {"$id": "#x", "$ref": R, …} to {"$id": "#x",
// "allOf": [{"$ref": R}], …} throughout: the OSCAL schemas name some
// definitions with an $id next to a $ref, which draft-07 says to ignore
// (siblings of $ref are not read), yet other definitions refer to those
// names. The rewrite keeps the meaning the schema's authors intended.
func idBesideRef(v any) {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["$ref"]; ok {
			if _, ok := x["$id"]; ok {
				delete(x, "$ref")
				x["allOf"] = []any{map[string]any{"$ref": ref}}
			}
		}
		for _, c := range x {
			idBesideRef(c)
		}
	case []any:
		for _, c := range x {
			idBesideRef(c)
		}
	}
}
