package vault

import (
	"slices"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// Result is what Transform makes of an export.
type Result struct {
	// Records are the records the export declares.
	Records graph.Dataset
	// Placeholders are nodes the export names but another source may own
	// (Kubernetes service accounts, OIDC subjects, policies that were not
	// exported); the reader adds them with ingest.File.AddPlaceholder.
	Placeholders graph.Dataset
	// KVUpdated maps the resource id of every KV v2 secret's data path
	// (vault:CLUSTER:path:<mount>/data/<path>) to its metadata updated_time.
	KVUpdated map[string]time.Time
}

// transformer holds the state of one Transform.
type transformer struct {
	exp      *Export
	c        string // "vault:CLUSTER"
	tree     *tree
	out      *Result
	holders  map[string][]string // policy name → role ids holding it
	seen     map[string]bool     // ids emitted already (dedupe)
	pats     map[string]*pattern // classify per policy path, memoized
	matches  map[string][]string // tree.topMatches per pattern path, memoized
	denyList []denyRule          // every deny rule (denies), nil until computed
}

// pat is classify(path), memoized: rules are compared pairwise.
func (t *transformer) pat(path string) *pattern {
	p, ok := t.pats[path]
	if !ok {
		c := classify(path)
		p = &c
		t.pats[path] = p
	}
	return p
}

// topMatches is t.tree.topMatches(p), memoized; valid once the tree is
// complete (after resources).
func (t *transformer) topMatches(p *pattern) []string {
	m, ok := t.matches[p.path]
	if !ok {
		m = t.tree.topMatches(p)
		t.matches[p.path] = m
	}
	return m
}

// Transform maps a decoded export to reachgraph records (docs/ingest-vault.md).
// It does no I/O and is deterministic: records follow the export's order,
// tree nodes are sorted by path.
func Transform(exp *Export) *Result {
	t := &transformer{exp: exp, c: "vault:" + exp.Config.cluster(), tree: newTree(),
		out: &Result{KVUpdated: map[string]time.Time{}}, holders: map[string][]string{}, seen: map[string]bool{},
		pats: map[string]*pattern{}, matches: map[string][]string{}}
	cfg := exp.Config
	sys := graph.System{ID: t.c, Name: "Vault " + exp.Config.cluster(), Kind: "vault"}
	if cfg != nil {
		sys.SOXScope, sys.Owner = cfg.SOXScope, cfg.Owner
		if cfg.Name != "" {
			sys.Name = cfg.Name
		}
	}
	t.out.Records.SystemList = append(t.out.Records.SystemList, sys)
	for i := range exp.Roles {
		for _, p := range rolePolicies(&exp.Roles[i].Data) {
			t.holders[p] = append(t.holders[p], t.roleID(&exp.Roles[i]))
		}
	}
	t.resources()
	t.policies()
	for i := range exp.Roles {
		t.role(&exp.Roles[i])
	}
	return t.out
}

func (t *transformer) pathID(p string) string { return t.c + ":path:" + p }

// nodeID is the resource id of tree node p, the system for the root "".
func (t *transformer) nodeID(p string) string {
	if p == "" {
		return t.c
	}
	return t.pathID(p)
}

func (t *transformer) policyID(name string) string { return t.c + ":policy:" + name }
func (t *transformer) roleID(r *Role) string       { return t.c + ":role:" + r.Mount + "/" + r.Name }

// once reports whether id is seen for the first time.
func (t *transformer) once(id string) bool {
	if t.seen[id] {
		return false
	}
	t.seen[id] = true
	return true
}

// resources builds the path tree from KV metadata and policy paths and
// emits its nodes, then the pattern nodes.
func (t *transformer) resources() {
	notes := map[string]string{}
	for i := range t.exp.Secrets {
		s := &t.exp.Secrets[i]
		t.tree.add(s.DataPath(), "secret")
		t.out.KVUpdated[t.pathID(s.DataPath())] = s.Updated
		if s.Owner != "" {
			notes[s.DataPath()] = " (owner: " + s.Owner + ")"
		}
		if s.Deleted {
			notes[s.DataPath()] += " (current version deleted)"
		}
	}
	var patterns []pattern
	for _, pol := range t.exp.Policies {
		for _, r := range pol.Rules {
			p := *t.pat(r.Path)
			switch p.shape {
			case shapeExact, shapePrefix:
				t.tree.add(p.node, "secret_path")
			case shapePattern:
				t.tree.add(p.parent(), "secret_path")
				patterns = append(patterns, p)
			}
		}
	}
	t.tree.sort()
	for _, x := range t.tree.paths() {
		name := x + notes[x]
		kind := t.tree.kind[x]
		if top, _, _ := strings.Cut(x, "/"); kind == "secret_path" && (top == "sys" || top == "auth") {
			kind = "api_path"
		}
		t.out.Records.ResourceList = append(t.out.Records.ResourceList, graph.Resource{
			ID: t.pathID(x), System: t.c, Parent: t.parentID(parentOf(x)), Name: name, Kind: kind})
	}
	for _, p := range patterns {
		if !t.once(t.pathID(p.path)) || t.tree.kind[p.path] != "" {
			continue
		}
		t.out.Records.ResourceList = append(t.out.Records.ResourceList, graph.Resource{
			ID: t.pathID(p.path), System: t.c, Parent: t.parentID(p.parent()), Name: p.path, Kind: "secret_path_pattern"})
	}
}

func (t *transformer) parentID(p string) string {
	if p == "" {
		return ""
	}
	return t.pathID(p)
}

// policies emits a role group per exported policy with its grants, and a
// placeholder group for each policy a role names that was not exported.
func (t *transformer) policies() {
	exported := map[string]bool{}
	for i := range t.exp.Policies {
		pol := &t.exp.Policies[i]
		exported[pol.Name] = true
		t.out.Records.GroupList = append(t.out.Records.GroupList, graph.Group{
			ID: t.policyID(pol.Name), Name: pol.Name, Type: schema.GroupRole, System: t.c})
		if pol.Name == "root" { // Vault prints root with empty rules
			t.rootGrant()
		}
		t.policyGrants(pol)
	}
	var missing []string
	for name := range t.holders {
		if !exported[name] {
			missing = append(missing, name)
		}
	}
	slices.Sort(missing)
	for _, name := range missing {
		g := graph.Group{ID: t.policyID(name), Name: name, Type: schema.GroupRole, System: t.c}
		if name == "root" {
			t.out.Records.GroupList = append(t.out.Records.GroupList, g)
			t.rootGrant()
			continue
		}
		t.out.Placeholders.GroupList = append(t.out.Placeholders.GroupList, g)
	}
}

// rootGrant gives the built-in root policy admin on the whole system.
func (t *transformer) rootGrant() {
	t.out.Records.GrantList = append(t.out.Records.GrantList, graph.Grant{
		Principal: t.policyID("root"), Action: schema.ActionAdmin, Resource: t.c, Native: "built-in policy root (every path, every capability)"})
}
