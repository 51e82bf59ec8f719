package sap

import (
	"fmt"
	"strings"
	"time"
)

// Extract is what the reader keeps of a directory of table extracts: every
// row of the user, assignment and profile tables, and of AGR_1251 / UST12
// only the rows that can matter to the function map (Interest). Field values
// are trimmed; dates are parsed (zero = unset or 99991231 for an end).
type Extract struct {
	Users         []User
	Assignments   []Assignment
	RoleValues    []AuthValue // AGR_1251, DELETED rows left out
	OrgValues     []OrgValue
	Children      []ChildRole
	UserProfiles  []UserProfile
	ProfileValues []AuthValue // UST12: Holder is PROFN when the table has it, else ""
	ProfileAuths  []ProfileAuth
	SubProfiles   []SubProfile
	RefUsers      []RefUser
	Persons       map[string]string // USR21: BNAME → PERSNUMBER
	Emails        map[string]string // ADR6: PERSNUMBER → SMTP_ADDR (the first one)
	Client        string            // USR02.MANDT of the first user, "" when absent
	Tables        map[string]string // table name → file it was read from
	Dropped       int               // AGR_1251/UST12 rows no function can use
}

// User is one USR02 row.
type User struct {
	Name            string
	Type            string // USTYP: A, B, C, S or L
	Class           string // user group
	Locked          bool   // UFLAG ≠ 0
	ValidFrom       time.Time
	ValidTo         time.Time // GLTGB, the last valid day; zero = no end
	LastLogon       time.Time // TRDAT + LTIME
	PasswordChanged time.Time
	Created         time.Time
}

// Assignment is one AGR_USERS row: user → role from From to To (inclusive days).
type Assignment struct {
	Role, User string
	From, To   time.Time
}

// AuthValue is one field value of an authorization: an AGR_1251 row (Holder
// the role) or a UST12 row (Holder the profile, "" when unknown).
type AuthValue struct {
	Holder, Object, Auth, Field, Low, High string
}

// OrgValue is one AGR_1252 row: the value of an org-level variable of a role.
type OrgValue struct{ Role, Var, Low, High string }

// ChildRole is one AGR_AGRS row: a composite role and one single role in it.
type ChildRole struct{ Composite, Child string }

// UserProfile is one UST04 row.
type UserProfile struct{ User, Profile string }

// ProfileAuth is one UST10S row: an authorization in a profile.
type ProfileAuth struct{ Profile, Object, Auth string }

// SubProfile is one UST10C row.
type SubProfile struct{ Composite, Sub string }

// RefUser is one USREFUS row.
type RefUser struct{ User, Ref string }

// rowSink converts the rows of one table into an Extract, reporting cell
// problems through bad(line, column, message).
type rowSink struct {
	x        *Extract
	interest *interest
	intern   map[string]string
	bad      func(line int, column, msg string)
}

func newExtract() *Extract {
	return &Extract{Persons: map[string]string{}, Emails: map[string]string{}, Tables: map[string]string{}}
}

func (s *rowSink) in(v string) string {
	if w, ok := s.intern[v]; ok {
		return w
	}
	v = strings.Clone(v)
	s.intern[v] = v
	return v
}

