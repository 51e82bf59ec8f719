package cli

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Exit codes (SPEC §5.1).
const (
	ExitOK       = 0
	ExitFindings = 1
	ExitUsage    = 2
	// ExitInternal is a crash (a bug in reachgraph): never confused with bad
	// input (ExitUsage).
	ExitInternal = 3
)

// ExitError carries the process exit code of a failed command.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *ExitError) Unwrap() error { return e.Err }

// usageErr wraps err as a usage or input error (exit 2).
func usageErr(err error) error {
	if err == nil {
		return nil
	}
	return &ExitError{Code: ExitUsage, Err: err}
}

func usagef(format string, args ...any) error { return usageErr(fmt.Errorf(format, args...)) }

// Execute runs root; a panic in a command becomes an ExitError with
// ExitInternal whose message asks for a report and carries the stack.
//
// Questions read the stored projection in place from the memory-mapped
// store file, so a page of it that cannot be read (the file truncated or
// rewritten by another program while in use, a failing disk) faults in
// whatever goroutine touches it. With SetPanicOnFault that is a panic
// rather than the end of the process; it becomes exit 2 naming the cause.
// Goroutines that read the map re-raise their panics here (session's
// workers) and set SetPanicOnFault themselves.
func Execute(ctx context.Context, root *cobra.Command) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = panicExit(r)
		}
	}()
	return root.ExecuteContext(ctx)
}

// panicExit is the exit error of a recovered panic r.
func panicExit(r any) *ExitError {
	var fault interface{ Addr() uintptr }
	if e, ok := r.(error); ok && errors.As(e, &fault) {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("a page of the store file could not be read (%v): "+
			"the file was truncated or rewritten by another program while reachgraph used it, or the disk failed; "+
			"run `reachgraph verify-store`, and restore or re-ingest the store if it reports damage", e)}
	}
	return &ExitError{Code: ExitInternal, Err: fmt.Errorf("internal error, please report (with the command line and this message): %v\n%s", r, debug.Stack())}
}
