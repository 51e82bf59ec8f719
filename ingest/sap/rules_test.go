package sap_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

const (
	usrHeader  = "BNAME\tUSTYP\tUFLAG\tGLTGV\tGLTGB\n"
	agrHeader  = "AGR_NAME\tUNAME\tFROM_DAT\tTO_DAT\n"
	authHeader = "AGR_NAME\tOBJECT\tAUTH\tFIELD\tLOW\tHIGH\tDELETED\n"
	yamlBase   = "sid: T01\nclient: \"001\"\ncollected_at: 2026-11-30T00:00:00Z\ncompany_codes: [\"1000\", \"2000\"]\n"
)

// ext builds an extract directory: users "NAME TYPE FLAG", assignments
// "ROLE USER FROM TO", authorization rows "ROLE OBJECT AUTH FIELD LOW HIGH DEL"
// (space-separated, "-" for an empty cell) and extra files.
func ext(t *testing.T, users, assigns, auths []string, extra map[string]string) string {
	t.Helper()
	row := func(s string) string {
		f := strings.Fields(s)
		for i := range f {
			if f[i] == "-" {
				f[i] = ""
			}
		}
		return strings.Join(f, "\t") + "\n"
	}
	u, a, z := usrHeader, agrHeader, authHeader
	for _, s := range users {
		u += row(s + " 20240101 99991231")
	}
	for _, s := range assigns {
		a += row(s)
	}
	for _, s := range auths {
		z += row(s)
	}
	files := map[string]string{"USR02.txt": u, "AGR_USERS.txt": a, "AGR_1251.txt": z, "sap.yaml": yamlBase}
	for k, v := range extra {
		files[k] = v
	}
	return writeDir(t, files)
}

const (
	je1000 = "sap:T01:001:bukrs:1000:journal_entry"
	je2000 = "sap:T01:001:bukrs:2000:journal_entry"
)

func uid(n string) string    { return "sap:T01:001:user:" + n }
func rid(n string) string    { return "sap:T01:001:role:" + n }
func pid(n string) string    { return "sap:T01:001:profile:" + n }
func day(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }

// Value coverage: *, prefix*, LOW–HIGH range (string order), equality.
func TestRuleValueCoverage(t *testing.T) {
	tests := []struct {
		name      string
		low, high string
		want      []string // company codes covered
	}{
		{name: "star", low: "*", high: "-", want: []string{je1000, je2000}},
		{name: "prefix", low: "1*", high: "-", want: []string{je1000}},
		{name: "range", low: "1500", high: "2500", want: []string{je2000}},
		{name: "equal", low: "2000", high: "-", want: []string{je2000}},
		{name: "no match", low: "3000", high: "-", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := load(t, ext(t, []string{"U1 A 0"}, []string{"R U1 20240101 99991231"}, []string{
				"R S_TCODE A1 TCD FB01 - -",
				"R F_BKPF_BUK A2 BUKRS " + tt.low + " " + tt.high + " -",
				"R F_BKPF_BUK A2 ACTVT 01 - -",
			}, nil))
			var got []string
			for _, g := range grantsOf(d, rid("R")) {
				if g.Action == schema.ActionApprove {
					got = append(got, g.Resource)
				}
			}
			require.Equal(t, tt.want, got)
		})
	}
}

// The same-instance rule: fields of two instances never combine; a field
// without a row covers nothing; DELETED rows are skipped.
func TestRuleSameInstance(t *testing.T) {
	d := load(t, ext(t, []string{"U1 A 0"}, []string{"R U1 20240101 99991231"}, []string{
		"R S_TCODE A1 TCD FB01 - -",
		"R F_BKPF_BUK A2 BUKRS 1000 - -",
		"R F_BKPF_BUK A2 ACTVT 03 - -",
		"R F_BKPF_BUK A2 ACTVT 01 - X",
		"R F_BKPF_BUK A3 ACTVT 01 - -",
	}, nil))
	require.Empty(t, d.GrantList)
	// without the DELETED flag, A2 covers 1000/01
	d = load(t, ext(t, []string{"U1 A 0"}, []string{"R U1 20240101 99991231"}, []string{
		"R S_TCODE A1 TCD FB01 - -",
		"R F_BKPF_BUK A2 BUKRS 1000 - -",
		"R F_BKPF_BUK A2 ACTVT 01 - -",
	}, nil))
	require.NotNil(t, findGrant(d, rid("R"), schema.ActionApprove, je1000))
}

