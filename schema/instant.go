package schema

import (
	"fmt"
	"time"
)

// InstantError is returned by ParseInstant for a value that is neither an
// RFC 3339 time nor a date.
type InstantError struct{ Value string }

func (e *InstantError) Error() string {
	return fmt.Sprintf("%q is not a time: want RFC 3339 such as 2026-10-31T00:00:00Z, or a date such as 2026-10-31 (midnight UTC)", e.Value)
}

// ParseInstant parses an instant of analysis as users write it: an RFC 3339
// time (fractional seconds allowed), or a bare date YYYY-MM-DD meaning its
// midnight UTC. The result is in UTC. Both the CLI's --as-of and the GraphQL
// Time scalar use it.
func ParseInstant(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, &InstantError{Value: s}
}
