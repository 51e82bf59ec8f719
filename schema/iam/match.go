// Package iam holds the IAM pattern matching and the grammar of the native
// permission strings the aws-iam ingester writes on grants, so that the
// ingester (which writes them) and the native queries (which match requests
// against them) share one definition. It imports nothing of the module.
//
// The grammar and its matching rules are documented in docs/ingest-aws.md
// "Native strings".
package iam

import "strings"

// Glob reports whether s matches the IAM pattern p ('*' any run, '?' one
// character). fold makes the match case-insensitive for ASCII letters
// (action names are; resource ARNs are not). It does not allocate.
func Glob(p, s string, fold bool) bool {
	eq := func(a, b byte) bool {
		if a == b {
			return true
		}
		if !fold {
			return false
		}
		return lower(a) == lower(b)
	}
	px, sx := 0, 0
	star, mark := -1, 0
	for sx < len(s) {
		switch {
		case px < len(p) && p[px] != '*' && (p[px] == '?' || eq(p[px], s[sx])):
			px++
			sx++
		case px < len(p) && p[px] == '*':
			star, mark = px, sx
			px++
		case star >= 0:
			px = star + 1
			mark++
			sx = mark
		default:
			return false
		}
	}
	for px < len(p) && p[px] == '*' {
		px++
	}
	return px == len(p)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// Covers reports whether pattern d matches everything pattern a matches. It
// is sound, not complete: a's wildcards are taken literally, so they must fall
// under a wildcard of d.
func Covers(d, a string, fold bool) bool { return Glob(d, a, fold) }

// Overlaps reports whether patterns a and b may match a common string. It
// errs on the side of yes.
func Overlaps(a, b string, fold bool) bool {
	if Glob(a, b, fold) || Glob(b, a, fold) {
		return true
	}
	if fold {
		a, b = strings.ToLower(a), strings.ToLower(b)
	}
	pa, wa := LiteralPrefix(a)
	pb, wb := LiteralPrefix(b)
	if !wa && !wb {
		return false
	}
	return strings.HasPrefix(pa, pb) && wb || strings.HasPrefix(pb, pa) && wa
}

// LiteralPrefix returns p up to its first wildcard, and whether it has one.
func LiteralPrefix(p string) (string, bool) {
	if i := strings.IndexAny(p, "*?"); i >= 0 {
		return p[:i], true
	}
	return p, false
}

// AnyGlob reports whether one of pats matches s.
func AnyGlob(pats []string, s string, fold bool) bool {
	for _, p := range pats {
		if Glob(p, s, fold) {
			return true
		}
	}
	return false
}

// ARNAccount returns the account field of an ARN ("" when it has none, as
// S3 ARNs, or when s is not an ARN).
func ARNAccount(s string) string { return arnField(s, 4) }

// ARNService returns the service field of an ARN ("" when s is not one).
func ARNService(s string) string { return arnField(s, 2) }

// arnField returns field i of arn:partition:service:region:account:resource.
func arnField(s string, i int) string {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[i]
}
