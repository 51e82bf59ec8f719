package gqlserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/reachgraph/reachgraph/analysis/reach"
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
		switch {
		case errors.As(err, &ue), errors.As(err, &ee),
			errors.Is(err, ErrInvalidInput), errors.Is(err, ErrForbidden),
			errors.Is(err, reach.ErrUnknownNode):
			gerr.Message = err.Error()
		case errors.Is(err, graph.ErrSnapshotNotFound), errors.Is(err, graph.ErrAmbiguousSnapshot):
			gerr.Message = err.Error()
		case err.Error() == "introspection disabled":
			gerr.Message = "introspection is disabled on this server"
		case errors.Is(err, context.DeadlineExceeded):
			gerr.Message = "request timed out"
		case errors.As(err, &ge) && ge.Unwrap() == nil:
			// parser, validation and limit errors built by gqlgen: safe.
		default:
			log.ErrorContext(ctx, "graphql: internal error", "err", err, "path", gerr.Path.String())
			gerr.Message = "internal error"
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
