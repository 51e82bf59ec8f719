package ingest

import (
	"bytes"
	"strings"

	"github.com/reachgraph/reachgraph/schema"
)

// secretWords: a field, key or column whose name, folded (lower case, the
// separators - _ . and space removed), contains one of these carries a
// secret — unless the name ends with one of the metadata suffixes of the
// word (access_key_1_active, password_last_changed, token_type, secret_name
// describe a secret; they do not hold one).
var secretWords = []struct {
	word   []byte
	exempt []string // suffixes, folded, besides metadataSuffixes
}{
	{word: []byte("secret")},
	{word: []byte("password")},
	{word: []byte("passwd")},
	{word: []byte("passphrase")},
	{word: []byte("token"), exempt: []string{"id", "ids", "accessor"}},
	{word: []byte("apikey"), exempt: []string{"id", "ids"}},
	{word: []byte("privatekey"), exempt: []string{"id", "ids"}},
	{word: []byte("accesskey"), exempt: []string{"id", "ids"}},
}

// metadataSuffixes end names that describe a secret without holding it.
var metadataSuffixes = []string{
	"type", "name", "path", "arn", "count", "enabled", "active", "status", "policy", "length", "version", "ttl",
	"expiry", "expires", "expiresat", "expiration", "rotated", "lastrotated", "rotationdays", "days", "age",
	"lastused", "lastuseddate", "lastusedat", "created", "createdat", "changed", "lastchanged",
}

// foldName appends name to buf lower-cased (ASCII) and without the
// separators - _ . and space. Non-ASCII bytes are kept: none of the secret
// words has any.
func foldName(buf []byte, name string) []byte {
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '-' || c == '_' || c == '.' || c == ' ':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	return buf
}

// foldedSecretFields are schema.SecretFields folded.
var foldedSecretFields = func() []string {
	out := make([]string, len(schema.SecretFields))
	for i, s := range schema.SecretFields {
		out[i] = string(foldName(nil, s))
	}
	return out
}()

// IsSecretName reports whether a field, key or column name carries a secret:
// one of schema.SecretFields, or a name containing secret, password,
// passwd, passphrase, token, api_key, private_key or access_key in any case
// and with any separators, except metadata about a secret (its id, type,
// name, age, status, rotation or last use). Known schema fields are checked
// before this, so it never rejects one. It does not allocate for names up
// to 64 bytes (it runs for every tag key).
func IsSecretName(name string) bool {
	var arr [64]byte
	n := foldName(arr[:0], name)
	for _, s := range foldedSecretFields {
		if string(n) == s {
			return true
		}
	}
	for _, w := range secretWords {
		i := bytes.LastIndex(n, w.word)
		if i < 0 {
			continue
		}
		rest := n[i+len(w.word):]
		if len(rest) == 0 || !hasSuffix(rest, metadataSuffixes) && !hasSuffix(rest, w.exempt) {
			return true
		}
	}
	return false
}

// hasSuffix reports whether rest (what follows the secret word) ends with
// one of the suffixes.
func hasSuffix(rest []byte, suffixes []string) bool {
	for _, s := range suffixes {
		if len(rest) >= len(s) && string(rest[len(rest)-len(s):]) == s {
			return true
		}
	}
	return false
}

// isSecretName is IsSecretName (the name the validators use).
func isSecretName(name string) bool { return IsSecretName(name) }

// SecretShape says what secret s looks like — "a private key (PEM block)",
// "a JSON Web Token", "an AWS secret access key" — or "" for none. The
// detectors are conservative: a PEM private-key block, three base64url
// segments whose first two start like JSON objects, and a 40-character
// base64 token with upper and lower case letters and a digit next to an
// AWS access key id (AKIA… or ASIA…), or containing / or + and looking
// random (hasAWSSecret).
func SecretShape(s string) string {
	switch {
	case strings.Contains(s, "-----BEGIN") && strings.Contains(s, "PRIVATE KEY"):
		return "a private key (PEM block)"
	case strings.Contains(s, "eyJ") && hasJWT(s):
		return "a JSON Web Token"
	case len(s) >= 40 && hasAWSSecret(s):
		return "an AWS secret access key"
	}
	return ""
}

// hasJWT finds header.payload.signature with header and payload starting
// "eyJ" (base64url of `{"`).
func hasJWT(s string) bool {
	for i := strings.Index(s, "eyJ"); i >= 0; {
		rest := s[i:]
		h := spanOf(rest, isB64URL)
		if h >= 10 && h < len(rest) && rest[h] == '.' && strings.HasPrefix(rest[h+1:], "eyJ") {
			p := spanOf(rest[h+1:], isB64URL)
			if p >= 10 && h+1+p < len(rest) && rest[h+1+p] == '.' {
				return true
			}
		}
		j := strings.Index(s[i+3:], "eyJ")
		if j < 0 {
			break
		}
		i += 3 + j
	}
	return false
}

// hasAWSSecret finds a token of exactly 40 base64 characters with upper
// and lower case letters and a digit that stands in a value that also holds
// an AWS access key id, or that contains / or + and looks random (no run of
// more than 6 lower-case letters: "user/Engineering2024/AliceSmithDeveloper"
// is a path of words, not a key).
func hasAWSSecret(s string) bool {
	keyID := hasAccessKeyID(s)
	for i := 0; i < len(s); {
		n := spanOf(s[i:], isB64)
		if n == 40 && mixed(s[i:i+40]) && (keyID || strings.ContainsAny(s[i:i+40], "/+") && lowerRun(s[i:i+40]) <= 6) {
			return true
		}
		i += max(n, 1)
	}
	return false
}

// lowerRun is the length of the longest run of lower-case ASCII letters.
func lowerRun(s string) int {
	best, run := 0, 0
	for i := 0; i < len(s); i++ {
		if 'a' <= s[i] && s[i] <= 'z' {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

func hasAccessKeyID(s string) bool {
	for _, p := range []string{"AKIA", "ASIA"} {
		for i := strings.Index(s, p); i >= 0; {
			if n := spanOf(s[i:], isUpperDigit); n == 20 {
				return true
			}
			j := strings.Index(s[i+4:], p)
			if j < 0 {
				break
			}
			i += 4 + j
		}
	}
	return false
}

func mixed(s string) bool {
	var upper, lower, digit bool
	for i := 0; i < len(s); i++ {
		c := s[i]
		upper = upper || 'A' <= c && c <= 'Z'
		lower = lower || 'a' <= c && c <= 'z'
		digit = digit || '0' <= c && c <= '9'
	}
	return upper && lower && digit
}

func spanOf(s string, ok func(byte) bool) int {
	n := 0
	for n < len(s) && ok(s[n]) {
		n++
	}
	return n
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isB64URL(c byte) bool     { return isAlnum(c) || c == '-' || c == '_' }
func isB64(c byte) bool        { return isAlnum(c) || c == '/' || c == '+' }
func isUpperDigit(c byte) bool { return 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' }
