package sap

import (
	"fmt"
	"strings"
	"time"
)

// tableSpec names a table's columns the reader uses; required ones must be in
// the header, optional ones are read when present, others are ignored.
type tableSpec struct {
	name     string
	required []string
	optional []string
	needed   bool // the extract is incomplete without this table
}

// Tables the reader knows, by name (the file name without extension, upper-cased).
var tableSpecs = map[string]tableSpec{
	"USR02":     {name: "USR02", required: []string{"BNAME", "USTYP", "UFLAG", "GLTGV", "GLTGB"}, optional: []string{"TRDAT", "LTIME", "PWDCHGDATE", "ERDAT", "CLASS", "MANDT"}, needed: true},
	"AGR_USERS": {name: "AGR_USERS", required: []string{"AGR_NAME", "UNAME", "FROM_DAT", "TO_DAT"}, needed: true},
	"AGR_1251":  {name: "AGR_1251", required: []string{"AGR_NAME", "OBJECT", "AUTH", "FIELD", "LOW", "HIGH"}, optional: []string{"DELETED"}, needed: true},
	"AGR_1252":  {name: "AGR_1252", required: []string{"AGR_NAME", "VARBL", "LOW", "HIGH"}},
	"AGR_AGRS":  {name: "AGR_AGRS", required: []string{"AGR_NAME", "CHILD_AGR"}},
	"UST04":     {name: "UST04", required: []string{"BNAME", "PROFILE"}},
	"UST12":     {name: "UST12", required: []string{"OBJCT", "AUTH", "FIELD", "VON", "BIS"}, optional: []string{"PROFN", "AKTPS"}},
	"UST10S":    {name: "UST10S", required: []string{"PROFN", "OBJCT", "AUTH"}, optional: []string{"AKTPS"}},
	"UST10C":    {name: "UST10C", required: []string{"PROFN", "SUBPROF"}, optional: []string{"AKTPS"}},
	"USREFUS":   {name: "USREFUS", required: []string{"BNAME", "REFUSER"}},
	"USR21":     {name: "USR21", required: []string{"BNAME", "PERSNUMBER"}},
	"ADR6":      {name: "ADR6", required: []string{"PERSNUMBER", "SMTP_ADDR"}},
}

// columns returns the header index of every column of spec (required first,
// then optional; -1 for an absent optional one) and the required ones missing.
func (s tableSpec) columns(header []string) (idx []int, missing []string) {
	pos := make(map[string]int, len(header))
	for i, h := range header {
		if _, dup := pos[h]; !dup {
			pos[h] = i
		}
	}
	for _, c := range s.required {
		i, ok := pos[c]
		if !ok {
			missing = append(missing, c)
			i = -1
		}
		idx = append(idx, i)
	}
	for _, c := range s.optional {
		i, ok := pos[c]
		if !ok {
			i = -1
		}
		idx = append(idx, i)
	}
	return idx, missing
}

// Date is a calendar day of an extract (SAP dates carry no time zone; they
// are read as UTC midnight).
type Date = time.Time

// parseDate reads a date cell: YYYYMMDD (also YYYY-MM-DD or DD.MM.YYYY as
// SE16N writes with user formats); "", "00000000" and "0" are unset. end
// tells an end date, where 99991231 means no end (unset too).
func parseDate(s string, end bool) (time.Time, error) {
	switch s {
	case "", "00000000", "0", "0000-00-00", "00.00.0000":
		return time.Time{}, nil
	}
	var t time.Time
	var err error
	switch {
	case len(s) == 8 && isDigits(s):
		t, err = time.Parse("20060102", s)
	case len(s) == 10 && s[4] == '-':
		t, err = time.Parse("2006-01-02", s)
	case len(s) == 10 && s[2] == '.':
		t, err = time.Parse("02.01.2006", s)
	default:
		return time.Time{}, fmt.Errorf("invalid date %q (want YYYYMMDD)", s)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid date %q (want YYYYMMDD)", s)
	}
	if end && t.Year() == 9999 && t.Month() == 12 && t.Day() == 31 {
		return time.Time{}, nil
	}
	return t, nil
}

// parseClock reads a time cell HHMMSS or HH:MM:SS as a duration since midnight.
func parseClock(s string) (time.Duration, error) {
	c := strings.ReplaceAll(s, ":", "")
	if c == "" {
		return 0, nil
	}
	if len(c) != 6 || !isDigits(c) {
		return 0, fmt.Errorf("invalid time %q (want HHMMSS)", s)
	}
	h, m, sec := atoi2(c[0:2]), atoi2(c[2:4]), atoi2(c[4:6])
	if h > 23 || m > 59 || sec > 59 {
		return 0, fmt.Errorf("invalid time %q (want HHMMSS)", s)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second, nil
}

func atoi2(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
