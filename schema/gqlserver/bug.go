package gqlserver

import "fmt"

// bug reports an impossible state. It panics; the handler's recover logs it
// and answers "internal error".
func bug(format string, args ...any) {
	panic(fmt.Sprintf("gqlserver bug: "+format, args...))
}
