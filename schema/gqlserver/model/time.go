package model

import (
	"fmt"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/reachgraph/reachgraph/schema"
)

// MarshalTime writes the Time scalar: RFC 3339 with nanoseconds, UTC; the
// zero time is null.
func MarshalTime(t time.Time) graphql.Marshaler { return graphql.MarshalTime(t) }

// UnmarshalTime reads the Time scalar with schema.ParseInstant: an RFC 3339
// time or a bare date. A value that is neither is a *schema.InstantError.
func UnmarshalTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case nil:
		return time.Time{}, nil
	case string:
		if x == "" {
			return time.Time{}, nil
		}
		return schema.ParseInstant(x)
	}
	return time.Time{}, &schema.InstantError{Value: fmt.Sprint(v)}
}
