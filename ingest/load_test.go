package ingest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest"
)

func TestProblemString(t *testing.T) {
	tests := []struct {
		name string
		p    ingest.Problem
		want string
	}{
		{name: "pointer", p: ingest.Problem{File: "bundle.json", Pointer: "/grants/12/action", Msg: "bad"}, want: "bundle.json: /grants/12/action: bad"},
		{name: "line", p: ingest.Problem{File: "finance.yaml", Line: 42, Msg: "bad"}, want: "finance.yaml:42: bad"},
		{name: "line and pointer", p: ingest.Problem{File: "b.json", Line: 3, Pointer: "/grants/0", Msg: "bad"}, want: "b.json:3: /grants/0: bad"},
		{name: "file only", p: ingest.Problem{File: "dir/bundle.csv", Msg: "missing"}, want: "dir/bundle.csv: missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.p.String())
		})
	}
}

func TestValidationErrorListsEveryProblem(t *testing.T) {
	err := error(&ingest.ValidationError{
		Problems: []ingest.Problem{{File: "a.yaml", Line: 1, Msg: "one"}, {File: "a.yaml", Line: 2, Msg: "two"}},
		Omitted:  3,
	})
	require.ErrorIs(t, err, ingest.ErrInvalid)
	require.Equal(t, "invalid input: 5 problems\na.yaml:1: one\na.yaml:2: two\n… and 3 more problems not shown (reporting stops at the per-file limit)", err.Error())
	require.NotErrorIs(t, errors.New("other"), ingest.ErrInvalid)
}

// badGrants returns n grants that each have an unknown action.
func badGrants(n int) []ingest.Record {
	recs := base()
	for i := range n {
		recs = append(recs, rec("grants", i, fld("principal", str("g")), fld("action", str("own")), fld("resource", str("je"))))
	}
	return recs
}

func TestProblemCap(t *testing.T) {
	tests := []struct {
		name        string
		max         int
		bad         int
		wantShown   int
		wantOmitted int
	}{
		{name: "default cap of 100", max: 0, bad: 150, wantShown: 100, wantOmitted: 50},
		{name: "custom cap", max: 3, bad: 10, wantShown: 3, wantOmitted: 7},
		{name: "under the cap", max: 0, bad: 7, wantShown: 7, wantOmitted: 0},
		{name: "no cap", max: -1, bad: 250, wantShown: 250, wantOmitted: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := run(t, ingest.Options{MaxProblemsPerFile: tt.max}, "b.json", doc{header: header("t"), recs: badGrants(tt.bad)})
			var ve *ingest.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Len(t, ve.Problems, tt.wantShown)
			require.Equal(t, tt.wantOmitted, ve.Omitted)
			require.Equal(t, "/grants/0/action", ve.Problems[0].Pointer)
			require.Equal(t, fmt.Sprintf("/grants/%d/action", tt.wantShown-1), ve.Problems[tt.wantShown-1].Pointer)
			if tt.wantOmitted > 0 {
				require.Contains(t, err.Error(), fmt.Sprintf("… and %d more problems not shown", tt.wantOmitted))
			}
		})
	}
}

func TestCapIsPerFile(t *testing.T) {
	a := tempFile(t, "a.json", "a")
	b := tempFile(t, "b.json", "b")
	docs := map[string]doc{
		a: {header: header("a"), recs: badGrants(5)},
		b: {header: header("b"), recs: []ingest.Record{rec("grants", 0, fld("principal", str("g")), fld("action", str("x")), fld("resource", str("je")))}},
	}
	st := &fakeStore{}
	_, err := ingest.Load(context.Background(), st, []ingest.Source{{Path: a}, {Path: b}},
		ingest.Options{MaxProblemsPerFile: 2, Readers: ingest.Readers{Bundle: feed(docs)}})
	var ve *ingest.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, 3, ve.Omitted)
	var files []string
	for _, p := range ve.Problems {
		files = append(files, p.File)
	}
	require.Equal(t, []string{a, a, b}, files)
	require.Zero(t, st.calls)
}

