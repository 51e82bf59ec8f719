package postgres

import (
	"regexp"
	"strconv"
)

func itoa(n int) string { return strconv.Itoa(n) }

// regexpMatch reports whether the pg_hba regular expression (a user name
// starting with "/", PostgreSQL 16+) matches name; an invalid one matches
// nothing.
func regexpMatch(expr, name string) bool {
	re, err := regexp.Compile(expr)
	return err == nil && re.MatchString(name)
}
