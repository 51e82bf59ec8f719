package session

import (
	"errors"
	"fmt"
	"strings"
)

// Errors returned by sessions. Front ends map both to a user error (CLI exit
// 2, GraphQL BAD_USER_INPUT / NOT_FOUND).
var (
	// ErrUnknown is wrapped by *UnknownError: a question names something the
	// snapshot does not have.
	ErrUnknown = errors.New("unknown")
	// ErrInvalidQuestion is returned for a question whose arguments do not
	// fit together (both resource and kind, k out of range …).
	ErrInvalidQuestion = errors.New("invalid question")
)

// UnknownError says which id or name of a question the snapshot lacks, with
// the closest existing ones when some look like a typo of it.
type UnknownError struct {
	// What is the kind of thing: "resource", "identity", "kind", "system",
	// "snapshot".
	What string
	// ID is the id or name asked for.
	ID string
	// Suggestions are up to three existing ids close to ID, closest first.
	Suggestions []string
}

func (e *UnknownError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "unknown %s %q", e.What, e.ID)
	if len(e.Suggestions) > 0 {
		q := make([]string, len(e.Suggestions))
		for i, s := range e.Suggestions {
			q[i] = fmt.Sprintf("%q", s)
		}
		fmt.Fprintf(&b, " (did you mean %s?)", strings.Join(q, " or "))
	}
	return b.String()
}

// Unwrap returns ErrUnknown.
func (e *UnknownError) Unwrap() error { return ErrUnknown }

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidQuestion, fmt.Sprintf(format, args...))
}