func TestMergeSources(t *testing.T) {
	a := tempFile(t, "a.json", "first input")
	b := tempFile(t, "b.json", "second input, longer")
	t1 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	t2 := time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)
	docs := map[string]doc{
		a: {header: append(header("sap"), fld("collected_at", str(t2.Format(time.RFC3339)))), recs: base()},
		b: {header: append(header("bank"), fld("collected_at", str(t1.Format(time.RFC3339)))), recs: []ingest.Record{
			rec("systems", 0, fld("id", str("bank"))),
			rec("grants", 0, fld("principal", str("alice")), fld("action", str("approve")), fld("resource", str("bank"))),
		}},
	}
	st := &fakeStore{}
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	meta, err := ingest.Load(context.Background(), st, []ingest.Source{{Path: a}, {Path: b, Format: "auto"}},
		ingest.Options{Readers: ingest.Readers{Bundle: feed(docs)}, Now: func() time.Time { return now }})
	require.NoError(t, err)
	require.True(t, st.committed)
	require.Equal(t, "sap+bank", meta.Source)
	require.Equal(t, t2, meta.CollectedAt)
	require.Equal(t, now, meta.IngestedAt)
	require.Equal(t, []graph.SourceFile{{Name: filepath.Base(a), SHA256: sha(t, a)}, {Name: filepath.Base(b), SHA256: sha(t, b)}}, meta.Files, "files are recorded by name, not by where they were on disk")
	// Sections are written in schema order, each in input order across sources.
	require.Equal(t, []string{"sap", "bank"}, ids(st.data.SystemList, func(s graph.System) string { return s.ID }))
	require.Len(t, st.data.GrantList, 1)
}

func TestDuplicateIDAcrossSources(t *testing.T) {
	a := tempFile(t, "a.json", "a")
	b := tempFile(t, "b.json", "b")
	docs := map[string]doc{
		a: {header: header("a"), recs: base()},
		b: {header: header("b"), recs: []ingest.Record{rec("identities", 0, fld("id", str("sap")), fld("type", str("human")))}},
	}
	st := &fakeStore{}
	_, err := ingest.Load(context.Background(), st, []ingest.Source{{Path: a}, {Path: b}}, ingest.Options{Readers: ingest.Readers{Bundle: feed(docs)}})
	var ve *ingest.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, []ingest.Problem{{File: b, Pointer: "/identities/0/id", Msg: `duplicate id "sap" (already used by a System in ` + a + `)`}}, ve.Problems)
	require.Zero(t, st.calls)
}

func TestStoreErrorsCommitNothing(t *testing.T) {
	boom := errors.New("disk full")
	path := tempFile(t, "b.json", "x")
	st := &fakeStore{failPut: boom}
	_, err := ingest.Load(context.Background(), st, []ingest.Source{{Path: path}},
		ingest.Options{Readers: ingest.Readers{Bundle: feed(map[string]doc{path: {header: header("t"), recs: base()}})}})
	require.ErrorIs(t, err, boom)
	require.Equal(t, 1, st.calls)
	require.False(t, st.committed)
}

func TestCanceledContextCommitsNothing(t *testing.T) {
	path := tempFile(t, "b.json", "x")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	st := &fakeStore{}
	_, err := ingest.Load(ctx, st, []ingest.Source{{Path: path}},
		ingest.Options{Readers: ingest.Readers{Bundle: feed(map[string]doc{path: {header: header("t"), recs: base()}})}})
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, st.calls)
}

func TestReaderErrorsAreReturned(t *testing.T) {
	st := &fakeStore{}
	missing := t.TempDir() + "/nope.json"
	_, err := ingest.Load(context.Background(), st, []ingest.Source{{Path: missing, Format: "bundle"}},
		ingest.Options{Readers: ingest.Readers{Bundle: feed(nil)}})
	require.ErrorIs(t, err, os.ErrNotExist)
	require.NotErrorIs(t, err, ingest.ErrInvalid)
	require.Zero(t, st.calls)
}

