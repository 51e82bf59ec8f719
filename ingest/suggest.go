package ingest

import "strings"

// suggest returns the candidate closest to s by edit distance when it is close
// enough to be a likely typo, else "".
func suggest(s string, candidates []string) string {
	best, bestD := "", 3
	ls := strings.ToLower(s)
	for _, c := range candidates {
		if d := editDistance(ls, c); d < bestD && d < len(c) {
			best, bestD = c, d
		}
	}
	return best
}

// DidYouMean renders the candidate closest to s, when s looks like a typo of
// it, as ` (did you mean "x"?)`; otherwise it returns "". Readers use it for
// names they check themselves, such as CSV columns.
func DidYouMean(s string, candidates []string) string { return didYouMean(s, candidates) }

func didYouMean(s string, candidates []string) string {
	if c := suggest(s, candidates); c != "" && c != s {
		return ` (did you mean "` + c + `"?)`
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 20
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
