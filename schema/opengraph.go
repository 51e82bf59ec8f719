package schema

// The BloodHound OpenGraph vocabulary of reachgraph: the node and edge kinds
// `reachgraph export --format opengraph` writes and `ingest --format
// opengraph` maps back without configuration. BloodHound's extension
// definition schema requires every kind to carry the extension's namespace as
// a prefix followed by an underscore ("RG_Identity"), which also keeps them
// apart from BloodHound's built-in Active Directory and Azure kinds (User,
// Group, AZUser …).

// OpenGraphNamespace is the namespace prefix of every reachgraph OpenGraph kind.
const OpenGraphNamespace = "RG"

// OpenGraphSourceKind is the metadata.source_kind of exported payloads: the
// source kind BloodHound adds to every node of the payload.
const OpenGraphSourceKind = "RGBase"

// The OpenGraph node kinds. An identity carries OGIdentity and the kind of its
// type (OpenGraphIdentityKind); a role carries OGGroup and OGRole.
const (
	OGSystem     = "RG_System"
	OGResource   = "RG_Resource"
	OGIdentity   = "RG_Identity"
	OGGroup      = "RG_Group"
	OGRole       = "RG_Role"
	OGCredential = "RG_Credential"
)

// The OpenGraph edge kinds other than grants (OpenGraphGrantKind).
const (
	OGMemberOf      = "RG_MemberOf"
	OGCanActAs      = "RG_CanActAs"
	OGHasCredential = "RG_HasCredential"
	OGStoredIn      = "RG_StoredIn"
	OGInSystem      = "RG_InSystem"
	OGChildOf       = "RG_ChildOf"
)

// OpenGraphKind describes one OpenGraph node or edge kind for the extension
// definition schema.
type OpenGraphKind struct {
	Name        string
	DisplayName string
	Description string
	Icon        string // Font Awesome icon name, nodes only
	Color       string // #RRGGBB, nodes only
	// Traversable tells BloodHound's pathfinding to follow edges of this kind
	// (edges only). Edges that lead from a principal towards what it can
	// control are traversable; containment and credential bookkeeping, which
	// point the other way, are not.
	Traversable bool
	// Edge is the reachgraph edge kind, Node the node kind (or the identity
	// type for identity type kinds).
	Edge     EdgeKind
	Node     NodeKind
	Action   Action       // for grant kinds
	Identity IdentityType // for identity type kinds
	Group    GroupType    // for OGRole
}

var identityKinds = map[IdentityType]string{
	IdentityHuman: "RG_Human", IdentityServiceAccount: "RG_ServiceAccount", IdentityApplication: "RG_Application",
	IdentityAPIClient: "RG_APIClient", IdentityWorkload: "RG_Workload", IdentityBot: "RG_Bot", IdentityAIAgent: "RG_AIAgent",
}

var grantKinds = map[Action]string{
	ActionRead: "RG_CanRead", ActionWrite: "RG_CanWrite", ActionApprove: "RG_CanApprove", ActionExport: "RG_CanExport", ActionAdmin: "RG_CanAdmin",
}

// OpenGraphIdentityKind is the node kind of an identity type ("RG_ServiceAccount"),
// "" for an invalid type.
func OpenGraphIdentityKind(t IdentityType) string { return identityKinds[t] }

// OpenGraphGrantKind is the edge kind of a grant action ("RG_CanWrite"), ""
// for an invalid action.
func OpenGraphGrantKind(a Action) string { return grantKinds[a] }

// OpenGraphNodeKinds lists every node kind, in a fixed order.
var OpenGraphNodeKinds = func() []OpenGraphKind {
	ks := []OpenGraphKind{
		{Name: OGSystem, DisplayName: "RG System", Description: "An application or platform: ERP, bank portal, vault, cloud account, identity provider.", Icon: "server", Color: "#2B6CB0", Node: KindSystem},
		{Name: OGResource, DisplayName: "RG Resource", Description: "Something inside a system that access is granted on: journal entries, vendor master, a secret path.", Icon: "folder-open", Color: "#B7791F", Node: KindResource},
		{Name: OGIdentity, DisplayName: "RG Identity", Description: "Anything that authenticates: a person or a non-human identity.", Icon: "id-badge", Color: "#2F855A", Node: KindIdentity},
		{Name: OGGroup, DisplayName: "RG Group", Description: "A group or role that principals are members of.", Icon: "users", Color: "#6B46C1", Node: KindGroup},
		{Name: OGRole, DisplayName: "RG Role", Description: "A group of type role (carries RG_Group too).", Icon: "user-tag", Color: "#805AD5", Node: KindGroup, Group: GroupRole},
		{Name: OGCredential, DisplayName: "RG Credential", Description: "Credential metadata (never a secret value): password, API key, access key, certificate, token …", Icon: "key", Color: "#C53030", Node: KindCredential},
	}
	icons := map[IdentityType]string{IdentityHuman: "user", IdentityServiceAccount: "user-gear", IdentityApplication: "window-maximize",
		IdentityAPIClient: "plug", IdentityWorkload: "cube", IdentityBot: "robot", IdentityAIAgent: "microchip"}
	for _, t := range IdentityTypes {
		ks = append(ks, OpenGraphKind{Name: identityKinds[t], DisplayName: "RG " + string(t), Description: "An identity of type " + string(t) + " (carries RG_Identity too).",
			Icon: icons[t], Color: "#38A169", Node: KindIdentity, Identity: t})
	}
	return ks
}()

// OpenGraphEdgeKinds lists every edge kind, in the order the exporter writes
// them.
var OpenGraphEdgeKinds = func() []OpenGraphKind {
	ks := []OpenGraphKind{{Name: OGMemberOf, Description: "Membership in a group or role (MEMBER_OF).", Traversable: true, Edge: EdgeMemberOf}}
	for _, a := range Actions {
		ks = append(ks, OpenGraphKind{Name: grantKinds[a], Description: "A grant of action " + string(a) + " on a resource or system (GRANT); native holds the source's permission string.",
			Traversable: true, Edge: EdgeGrant, Action: a})
	}
	return append(ks,
		OpenGraphKind{Name: OGCanActAs, Description: "Delegation: the start may act as the end identity (CAN_ACT_AS).", Traversable: true, Edge: EdgeCanActAs},
		OpenGraphKind{Name: OGHasCredential, Description: "The identity owns the credential (HAS_CREDENTIAL).", Edge: EdgeHasCredential},
		OpenGraphKind{Name: OGStoredIn, Description: "The credential is stored in the resource, e.g. a vault path (STORED_IN).", Edge: EdgeStoredIn},
		OpenGraphKind{Name: OGInSystem, Description: "The resource belongs to the system (IN_SYSTEM).", Edge: EdgeInSystem},
		OpenGraphKind{Name: OGChildOf, Description: "The resource is inside its parent resource (CHILD_OF).", Edge: EdgeChildOf},
	)
}()
