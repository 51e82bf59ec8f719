package schema

import (
	"errors"
	"fmt"
	"slices"
)

// NodeKind names a kind of node in the graph. All kinds share one id namespace.
type NodeKind string

// The node kinds of SPEC §1.
const (
	KindSystem     NodeKind = "System"
	KindResource   NodeKind = "Resource"
	KindIdentity   NodeKind = "Identity"
	KindGroup      NodeKind = "Group"
	KindCredential NodeKind = "Credential"
)

// NodeKinds lists every node kind in a fixed order.
var NodeKinds = []NodeKind{KindSystem, KindResource, KindIdentity, KindGroup, KindCredential}

// EdgeKind names a kind of edge; the strings are the ones printed in evidence paths.
type EdgeKind string

// The edge kinds of SPEC §1.
const (
	EdgeMemberOf      EdgeKind = "MEMBER_OF"
	EdgeGrant         EdgeKind = "GRANT"
	EdgeCanActAs      EdgeKind = "CAN_ACT_AS"
	EdgeHasCredential EdgeKind = "HAS_CREDENTIAL"
	EdgeStoredIn      EdgeKind = "STORED_IN"
	EdgeInSystem      EdgeKind = "IN_SYSTEM"
	EdgeChildOf       EdgeKind = "CHILD_OF"
)

// EdgeKinds lists every edge kind in a fixed order.
var EdgeKinds = []EdgeKind{EdgeMemberOf, EdgeGrant, EdgeCanActAs, EdgeHasCredential, EdgeStoredIn, EdgeInSystem, EdgeChildOf}

// Action is what a grant allows. Admin implies every other action (SPEC R2).
type Action string

// The actions of SPEC §1, in severity order.
const (
	ActionRead    Action = "read"
	ActionWrite   Action = "write"
	ActionApprove Action = "approve"
	ActionExport  Action = "export"
	ActionAdmin   Action = "admin"
)

// Actions lists every action in a fixed order; the index is the action's bit position.
var Actions = []Action{ActionRead, ActionWrite, ActionApprove, ActionExport, ActionAdmin}

// Index returns the action's position in Actions, or -1 when it is not a known action.
func (a Action) Index() int { return slices.Index(Actions, a) }

// Critical reports whether the action counts towards critical access (SPEC R8):
// write, approve, export or admin.
func (a Action) Critical() bool { return a != ActionRead && a.Valid() }

// Valid reports whether a is a known action.
func (a Action) Valid() bool { return a.Index() >= 0 }

// ParseAction returns the action named s, or an error listing the allowed values.
func ParseAction(s string) (Action, error) { return parseEnum(s, Actions, "action") }

// IdentityType is the type of an identity; everything but human is non-human.
type IdentityType string

// The identity types of SPEC §1.
const (
	IdentityHuman          IdentityType = "human"
	IdentityServiceAccount IdentityType = "service_account"
	IdentityApplication    IdentityType = "application"
	IdentityAPIClient      IdentityType = "api_client"
	IdentityWorkload       IdentityType = "workload"
	IdentityBot            IdentityType = "bot"
	IdentityAIAgent        IdentityType = "ai_agent"
)

// IdentityTypes lists every identity type.
var IdentityTypes = []IdentityType{IdentityHuman, IdentityServiceAccount, IdentityApplication, IdentityAPIClient, IdentityWorkload, IdentityBot, IdentityAIAgent}

// NonHuman reports whether the identity type is a non-human one.
func (t IdentityType) NonHuman() bool { return t != IdentityHuman }

// ParseIdentityType returns the identity type named s.
func ParseIdentityType(s string) (IdentityType, error) {
	return parseEnum(s, IdentityTypes, "identity type")
}

// Status is an identity's account status.
type Status string

// Account statuses.
const (
	StatusActive   Status = "active"
	StatusDisabled Status = "disabled"
)

// Statuses lists every status.
var Statuses = []Status{StatusActive, StatusDisabled}

// GroupType tells a plain group from a role; both behave the same in reach.
type GroupType string

// Group types.
const (
	GroupGroup GroupType = "group"
	GroupRole  GroupType = "role"
)

// GroupTypes lists every group type.
var GroupTypes = []GroupType{GroupGroup, GroupRole}

// CredentialType is the kind of a credential.
type CredentialType string

// Credential types of SPEC §1.
const (
	CredPassword          CredentialType = "password"
	CredAPIKey            CredentialType = "api_key"
	CredAccessKey         CredentialType = "access_key"
	CredCertificate       CredentialType = "certificate"
	CredToken             CredentialType = "token"
	CredSSHKey            CredentialType = "ssh_key"
	CredOAuthClientSecret CredentialType = "oauth_client_secret"
	CredFederated         CredentialType = "federated"
	// CredTrust is a login that needs no secret at all: a database rule
	// (PostgreSQL pg_hba "trust") accepts the account from the network.
	CredTrust CredentialType = "trust"
	// CredPeer is a login vouched for by the operating system (PostgreSQL
	// pg_hba "peer" or "ident"): whoever runs as the matching OS user.
	CredPeer CredentialType = "peer"
)

