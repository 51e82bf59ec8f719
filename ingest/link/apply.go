package link

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/schema"
)

// TagPrefix starts the identity tag that records which rule made a same_as
// link: tag "same_as_rule:<other id>" = "<rule> (<file>:<line>)".
const TagPrefix = "same_as_rule:"

// Config is a link pass: its link files and what it may ask the readers.
type Config struct {
	// Files are the link files, applied in order (none: inferences only).
	Files []string
	// SecretWritten, when not nil, tells when the secret at a resource id
	// was last written (when a Vault KV v2 secret's current version was
	// created, see ingest/vault Reader.KVUpdated). A stored_in link to such a resource
	// sets the credential's last_rotated_at when its source gave none.
	SecretWritten func(resource string) (time.Time, bool)
}

// New returns the link pass with the link files at paths (none for
// inferences only) and the links inferred from the data (infer.go).
func New(paths ...string) ingest.LinkFunc { return Config{Files: paths}.LinkFunc() }

// LinkFunc returns the link pass of a load.
func (c Config) LinkFunc() ingest.LinkFunc {
	return func(ctx context.Context, lk *ingest.Linker) error {
		var ix *index // shared by the files, so a later one sees what an earlier one stored
		for _, path := range c.Files {
			if err := applyFile(lk, path, c.SecretWritten, &ix); err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		return infer(lk)
	}
}

// applier applies one parsed link file, reporting problems at its lines.
type applier struct {
	lk   *ingest.Linker
	f    *ingest.File
	base string // the file's base name, as evidence names it
	ids  *index
	// written is Config.SecretWritten (nil for none).
	written func(resource string) (time.Time, bool)
}

// applyFile applies one link file; *ix is built on first use.
func applyFile(lk *ingest.Linker, path string, written func(string) (time.Time, bool), ix **index) error {
	f, err := lk.Open(path)
	if err != nil {
		return err
	}
	spec, probs, err := Parse(f)
	if err != nil {
		f.Close()
		return err
	}
	for _, p := range probs {
		f.Problem(p.Line, "", p.Msg)
	}
	if spec != nil {
		if *ix == nil {
			if *ix, err = newIndex(lk); err != nil {
				f.Close()
				return err
			}
		}
		a := &applier{lk: lk, f: f, base: filepath.Base(path), ids: *ix, written: written}
		a.apply(spec)
	}
	return f.Close()
}

func (a *applier) apply(spec *Spec) {
	for _, s := range spec.SameAs {
		if s.Pair != nil {
			a.pair(s)
		} else {
			a.join(s)
		}
	}
	for _, s := range spec.StoredIn {
		a.storedIn(s)
	}
	for _, x := range spec.ActAs {
		a.actAs(x)
	}
}

// where is "links.yaml:12", the rule's place in evidence.
func (a *applier) where(line int) string { return fmt.Sprintf("%s:%d", a.base, line) }

// need reports an end that is not a declared node of one of the kinds.
func (a *applier) need(line int, what, id string, kinds ...schema.NodeKind) bool {
	k, ok := a.lk.Kind(id)
	if ok && slices.Contains(kinds, k) {
		return true
	}
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	want := article(names[0]) + " " + strings.Join(names, " or ")
	if ok {
		a.f.Problemf(line, "", "%s %q is %s %s, not %s", what, id, article(string(k)), k, want)
	} else {
		a.f.Problemf(line, "", "%s %q does not exist in the sources of this ingest (want the id of %s)%s", what, id, want, a.ids.suggest(id, kinds))
	}
	return false
}

func (a *applier) pair(s SameAs) {
	if !a.need(s.Line, "same_as", s.Pair[0], schema.KindIdentity) || !a.need(s.Line, "same_as", s.Pair[1], schema.KindIdentity) {
		return
	}
	a.link(s.Pair[0], []string{s.Pair[1]}, map[string]string{s.Pair[1]: s.Rule + " (" + a.where(s.Line) + ")"})
}

// link adds others to id's same_as, with the rule of each in a tag.
func (a *applier) link(id string, others []string, rules map[string]string) {
	a.lk.AmendIdentity(id, func(r *graph.Identity) {
		for _, o := range others {
			if !slices.Contains(r.SameAs, o) {
				r.SameAs = append(r.SameAs, o)
			}
			if r.Tags == nil {
				r.Tags = map[string]string{}
			}
			if _, seen := r.Tags[TagPrefix+o]; !seen {
				r.Tags[TagPrefix+o] = rules[o]
			}
		}
	})
}

// join links every identity with the same key value (compared without case
// and surrounding blanks) to the first of them in load order.
func (a *applier) join(s SameAs) {
	groups := map[string][]string{}
	var order []string
	for _, id := range a.ids.identities {
		for _, v := range a.ids.keyValues(id, s.Keys) {
			if len(groups[v]) == 0 {
				order = append(order, v)
			}
			if !slices.Contains(groups[v], id) {
				groups[v] = append(groups[v], id)
			}
		}
	}
	for _, v := range order {
		g := groups[v]
		if len(g) < 2 {
			continue
		}
		rules := map[string]string{}
		for _, o := range g[1:] {
			rules[o] = fmt.Sprintf("join %s = %s (%s)", s.Rule, v, a.where(s.Line))
		}
		a.link(g[0], g[1:], rules)
	}
}

func (a *applier) storedIn(s StoredIn) {
	okC := a.need(s.Line, "stored_in credential", s.Credential, schema.KindCredential)
	okR := a.need(s.Line, "stored_in resource", s.Resource, schema.KindResource)
	if !okC || !okR {
		return
	}
	if old := a.ids.storedIn[s.Credential]; old != "" && old != s.Resource {
		by := "its source"
		if at := a.ids.storedBy[s.Credential]; at != "" {
			by = at
		}
		a.f.Problemf(s.Line, "", "stored_in: credential %q is already stored in %q by %s; a credential is held at one place", s.Credential, old, by)
		return
	}
	a.ids.storedIn[s.Credential], a.ids.storedBy[s.Credential] = s.Resource, a.where(s.Line)
	var at time.Time
	if a.written != nil {
		at, _ = a.written(s.Resource)
	}
	a.lk.AmendCredential(s.Credential, func(c *graph.Credential) {
		c.StoredIn = s.Resource
		c.Vaulted = c.Vaulted || s.Vaulted
		if c.LastRotatedAt.IsZero() {
			c.LastRotatedAt = at
		}
	})
}

func (a *applier) actAs(x ActAs) {
	ok := a.need(x.Line, "act_as from", x.From, schema.KindIdentity, schema.KindGroup)
	ok = a.need(x.Line, "act_as to", x.To, schema.KindIdentity) && ok
	if x.System != "" {
		ok = a.need(x.Line, "act_as system", x.System, schema.KindSystem) && ok
	}
	if x.Credential != "" {
		ok = a.need(x.Line, "act_as credential", x.Credential, schema.KindCredential) && ok
		if owner := a.ids.credOwner[x.Credential]; ok && owner != x.From {
			a.f.Problemf(x.Line, "", "act_as credential %q belongs to %q, not to %q", x.Credential, owner, x.From)
			ok = false
		}
	}
	if !ok {
		return
	}
	native := "link " + a.where(x.Line) + ": act_as"
	if x.Why != "" {
		native += " (" + x.Why + ")"
	}
	if x.Credential != "" {
		accept(a.lk, x.Credential, x.System)
	}
	if err := a.lk.AddDelegation(graph.Delegation{From: x.From, To: x.To, Kind: schema.DelegationKind(x.Kind), System: x.System, Native: native}); err != nil {
		a.f.Problem(x.Line, "", err.Error())
	}
}

// accept adds system to the systems credential id is accepted by (unless it
// is accepted everywhere already).
func accept(lk *ingest.Linker, id, system string) {
	lk.AmendCredential(id, func(c *graph.Credential) {
		if len(c.Systems) > 0 && !slices.Contains(c.Systems, system) {
			c.Systems = append(c.Systems, system)
		}
	})
}

func article(s string) string {
	if strings.HasPrefix(s, "I") {
		return "an"
	}
	return "a"
}

// index is what the applier needs to know of the load's records.
type index struct {
	identities []string // in load order
	names      map[string]string
	tags       map[string]map[string]string
	storedIn   map[string]string // credential → resource
	storedBy   map[string]string // credential → the link that stored it ("" for its source)
	credOwner  map[string]string
	credIDs    []string
}

func newIndex(lk *ingest.Linker) (*index, error) {
	ix := &index{names: map[string]string{}, tags: map[string]map[string]string{}, storedIn: map[string]string{}, storedBy: map[string]string{}, credOwner: map[string]string{}}
	err := lk.Identities(func(r graph.Identity) bool {
		ix.identities = append(ix.identities, r.ID)
		ix.names[r.ID], ix.tags[r.ID] = r.Name, r.Tags
		return true
	})
	if err != nil {
		return nil, err
	}
	err = lk.Credentials(func(c graph.Credential) bool {
		ix.storedIn[c.ID], ix.credOwner[c.ID] = c.StoredIn, c.Identity
		ix.credIDs = append(ix.credIDs, c.ID)
		return true
	})
	return ix, err
}

// keyValues are an identity's normalized values for a join's keys.
func (ix *index) keyValues(id string, keys []Key) []string {
	var out []string
	for _, k := range keys {
		if !strings.HasPrefix(id, k.IDPrefix) {
			continue
		}
		v := ix.names[id]
		if k.Tag != "" {
			v = ix.tags[id][k.Tag]
		}
		if v = strings.ToLower(strings.TrimSpace(v)); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// suggest names the closest declared id of the kinds, when one is close.
// Only ids in the same namespace (sharing everything up to the last ':') are
// compared, at most maxSuggest of them, so a typo in a huge load stays cheap.
func (ix *index) suggest(id string, kinds []schema.NodeKind) string {
	ns := id[:strings.LastIndexByte(id, ':')+1]
	var cands []string
	add := func(ids []string) {
		for _, c := range ids {
			if len(cands) < maxSuggest && strings.HasPrefix(c, ns) {
				cands = append(cands, c)
			}
		}
	}
	if slices.Contains(kinds, schema.KindIdentity) {
		add(ix.identities)
	}
	if slices.Contains(kinds, schema.KindCredential) {
		add(ix.credIDs)
	}
	best, bestD := "", len(id)/3+1
	sort.Strings(cands)
	for _, c := range cands {
		if d := editDistance(strings.ToLower(id), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// maxSuggest caps the ids suggest compares.
const maxSuggest = 10000