// add converts one row; get(i) is the cell of the spec's i-th column
// (required then optional; "" when absent).
func (s *rowSink) add(table string, line int, get func(int) string) {
	x := s.x
	switch table {
	case "USR02":
		s.user(line, get)
	case "AGR_USERS":
		from := s.date(line, "FROM_DAT", get(2), false)
		to := s.date(line, "TO_DAT", get(3), true)
		x.Assignments = append(x.Assignments, Assignment{Role: s.in(get(0)), User: s.in(get(1)), From: from, To: to})
	case "AGR_1251":
		if strings.EqualFold(get(6), "X") {
			return
		}
		v := AuthValue{Holder: get(0), Object: get(1), Auth: get(2), Field: get(3), Low: get(4), High: get(5)}
		s.keep(&x.RoleValues, v)
	case "AGR_1252":
		x.OrgValues = append(x.OrgValues, OrgValue{Role: s.in(get(0)), Var: s.in(get(1)), Low: strings.Clone(get(2)), High: strings.Clone(get(3))})
	case "AGR_AGRS":
		x.Children = append(x.Children, ChildRole{Composite: s.in(get(0)), Child: s.in(get(1))})
	case "UST04":
		x.UserProfiles = append(x.UserProfiles, UserProfile{User: s.in(get(0)), Profile: s.in(get(1))})
	case "UST12":
		if a := get(6); a != "" && a != "A" {
			return
		}
		s.keep(&x.ProfileValues, AuthValue{Holder: get(5), Object: get(0), Auth: get(1), Field: get(2), Low: get(3), High: get(4)})
	case "UST10S":
		if a := get(3); a != "" && a != "A" {
			return
		}
		x.ProfileAuths = append(x.ProfileAuths, ProfileAuth{Profile: s.in(get(0)), Object: s.in(get(1)), Auth: s.in(get(2))})
	case "UST10C":
		if a := get(2); a != "" && a != "A" {
			return
		}
		x.SubProfiles = append(x.SubProfiles, SubProfile{Composite: s.in(get(0)), Sub: s.in(get(1))})
	case "USREFUS":
		if get(1) != "" {
			x.RefUsers = append(x.RefUsers, RefUser{User: s.in(get(0)), Ref: s.in(get(1))})
		}
	case "USR21":
		x.Persons[strings.Clone(get(0))] = strings.Clone(get(1))
	case "ADR6":
		if _, dup := x.Emails[get(0)]; !dup && get(1) != "" {
			x.Emails[strings.Clone(get(0))] = strings.Clone(get(1))
		}
	}
}

// keep stores v when some function can use it (interest), interned.
func (s *rowSink) keep(dst *[]AuthValue, v AuthValue) {
	if !s.interest.wants(v.Object, v.Field, v.Low, v.High) {
		s.x.Dropped++
		return
	}
	*dst = append(*dst, AuthValue{Holder: s.in(v.Holder), Object: s.in(v.Object), Auth: s.in(v.Auth), Field: s.in(v.Field), Low: s.in(v.Low), High: s.in(v.High)})
}

func (s *rowSink) user(line int, get func(int) string) {
	u := User{Name: strings.Clone(get(0)), Type: strings.ToUpper(get(1)), Class: s.in(get(9))}
	switch u.Type {
	case "A", "B", "C", "S", "L":
	default:
		s.bad(line, "USTYP", fmt.Sprintf("unknown user type %q (want A, B, C, S or L)", get(1)))
	}
	flag := get(2)
	if flag != "" && !isDigits(flag) {
		s.bad(line, "UFLAG", fmt.Sprintf("invalid lock flag %q (want a number)", flag))
	}
	u.Locked = strings.Trim(flag, "0") != ""
	u.ValidFrom = s.date(line, "GLTGV", get(3), false)
	u.ValidTo = s.date(line, "GLTGB", get(4), true)
	if d := s.date(line, "TRDAT", get(5), false); !d.IsZero() {
		clock, err := parseClock(get(6))
		if err != nil {
			s.bad(line, "LTIME", err.Error())
		}
		u.LastLogon = d.Add(clock)
	}
	u.PasswordChanged = s.date(line, "PWDCHGDATE", get(7), false)
	u.Created = s.date(line, "ERDAT", get(8), false)
	if s.x.Client == "" {
		s.x.Client = strings.Clone(get(10))
	}
	s.x.Users = append(s.x.Users, u)
}

func (s *rowSink) date(line int, column, v string, end bool) time.Time {
	t, err := parseDate(v, end)
	if err != nil {
		s.bad(line, column, err.Error())
	}
	return t
}
