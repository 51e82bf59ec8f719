package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/cmd/cli"
)

const sapSample = "../../testdata/sap"

// TestSAPReport: reachgraph report on the ingested SAP sample shows the SoD
// conflicts reasoned in testdata/sap/EXPECTED.yaml, with SAP native strings
// on the evidence paths: park vs post-parked (IVAN), post vs approve (BOB),
// vendor master vs payment run (HEIDI); none for the park-only user (ALICE)
// or the split-instance trap (JUDY).
func TestSAPReport(t *testing.T) {
	store := newStore(t)
	_, stderr, code := run(t, "--store", store, "ingest", sapSample) // auto-detected by USR02
	require.Equal(t, cli.ExitOK, code, stderr)
	out, stderr, code := run(t, "--store", store, "report", "--format", "json")
	require.Equal(t, cli.ExitOK, code, stderr)
	var rep struct {
		Findings []struct {
			Rule      string `json:"rule"`
			Identity  string `json:"identity"`
			Effective bool   `json:"effective"`
			Paths     [][]struct {
				Native string `json:"native"`
			} `json:"paths"`
		} `json:"findings"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	natives := map[string]string{} // rule|user → natives of the evidence
	for _, f := range rep.Findings {
		if !strings.HasPrefix(f.Rule, "SOD-") {
			continue
		}
		var ns []string
		for _, p := range f.Paths {
			for _, h := range p {
				if h.Native != "" {
					ns = append(ns, h.Native)
				}
			}
		}
		natives[f.Rule+"|"+strings.TrimPrefix(f.Identity, "sap:PRD:100:user:")] = strings.Join(ns, " ; ")
	}
	require.Contains(t, natives["SOD-R2R-01|IVAN"], "S_TCODE TCD=FV50 (Z_FI_JE_PARK_1000/T-PK10000100) + F_BKPF_BUK BUKRS=1000 ACTVT=77")
	require.Contains(t, natives["SOD-R2R-01|IVAN"], "S_TCODE TCD=FBV0 (Z_FI_JE_RELEASE_1000/T-RL00000100)")
	require.Contains(t, natives["SOD-R2R-01|BOB"], "F_BKPF_BUK BUKRS=1000 ACTVT=01 (Z_FI_JE_POST_ALL/T-PA00000101)")
	require.Contains(t, natives["SOD-P2P-01|HEIDI"], "F_LFA1_BUK BUKRS=1000 ACTVT=02 (Z_FI_VENDOR_MAINT/T-VM00000102)")
	require.Contains(t, natives["SOD-P2P-01|HEIDI"], "F_REGU_BUK BUKRS=1000 FBTCH=21 (Z_FI_PAYMENT/T-PY00000101)")
	require.Contains(t, natives, "SOD-R2R-01|CAROL", "the cross-role combination posts and approves")
	require.NotContains(t, natives, "SOD-R2R-01|ALICE", "park only")
	require.NotContains(t, natives, "SOD-R2R-01|JUDY", "split instances grant nothing")
	require.NotContains(t, natives, "SOD-R2R-01|HEIDI", "her posting role ended 2026-03-31")
	// BOB opens and closes posting periods (OB52) and posts journal entries.
	require.Contains(t, natives["SOD-R2R-03|BOB"], "S_TCODE TCD=OB52 (Z_FI_PERIOD_CLOSE/T-PC00000100) + S_TABU_NAM TABLE=V_T001B ACTVT=02 (Z_FI_PERIOD_CLOSE/T-PC00000101)")
	require.Contains(t, natives["SOD-R2R-03|BOB"], "F_BKPF_BUK BUKRS=1000 ACTVT=01 (Z_FI_JE_POST_ALL/T-PA00000101)")
	var r2r03 []string
	for k := range natives {
		if strings.HasPrefix(k, "SOD-R2R-03|") {
			r2r03 = append(r2r03, strings.TrimPrefix(k, "SOD-R2R-03|"))
		}
	}
	slices.Sort(r2r03)
	require.Equal(t, []string{"BOB", "FF_01"}, r2r03, "only BOB and the SAP_ALL user open periods and post")
}

// A malformed SAP extract exits 2 naming table, line and column; nothing is stored.
func TestSAPMalformedExit(t *testing.T) {
	dir := t.TempDir()
	entries, err := os.ReadDir(sapSample)
	require.NoError(t, err)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(sapSample, e.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, e.Name()), b, 0o600))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "AGR_USERS.csv"), []byte("AGR_NAME,UNAME,FROM_DAT,TO_DAT\nR,BOB,2026-02-30,99991231\n"), 0o600))
	store := newStore(t)
	_, stderr, code := run(t, "--store", store, "ingest", "--format", "sap", dir)
	require.Equal(t, cli.ExitUsage, code)
	require.Contains(t, stderr, "AGR_USERS.csv:2: table AGR_USERS column FROM_DAT: invalid date")
	require.Contains(t, stderr, "nothing was stored")
	_, _, code = run(t, "--store", store, "snapshots")
	require.Equal(t, cli.ExitOK, code)
	out, _, _ := run(t, "--store", store, "snapshots")
	require.NotContains(t, out, "sap:PRD")
}