// $VARIABLES take the role's AGR_1252 values; without values they cover nothing.
func TestRuleOrgLevels(t *testing.T) {
	auths := []string{
		"D S_TCODE A1 TCD FB01 - -", "D F_BKPF_BUK A2 BUKRS $BUKRS - -", "D F_BKPF_BUK A2 ACTVT 01 - -",
		"T S_TCODE A1 TCD FB01 - -", "T F_BKPF_BUK A2 BUKRS $BUKRS - -", "T F_BKPF_BUK A2 ACTVT 01 - -",
	}
	d := load(t, ext(t, []string{"U1 A 0"}, nil, auths, map[string]string{
		"AGR_1252.txt": "AGR_NAME\tVARBL\tLOW\tHIGH\nD\t$BUKRS\t2000\t\n",
	}))
	require.NotNil(t, findGrant(d, rid("D"), schema.ActionApprove, je2000))
	require.Nil(t, findGrant(d, rid("D"), schema.ActionApprove, je1000))
	require.Empty(t, grantsOf(d, rid("T")))
}

// Composite roles: C MEMBER_OF each child; a child satisfying alone gets the
// grant, a composite only when its children combine.
func TestRuleComposite(t *testing.T) {
	d := load(t, ext(t, []string{"U1 A 0"}, []string{"C U1 20240101 99991231"}, []string{
		"TC S_TCODE A1 TCD FB01 - -",
		"BK F_BKPF_BUK A2 BUKRS 1000 - -", "BK F_BKPF_BUK A2 ACTVT 01 - -",
	}, map[string]string{"AGR_AGRS.txt": "AGR_NAME\tCHILD_AGR\nC\tTC\nC\tBK\n"}))
	require.Contains(t, d.MembershipList, graph.Membership{Member: rid("C"), Group: rid("TC"), Native: "AGR_AGRS AGR_NAME=C CHILD_AGR=TC"})
	require.Contains(t, d.MembershipList, graph.Membership{Member: rid("C"), Group: rid("BK"), Native: "AGR_AGRS AGR_NAME=C CHILD_AGR=BK"})
	g := findGrant(d, rid("C"), schema.ActionApprove, je1000)
	require.NotNil(t, g)
	require.Equal(t, "S_TCODE TCD=FB01 (TC/A1) + F_BKPF_BUK BUKRS=1000 ACTVT=01 (BK/A2)", g.Native)
	require.Nil(t, findGrant(d, uid("U1"), schema.ActionApprove, je1000), "the composite holds it; no user-level grant")
	require.Equal(t, map[string]string{"U1": "effective"}, whoT01(t, d, schema.ActionApprove, je1000))
}

// Profiles: UST04 membership, UST12 values linked by UST10S, composite
// profiles (UST10C) and SAP_ALL covering every check.
func TestRuleProfiles(t *testing.T) {
	d := load(t, ext(t, []string{"U1 A 0", "U2 A 0"}, nil, nil, map[string]string{
		"UST04.txt":  "BNAME\tPROFILE\nU1\tP\nU2\tSAP_ALL\n",
		"UST10C.txt": "PROFN\tSUBPROF\nP\tP1\n",
		"UST10S.txt": "PROFN\tOBJCT\tAUTH\nP1\tS_TCODE\tX1\nP1\tF_BKPF_BUK\tX2\n",
		"UST12.txt":  "OBJCT\tAUTH\tFIELD\tVON\tBIS\nS_TCODE\tX1\tTCD\tFB0*\t\nF_BKPF_BUK\tX2\tBUKRS\t1000\t\nF_BKPF_BUK\tX2\tACTVT\t01\t\n",
	}))
	require.Contains(t, d.MembershipList, graph.Membership{Member: uid("U1"), Group: pid("P"), Native: "UST04 BNAME=U1 PROFILE=P"})
	require.Contains(t, d.MembershipList, graph.Membership{Member: pid("P"), Group: pid("P1"), Native: "UST10C PROFN=P SUBPROF=P1"})
	g := findGrant(d, pid("P1"), schema.ActionApprove, je1000)
	require.NotNil(t, g)
	require.Equal(t, "S_TCODE TCD=FB01 (P1/X1) + F_BKPF_BUK BUKRS=1000 ACTVT=01 (P1/X2)", g.Native)
	require.Nil(t, findGrant(d, pid("P"), schema.ActionApprove, je1000), "the sub-profile satisfies alone")
	all := findGrant(d, pid("SAP_ALL"), schema.ActionApprove, je2000)
	require.NotNil(t, all)
	require.Contains(t, all.Native, "(SAP_ALL)")
	require.Equal(t, map[string]string{"U1": "effective", "U2": "effective"}, whoT01(t, d, schema.ActionApprove, je1000))
}

