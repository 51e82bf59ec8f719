package gqlserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/session"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// Sentinel errors of the server.
var (
	// ErrInvalidInput marks an error whose message is safe to show to the
	// client (bad arguments, an invalid bundle). An IngestFunc wraps its
	// validation errors with it.
	ErrInvalidInput = errors.New("invalid input")
	// ErrForbidden is returned when the principal's role does not allow the operation.
	ErrForbidden = errors.New("forbidden")
)

// userError is an error whose message is shown to the client as is.
type userError struct{ msg string }

func (e *userError) Error() string { return e.msg }

func userErrorf(format string, args ...any) error {
	return &userError{msg: fmt.Sprintf(format, args...)}
}

// Error codes put in extensions.code, so clients branch on the kind of
// failure instead of parsing messages.
const (
	CodeBadUserInput    = "BAD_USER_INPUT"
	CodeNotFound        = "NOT_FOUND"
	CodeForbidden       = "FORBIDDEN"
	CodeUnauthenticated = "UNAUTHENTICATED"
	CodeTimeout         = "TIMEOUT"
	CodeInternal        = "INTERNAL_SERVER_ERROR"
)

// questionError prefixes an error of a session question with the field
// name, keeping its type for the presenter.
func questionError(field string, err error) error { return fmt.Errorf("%s: %w", field, err) }

// presentError is the one error presenter: messages of user errors and of the
// vocabulary/engine's documented errors pass through; anything else is logged
// and shown as "internal error", so no paths, queries or stack traces leak.
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := graphql.DefaultErrorPresenter(ctx, err)
		var wrapped *gqlerror.Error
		if errors.As(err, &wrapped) && wrapped.Unwrap() != nil {
			err = wrapped.Unwrap()
		}
		var ue *userError
		var ee *schema.EnumError
		var ge *gqlerror.Error
		var unk *session.UnknownError
		code := ""
		switch {
		case errors.As(err, &unk) && unk.What == "snapshot":
			gerr.Message, code = err.Error(), CodeNotFound
		case errors.As(err, &unk):
			gerr.Message, code = err.Error(), CodeBadUserInput
			setExtension(gerr, "suggestions", unk.Suggestions)
		case errors.Is(err, ErrForbidden):
			gerr.Message, code = err.Error(), CodeForbidden
		case errors.As(err, &ue), errors.As(err, &ee), errors.Is(err, ErrInvalidInput),
			errors.Is(err, session.ErrInvalidQuestion), errors.Is(err, reach.ErrUnknownNode):
			gerr.Message, code = err.Error(), CodeBadUserInput
		case errors.Is(err, graph.ErrSnapshotNotFound), errors.Is(err, graph.ErrAmbiguousSnapshot):
			gerr.Message, code = err.Error(), CodeNotFound
		case err.Error() == "introspection disabled":
			gerr.Message, code = "introspection is disabled on this server", CodeForbidden
		case errors.Is(err, context.DeadlineExceeded):
			gerr.Message, code = "the query exceeded the server's per-request time limit", CodeTimeout
		case errors.Is(err, context.Canceled):
			gerr.Message, code = "the request was cancelled", CodeTimeout
		case errors.As(err, &ge) && ge.Unwrap() == nil:
			// parser, validation and limit errors built by gqlgen: safe, coded by gqlgen.
		case len(gerr.Path) > 0 && isArgumentError(err):
			gerr.Message, code = err.Error(), CodeBadUserInput
		default:
			log.ErrorContext(ctx, "graphql: internal error", "err", err, "path", gerr.Path.String())
			gerr.Message, code = "internal error", CodeInternal
		}
		if code != "" {
			setExtension(gerr, "code", code)
		}
		return gerr
	}
}

// recoverPanic logs a resolver panic and hides it from the client.
func recoverPanic(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "graphql: panic", "panic", fmt.Sprint(p))
		return errors.New("internal error")
	}
}

func setExtension(e *gqlerror.Error, key string, v any) {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions[key] = v
}

// isArgumentError reports whether err is gqlgen's failure to coerce an
// argument value (a time that is not RFC 3339, say): the message names the
// value and is safe to show.
func isArgumentError(err error) bool {
	var ie *schema.InstantError
	return errors.As(err, &ie)
}
