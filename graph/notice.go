package graph

import "context"

// noticesKey is the context key of WithNotices.
type noticesKey struct{}

// WithNotices returns a context whose store operations hand fn a line for
// each repair they make beyond their task (a damaged snapshot's records
// replaced, a stale stored projection stored anew), in addition to the
// store's own Notify function set when it was opened. The ingest mutation
// of the GraphQL API uses it to answer with the lines of its own ingest.
func WithNotices(ctx context.Context, fn func(msg string)) context.Context {
	return context.WithValue(ctx, noticesKey{}, fn)
}

// Notice hands msg to a store's own notify function (its Notify option),
// when set, and to ctx's WithNotices function, if any.
func Notice(ctx context.Context, notify func(msg string), msg string) {
	if notify != nil {
		notify(msg)
	}
	if fn, ok := ctx.Value(noticesKey{}).(func(string)); ok && fn != nil {
		fn(msg)
	}
}
