package cli

import (
	"context"
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
func Execute(ctx context.Context, root *cobra.Command) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &ExitError{Code: ExitInternal, Err: fmt.Errorf("internal error, please report (with the command line and this message): %v\n%s", r, debug.Stack())}
		}
	}()
	return root.ExecuteContext(ctx)
}
