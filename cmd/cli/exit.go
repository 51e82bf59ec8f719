package cli

import "fmt"

// Exit codes (SPEC §5.1).
const (
	ExitOK       = 0
	ExitFindings = 1
	ExitUsage    = 2
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
