package session

import (
	"cmp"
	"slices"
	"strings"
)

// maxSuggestions caps UnknownError.Suggestions.
const maxSuggestions = 3

// suggest returns up to maxSuggestions candidates that look like a typo of s:
// within a small edit distance (case-insensitive), or containing s, closest
// first. It is linear in the candidates with a banded distance, so it stays
// fast on a million ids.
func suggest(s string, candidates func(yield func(string) bool)) []string {
	ls := strings.ToLower(s)
	limit := max(2, len(ls)/4)
	type hit struct {
		id string
		d  int
	}
	var hits []hit
	for c := range candidates {
		lc := strings.ToLower(c)
		d := bandedDistance(ls, lc, limit)
		if d > limit && len(ls) >= 3 && strings.Contains(lc, ls) {
			d = limit + 1 + len(lc) - len(ls)
		}
		if d <= limit || len(ls) >= 3 && strings.Contains(lc, ls) {
			hits = append(hits, hit{c, d})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int { return cmp.Or(cmp.Compare(a.d, b.d), cmp.Compare(a.id, b.id)) })
	out := make([]string, 0, maxSuggestions)
	for _, h := range hits {
		if len(out) == maxSuggestions {
			break
		}
		if h.id != s {
			out = append(out, h.id)
		}
	}
	return out
}

// bandedDistance is the Levenshtein distance between a and b when it is at
// most k, else k+1; it only fills the diagonal band of width 2k+1.
func bandedDistance(a, b string, k int) int {
	if d := len(a) - len(b); d > k || -d > k {
		return k + 1
	}
	if len(a) > 256 || len(b) > 256 {
		if a == b {
			return 0
		}
		return k + 1
	}
	const inf = 1 << 20
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		lo, hi := max(1, i-k), min(len(b), i+k)
		cur[0] = i
		if lo > 1 {
			cur[lo-1] = inf
		}
		best := inf
		for j := lo; j <= hi; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if hi < len(b) {
			cur[hi+1] = inf
		}
		if best > k {
			return k + 1
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], k+1)
}
