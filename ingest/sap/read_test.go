package sap_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/ingest"
)

// Malformed extracts: every problem names the file, the line, the table and
// the column; nothing is stored.
func TestMalformedExtracts(t *testing.T) {
	tests := []struct {
		name    string
		replace map[string]string
		want    []string // substrings of the problem list
	}{
		{
			name:    "missing required column",
			replace: map[string]string{"AGR_USERS.csv": "MANDT,AGR_NAME,UNAME,FROM_DAT\n100,R,BOB,20240101\n"},
			want:    []string{"AGR_USERS.csv:1", "table AGR_USERS: missing required column TO_DAT"},
		},
		{
			name:    "bad date",
			replace: map[string]string{"AGR_USERS.csv": "AGR_NAME,UNAME,FROM_DAT,TO_DAT\nR,BOB,20240101,99991231\nR,BOB,2024-13-45,99991231\n"},
			want:    []string{"AGR_USERS.csv:3", "table AGR_USERS column FROM_DAT: invalid date \"2024-13-45\""},
		},
		{
			name:    "bad user type",
			replace: map[string]string{"USR02.txt": usrHeader + "BOB\tX\t0\t\t\n"},
			want:    []string{"USR02.txt:2", "table USR02 column USTYP: unknown user type \"X\""},
		},
		{
			name:    "short row",
			replace: map[string]string{"AGR_1251.txt": "|AGR_NAME|OBJECT|AUTH|FIELD|LOW|HIGH|\n|R|S_TCODE|A|TCD|\n"},
			want:    []string{"AGR_1251.txt:2", "table AGR_1251: 4 cells, the header has 6 columns"},
		},
		{
			name:    "unterminated quote",
			replace: map[string]string{"AGR_USERS.csv": "AGR_NAME,UNAME,FROM_DAT,TO_DAT\n\"R,BOB,20240101,99991231\n"},
			want:    []string{"AGR_USERS.csv:2", "unterminated quoted cell"},
		},
		{
			name:    "unknown sap.yaml key",
			replace: map[string]string{"sap.yaml": "sid: PRD\nclinet: \"100\"\n"},
			want:    []string{"sap.yaml:2", "clinet"},
		},
		{
			name:    "bad identity type",
			replace: map[string]string{"sap.yaml": "sid: PRD\nidentity_types:\n  \"X*\": robot\n"},
			want:    []string{"sap.yaml:3", "type \"robot\""},
		},
		{
			name:    "empty table",
			replace: map[string]string{"UST04.txt": ""},
			want:    []string{"UST04.txt", "table UST04: empty file"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := loadDir(t, copySample(t, tt.replace))
			require.Error(t, err)
			require.True(t, errors.Is(err, ingest.ErrInvalid), err)
			for _, w := range tt.want {
				require.Contains(t, err.Error(), w)
			}
			require.Zero(t, st.Calls, "nothing stored")
		})
	}
}

func TestMissingTable(t *testing.T) {
	dir := writeDir(t, map[string]string{"USR02.txt": usrHeader + "BOB\tA\t0\t\t\n"})
	_, err := loadDir(t, dir)
	require.ErrorContains(t, err, "missing table AGR_1251")
	require.ErrorContains(t, err, "missing table AGR_USERS")
}

// The same table in every layout and encoding gives the same snapshot.
func TestLayoutsAgree(t *testing.T) {
	rows := [][]string{{"AGR_NAME", "UNAME", "FROM_DAT", "TO_DAT"}, {"Z_FI_JE_POST_ALL", "CAROL", "20240101", "99991231"}}
	join := func(sep string) string {
		var b strings.Builder
		for _, r := range rows {
			b.WriteString(strings.Join(r, sep) + "\r\n")
		}
		return b.String()
	}
	framed := "Table: AGR_USERS\n\n-----------------\n|" + strings.Join(rows[0], " | ") + "|\n-----------------\n|" + strings.Join(rows[1], " | ") + "|\n-----------------\n"
	u16 := func(s string) string {
		out := []byte{0xff, 0xfe}
		for _, r := range utf16.Encode([]rune(s)) {
			out = append(out, byte(r), byte(r>>8))
		}
		return string(out)
	}
	var want int
	for i, files := range []map[string]string{
		{"AGR_USERS.csv": join(",")},
		{"AGR_USERS.csv": "", "AGR_USERS.txt": join("\t")},
		{"AGR_USERS.csv": "", "agr_users.TSV": join("\t")},
		{"AGR_USERS.csv": "", "AGR_USERS.txt": framed},
		{"AGR_USERS.csv": "", "AGR_USERS.txt": u16(join("\t"))},
		{"AGR_USERS.csv": "", "AGR_USERS.txt": "\ufeff" + join("\t")},
	} {
		dir := copySample(t, files)
		if files["AGR_USERS.csv"] == "" {
			removeFile(t, dir, "AGR_USERS.csv")
		}
		d := load(t, dir)
		e := engine(t, d, asOf)
		got := who(t, e, "approve", "sap:PRD:100:bukrs:2000:journal_entry")
		require.Equal(t, "effective", got["CAROL"], "layout %d", i)
		if i == 0 {
			want = len(d.GrantList)
		}
		require.Equal(t, want, len(d.GrantList), "layout %d", i)
	}
}
