package awsiam

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/schema/iam"
)

// credentialReportHeader is how an IAM credential report starts.
const credentialReportHeader = "user,arn,user_creation_time"

// IsCredentialReport reports whether data starts like an IAM credential report.
func IsCredentialReport(data []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(data, "\ufeff \t\r\n"), []byte(credentialReportHeader))
}

// ReportRow is one row of a credential report: only the columns reachgraph
// uses (the report holds no secret values; nothing else is kept).
type ReportRow struct {
	User, ARN      string
	Created        time.Time
	PasswordOn     bool // password_enabled true, or the root account ("not_supported")
	PasswordUsed   time.Time
	PasswordChange time.Time
	MFA            bool
	Keys           [2]ReportSlot
	Certs          [2]ReportSlot
	Line           int
}

// ReportSlot is one access-key or certificate slot of a row.
type ReportSlot struct {
	Present     bool // active, or inactive with a rotation date (a key that exists)
	Active      bool
	LastRotated time.Time
	LastUsed    time.Time
}

// IsRoot reports whether the row is the account root user.
func (r *ReportRow) IsRoot() bool { return r.User == "<root_account>" }

// Report is a parsed credential report.
type Report struct {
	Rows []ReportRow
}

// AccountID is the account of the report's ARNs (the first one found).
func (r *Report) AccountID() string {
	for _, row := range r.Rows {
		if a := iam.ARNAccount(row.ARN); isAccountID(a) {
			return a
		}
	}
	return ""
}

// ParseReport parses a credential report CSV. Row problems (bad times, a
// wrong column count) are returned with their line and the row is skipped.
func ParseReport(data []byte) (*Report, []Problem, error) {
	cr := csv.NewReader(bytes.NewReader(bytes.TrimLeft(data, "\ufeff")))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("credential report header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	for _, need := range []string{"user", "arn"} {
		if _, ok := col[need]; !ok {
			return nil, nil, fmt.Errorf("credential report header lacks column %q", need)
		}
	}
	rep := &Report{}
	var problems []Problem
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				problems = append(problems, Problem{Line: pe.Line, Msg: "invalid CSV: " + pe.Err.Error()})
				return rep, problems, nil
			}
			return nil, nil, err
		}
		line, _ := cr.FieldPos(0) // only valid after a successful Read
		if len(rec) != len(header) {
			problems = append(problems, Problem{Line: line, Msg: fmt.Sprintf("row has %d columns, the header %d", len(rec), len(header))})
			continue
		}
		get := func(name string) string {
			if i, ok := col[name]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		var bad []string
		tm := func(name string) time.Time {
			t, ok := reportTime(get(name))
			if !ok {
				bad = append(bad, name)
			}
			return t
		}
		row := ReportRow{User: get("user"), ARN: get("arn"), Line: line}
		row.Created = tm("user_creation_time")
		pw := strings.ToLower(get("password_enabled"))
		row.PasswordOn = pw == "true" || row.IsRoot() && pw == "not_supported"
		row.PasswordUsed = tm("password_last_used")
		row.PasswordChange = tm("password_last_changed")
		row.MFA = strings.EqualFold(get("mfa_active"), "true")
		for i := range 2 {
			n := fmt.Sprint(i + 1)
			k := &row.Keys[i]
			k.Active = strings.EqualFold(get("access_key_"+n+"_active"), "true")
			k.LastRotated = tm("access_key_" + n + "_last_rotated")
			k.LastUsed = tm("access_key_" + n + "_last_used_date")
			k.Present = k.Active || !k.LastRotated.IsZero()
			c := &row.Certs[i]
			c.Active = strings.EqualFold(get("cert_"+n+"_active"), "true")
			c.LastRotated = tm("cert_" + n + "_last_rotated")
			c.Present = c.Active || !c.LastRotated.IsZero()
		}
		if row.User == "" || row.ARN == "" {
			problems = append(problems, Problem{Line: line, Msg: "row has no user or arn"})
			continue
		}
		if len(bad) > 0 {
			problems = append(problems, Problem{Line: line, Msg: "invalid time in " + strings.Join(bad, ", ")})
			continue
		}
		rep.Rows = append(rep.Rows, row)
	}
	return rep, problems, nil
}

// reportTime parses a credential-report time; the placeholders N/A,
// no_information, not_supported and "" are the zero time.
func reportTime(s string) (time.Time, bool) {
	switch strings.ToLower(s) {
	case "", "n/a", "no_information", "not_supported":
		return time.Time{}, true
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04:05-07:00", "2006-01-02T15:04:05Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
