package gqlserver

import "strings"

// redactPath removes the server's temporary directory from a message.
func redactPath(msg, dir string) string {
	return strings.ReplaceAll(msg, dir+"/", "")
}