// Reference users: the referencing user gets every role and profile of the
// reference user, and the membership's native text names the USREFUS row and
// the reference user's own assignment; the evidence path shows it.
func TestRuleReferenceUser(t *testing.T) {
	d := load(t, ext(t, []string{"U1 A 0", "REF L 0"}, []string{"R REF 20240101 99991231"}, []string{
		"R S_TCODE A1 TCD FB01 - -", "R F_BKPF_BUK A2 BUKRS 1000 - -", "R F_BKPF_BUK A2 ACTVT 01 - -",
	}, map[string]string{"USREFUS.txt": "BNAME\tREFUSER\nU1\tREF\n"}))
	const viaRef = "USREFUS BNAME=U1 REFUSER=REF (AGR_USERS UNAME=REF AGR_NAME=R)"
	require.Contains(t, d.MembershipList, graph.Membership{Member: uid("U1"), Group: rid("R"), ValidFrom: day("2024-01-01"),
		Native: viaRef})
	require.Contains(t, d.MembershipList, graph.Membership{Member: uid("REF"), Group: rid("R"), ValidFrom: day("2024-01-01"),
		Native: "AGR_USERS UNAME=REF AGR_NAME=R"})
	require.Equal(t, map[string]string{"U1": "effective", "REF": "latent"}, whoT01(t, d, schema.ActionApprove, je1000))
	acc, err := engine(t, d, day("2026-11-30")).WhoCan(context.Background(), reach.WhoCanQuery{Action: schema.ActionApprove, Resource: je1000})
	require.NoError(t, err)
	for _, a := range acc {
		if a.Identity == uid("U1") {
			require.Equal(t, schema.EdgeMemberOf, a.Paths[0][0].Edge)
			require.Equal(t, viaRef, a.Paths[0][0].Native, "the evidence names the reference user")
		}
	}
}

// A role held directly and through a reference user: overlapping windows
// make one membership whose text names both assignments; a disjoint window
// is a record of its own, so each period counts.
func TestRuleDirectAndReferenceAssignment(t *testing.T) {
	auths := []string{"R S_TCODE A1 TCD FB01 - -", "R F_BKPF_BUK A2 BUKRS 1000 - -", "R F_BKPF_BUK A2 ACTVT 01 - -"}
	refs := map[string]string{"USREFUS.txt": "BNAME\tREFUSER\nU1\tREF\n"}
	t.Run("overlapping", func(t *testing.T) {
		d := load(t, ext(t, []string{"U1 A 0", "REF L 0"}, []string{"R U1 20260101 20261231", "R REF 20240101 99991231"}, auths, refs))
		var got []graph.Membership
		for _, m := range d.MembershipList {
			if m.Member == uid("U1") {
				got = append(got, m)
			}
		}
		require.Equal(t, []graph.Membership{{Member: uid("U1"), Group: rid("R"), ValidFrom: day("2024-01-01"),
			Native: "AGR_USERS UNAME=U1 AGR_NAME=R; USREFUS BNAME=U1 REFUSER=REF (AGR_USERS UNAME=REF AGR_NAME=R)"}}, got)
	})
	t.Run("disjoint", func(t *testing.T) {
		batch := append(slices.Clone(auths), "R S_BTCH_NAM A3 BTCUNAME REF - -")
		d := load(t, ext(t, []string{"U1 A 0", "REF L 0"}, []string{"R U1 20240101 20241231", "R REF 20260101 99991231"}, batch, refs))
		var runAs []graph.Delegation
		for _, dl := range d.DelegationList {
			if dl.From == uid("U1") {
				runAs = append(runAs, dl)
			}
		}
		require.Len(t, runAs, 2, "S_BTCH_NAM of the role held in two disjoint windows: a run-as delegation in each")
		require.Equal(t, day("2025-01-01"), runAs[0].ExpiresAt)
		require.Equal(t, day("2026-01-01"), runAs[1].ValidFrom)
		var got []graph.Membership
		for _, m := range d.MembershipList {
			if m.Member == uid("U1") {
				got = append(got, m)
			}
		}
		require.Equal(t, []graph.Membership{
			{Member: uid("U1"), Group: rid("R"), ValidFrom: day("2024-01-01"), ExpiresAt: day("2025-01-01"), Native: "AGR_USERS UNAME=U1 AGR_NAME=R"},
			{Member: uid("U1"), Group: rid("R"), ValidFrom: day("2026-01-01"),
				Native: "USREFUS BNAME=U1 REFUSER=REF (AGR_USERS UNAME=REF AGR_NAME=R)"},
		}, got)
		for _, c := range []struct {
			at   string
			want map[string]string
		}{
			{at: "2024-06-01", want: map[string]string{"U1": "effective"}},
			{at: "2025-06-01", want: map[string]string{}},
			{at: "2026-06-01", want: map[string]string{"U1": "effective", "REF": "latent"}},
		} {
			got := map[string]string{}
			for id, w := range whoRaw(t, engine(t, d, day(c.at)), schema.ActionApprove, je1000) {
				got[strings.TrimPrefix(id, "sap:T01:001:user:")] = w
			}
			require.Equal(t, c.want, got, "as of %s", c.at)
		}
	})
}

