package ingest

import (
	"context"
	"errors"
	"fmt"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// LinkFunc is a pass over a whole load that runs after every source has been
// read without a problem and before references are resolved (Options.Link):
// it may read the buffered records, open files of its own (hashed into the
// snapshot like any input), add edge records from them, amend identities and
// credentials, and add edges it inferred. Problems it reports through its
// files fail the load like any other. It returns an error only for I/O
// failures and cancellation.
type LinkFunc func(ctx context.Context, lk *Linker) error

// Linker is what a LinkFunc works with. Its amendments are applied when the
// LinkFunc returns, in the records' places, so the snapshot keeps the order
// of its sources.
type Linker struct {
	l     *loader
	idAm  map[string][]func(*graph.Identity)
	credA map[string][]func(*graph.Credential)
}

// Open opens one file of the link pass (see Input.Open). Records added through
// it must be of edge sections (memberships, grants, delegations): a link pass
// connects what the sources declared and declares no node.
func (lk *Linker) Open(path string) (*File, error) {
	in := &Input{l: lk.l, path: path, headerSeen: true}
	f, err := in.Open(path)
	if f != nil {
		f.edgesOnly = true
	}
	return f, err
}

// Kind reports the node kind of a declared id.
func (lk *Linker) Kind(id string) (schema.NodeKind, bool) {
	v, ok := lk.l.ids[id]
	if !ok {
		return "", false
	}
	for _, k := range schema.NodeKinds {
		if kindBit(k) == uint8(v) {
			return k, true
		}
	}
	return "", false
}

// Identities calls fn with every identity of the load, in load order, until
// fn returns false.
func (lk *Linker) Identities(fn func(graph.Identity) bool) error {
	return eachRecord(lk.l, "identities", graph.DecodeIdentity, fn)
}

// Credentials calls fn with every credential of the load until fn returns false.
func (lk *Linker) Credentials(fn func(graph.Credential) bool) error {
	return eachRecord(lk.l, "credentials", graph.DecodeCredential, fn)
}

// Delegations calls fn with every delegation of the load until fn returns false.
func (lk *Linker) Delegations(fn func(graph.Delegation) bool) error {
	return eachRecord(lk.l, "delegations", graph.DecodeDelegation, fn)
}

// errStop ends an eachRecord walk early.
var errStop = errors.New("stop")

func eachRecord[T any](l *loader, section string, decode func([]byte) (T, []byte, error), fn func(T) bool) error {
	err := l.bufs[specByName[section].index].each(func(rec []byte) ([]byte, error) {
		r, rest, err := decode(rec)
		if err != nil {
			return nil, err
		}
		if !fn(r) {
			return nil, errStop
		}
		return rest, nil
	})
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

// AmendIdentity changes the identity id once the LinkFunc returns. The caller
// checks that what it sets refers to declared nodes of the right kind (Kind).
func (lk *Linker) AmendIdentity(id string, fn func(*graph.Identity)) {
	lk.idAm[id] = append(lk.idAm[id], fn)
}

// AmendCredential changes the credential id once the LinkFunc returns (see
// AmendIdentity).
func (lk *Linker) AmendCredential(id string, fn func(*graph.Credential)) {
	lk.credA[id] = append(lk.credA[id], fn)
}

// AddDelegation adds a delegation the LinkFunc inferred from the data itself
// (it has no position in any file). Both ends must be declared identities
// (or a group for From) and System, when set, a declared system: AddDelegation
// returns an error otherwise and adds nothing.
func (lk *Linker) AddDelegation(d graph.Delegation) error {
	if k, ok := lk.Kind(d.From); !ok || k != schema.KindIdentity && k != schema.KindGroup {
		return fmt.Errorf("inferred delegation: from %q is not a declared identity or group", d.From)
	}
	if k, ok := lk.Kind(d.To); !ok || k != schema.KindIdentity {
		return fmt.Errorf("inferred delegation: to %q is not a declared identity", d.To)
	}
	if k, ok := lk.Kind(d.System); d.System != "" && (!ok || k != schema.KindSystem) {
		return fmt.Errorf("inferred delegation: system %q is not a declared system", d.System)
	}
	if d.Kind == "" {
		d.Kind = schema.DelegOther
	}
	sp := specByName["delegations"]
	lk.l.bufs[sp.index].add(func(dst []byte) []byte { return graph.AppendDelegation(dst, d) })
	return nil
}

// link runs fn and applies its amendments.
func (l *loader) link(ctx context.Context, fn LinkFunc) error {
	lk := &Linker{l: l,
		idAm: map[string][]func(*graph.Identity){}, credA: map[string][]func(*graph.Credential){}}
	err := fn(ctx, lk)
	for len(l.open) > 0 {
		if cerr := l.open[0].Close(); err == nil && cerr != nil {
			err = cerr
		}
	}
	if err != nil || l.failed() {
		return err
	}
	if err := amend(l, "identities", graph.DecodeIdentity, graph.AppendIdentity, func(r graph.Identity) string { return r.ID }, lk.idAm); err != nil {
		return err
	}
	return amend(l, "credentials", graph.DecodeCredential, graph.AppendCredential, func(r graph.Credential) string { return r.ID }, lk.credA)
}

// amend rewrites one node section with the amendments applied, keeping the
// record order, and moves the spans of the placeholders still kept in it.
func amend[T any](l *loader, section string, decode func([]byte) (T, []byte, error), encode func([]byte, T) []byte,
	id func(T) string, fns map[string][]func(*T)) error {
	if len(fns) == 0 {
		return nil
	}
	sp := specByName[section]
	out := l.newBuf()
	err := l.bufs[sp.index].each(func(rec []byte) ([]byte, error) {
		r, rest, err := decode(rec)
		if err != nil {
			return nil, err
		}
		key := id(r)
		for _, fn := range fns[key] {
			fn(&r)
		}
		span := out.add(func(dst []byte) []byte { return encode(dst, r) })
		if ph := l.placeholders[key]; ph != nil && ph.section == sp.index && ph.kept {
			ph.span = span
		}
		return rest, nil
	})
	if err != nil {
		out.release()
		return err
	}
	l.bufs[sp.index].release()
	l.bufs[sp.index] = out
	return nil
}
