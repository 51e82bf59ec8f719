package session

import (
	"context"
	"errors"
	"sync/atomic"
)

// ErrBudgetExceeded is returned, with the part of the answer computed so
// far, when a question would produce more than the request's budget allows
// (see WithBudget). The partial answer is a prefix of the full one in its
// order; a front end must say it is incomplete.
var ErrBudgetExceeded = errors.New("the answer is larger than this request's budget")

// Budget is how many accesses (each with its evidence path) one request may
// have computed, over all its questions. It is safe for concurrent use.
type Budget struct{ left atomic.Int64 }

// NewBudget returns a budget of n accesses.
func NewBudget(n int64) *Budget {
	b := &Budget{}
	b.left.Store(n)
	return b
}

// charge takes n from the budget and returns how many of them fit (n when
// the budget held them all).
func (b *Budget) charge(n int) int {
	if b == nil {
		return n
	}
	left := b.left.Add(-int64(n))
	if left >= 0 {
		return n
	}
	return max(0, n+int(left))
}

// exhausted reports whether nothing is left.
func (b *Budget) exhausted() bool { return b != nil && b.left.Load() <= 0 }

type budgetKey struct{}

// WithBudget returns ctx carrying b: every question answered under it
// charges b, and stops with ErrBudgetExceeded when b runs out. Without a
// budget, questions are unbounded (the CLI streams what it is asked).
func WithBudget(ctx context.Context, b *Budget) context.Context {
	return context.WithValue(ctx, budgetKey{}, b)
}

func budgetOf(ctx context.Context) *Budget {
	b, _ := ctx.Value(budgetKey{}).(*Budget)
	return b
}

// charged charges accs against ctx's budget and returns the accesses that
// fit, with ErrBudgetExceeded when some did not.
func charged[T any](ctx context.Context, accs []T) ([]T, error) {
	if n := budgetOf(ctx).charge(len(accs)); n < len(accs) {
		return accs[:n], ErrBudgetExceeded
	}
	return accs, nil
}
