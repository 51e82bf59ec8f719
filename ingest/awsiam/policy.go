package awsiam

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/reachgraph/reachgraph/schema/iam"
)

// Policy is a parsed IAM policy document (identity, boundary or trust policy).
type Policy struct {
	Statements []Statement
}

// Statement is one policy statement. Exactly one of Action/NotAction and (for
// identity policies) one of Resource/NotResource is set; the other is nil.
type Statement struct {
	Sid         string
	Allow       bool // Effect Allow; false is Deny
	Action      []string
	NotAction   []string
	Resource    []string
	NotResource []string
	// Principal is the statement's principal (trust and resource policies).
	Principal *Principal
	// NotPrincipal is set when the statement uses NotPrincipal (not modelled:
	// such trust statements are skipped).
	NotPrincipal bool
	// Conditional is true when the statement has a Condition block: whether it
	// applies depends on the request (MFA, source IP, tags …).
	Conditional bool
	// Subjects are the Condition block's conditions on a web identity token's
	// subject (keys ending in ":sub"), for trust statements of OIDC providers.
	Subjects []OIDCSubject
	// Conditions are the tests of the Condition block (all must hold).
	Conditions []Condition
}

// Principal is a statement's Principal element.
type Principal struct {
	Any       bool // "Principal": "*" or {"AWS": "*"}
	AWS       []string
	Service   []string
	Federated []string
}

// ParsePolicy parses an IAM policy document: a JSON object, or a JSON string
// holding one (URL-encoded as the raw IAM API returns it, or plain).
func ParsePolicy(raw []byte) (*Policy, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := unmarshal(raw, &s); err != nil {
			return nil, err
		}
		if dec, err := url.QueryUnescape(s); err == nil && strings.HasPrefix(strings.TrimSpace(dec), "{") {
			s = dec
		}
		raw = []byte(s)
	}
	var doc struct {
		Statement json.RawMessage
	}
	if err := unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	var elems []json.RawMessage
	switch st := bytes.TrimSpace(doc.Statement); {
	case len(st) == 0 || string(st) == "null":
		return &Policy{}, nil
	case st[0] == '[':
		if err := unmarshal(st, &elems); err != nil {
			return nil, fmt.Errorf("Statement: %w", err)
		}
	default:
		elems = []json.RawMessage{st}
	}
	p := &Policy{Statements: make([]Statement, 0, len(elems))}
	for i, e := range elems {
		s, err := parseStatement(e)
		if err != nil {
			return nil, fmt.Errorf("Statement %d: %w", i, err)
		}
		p.Statements = append(p.Statements, s)
	}
	return p, nil
}

func parseStatement(raw json.RawMessage) (Statement, error) {
	var m map[string]json.RawMessage
	if err := unmarshal(raw, &m); err != nil {
		return Statement{}, err
	}
	var s Statement
	var effect string
	if err := unmarshalOpt(m["Effect"], &effect); err != nil {
		return s, fmt.Errorf("Effect: %w", err)
	}
	switch effect {
	case "Allow":
		s.Allow = true
	case "Deny":
	default:
		return s, fmt.Errorf("Effect must be Allow or Deny, got %q", effect)
	}
	_ = unmarshalOpt(m["Sid"], &s.Sid)
	var err error
	if s.Action, err = strList(m, "Action"); err != nil {
		return s, err
	}
	if s.NotAction, err = strList(m, "NotAction"); err != nil {
		return s, err
	}
	if s.Resource, err = strList(m, "Resource"); err != nil {
		return s, err
	}
	if s.NotResource, err = strList(m, "NotResource"); err != nil {
		return s, err
	}
	if s.Action == nil && s.NotAction == nil {
		return s, errors.New("statement has neither Action nor NotAction")
	}
	if p, ok := m["Principal"]; ok {
		if s.Principal, err = parsePrincipal(p); err != nil {
			return s, fmt.Errorf("Principal: %w", err)
		}
	}
	_, s.NotPrincipal = m["NotPrincipal"]
	if c, ok := m["Condition"]; ok {
		c = bytes.TrimSpace(c)
		s.Conditional = len(c) > 0 && string(c) != "null" && string(c) != "{}"
		if s.Conditions, err = parseConditions(c); err != nil {
			return s, fmt.Errorf("Condition: %w", err)
		}
		if s.Conditional {
			s.Subjects = oidcSubjects(c)
		}
	}
	return s, nil
}

func unmarshalOpt(raw json.RawMessage, v any) error {
	if raw == nil {
		return nil
	}
	return unmarshal(raw, v)
}

// strList reads a string-or-list element; nil when absent.
func strList(m map[string]json.RawMessage, key string) ([]string, error) {
	raw, ok := m[key]
	if !ok {
		return nil, nil
	}
	out, err := stringOrList(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

func stringOrList(raw json.RawMessage) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := unmarshal(raw, &s); err != nil {
			return nil, err
		}
		return []string{s}, nil
	}
	var l []string
	if err := unmarshal(raw, &l); err != nil {
		return nil, errors.New("want a string or a list of strings")
	}
	return l, nil
}

func parsePrincipal(raw json.RawMessage) (*Principal, error) {
	raw = bytes.TrimSpace(raw)
	p := &Principal{}
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := unmarshal(raw, &s); err != nil {
			return nil, err
		}
		if s != "*" { // an ARN or account id alone (IAMSpy's resource policies)
			p.AWS = []string{s}
			return p, nil
		}
		p.Any = true
		return p, nil
	}
	var m map[string]json.RawMessage
	if err := unmarshal(raw, &m); err != nil {
		return nil, err
	}
	for k, v := range m {
		l, err := stringOrList(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		switch k {
		case "AWS":
			if slices.Contains(l, "*") {
				p.Any = true
			}
			p.AWS = append(p.AWS, l...)
		case "Service":
			p.Service = append(p.Service, l...)
		case "Federated":
			p.Federated = append(p.Federated, l...)
		}
	}
	slices.Sort(p.AWS)
	slices.Sort(p.Service)
	slices.Sort(p.Federated)
	return p, nil
}

// matchesAction reports whether the statement applies to the concrete action.
func (s *Statement) matchesAction(action string) bool {
	if s.NotAction != nil {
		return !iam.AnyGlob(s.NotAction, action, true)
	}
	return iam.AnyGlob(s.Action, action, true)
}

// matchesResource reports whether the statement applies to the concrete
// resource ARN; vars substitutes policy variables such as ${aws:username}.
func (s *Statement) matchesResource(arn string, vars map[string]string) bool {
	if s.NotResource != nil {
		return !iam.AnyGlob(subst(s.NotResource, vars), arn, false)
	}
	if s.Resource == nil { // trust policies have no Resource
		return true
	}
	return iam.AnyGlob(subst(s.Resource, vars), arn, false)
}

func subst(pats []string, vars map[string]string) []string {
	if len(vars) == 0 {
		return pats
	}
	out := make([]string, len(pats))
	for i, p := range pats {
		for k, v := range vars {
			p = strings.ReplaceAll(p, "${"+k+"}", v)
		}
		out[i] = p
	}
	return out
}