// USR02.GLTGV in the future: the password credential is valid from GLTGV
// (and until the end of GLTGB), so the user cannot log on before it: its
// access is latent until then.
func TestRuleUserValidFrom(t *testing.T) {
	auths := []string{"R S_TCODE A1 TCD FB01 - -", "R F_BKPF_BUK A2 BUKRS 1000 - -", "R F_BKPF_BUK A2 ACTVT 01 - -"}
	d := load(t, ext(t, nil, []string{"R NEW 20240101 99991231", "R NOW 20240101 99991231"}, auths, map[string]string{
		"USR02.txt": usrHeader + "NEW\tA\t0\t20261201\t20270630\nNOW\tA\t0\t20261130\t00000000\n",
	}))
	creds := map[string]graph.Credential{}
	for _, c := range d.CredentialList {
		creds[c.Identity] = c
	}
	require.Equal(t, day("2026-12-01"), creds[uid("NEW")].ValidFrom)
	require.Equal(t, day("2027-07-01"), creds[uid("NEW")].ExpiresAt, "the day after GLTGB")
	require.Equal(t, day("2026-11-30"), creds[uid("NOW")].ValidFrom)
	require.True(t, creds[uid("NOW")].ExpiresAt.IsZero())
	for _, c := range []struct {
		at   string
		want map[string]string
	}{
		{at: "2026-11-29", want: map[string]string{"NEW": "latent", "NOW": "latent"}},
		{at: "2026-11-30", want: map[string]string{"NEW": "latent", "NOW": "effective"}},
		{at: "2026-12-01", want: map[string]string{"NEW": "effective", "NOW": "effective"}},
		{at: "2027-07-01", want: map[string]string{"NEW": "latent", "NOW": "effective"}},
	} {
		got := map[string]string{}
		for id, w := range whoRaw(t, engine(t, d, day(c.at)), schema.ActionApprove, je1000) {
			got[strings.TrimPrefix(id, "sap:T01:001:user:")] = w
		}
		require.Equal(t, c.want, got, "as of %s", c.at)
	}
}

// Assignment windows: AGR_USERS FROM_DAT .. TO_DAT becomes the membership's
// valid_from .. expires_at (the day after TO_DAT); whocan --as-of answers
// inside the window only.
func TestRuleAssignmentWindow(t *testing.T) {
	auths := []string{"R S_TCODE A1 TCD FB01 - -", "R F_BKPF_BUK A2 BUKRS 1000 - -", "R F_BKPF_BUK A2 ACTVT 01 - -"}
	d := load(t, ext(t, []string{"OLD A 0", "NEW A 0", "NOW A 0"}, []string{
		"R OLD 20240101 20261129", "R NEW 20261201 99991231", "R NOW 20240101 20261130",
	}, auths, nil))
	require.Contains(t, d.MembershipList, graph.Membership{Member: uid("NOW"), Group: rid("R"), ValidFrom: day("2024-01-01"), ExpiresAt: day("2026-12-01"),
		Native: "AGR_USERS UNAME=NOW AGR_NAME=R"})
	require.Contains(t, d.MembershipList, graph.Membership{Member: uid("NEW"), Group: rid("R"), ValidFrom: day("2026-12-01"),
		Native: "AGR_USERS UNAME=NEW AGR_NAME=R"})
	tests := []struct {
		asOf string
		want map[string]string
	}{
		{asOf: "2026-11-29", want: map[string]string{"OLD": "effective", "NOW": "effective"}},
		{asOf: "2026-11-30", want: map[string]string{"NOW": "effective"}},
		{asOf: "2026-12-01", want: map[string]string{"NEW": "effective"}},
		{asOf: "2023-12-31", want: map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.asOf, func(t *testing.T) {
			got := map[string]string{}
			for id, w := range whoRaw(t, engine(t, d, day(tt.asOf)), schema.ActionApprove, je1000) {
				got[strings.TrimPrefix(id, "sap:T01:001:user:")] = w
			}
			require.Equal(t, tt.want, got)
		})
	}
}

