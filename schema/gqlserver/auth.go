package gqlserver

import (
	"bufio"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
)

// Tokens are the bearer tokens the server accepts, kept only as SHA-256
// digests: a tokens file never holds a token in clear.
type Tokens struct {
	entries []tokenEntry
}

type tokenEntry struct {
	name   string
	role   Role
	digest [sha256.Size]byte
}

// ParseTokens reads a tokens file: one `name role sha256-hex-of-token` per
// line; blank lines and lines starting with # are ignored. Roles are auditor
// and admin. Errors name the line; they never echo a digest.
func ParseTokens(r io.Reader) (*Tokens, error) {
	t := &Tokens{}
	sc := bufio.NewScanner(r)
	seen := map[string]bool{}
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			return nil, fmt.Errorf("tokens line %d: want `name role sha256-hex`, got %d fields", n, len(f))
		}
		role := Role(f[1])
		if role != RoleAuditor && role != RoleAdmin {
			return nil, fmt.Errorf("tokens line %d: role %q: want auditor or admin", n, f[1])
		}
		d, err := hex.DecodeString(f[2])
		if err != nil || len(d) != sha256.Size {
			return nil, fmt.Errorf("tokens line %d: third field must be the 64-hex-digit SHA-256 of the token", n)
		}
		if seen[f[0]] {
			return nil, fmt.Errorf("tokens line %d: duplicate name %q", n, f[0])
		}
		seen[f[0]] = true
		e := tokenEntry{name: f[0], role: role}
		copy(e.digest[:], d)
		t.entries = append(t.entries, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	if len(t.entries) == 0 {
		return nil, fmt.Errorf("tokens: no token defined")
	}
	return t, nil
}

// TokenDigest returns the hex SHA-256 of a token, as written in a tokens file.
func TokenDigest(token string) string {
	d := sha256.Sum256([]byte(token))
	return hex.EncodeToString(d[:])
}

// authenticate returns the principal of a bearer token. Every entry is
// compared in constant time.
func (t *Tokens) authenticate(token string) (Principal, bool) {
	d := sha256.Sum256([]byte(token))
	var p Principal
	found := 0
	for _, e := range t.entries {
		if subtle.ConstantTimeCompare(d[:], e.digest[:]) == 1 {
			p = Principal{Name: e.name, Role: e.role}
			found = 1
		}
	}
	return p, found == 1
}

// bearer extracts the token of an `Authorization: Bearer …` header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	const prefix = "bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", false
	}
	return strings.TrimSpace(h[len(prefix):]), true
}

// CheckInsecure refuses to serve without tokens unless insecure is set and
// the listen address is a loopback one.
func CheckInsecure(listen string, tokens *Tokens, insecure bool) error {
	if tokens != nil {
		return nil
	}
	if !insecure {
		return fmt.Errorf("no --tokens given: refusing to serve without authentication (use --insecure-no-auth on a loopback address for local use)")
	}
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("--listen %q: %w", listen, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--insecure-no-auth is allowed only on a loopback address (127.0.0.1, ::1, localhost), not %q", listen)
}
