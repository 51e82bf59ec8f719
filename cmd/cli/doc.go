// Package cli is reachgraph's command line: one cobra command per file, each a
// thin shell that reads flags, calls one package function and prints. It is
// the only package that reads flags and environment variables. Errors leave it
// as *ExitError with the process exit code (0 success, 1 findings at or above
// --fail-on, 2 usage or input error); main maps them with os.Exit.
package cli