// The sample at other instants: HEIDI's posting role (ended 2026-03-31)
// counted in February; CAROL's combination only from 2026-03-01.
func TestSampleAsOf(t *testing.T) {
	d := load(t, sample)
	e := engine(t, d, day("2026-02-15"))
	got := who(t, e, schema.ActionApprove, "sap:PRD:100:bukrs:1000:journal_entry")
	require.Equal(t, "effective", got["HEIDI"])
	require.NotContains(t, got, "CAROL")
	g := findGrant(d, "sap:PRD:100:user:CAROL", schema.ActionApprove, "sap:PRD:100:bukrs:1000:journal_entry")
	require.NotNil(t, g)
	require.Equal(t, day("2026-03-01"), g.ValidFrom.UTC())
	require.Equal(t, day("2027-01-01"), g.ExpiresAt.UTC())
	got = who(t, engine(t, d, day("2027-01-01")), schema.ActionApprove, "sap:PRD:100:bukrs:1000:journal_entry")
	require.NotContains(t, got, "CAROL")
}

// User types, locks and identity_types of sap.yaml; the password credential.
func TestRuleIdentities(t *testing.T) {
	dir := writeDir(t, map[string]string{
		"USR02.txt": "BNAME\tUSTYP\tUFLAG\tGLTGV\tGLTGB\tTRDAT\tLTIME\tPWDCHGDATE\tERDAT\n" +
			"DIA\tA\t0\t20240101\t20261231\t20261129\t134501\t20260101\t20230515\n" +
			"SYS\tB\t0\t\t\t\t\t\t\nCOM\tC\t0\t\t\t\t\t\t\nSVC\tS\t0\t\t\t\t\t\t\nREF\tL\t0\t\t\t\t\t\t\n" +
			"LCK\tA\t128\t\t\t\t\t\t\nBOT_1\tB\t0\t\t\t\t\t\t\n",
		"AGR_USERS.txt": agrHeader, "AGR_1251.txt": authHeader,
		"sap.yaml": yamlBase + "identity_types:\n  \"BOT_*\": bot\n",
	})
	d := load(t, dir)
	got := map[string]graph.Identity{}
	for _, i := range d.IdentityList {
		got[i.Name] = i
	}
	require.Equal(t, schema.IdentityHuman, got["DIA"].Type)
	for _, n := range []string{"SYS", "COM", "SVC", "REF"} {
		require.Equal(t, schema.IdentityServiceAccount, got[n].Type, n)
	}
	require.True(t, got["SVC"].Shared)
	require.Equal(t, schema.StatusDisabled, got["LCK"].Status)
	require.Equal(t, schema.IdentityBot, got["BOT_1"].Type)
	creds := map[string]graph.Credential{}
	for _, c := range d.CredentialList {
		creds[c.Identity] = c
	}
	require.NotContains(t, creds, uid("REF"), "a reference user cannot log on")
	c := creds[uid("DIA")]
	require.Equal(t, uid("DIA")+":password", c.ID)
	require.Equal(t, schema.CredPassword, c.Type)
	require.Equal(t, []string{"sap:T01:001"}, c.Systems)
	require.Equal(t, day("2027-01-01"), c.ExpiresAt.UTC())
	require.Equal(t, day("2026-01-01"), c.LastRotatedAt.UTC())
	require.Equal(t, day("2026-11-29").Add(13*time.Hour+45*time.Minute+time.Second), c.LastUsedAt.UTC())
	require.Equal(t, day("2023-05-15"), c.CreatedAt.UTC())
}

