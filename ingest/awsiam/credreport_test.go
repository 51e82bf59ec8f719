package awsiam_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph/storetest"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/awsiam"
)

// TestParseReportBrokenSecondLine: a report whose only row is broken CSV is
// a located problem, not a panic (FieldPos was read before the error check).
func TestParseReportBrokenSecondLine(t *testing.T) {
	for _, c := range []struct {
		name, data string
		line       int
	}{
		{name: "bare quote", data: "user,arn,user_creation_time\nbob,\"arn\"x,2020\n", line: 2},
		{name: "unterminated quote", data: "user,arn,user_creation_time\n\"bob,arn", line: 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep, probs, err := awsiam.ParseReport([]byte(c.data))
			require.NoError(t, err)
			require.NotNil(t, rep)
			require.Len(t, probs, 1)
			require.Equal(t, c.line, probs[0].Line)
			require.Contains(t, probs[0].Msg, "invalid CSV")
		})
	}
}

// FuzzCredentialReport: ParseReport never panics; every row it keeps has a
// user, an ARN and a line, and every problem a line.
func FuzzCredentialReport(f *testing.F) {
	seeds, err := filepath.Glob("testdata/*.csv")
	require.NoError(f, err)
	more, err := filepath.Glob("testdata/cloudmapper-demo/*.csv")
	require.NoError(f, err)
	for _, p := range append(seeds, more...) {
		data, err := os.ReadFile(p)
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte("user,arn,user_creation_time\n\"bob"))
	f.Add([]byte("\ufeffuser,arn\n<root_account>,arn:aws:iam::123456789012:root\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, probs, err := awsiam.ParseReport(data)
		if err != nil {
			return
		}
		for _, r := range rep.Rows {
			if r.User == "" || r.ARN == "" || r.Line < 1 {
				t.Fatalf("row kept without user, arn or line: %+v", r)
			}
		}
		for _, p := range probs {
			if p.Line < 1 {
				t.Fatalf("problem without a line: %+v", p)
			}
		}
	})
}

// TestUserTagSecretRejected: an AWS user tag holding a token (a secret by
// its shape) stops the load with a problem naming the tag, not the value;
// the credential report's access_key_N_active columns keep loading.
func TestUserTagSecretRejected(t *testing.T) {
	const jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
	p := filepath.Join(t.TempDir(), "gaad.json")
	require.NoError(t, os.WriteFile(p, []byte(`{"UserDetailList":[{"UserName":"svc","Arn":"arn:aws:iam::123456789012:user/svc",
		"Tags":[{"Key":"deploy-note","Value":"Bearer `+jwt+`"}]}]}`), 0o600))
	_, err := ingest.Load(context.Background(), &storetest.Capture{}, []ingest.Source{{Path: p, Format: ingest.FormatAWSIAM}},
		ingest.Options{Readers: ingest.Readers{AWSIAM: awsiam.Read}})
	require.Error(t, err)
	require.Contains(t, err.Error(), "gaad.json: /UserDetailList/0/tags/aws:deploy-note: ", "the user's entry in the export")
	require.Contains(t, err.Error(), "looks like a JSON Web Token")
	require.NotContains(t, err.Error(), jwt[:20])
	// The credential report (access_key_1_active, password_last_changed …)
	// still loads.
	load(t, "testdata/cloudmapper-demo/credential-report.csv")
}