// CredentialTypes lists every credential type.
var CredentialTypes = []CredentialType{CredPassword, CredAPIKey, CredAccessKey, CredCertificate, CredToken, CredSSHKey, CredOAuthClientSecret, CredFederated, CredTrust, CredPeer}

// Static reports whether the credential is a long-lived static secret
// (everything but a federated, trust or peer login, which carry no secret).
func (t CredentialType) Static() bool { return t != CredFederated && t != CredTrust && t != CredPeer }

// DelegationKind is the mechanism of a CAN_ACT_AS edge.
type DelegationKind string

// Delegation kinds of SPEC §1.
const (
	DelegAssumeRole  DelegationKind = "assume_role"
	DelegImpersonate DelegationKind = "impersonate"
	DelegRunAs       DelegationKind = "run_as"
	DelegOAuthGrant  DelegationKind = "oauth_grant"
	DelegOther       DelegationKind = "other"
)

// DelegationKinds lists every delegation kind.
var DelegationKinds = []DelegationKind{DelegAssumeRole, DelegImpersonate, DelegRunAs, DelegOAuthGrant, DelegOther}

// Severity is a finding's severity, most severe first.
type Severity string

// Severities of SPEC §5.3.
const (
	SeverityCritical Severity = "critical"
	SeverityHigh     Severity = "high"
	SeverityMedium   Severity = "medium"
	SeverityLow      Severity = "low"
	SeverityInfo     Severity = "info"
)

// Severities lists severities from most to least severe.
var Severities = []Severity{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow, SeverityInfo}

// Rank is 0 for critical up to 4 for info; -1 when unknown.
func (s Severity) Rank() int { return slices.Index(Severities, s) }

// ParseSeverity returns the severity named s.
func ParseSeverity(s string) (Severity, error) { return parseEnum(s, Severities, "severity") }

// Category is a finding's category (SPEC §5.3).
type Category string

// Finding categories of SPEC §5.3.
const (
	CatSoD                        Category = "sod"
	CatToxicPath                  Category = "toxic_path"
	CatOwnerMissing               Category = "owner_missing"
	CatPurposeMissing             Category = "purpose_missing"
	CatRotationOverdue            Category = "rotation_overdue"
	CatCredentialExpiredUnrevoked Category = "credential_expired_unrevoked"
	CatStaticUnvaulted            Category = "static_unvaulted"
	CatDormantCritical            Category = "dormant_critical"
	CatSharedUncontrolled         Category = "shared_uncontrolled"
	CatConfusableID               Category = "confusable_id"
	CatBreakGlass                 Category = "break_glass"
	CatUnusedGrant                Category = "unused_grant"
	CatLatentCritical             Category = "latent_critical"
)

// Categories lists every finding category.
var Categories = []Category{CatSoD, CatToxicPath, CatOwnerMissing, CatPurposeMissing, CatRotationOverdue, CatCredentialExpiredUnrevoked, CatStaticUnvaulted, CatDormantCritical, CatSharedUncontrolled, CatBreakGlass, CatUnusedGrant, CatLatentCritical, CatConfusableID}

// WellKnownResourceKinds are the resource kinds the built-in rules key on. Any
// other text is allowed as a resource kind.
var WellKnownResourceKinds = []string{
	"journal_entry", "gl_account", "posting_period", "account_reconciliation",
	"vendor_master", "vendor_invoice", "purchase_order", "goods_receipt", "payment_run",
	"payment_release", "bank_master", "bank_reconciliation", "customer_master",
	"customer_credit_memo", "credit_limit", "cash_receipt", "sales_order",
	"employee_master", "payroll_run", "financial_report", "program", "transport",
	"access_request", "access_assignment", "secret",
}

// EnumError reports a value outside an enum; Allowed lists the accepted values.
type EnumError struct {
	What    string
	Value   string
	Allowed []string
}

func (e *EnumError) Error() string {
	return fmt.Sprintf("unknown %s %q (allowed: %s)", e.What, e.Value, joinQuoted(e.Allowed))
}

func parseEnum[T ~string](s string, all []T, what string) (T, error) {
	for _, v := range all {
		if string(v) == s {
			return v, nil
		}
	}
	return "", &EnumError{What: what, Value: s, Allowed: Strings(all)}
}

// Strings converts a slice of string-kinded enum values to plain strings.
func Strings[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

func joinQuoted(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}

// ErrUnknownValue is wrapped by errors about a value outside an enum.
var ErrUnknownValue = errors.New("unknown value")

// Unwrap lets errors.Is match ErrUnknownValue.
func (e *EnumError) Unwrap() error { return ErrUnknownValue }
