package gqlserver

import (
	"embed"
	"io/fs"
	"net/http"
)

// consoleFiles is the offline query console: plain HTML, CSS and JS of our
// own, no third-party bundle, nothing fetched from the network.
//
//go:embed console
var consoleFiles embed.FS

// consoleHandler serves the console under a Content-Security-Policy that
// forbids loading anything but the page's own files and talking to anything
// but this server.
func consoleHandler() http.Handler {
	sub, err := fs.Sub(consoleFiles, "console")
	if err != nil {
		bug("console assets: %v", err)
	}
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		files.ServeHTTP(w, r)
	})
}
