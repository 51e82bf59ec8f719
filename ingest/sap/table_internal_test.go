package sap

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestValueCovers(t *testing.T) {
	tests := []struct {
		name      string
		low, high string
		v         string
		want      bool
	}{
		{name: "star", low: "*", v: "1000", want: true},
		{name: "prefix", low: "10*", v: "1000", want: true},
		{name: "prefix miss", low: "10*", v: "2000", want: false},
		{name: "range in", low: "1000", high: "1999", v: "1500", want: true},
		{name: "range bound", low: "1000", high: "1999", v: "1999", want: true},
		{name: "range out", low: "1000", high: "1999", v: "2000", want: false},
		{name: "equal", low: "FB01", v: "FB01", want: true},
		{name: "not equal", low: "FB01", v: "FB02", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, valueRange{low: tt.low, high: tt.high}.covers(tt.v))
		})
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{"20261130": "2026-11-30", "2026-11-30": "2026-11-30", "30.11.2026": "2026-11-30", "00000000": "", "": ""} {
		d, err := parseDate(in, false)
		require.NoError(t, err, in)
		if want == "" {
			require.True(t, d.IsZero(), in)
		} else {
			require.Equal(t, want, d.Format("2006-01-02"), in)
		}
	}
	d, err := parseDate("99991231", true)
	require.NoError(t, err)
	require.True(t, d.IsZero(), "99991231 ends nothing")
	_, err = parseDate("2026113", false)
	require.Error(t, err)
}

// readAll reads a table file into header + rows, collecting row errors.
func readAll(data string, comma bool) (header []string, rows [][]string, bad []int) {
	tf := newTableFile(strings.NewReader(data), comma)
	if _, err := tf.readHeader(); err != nil {
		return nil, nil, nil
	}
	for {
		cells, line, err := tf.next()
		if errors.Is(err, io.EOF) {
			break
		}
		var re *rowError
		if errors.As(err, &re) {
			bad = append(bad, line)
			continue
		}
		if err != nil {
			break
		}
		rows = append(rows, append([]string(nil), cells...))
	}
	return tf.header, rows, bad
}

func TestTableLayouts(t *testing.T) {
	h, rows, bad := readAll("a,\"b \"\"x\"\"\", c\n1,\"2,3\",4\n", true)
	require.Equal(t, []string{"A", "B \"X\"", "C"}, h)
	require.Equal(t, [][]string{{"1", "2,3", "4"}}, rows)
	require.Empty(t, bad)
	h, rows, _ = readAll("Title\n\n+----+----+\n| A | B |\n|----|----|\n| 1 |  |\n", false)
	require.Equal(t, []string{"A", "B"}, h)
	require.Equal(t, [][]string{{"1", ""}}, rows)
	long := strings.Repeat("x", 300<<10)
	_, rows, _ = readAll("A\tB\n"+long+"\ty\n", false)
	require.Equal(t, long, rows[0][0], "lines longer than the buffer")
}

// FuzzTableFile: the reader never panics, and every row it returns comes
// with a line number within the input.
func FuzzTableFile(f *testing.F) {
	f.Add("BNAME\tUSTYP\nBOB\tA\n", false)
	f.Add("A,B\n\"x\"\"y\",2\n\"open,3\n", true)
	f.Add("Table: X\n----\n|A|B|\n|1|2|\n----\n", false)
	f.Add("\xff\xfeA\x00\t\x00B\x00\n\x001\x00\t\x002\x00\n\x00", false)
	f.Add("\xef\xbb\xbfA\tB\r\n1\t2\r\n", false)
	f.Fuzz(func(t *testing.T, data string, comma bool) {
		tf := newTableFile(strings.NewReader(data), comma)
		if _, err := tf.readHeader(); err != nil {
			return
		}
		lines := strings.Count(data, "\n") + 1
		for i := 0; i < 1<<16; i++ {
			_, line, err := tf.next()
			if errors.Is(err, io.EOF) {
				return
			}
			var re *rowError
			if err != nil && !errors.As(err, &re) {
				return
			}
			if line < 1 || (line > lines && !strings.HasPrefix(data, "\xff\xfe") && !strings.HasPrefix(data, "\xfe\xff")) {
				t.Fatalf("line %d outside the input (%d lines)", line, lines)
			}
		}
	})
}

func TestPipeDelimitedWithoutFrame(t *testing.T) {
	h, rows, _ := readAll("AGR_NAME|UNAME|FROM_DAT|TO_DAT\nR1|BOB|20240101|99991231\n", false)
	require.Equal(t, []string{"AGR_NAME", "UNAME", "FROM_DAT", "TO_DAT"}, h)
	require.Equal(t, [][]string{{"R1", "BOB", "20240101", "99991231"}}, rows)
}

// FuzzConfig: sap.yaml never panics the parser; a config it accepts has
// normalized functions (every check names an object).
func FuzzConfig(f *testing.F) {
	f.Add("sid: PRD\nclient: \"100\"\n")
	f.Add("identity_types:\n  \"RFC_*\": application\n  - x\n")
	f.Add("functions:\n  - {id: x, kind: journal_entry, action: export, entries: [{tcode: SE16N}], checks: [{object: S_GUI, fields: {ACTVT: \"61\"}}]}\n")
	f.Add("collected_at: 2026-13-01\ncompany_codes: [\"*\"]\n")
	f.Fuzz(func(t *testing.T, data string) {
		cfg, probs, err := ParseConfig(strings.NewReader(data))
		require.NoError(t, err)
		if cfg == nil {
			require.NotEmpty(t, probs)
			return
		}
		for _, fn := range cfg.Functions {
			for _, c := range append(append([]Check{}, fn.Entries...), fn.Checks...) {
				require.NotEmpty(t, c.Object)
			}
		}
	})
}
