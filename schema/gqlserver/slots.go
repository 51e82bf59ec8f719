package gqlserver

import "sync"

// slots caps the requests one principal (token name) may have in flight, so
// one client cannot take every core of the server.
type slots struct {
	max int
	mu  sync.Mutex
	in  map[string]int
}

func newSlots(max int) *slots { return &slots{max: max, in: map[string]int{}} }

// acquire takes a slot of principal name; ok is false when all are taken.
// release must be called once the request is done.
func (s *slots) acquire(name string) (release func(), ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.in[name] >= s.max {
		return nil, false
	}
	s.in[name]++
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.in[name]--; s.in[name] == 0 {
			delete(s.in, name)
		}
	}, true
}
