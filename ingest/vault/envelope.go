package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// maxFileBytes caps one input file: a policy, role or metadata read is a
// few KiB; a larger file is not what `vault read` prints.
const maxFileBytes = 8 << 20

// EnvelopeProblem is a problem in a JSON envelope at Line (1-based, 0 when
// unknown) and JSON pointer Pointer ("" for the whole document).
type EnvelopeProblem struct {
	Line    int
	Pointer string
	Msg     string
}

// decodeEnvelope decodes `{"data": …}` as `vault read -format=json` prints
// it into data. Unknown fields are ignored; a missing "data" is a problem.
func decodeEnvelope(src []byte, data any) *EnvelopeProblem {
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if p := decodeJSON(src, &env, ""); p != nil {
		return p
	}
	if len(env.Data) == 0 || string(env.Data) == "null" {
		return &EnvelopeProblem{Pointer: "/data", Msg: `missing "data": expected what vault read -format=json prints ({"request_id": …, "data": {…}})`}
	}
	start := bytes.Index(src, env.Data)
	if p := decodeJSON(env.Data, data, "/data"); p != nil {
		if p.Line > 0 && start >= 0 {
			p.Line += bytes.Count(src[:start], []byte("\n"))
		}
		return p
	}
	return nil
}

// decodeJSON unmarshals src into v and turns errors into a located problem;
// prefix is the pointer of src in its document.
func decodeJSON(src []byte, v any, prefix string) *EnvelopeProblem {
	err := json.Unmarshal(src, v)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return &EnvelopeProblem{Line: lineAt(src, se.Offset), Pointer: prefix, Msg: "invalid JSON: " + se.Error()}
	case errors.As(err, &te):
		ptr := prefix
		if te.Field != "" {
			ptr += "/" + strings.ReplaceAll(te.Field, ".", "/")
		}
		return &EnvelopeProblem{Line: lineAt(src, te.Offset), Pointer: ptr, Msg: fmt.Sprintf("expected %s, found JSON %s", te.Type, te.Value)}
	}
	var fe *fieldError
	if errors.As(err, &fe) {
		return &EnvelopeProblem{Pointer: prefix, Msg: fe.msg}
	}
	return &EnvelopeProblem{Pointer: prefix, Msg: err.Error()}
}

// lineAt is the 1-based line of byte offset off in src.
func lineAt(src []byte, off int64) int {
	if off > int64(len(src)) {
		off = int64(len(src))
	}
	return bytes.Count(src[:off], []byte("\n")) + 1
}

// fieldError is a value a custom decoder rejects.
type fieldError struct{ msg string }

func (e *fieldError) Error() string { return e.msg }

// strList is a list of strings that Vault may also print as one
// comma-separated string (older servers, or values set that way).
type strList []string

// UnmarshalJSON accepts ["a","b"], "a,b" and null.
func (l *strList) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*l = nil
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*l = nil
		for _, x := range strings.Split(s, ",") {
			if x = strings.TrimSpace(x); x != "" {
				*l = append(*l, x)
			}
		}
		return nil
	}
	var xs []string
	if err := json.Unmarshal(b, &xs); err != nil {
		return err
	}
	*l = xs
	return nil
}

// seconds is a duration Vault prints as a number of seconds (or, when set
// as text, a Go duration string such as "1h").
type seconds time.Duration

// UnmarshalJSON accepts 3600, "3600", "1h", "" and null.
func (d *seconds) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*d = 0
		return nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		*d = seconds(time.Duration(n) * time.Second)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return &fieldError{msg: fmt.Sprintf("invalid duration %s: a number of seconds or a duration such as 1h", b)}
	}
	*d = seconds(v)
	return nil
}

// presence records that a field was there without keeping its value; it is
// used for fields that would carry secret values.
type presence bool

// UnmarshalJSON notes the field and drops its bytes.
func (p *presence) UnmarshalJSON(b []byte) error {
	*p = presence(string(b) != "null")
	return nil
}

// vaultTime is an RFC 3339 time as Vault prints it; Vault's zero time
// ("0001-01-01T00:00:00Z") and "" are unset.
type vaultTime time.Time

// UnmarshalJSON parses RFC 3339 with or without fractional seconds.
func (t *vaultTime) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*t = vaultTime{}
		return nil
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return &fieldError{msg: fmt.Sprintf("invalid time %s: expected RFC 3339", b)}
	}
	if v.Year() <= 1 {
		v = time.Time{}
	}
	*t = vaultTime(v.UTC())
	return nil
}
