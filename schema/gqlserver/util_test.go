package gqlserver_test

import (
	"errors"
	"io"
	"strings"
	"sync"

	"github.com/reachgraph/reachgraph/schema/gqlserver"
)

func errorsIs(err, target error) bool { return errors.Is(err, target) }

// syncWriter serialises writes of concurrent request logs.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.(interface{ String() string }).String()
}

func parseTokens(text string) (*gqlserver.Tokens, error) {
	return gqlserver.ParseTokens(strings.NewReader(text))
}
