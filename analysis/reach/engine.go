package reach

import (
	"errors"
	"fmt"
	"time"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/schema"
)

// Errors returned by queries.
var (
	// ErrUnknownNode is returned when a queried id is not in the snapshot or is
	// not of the kind the query needs (wrapped with the id).
	ErrUnknownNode = errors.New("unknown id")
)

// Engine answers reach questions on one projection at one instant. It is safe
// for concurrent use.
type Engine struct {
	p    *projection.Projection
	asOf int64 // unix nanoseconds
	at   time.Time

	scratch *scratchPool
	stored  *storedCache
}

// New returns an engine over p evaluating at asOf: credentials expiring at or
// before asOf or valid only from a later instant do not count, nor do memberships, grants and delegations whose
// validity window does not include asOf.
func New(p *projection.Projection, asOf time.Time) *Engine {
	return &Engine{p: p, asOf: projection.Nano(asOf), at: asOf.UTC(), scratch: &scratchPool{}, stored: &storedCache{}}
}

// Projection returns the projection the engine runs on.
func (e *Engine) Projection() *projection.Projection { return e.p }

// AsOf returns the instant of analysis.
func (e *Engine) AsOf() time.Time { return e.at }

// grantLive reports whether grant gi counts at as_of (R2): its window, if it
// has one, includes as_of.
func (e *Engine) grantLive(gi int32) bool { return e.p.GrantLive(gi, e.asOf) }

// memberLive reports whether the membership from → to counts at as_of (R1).
func (e *Engine) memberLive(from, to int32) bool { return e.p.MemberLive(from, to, e.asOf) }

// delegLive reports whether delegation di counts at as_of (R3a).
func (e *Engine) delegLive(di int32) bool { return e.p.DelegLive(di, e.asOf) }

// grantGives reports whether live grant gi supplies action a (admin supplies all).
func (e *Engine) grantGives(gi int32, a schema.Action) bool {
	g := &e.p.Grants[gi]
	return (g.ActionIndex() == uint8(a.Index()) || g.ActionIndex() == adminIdx) && e.grantLive(gi)
}

// credValid reports whether credential ci is valid at as_of (R5): not revoked,
// already valid (its valid_from, an extension of SPEC §1, unset or at or
// before as_of), not expired, and its identity active.
func (e *Engine) credValid(ci int32) bool {
	c := &e.p.Creds[ci]
	if c.Revoked || c.Expires <= e.asOf || !e.p.Active(c.Owner) {
		return false
	}
	from := e.p.CredValidFrom(ci)
	return from == projection.NoTime || from <= e.asOf
}

// accepts reports whether credential ci is accepted by system s.
func (e *Engine) accepts(ci int32, s int32) bool {
	sys := e.p.CredSys.Of(ci)
	if len(sys) == 0 {
		return true
	}
	for _, x := range sys {
		if x == s {
			return true
		}
	}
	return false
}

// covering returns r, its ancestors and its system: the nodes a grant on which
// covers r (R2). For a system it returns just the system.
func (e *Engine) covering(r int32) []int32 { return e.p.Covering(r) }

// resourceNode resolves a resource or system id.
func (e *Engine) resourceNode(id string) (int32, error) {
	n, ok := e.p.Lookup(id)
	if !ok {
		return 0, fmt.Errorf("resource %q: %w", id, ErrUnknownNode)
	}
	if k := e.p.Kind(n); k != projection.Resource && k != projection.System {
		return 0, fmt.Errorf("%q is not a resource or system: %w", id, ErrUnknownNode)
	}
	return n, nil
}

// identityNode resolves an identity id.
func (e *Engine) identityNode(id string) (int32, error) {
	n, ok := e.p.Lookup(id)
	if !ok || e.p.Kind(n) != projection.Identity {
		return 0, fmt.Errorf("identity %q: %w", id, ErrUnknownNode)
	}
	return n, nil
}

// critical applies R8 to (resource node, action).
func (e *Engine) critical(r int32, a schema.Action) bool { return a.Critical() && e.p.Sox(r) }

// Snapshot returns the metadata of the snapshot the engine runs on.
func (e *Engine) Snapshot() graph.SnapshotMeta { return e.p.Meta }

// pool returns the engine's scratch pool.
func (e *Engine) pool() *scratchPool { return e.scratch }

// adminIdx is the index of admin in schema.Actions, as grants store actions.
var adminIdx = uint8(schema.ActionAdmin.Index())
