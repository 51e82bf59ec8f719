package k8srbac

import (
	"slices"
	"sort"
	"strings"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// Transform maps the objects of one cluster onto reachgraph records
// (docs/ingest-kubernetes.md). It is pure and deterministic: the same objects
// in the same order give the same records in the same order. Objects are
// expected to have passed Check; what Check rejects is skipped here.
func Transform(objs []*Object, cfg *Config) *graph.Dataset {
	t := newTransformer(cfg)
	t.collect(objs)
	t.nodes()
	for _, b := range t.bindings {
		t.binding(b)
	}
	t.tokenSecrets()
	return t.d
}

type transformer struct {
	cfg *Config
	c   string // id prefix "k8s:CLUSTER"
	sys string
	d   *graph.Dataset

	namespaces   map[string]bool
	nsList       []string
	clusterRoles map[string]*Object
	roles        map[string]*Object // ns/name
	bindings     []*Object
	sas          map[string]bool   // ns/name
	irsa         map[string]string // ns/name → IRSA role ARN
	saList       []saRef
	users        map[string]bool
	groups       map[string]bool
	pods         []podRef
	secrets      []*Object
	haveSecrets  bool
	havePods     bool

	aggregated map[string][]Rule // ClusterRole name → rules with aggregation
	resources  map[string]bool
	grants     map[string]bool
	delegs     map[string]bool
	members    map[string]bool
}

type saRef struct{ ns, name string }

type podRef struct{ ns, name, sa string }

func newTransformer(cfg *Config) *transformer {
	c := "k8s:" + cfg.cluster()
	return &transformer{
		cfg: cfg, c: c, sys: c, d: &graph.Dataset{},
		namespaces: map[string]bool{}, clusterRoles: map[string]*Object{}, roles: map[string]*Object{},
		sas: map[string]bool{}, irsa: map[string]string{}, users: map[string]bool{}, groups: map[string]bool{},
		aggregated: map[string][]Rule{}, resources: map[string]bool{}, grants: map[string]bool{},
		delegs: map[string]bool{}, members: map[string]bool{},
	}
}

// Ids (docs/ingest-kubernetes.md "Ids").
func (t *transformer) saID(ns, name string) string     { return t.c + ":sa:" + ns + "/" + name }
func (t *transformer) userID(name string) string       { return t.c + ":user:" + name }
func (t *transformer) groupID(name string) string      { return t.c + ":group:" + name }
func (t *transformer) nsID(ns string) string           { return t.c + ":ns:" + ns }
func (t *transformer) typeID(ns, typ string) string    { return t.c + ":ns:" + ns + ":" + typ }
func (t *transformer) clusterTypeID(typ string) string { return t.c + ":cluster:" + typ }
func (t *transformer) urlID(p string) string           { return t.c + ":url:" + p }

func (t *transformer) roleID(o *Object) string {
	if o.Kind == KindClusterRole {
		return t.c + ":clusterrole:" + o.Metadata.Name
	}
	return t.c + ":role:" + o.Namespace() + "/" + o.Metadata.Name
}

func (t *transformer) bindingID(o *Object) string {
	if o.Kind == KindClusterRoleBinding {
		return t.c + ":clusterrolebinding:" + o.Metadata.Name
	}
	return t.c + ":rolebinding:" + o.Namespace() + "/" + o.Metadata.Name
}

// collect sorts the objects by kind and gathers every namespace, service
// account, user and group they name.
func (t *transformer) collect(objs []*Object) {
	seen := map[string]bool{}
	for _, o := range objs {
		key := o.Kind + "/" + o.Namespace() + "/" + o.Metadata.Name
		if o.Metadata.Name == "" || seen[key] {
			continue // an object listed twice (overlapping exports) is read once
		}
		seen[key] = true
		t.add(o)
	}
	t.nsList = sortedKeys(t.namespaces)
	sort.Slice(t.saList, func(i, j int) bool {
		if t.saList[i].ns != t.saList[j].ns {
			return t.saList[i].ns < t.saList[j].ns
		}
		return t.saList[i].name < t.saList[j].name
	})
}

// add files one object under its kind and notes the namespace, service
// accounts, users and groups it names.
func (t *transformer) add(o *Object) {
	if ns := o.Namespace(); ns != "" {
		t.namespaces[ns] = true
	}
	switch o.Kind {
	case KindNamespace:
		t.namespaces[o.Metadata.Name] = true
	case KindClusterRole:
		t.clusterRoles[o.Metadata.Name] = o
	case KindRole:
		t.roles[o.Namespace()+"/"+o.Metadata.Name] = o
	case KindRoleBinding, KindClusterRoleBinding:
		if !validRef(o) {
			return
		}
		t.bindings = append(t.bindings, o)
		for _, s := range o.Subjects {
			t.subject(o, s)
		}
	case KindServiceAccount:
		t.addSA(o.Namespace(), o.Metadata.Name)
		if role := o.Metadata.Annotations[IRSAAnnotation]; role != "" {
			t.irsa[o.Namespace()+"/"+o.Metadata.Name] = role
		}
	case KindPod:
		t.havePods = true
		sa := "default"
		if o.Spec != nil && o.Spec.ServiceAccountName != "" {
			sa = o.Spec.ServiceAccountName
		} else if o.Spec != nil && o.Spec.ServiceAccount != "" {
			sa = o.Spec.ServiceAccount
		}
		t.pods = append(t.pods, podRef{ns: o.Namespace(), name: o.Metadata.Name, sa: sa})
		t.addSA(o.Namespace(), sa)
	case KindSecret:
		t.haveSecrets = true
		t.secrets = append(t.secrets, o)
		if sa := o.Metadata.Annotations[saNameAnnotation]; o.Type == saTokenType && sa != "" {
			t.addSA(o.Namespace(), sa)
		}
	}
}

// validRef reports whether a binding passed Check's roleRef rules.
func validRef(o *Object) bool {
	r := o.RoleRef
	return r != nil && r.Name != "" && (r.Kind == KindRole || r.Kind == KindClusterRole)
}

// subjectID is the principal a binding subject names ("" for an invalid one).
// A User named system:serviceaccount:NS:NAME is that service account.
func (t *transformer) subjectID(b *Object, s Subject) string {
	switch s.Kind {
	case SubjectServiceAccount:
		ns := s.Namespace
		if ns == "" {
			ns = b.Namespace()
		}
		return t.saID(ns, s.Name)
	case SubjectUser:
		if ns, name, ok := saUser(s.Name); ok {
			return t.saID(ns, name)
		}
		return t.userID(s.Name)
	case SubjectGroup:
		return t.groupID(s.Name)
	}
	return ""
}

func saUser(name string) (ns, sa string, ok bool) {
	rest, found := strings.CutPrefix(name, "system:serviceaccount:")
	if !found {
		return "", "", false
	}
	ns, sa, ok = strings.Cut(rest, ":")
	return ns, sa, ok && ns != "" && sa != ""
}

func (t *transformer) subject(b *Object, s Subject) {
	if s.Name == "" {
		return
	}
	switch s.Kind {
	case SubjectServiceAccount:
		ns := s.Namespace
		if ns == "" {
			ns = b.Namespace()
		}
		t.addSA(ns, s.Name)
	case SubjectUser:
		if ns, name, ok := saUser(s.Name); ok {
			t.addSA(ns, name)
		} else {
			t.users[s.Name] = true
		}
	case SubjectGroup:
		t.groups[s.Name] = true
	}
}

func (t *transformer) addSA(ns, name string) {
	t.namespaces[ns] = true
	if !t.sas[ns+"/"+name] {
		t.sas[ns+"/"+name] = true
		t.saList = append(t.saList, saRef{ns: ns, name: name})
	}
}

// nodes declares the system, the namespaces with their well-known types, the
// identities with their credentials, and the groups.
func (t *transformer) nodes() {
	sys := graph.System{ID: t.sys, Name: t.cfg.cluster(), Kind: "kubernetes"}
	if t.cfg != nil {
		sys.SOXScope, sys.Owner = t.cfg.SOXScope, t.cfg.Owner
		if t.cfg.Name != "" {
			sys.Name = t.cfg.Name
		}
	}
	t.d.SystemList = append(t.d.SystemList, sys)
	for _, ns := range t.nsList {
		for _, typ := range []string{"secrets", "pods", "pods/exec", "serviceaccounts", "serviceaccounts/token"} {
			t.typeNode(ns, typ)
		}
	}
	for _, sa := range t.saList {
		id := t.saID(sa.ns, sa.name)
		ident := graph.Identity{ID: id, Name: sa.ns + "/" + sa.name, Type: schema.IdentityWorkload, Status: schema.StatusActive}
		if role := t.irsa[sa.ns+"/"+sa.name]; role != "" {
			ident.Tags = map[string]string{IRSAAnnotation: role}
		}
		t.d.IdentityList = append(t.d.IdentityList, ident)
		t.d.CredentialList = append(t.d.CredentialList, graph.Credential{ID: id + ":token", Identity: id, Type: schema.CredToken, Systems: []string{t.sys}})
	}
	for _, u := range sortedKeys(t.users) {
		typ := schema.IdentityHuman
		if strings.HasPrefix(u, "system:") {
			typ = schema.IdentityServiceAccount
		}
		id := t.userID(u)
		t.d.IdentityList = append(t.d.IdentityList, graph.Identity{ID: id, Name: u, Type: typ, Status: schema.StatusActive})
		t.d.CredentialList = append(t.d.CredentialList, graph.Credential{ID: id + ":federated", Identity: id, Type: schema.CredFederated, Systems: []string{t.sys}})
	}
	for _, g := range sortedKeys(t.groups) {
		t.d.GroupList = append(t.d.GroupList, graph.Group{ID: t.groupID(g), Name: g, Type: schema.GroupGroup, System: t.sys})
	}
	for _, name := range sortedKeys(t.clusterRoles) {
		t.d.GroupList = append(t.d.GroupList, graph.Group{ID: t.roleID(t.clusterRoles[name]), Name: "ClusterRole " + name, Type: schema.GroupRole, System: t.sys})
	}
	for _, key := range sortedKeys(t.roles) {
		t.d.GroupList = append(t.d.GroupList, graph.Group{ID: t.roleID(t.roles[key]), Name: "Role " + key, Type: schema.GroupRole, System: t.sys})
	}
	t.implicitGroups()
}

// implicitGroups adds the memberships Kubernetes asserts itself: every
// service account is in system:serviceaccounts, system:serviceaccounts:NS
// and system:authenticated, every user in system:authenticated — for the
// groups some binding names.
func (t *transformer) implicitGroups() {
	for _, sa := range t.saList {
		for _, g := range []string{"system:serviceaccounts", "system:serviceaccounts:" + sa.ns, "system:authenticated"} {
			if t.groups[g] {
				t.member(t.saID(sa.ns, sa.name), t.groupID(g))
			}
		}
	}
	if t.groups["system:authenticated"] {
		for _, u := range sortedKeys(t.users) {
			t.member(t.userID(u), t.groupID("system:authenticated"))
		}
	}
}

func (t *transformer) member(m, g string) {
	if key := m + "\x00" + g; !t.members[key] {
		t.members[key] = true
		t.d.MembershipList = append(t.d.MembershipList, graph.Membership{Member: m, Group: g})
	}
}

// resource declares a resource node once.
func (t *transformer) resource(id, parent, name, kind string, sox *bool) string {
	if !t.resources[id] {
		t.resources[id] = true
		t.d.ResourceList = append(t.d.ResourceList, graph.Resource{ID: id, System: t.sys, Parent: parent, Name: name, Kind: kind, SOXScope: sox})
	}
	return id
}

func (t *transformer) nsNode(ns string) string {
	var sox *bool
	if r := t.cfg.namespaceRule(ns); r != nil {
		sox = r.SOXScope
	}
	return t.resource(t.nsID(ns), "", "namespace "+ns, "namespace", sox)
}

// groupNode stands for every resource of API group g in namespace ns; the
// group's TYPE nodes are below it.
func (t *transformer) groupNode(ns, g string) string {
	parent := t.nsNode(ns)
	return t.resource(t.typeID(ns, groupType(g)), parent, "API group "+quoteGroup(g)+" in "+ns, "api_group", nil)
}

func (t *transformer) typeNode(ns, typ string) string {
	parent := t.groupNode(ns, groupOf(typ))
	return t.resource(t.typeID(ns, typ), parent, typ+" in "+ns, t.cfg.kindOf(ns, typ), nil)
}

// clusterGroupNode stands for every resource of API group g cluster-wide
// (cluster-scoped types, and namespaced ones granted by a
// ClusterRoleBinding).
func (t *transformer) clusterGroupNode(g string) string {
	return t.resource(t.clusterTypeID(groupType(g)), "", "API group "+quoteGroup(g)+" (cluster-wide)", "api_group", nil)
}

func (t *transformer) clusterTypeNode(typ string) string {
	parent := t.clusterGroupNode(groupOf(typ))
	return t.resource(t.clusterTypeID(typ), parent, typ+" (cluster-wide)", nodeKind(typ), nil)
}

// namedNode is the node of object name below the TYPE node typeNode.
func (t *transformer) namedNode(typeNode, ns, typ, name string) string {
	kind := nodeKind(typ)
	if ns != "" {
		kind = t.cfg.kindOf(ns, typ)
	}
	return t.resource(typeNode+":"+name, typeNode, typ+" "+name, kind, nil)
}

func (t *transformer) urlNode(p string) string {
	return t.resource(t.urlID(p), "", "URL "+p, "url", nil)
}

// tokenSecrets stores each service account token Secret's token as a
// credential of its service account, held in the Secret's node: whoever can
// read that Secret can act as the account. Every Secret gets its node.
func (t *transformer) tokenSecrets() {
	for _, s := range t.secrets {
		ns := s.Namespace()
		node := t.namedNode(t.typeNode(ns, "secrets"), ns, "secrets", s.Metadata.Name)
		sa := s.Metadata.Annotations[saNameAnnotation]
		if s.Type != saTokenType || sa == "" {
			continue
		}
		id := t.saID(ns, sa)
		t.d.CredentialList = append(t.d.CredentialList, graph.Credential{
			ID: id + ":secret:" + s.Metadata.Name, Identity: id, Type: schema.CredToken,
			Systems: []string{t.sys}, StoredIn: node,
		})
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
