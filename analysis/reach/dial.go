package reach

// dial is a bucket queue for shortest paths with small non-negative integer
// weights (here 0, 1 and 3): items pop in non-decreasing distance, and within
// one distance in the order they were pushed, which keeps answers deterministic.
type dial[T any] struct {
	buckets [][]T
	cur     int
	n       int
}

func (q *dial[T]) push(d int32, v T) {
	for int(d) >= len(q.buckets) {
		q.buckets = append(q.buckets, nil)
	}
	q.buckets[d] = append(q.buckets[d], v)
	q.n++
}

// pop returns the next item and its distance; ok is false when empty.
func (q *dial[T]) pop() (v T, d int32, ok bool) {
	for q.n > 0 {
		b := q.buckets[q.cur]
		if len(b) == 0 {
			q.cur++
			continue
		}
		v = b[0]
		q.buckets[q.cur] = b[1:]
		q.n--
		return v, int32(q.cur), true
	}
	return v, 0, false
}
