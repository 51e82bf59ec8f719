package gqlserver

import "context"

// bounded runs an engine call so that the request's deadline bites even though
// the engine does not poll the context: when ctx ends first, the caller gets a
// clear error at once and the computation's result is dropped when it finishes.
func bounded[T any](ctx context.Context, fn func() (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, deadlineError(err)
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		return zero, deadlineError(ctx.Err())
	}
}

func deadlineError(err error) error {
	if err == context.DeadlineExceeded {
		return userErrorf("the query exceeded the server's per-request time limit")
	}
	return userErrorf("the request was cancelled")
}
