package vault

import "time"

// Export is one decoded Vault export: the input of Transform.
type Export struct {
	// Config is the reader configuration (nil for the defaults).
	Config *Config
	// Policies in file order.
	Policies []Policy
	// Mounts maps an auth mount path without its trailing slash
	// ("kubernetes", "ci/jwt") to its type ("kubernetes", "approle", "jwt",
	// "oidc") from sys/auth.json.
	Mounts map[string]string
	// Issuers maps a jwt/oidc mount to its issuer from the mount's config
	// read (bound_issuer, else oidc_discovery_url, else jwks_url).
	Issuers map[string]string
	// Roles of the auth methods, in file order.
	Roles []Role
	// SecretIDs are the exported AppRole secret-id accessor lookups per
	// "mount/role".
	SecretIDs map[string][]SecretID
	// Secrets are the KV v2 secrets found in metadata reads, in file order.
	Secrets []KVSecret
	// ServiceAccounts lists the Kubernetes service-account identity ids
	// with the given prefix ("k8s:cluster:sa:finance/") that other sources
	// of the same load declare; nil when unknown. It expands `*` in
	// kubernetes auth roles.
	ServiceAccounts func(prefix string) []string
}

// Policy is one ACL policy.
type Policy struct {
	Name  string
	File  string
	Rules []Rule
}

// Role is one auth-method role read from auth/<mount>/role/<name>.
type Role struct {
	Mount string // auth mount path, no trailing slash
	Name  string
	Type  string // mount type: kubernetes, approle, jwt, oidc
	File  string
	Data  RoleData
}

// RoleData are the fields of a role read that the mapping uses; the rest is
// ignored.
type RoleData struct {
	TokenPolicies        strList `json:"token_policies"`
	Policies             strList `json:"policies"`
	TokenNoDefaultPolicy bool    `json:"token_no_default_policy"`
	TokenBoundCIDRs      strList `json:"token_bound_cidrs"`
	// kubernetes
	BoundSANames      strList `json:"bound_service_account_names"`
	BoundSANamespaces strList `json:"bound_service_account_namespaces"`
	NamespaceSelector string  `json:"bound_service_account_namespace_selector"`
	// approle
	BindSecretID      *bool   `json:"bind_secret_id"`
	SecretIDTTL       seconds `json:"secret_id_ttl"`
	SecretIDNumUses   int     `json:"secret_id_num_uses"`
	SecretIDBoundCIDR strList `json:"secret_id_bound_cidrs"`
	// jwt / oidc
	RoleType        string         `json:"role_type"`
	BoundSubject    string         `json:"bound_subject"`
	BoundAudiences  strList        `json:"bound_audiences"`
	BoundClaims     map[string]any `json:"bound_claims"`
	BoundClaimsType string         `json:"bound_claims_type"`
	UserClaim       string         `json:"user_claim"`
}

// SecretID is the metadata of one AppRole secret id (the lookup of its
// accessor); never the secret id itself.
type SecretID struct {
	Accessor string
	Created  time.Time
	Expires  time.Time
	File     string
}

// KVSecret is one KV v2 secret from its metadata read.
type KVSecret struct {
	Mount   string // "secret", "kv/finance"
	Path    string // below the mount: "sap/rfc_fi"
	Created time.Time
	// Updated is when the current version was written: its created_time,
	// else the metadata's updated_time (which a metadata-only change also
	// moves).
	Updated time.Time
	Owner   string // custom_metadata owner, "" for none
	Deleted bool   // the current version is deleted or destroyed
	File    string
}

// DataPath is the secret's API path for reading its value:
// "<mount>/data/<path>".
func (s *KVSecret) DataPath() string { return s.Mount + "/data/" + s.Path }

// kvMetadata is data of a KV v2 metadata read.
type kvMetadata struct {
	CreatedTime    vaultTime            `json:"created_time"`
	UpdatedTime    vaultTime            `json:"updated_time"`
	CurrentVersion int                  `json:"current_version"`
	CustomMetadata map[string]string    `json:"custom_metadata"`
	Versions       map[string]kvVersion `json:"versions"`
	// Data is the value of a KV v2 *data* read: its presence means the file
	// holds secret values, which are refused; its bytes are never kept.
	Data presence `json:"data"`
}

type kvVersion struct {
	CreatedTime  vaultTime `json:"created_time"`
	DeletionTime vaultTime `json:"deletion_time"`
	Destroyed    bool      `json:"destroyed"`
}

// secretIDLookup is data of an AppRole secret-id-accessor lookup.
type secretIDLookup struct {
	Accessor       string    `json:"secret_id_accessor"`
	CreationTime   vaultTime `json:"creation_time"`
	ExpirationTime vaultTime `json:"expiration_time"`
}

// authMount is one entry of sys/auth.
type authMount struct {
	Type string `json:"type"`
}

// authConfig is data of an auth mount's config read (jwt/oidc).
type authConfig struct {
	BoundIssuer      string `json:"bound_issuer"`
	OIDCDiscoveryURL string `json:"oidc_discovery_url"`
	JWKSURL          string `json:"jwks_url"`
}

// policyData is data of sys/policy/NAME (rules) or sys/policies/acl/NAME
// (policy).
type policyData struct {
	Name   string `json:"name"`
	Rules  string `json:"rules"`
	Policy string `json:"policy"`
}
