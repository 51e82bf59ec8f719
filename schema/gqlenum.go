package schema

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// GraphQL names the vocabulary's lower-case values in SCREAMING_SNAKE_CASE,
// as GraphQL enums conventionally are (APPROVE, SERVICE_ACCOUNT); Go, JSON,
// YAML and the CLI keep the lower-case values. These methods are gqlgen's
// Marshaler/Unmarshaler: the only place that maps between the two.

// GQLName returns the GraphQL enum name of a vocabulary value.
func GQLName[T ~string](v T) string { return strings.ToUpper(string(v)) }

func marshalGQL[T ~string](w io.Writer, v T) { _, _ = io.WriteString(w, strconv.Quote(GQLName(v))) }

func unmarshalGQL[T ~string](v any, all []T, what string) (T, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s: want an enum value, got %T", what, v)
	}
	for _, x := range all {
		if GQLName(x) == s {
			return x, nil
		}
	}
	allowed := make([]string, len(all))
	for i, x := range all {
		allowed[i] = GQLName(x)
	}
	return "", &EnumError{What: what, Value: s, Allowed: allowed}
}

// MarshalGQL writes the GraphQL enum name.
func (a Action) MarshalGQL(w io.Writer) { marshalGQL(w, a) }

// UnmarshalGQL reads a GraphQL enum name.
func (a *Action) UnmarshalGQL(v any) (err error) {
	*a, err = unmarshalGQL(v, Actions, "action")
	return
}

// MarshalGQL writes the GraphQL enum name.
func (t IdentityType) MarshalGQL(w io.Writer) { marshalGQL(w, t) }

// UnmarshalGQL reads a GraphQL enum name.
func (t *IdentityType) UnmarshalGQL(v any) (err error) {
	*t, err = unmarshalGQL(v, IdentityTypes, "identity type")
	return
}

// MarshalGQL writes the GraphQL enum name.
func (s Status) MarshalGQL(w io.Writer) { marshalGQL(w, s) }

// UnmarshalGQL reads a GraphQL enum name.
func (s *Status) UnmarshalGQL(v any) (err error) {
	*s, err = unmarshalGQL(v, Statuses, "status")
	return
}

// MarshalGQL writes the GraphQL enum name.
func (g GroupType) MarshalGQL(w io.Writer) { marshalGQL(w, g) }

// UnmarshalGQL reads a GraphQL enum name.
func (g *GroupType) UnmarshalGQL(v any) (err error) {
	*g, err = unmarshalGQL(v, GroupTypes, "group type")
	return
}

// MarshalGQL writes the GraphQL enum name.
func (c CredentialType) MarshalGQL(w io.Writer) { marshalGQL(w, c) }

// UnmarshalGQL reads a GraphQL enum name.
func (c *CredentialType) UnmarshalGQL(v any) (err error) {
	*c, err = unmarshalGQL(v, CredentialTypes, "credential type")
	return
}

// MarshalGQL writes the GraphQL enum name.
func (k DelegationKind) MarshalGQL(w io.Writer) { marshalGQL(w, k) }

// UnmarshalGQL reads a GraphQL enum name.
func (k *DelegationKind) UnmarshalGQL(v any) (err error) {
	*k, err = unmarshalGQL(v, DelegationKinds, "delegation kind")
	return
}

// MarshalGQL writes the GraphQL enum name.
func (s Severity) MarshalGQL(w io.Writer) { marshalGQL(w, s) }

// UnmarshalGQL reads a GraphQL enum name.
func (s *Severity) UnmarshalGQL(v any) (err error) {
	*s, err = unmarshalGQL(v, Severities, "severity")
	return
}

// MarshalGQL writes the GraphQL enum name.
func (c Category) MarshalGQL(w io.Writer) { marshalGQL(w, c) }

// UnmarshalGQL reads a GraphQL enum name.
func (c *Category) UnmarshalGQL(v any) (err error) {
	*c, err = unmarshalGQL(v, Categories, "category")
	return
}
