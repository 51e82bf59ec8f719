package cli

import (
	"bytes"
	"sync"
)

// syncBuf is a bytes.Buffer safe for the server's concurrent log writes.
type syncBuf struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