// S_BTCH_NAM: X CAN_ACT_AS each user its BTCUNAME covers (kind run_as).
func TestRuleBatchRunAs(t *testing.T) {
	d := load(t, ext(t, []string{"OPS A 0", "BATCH_A B 0", "BATCH_B B 0", "OTHER B 0"}, []string{"S OPS 20240101 99991231"}, []string{
		"S S_BTCH_NAM A1 BTCUNAME BATCH_* - -",
	}, nil))
	var got []string
	for _, x := range d.DelegationList {
		require.Equal(t, schema.DelegRunAs, x.Kind)
		require.Equal(t, "sap:T01:001", x.System)
		got = append(got, x.From+">"+x.To+" "+x.Native)
	}
	require.Equal(t, []string{
		uid("OPS") + ">" + uid("BATCH_A") + " S_BTCH_NAM BTCUNAME=BATCH_A (S/A1)",
		uid("OPS") + ">" + uid("BATCH_B") + " S_BTCH_NAM BTCUNAME=BATCH_B (S/A1)",
	}, got)
}

// RFC entries: S_RFC FUGR ACC9 or FUNC BAPI_ACC_DOCUMENT_POST with ACTVT 16.
func TestRuleRFCEntry(t *testing.T) {
	tests := []struct {
		name string
		rows []string
		want bool
	}{
		{name: "function group", rows: []string{"R S_RFC A1 RFC_TYPE FUGR - -", "R S_RFC A1 RFC_NAME ACC9 - -", "R S_RFC A1 ACTVT 16 - -"}, want: true},
		{name: "function module", rows: []string{"R S_RFC A1 RFC_TYPE FUNC - -", "R S_RFC A1 RFC_NAME BAPI_ACC* - -", "R S_RFC A1 ACTVT 16 - -"}, want: true},
		{name: "no activity", rows: []string{"R S_RFC A1 RFC_TYPE FUGR - -", "R S_RFC A1 RFC_NAME ACC9 - -"}, want: false},
		{name: "split over instances", rows: []string{"R S_RFC A1 RFC_TYPE FUGR - -", "R S_RFC A1 ACTVT 16 - -", "R S_RFC A3 RFC_NAME ACC9 - -"}, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := append(tt.rows, "R F_BKPF_BUK A2 BUKRS 1000 - -", "R F_BKPF_BUK A2 ACTVT 01 - -")
			d := load(t, ext(t, []string{"COM C 0"}, []string{"R COM 20240101 99991231"}, rows, nil))
			require.Equal(t, tt.want, findGrant(d, rid("R"), schema.ActionWrite, je1000) != nil)
		})
	}
}

// Combination: a user satisfying a function only across roles gets a
// user-level grant naming each role and instance, windowed by the
// intersection of the assignments; disjoint windows give nothing.
func TestRuleUserCombination(t *testing.T) {
	auths := []string{"TC S_TCODE T-1 TCD FB50 - -", "BK F_BKPF_BUK T-2 BUKRS 1000 - -", "BK F_BKPF_BUK T-2 ACTVT 01 - -"}
	d := load(t, ext(t, []string{"U1 A 0", "U2 A 0"}, []string{
		"TC U1 20260101 20261231", "BK U1 20260301 20270228",
		"TC U2 20240101 20250101", "BK U2 20260101 99991231",
	}, auths, nil))
	require.Empty(t, grantsOf(d, rid("TC")))
	require.Empty(t, grantsOf(d, rid("BK")))
	g := findGrant(d, uid("U1"), schema.ActionWrite, je1000)
	require.NotNil(t, g)
	require.Equal(t, "S_TCODE TCD=FB50 (TC/T-1) + F_BKPF_BUK BUKRS=1000 ACTVT=01 (BK/T-2)", g.Native)
	require.Equal(t, day("2027-01-01"), g.ExpiresAt.UTC())
	require.Equal(t, day("2026-03-01"), g.ValidFrom.UTC())
	require.Empty(t, grantsOf(d, uid("U2")), "windows that never overlap combine to nothing")
}

