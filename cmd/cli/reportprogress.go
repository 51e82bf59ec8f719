package cli

import (
	"sync"

	"github.com/reachgraph/reachgraph/analysis/rules"
)

// phase draws a progress bar for one phase of a long command on a
// terminal; on anything else it draws nothing. step(done, total) is safe
// for concurrent use; a total of -1 draws a spinner.
type phase struct {
	mu   sync.Mutex
	upd  func(done, total int64)
	done func()
}

func (g *globals) phase(what string) *phase {
	upd, done := g.progress(what, false)
	return &phase{upd: upd, done: done}
}

// step records progress.
func (p *phase) step(done, total int) {
	if p.upd == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.upd(int64(done), int64(total))
}

// end finishes the bar.
func (p *phase) end() { p.done() }

// evalOptions makes rule evaluation step p, one step per actor.
func (p *phase) evalOptions() []rules.Option {
	if p.upd == nil {
		return nil
	}
	return []rules.Option{rules.WithProgress(p.step)}
}