func TestProgress(t *testing.T) {
	a := tempFile(t, "a.json", strings.Repeat("a", 1000))
	b := tempFile(t, "b.json", strings.Repeat("b", 500))
	docs := map[string]doc{a: {header: header("a"), recs: base()}, b: {header: header("b")}}
	var calls [][2]int64
	_, err := ingest.Load(context.Background(), &fakeStore{}, []ingest.Source{{Path: a}, {Path: b}}, ingest.Options{
		Readers:  ingest.Readers{Bundle: feed(docs)},
		Progress: func(read, total int64) { calls = append(calls, [2]int64{read, total}) },
	})
	require.NoError(t, err)
	require.NotEmpty(t, calls)
	require.Equal(t, [2]int64{1500, 1500}, calls[len(calls)-1])
	for i := 1; i < len(calls); i++ {
		require.GreaterOrEqual(t, calls[i][0], calls[i-1][0], "progress must not go backwards")
	}
}

func TestFormatDispatch(t *testing.T) {
	path := tempFile(t, "b.json", "x")
	tests := []struct {
		name    string
		format  string
		readers ingest.Readers
		wantErr string
		wantIs  error
	}{
		{name: "aws-iam not yet", format: "aws-iam", wantErr: "format aws-iam is not supported yet", wantIs: ingest.ErrUnsupportedFormat},
		{name: "k8s-rbac not yet", format: "k8s-rbac", wantErr: "format k8s-rbac is not supported yet", wantIs: ingest.ErrUnsupportedFormat},
		{name: "postgres not yet", format: "postgres", wantErr: "format postgres is not supported yet", wantIs: ingest.ErrUnsupportedFormat},
		{name: "bundle without a reader", format: "bundle", wantErr: "format bundle is not supported yet", wantIs: ingest.ErrUnsupportedFormat},
		{name: "unknown format", format: "xml", wantErr: `unknown format "xml" (allowed: auto, bundle, aws-iam, k8s-rbac, postgres, sap, vault, opengraph)`},
		{name: "wired aws-iam reader is used", format: "aws-iam", readers: ingest.Readers{AWSIAM: func(context.Context, string, *ingest.Input) error {
			return errors.New("aws reader called")
		}}, wantErr: "aws reader called"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &fakeStore{}
			_, err := ingest.Load(context.Background(), st, []ingest.Source{{Path: path, Format: tt.format}}, ingest.Options{Readers: tt.readers})
			require.ErrorContains(t, err, tt.wantErr)
			if tt.wantIs != nil {
				require.ErrorIs(t, err, tt.wantIs)
			}
			require.Zero(t, st.calls)
		})
	}
	_, err := ingest.Load(context.Background(), &fakeStore{}, nil, ingest.Options{})
	require.ErrorContains(t, err, "no sources")
}

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{name: "bundle yaml", content: "format: reachgraph/v1\nsource: x\n", want: ingest.FormatBundle},
		{name: "bundle json", content: `{"format":"reachgraph/v1"}`, want: ingest.FormatBundle},
		{name: "aws authorization details", content: `{"UserDetailList": [], "GroupDetailList": []}`, want: ingest.FormatAWSIAM},
		{name: "aws credential report", content: "user,arn,user_creation_time,password_enabled\n", want: ingest.FormatAWSIAM},
		{name: "kubernetes rbac", content: "apiVersion: v1\nkind: List\nitems:\n- apiVersion: rbac.authorization.k8s.io/v1\n", want: ingest.FormatK8sRBAC},
		{name: "anything else", content: "hello", want: ingest.FormatBundle},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, ingest.DetectFormat(tempFile(t, "in", tt.content)))
		})
	}
	require.Equal(t, ingest.FormatBundle, ingest.DetectFormat(t.TempDir()))
	sapDir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(sapDir, "usr02.TXT"), []byte("BNAME\n"), 0o600))
	require.Equal(t, ingest.FormatSAP, ingest.DetectFormat(sapDir))
}

func sha(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func ids[T any](list []T, id func(T) string) []string {
	var out []string
	for _, r := range list {
		out = append(out, id(r))
	}
	return out
}
