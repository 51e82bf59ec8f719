package ingest

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Sentinel errors of the ingest layer.
var (
	// ErrInvalid matches (errors.Is) every *ValidationError: the input was read
	// but is not a valid bundle, and nothing was committed.
	ErrInvalid = errors.New("invalid input")
	// ErrUnsupportedFormat is returned for a known format that has no reader yet
	// (or none wired in Options.Readers).
	ErrUnsupportedFormat = errors.New("format not supported")
)

// DefaultMaxProblemsPerFile is the number of problems reported per input file
// when Options.MaxProblemsPerFile is 0.
const DefaultMaxProblemsPerFile = 100

// Problem is one validation problem with its position. File is the input file;
// Line is its 1-based line (YAML, CSV; 0 when unknown); Pointer is a JSON
// pointer (RFC 6901) into the document ("/grants/12/action"), "" for JSON
// problems about the whole document and for line-based inputs. Msg never
// contains a secret value.
type Problem struct {
	File    string
	Line    int
	Pointer string
	Msg     string
}

// String renders the problem as "file:line: msg" or "file: /pointer: msg" (or
// "file: msg" when it has neither), the way compilers do.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(p.Line))
	}
	b.WriteString(": ")
	if p.Pointer != "" {
		b.WriteString(p.Pointer)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// ValidationError is every problem found in one Load, grouped by file (files in
// the order their first problem was found). Within a file, problems with lines
// are in line order and the others in the order found; references and cycles,
// resolved after everything is read, come last among pointer problems.
// Omitted counts the problems left out because a file reached its cap.
type ValidationError struct {
	Problems []Problem
	Omitted  int
}

// Error lists every problem, one per line, and says how many were omitted.
func (e *ValidationError) Error() string {
	var b strings.Builder
	n := len(e.Problems) + e.Omitted
	fmt.Fprintf(&b, "invalid input: %d problem%s", n, plural(n))
	for _, p := range e.Problems {
		b.WriteString("\n")
		b.WriteString(p.String())
	}
	if e.Omitted > 0 {
		fmt.Fprintf(&b, "\n… and %d more problem%s not shown (reporting stops at the per-file limit)", e.Omitted, plural(e.Omitted))
	}
	return b.String()
}

// Is reports whether target is ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// pointerToken escapes one JSON pointer reference token (RFC 6901 §3).
func pointerToken(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// sortProblems groups problems by file, in order of first appearance, and
// orders each file's line-numbered problems by line (stably: problems on one
// line keep the order they were found in). Pointer problems have no line and
// keep their order ahead of line problems of the same file.
func sortProblems(ps []Problem) []Problem {
	rank := map[string]int{}
	for _, p := range ps {
		if _, ok := rank[p.File]; !ok {
			rank[p.File] = len(rank)
		}
	}
	slices.SortStableFunc(ps, func(a, b Problem) int {
		if c := cmp.Compare(rank[a.File], rank[b.File]); c != 0 {
			return c
		}
		return cmp.Compare(a.Line, b.Line)
	})
	return ps
}