// Ids of §1 and the company-code resources below the system.
func TestRuleIDs(t *testing.T) {
	d := load(t, ext(t, []string{"U1 A 0"}, nil, nil, nil))
	require.Equal(t, "sap:T01:001", d.SystemList[0].ID)
	res := map[string]graph.Resource{}
	for _, r := range d.ResourceList {
		res[r.ID] = r
	}
	require.Equal(t, "company_code", res["sap:T01:001:bukrs:1000"].Kind)
	require.Equal(t, "sap:T01:001:bukrs:1000", res[je1000].Parent)
	require.Equal(t, "journal_entry", res[je1000].Kind)
	require.Contains(t, res, "sap:T01:001:bukrs:2000:vendor_master")
	require.Contains(t, res, "sap:T01:001:bukrs:2000:payment_run")
	require.Contains(t, res, "sap:T01:001:identity_store")
}

// sap.yaml functions extend or replace the built-in map.
func TestRuleConfigFunctions(t *testing.T) {
	cfg := yamlBase + `functions:
  - id: je_export_dis
    title: Download journal entries (table group FA)
    kind: journal_entry
    action: export
    entries: [{tcode: SE16N}]
    checks: [{object: S_TABU_DIS, fields: {DICBERCLS: FA, ACTVT: "03"}}]
  - id: je_approve
    kind: journal_entry
    action: approve
    entries: [{tcode: ZFBV0}]
    checks: [{object: F_BKPF_BUK, company_code: BUKRS, fields: {ACTVT: "01"}}]
`
	d := load(t, ext(t, []string{"U1 A 0"}, []string{"R U1 20240101 99991231"}, []string{
		"R S_TCODE A1 TCD SE16N - -", "R S_TCODE A1 TCD FBV0 - -", "R S_TCODE A1 TCD ZFBV0 - -",
		"R S_TABU_DIS A3 DICBERCLS FA - -", "R S_TABU_DIS A3 ACTVT 03 - -",
		"R F_BKPF_BUK A2 BUKRS 1000 - -", "R F_BKPF_BUK A2 ACTVT 01 - -",
	}, map[string]string{"sap.yaml": cfg}))
	require.NotNil(t, findGrant(d, rid("R"), schema.ActionExport, je2000))
	g := findGrant(d, rid("R"), schema.ActionApprove, je1000)
	require.NotNil(t, g)
	require.True(t, strings.HasPrefix(g.Native, "S_TCODE TCD=ZFBV0"), g.Native)
}

// Linking: the e-mail of USR21/ADR6 is kept as identity tag email.
func TestRuleEmailTag(t *testing.T) {
	d := load(t, sample)
	for _, i := range d.IdentityList {
		if i.Name == "ALICE" {
			require.Equal(t, "alice.ng@example.com", i.Tags["email"])
			return
		}
	}
	t.Fatal("ALICE not found")
}

func whoT01(t *testing.T, d *graph.Dataset, a schema.Action, res string) map[string]string {
	t.Helper()
	e := engine(t, d, asOf)
	got := map[string]string{}
	for id, w := range whoRaw(t, e, a, res) {
		got[strings.TrimPrefix(id, "sap:T01:001:user:")] = w
	}
	return got
}

// Posting periods (OB52): S_TCODE OB52 and S_TABU_NAM TABLE=V_T001B ACTVT=02
// in one instance give write on the system's posting_period resource (T001B
// has no company code); display-only table access or the transaction alone
// give nothing.
func TestRulePostingPeriods(t *testing.T) {
	d := load(t, ext(t, []string{"U1 A 0", "U2 A 0", "U3 A 0"}, []string{
		"PC U1 20240101 99991231", "PD U2 20240101 99991231", "PT U3 20240101 99991231",
	}, []string{
		"PC S_TCODE A1 TCD OB52 - -", "PC S_TABU_NAM A2 TABLE V_T001B - -", "PC S_TABU_NAM A2 ACTVT 02 - -",
		"PD S_TCODE A1 TCD OB52 - -", "PD S_TABU_NAM A2 TABLE V_T001B - -", "PD S_TABU_NAM A2 ACTVT 03 - -",
		"PT S_TCODE A1 TCD OB52 - -",
	}, nil))
	const periods = "sap:T01:001:posting_period"
	g := findGrant(d, rid("PC"), schema.ActionWrite, periods)
	require.NotNil(t, g)
	require.Equal(t, "S_TCODE TCD=OB52 (PC/A1) + S_TABU_NAM TABLE=V_T001B ACTVT=02 (PC/A2)", g.Native)
	require.Empty(t, grantsOf(d, rid("PD")))
	require.Empty(t, grantsOf(d, rid("PT")))
	require.Equal(t, map[string]string{"U1": "effective"}, whoT01(t, d, schema.ActionWrite, periods))
}
