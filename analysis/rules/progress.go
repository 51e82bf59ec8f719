package rules

// WithProgress has Evaluate call fn after each actor is evaluated with the
// number done and the total, from several goroutines (fn must be safe for
// concurrent use); for progress bars.
func WithProgress(fn func(done, total int)) Option {
	return func(o *options) { o.progress = fn }
}
