package gqlserver

import (
	"bytes"
	"compress/gzip"
	"embed"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"time"
)

// consoleFiles is the offline query console: GraphiQL and the path view,
// bundled at build time (`make console`, sources in console/_src, which the
// embed pattern leaves out) into one script and one style sheet. Nothing is
// fetched from the network.
//
//go:embed console/index.html console/console.js console/console.css console/LICENSES.txt
var consoleFiles embed.FS

// consoleCSP lets the page load only its own files (fonts and icons of the
// bundled style sheet are data: URIs) and talk only to this server.
const consoleCSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
	"img-src 'self' data:; font-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// consoleHandler serves the console under a Content-Security-Policy that
// forbids loading anything but the page's own files and talking to anything
// but this server. Clients that accept gzip get the bundle compressed.
func consoleHandler() http.Handler {
	sub, err := fs.Sub(consoleFiles, "console")
	if err != nil {
		bug("console assets: %v", err)
	}
	files := http.FileServerFS(sub)
	zipped := gzippedConsole(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", consoleCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Add("Vary", "Accept-Encoding")
		name := strings.TrimPrefix(r.URL.Path, "/")
		if z := zipped(name); z != nil && acceptsGzip(r) {
			h.Set("Content-Encoding", "gzip")
			// embedded files carry no time: no Last-Modified either way
			http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(z))
			return
		}
		files.ServeHTTP(w, r)
	})
}

// gzippedConsole returns a lookup of the compressed bundle files, each
// compressed once on first use.
func gzippedConsole(sub fs.FS) func(name string) []byte {
	big := map[string]func() []byte{}
	for _, name := range []string{"console.js", "console.css"} {
		big[name] = sync.OnceValue(func() []byte {
			raw, err := fs.ReadFile(sub, name)
			if err != nil {
				bug("console asset %s: %v", name, err)
			}
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			_, _ = zw.Write(raw)
			_ = zw.Close()
			return buf.Bytes()
		})
	}
	return func(name string) []byte {
		if f, ok := big[name]; ok {
			return f()
		}
		return nil
	}
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(strings.TrimSpace(q), " ", "") != "q=0" {
			return true
		}
	}
	return false
}
