package awsiam

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/reachgraph/reachgraph/schema/iam"
)

// Details is a parsed get-account-authorization-details document (one page or
// the concatenated pages: the lists are what matters).
type Details struct {
	Users    []User
	Groups   []Group
	Roles    []Role
	Policies map[string]*ManagedPolicy // by ARN
	// ResourcePolicies and SCPs are the side documents read with the
	// details (resource-based policies, organizations describe-policy).
	ResourcePolicies []ResourcePolicy
	SCPs             []*SCP
}

// NamedPolicy is an inline policy or the default version of a managed one.
type NamedPolicy struct {
	Name    string
	ARN     string // managed policies only
	Doc     *Policy
	Pointer string // where it is in the input, a JSON pointer
}

// ManagedPolicy is an entry of the Policies list.
type ManagedPolicy struct {
	NamedPolicy
	AWSManaged bool
}

// User is an entry of UserDetailList.
type User struct {
	Name, ARN, CreateDate string
	ID                    string   // UserId (AIDA…), the value of aws:userid
	Groups                []string // group names
	Inline                []NamedPolicy
	Attached              []string // managed policy ARNs
	Boundary              string   // permissions boundary policy ARN
	Tags                  map[string]string
	Pointer               string
}

// Group is an entry of GroupDetailList.
type Group struct {
	Name, ARN string
	Inline    []NamedPolicy
	Attached  []string
	Pointer   string
}

// Role is an entry of RoleDetailList.
type Role struct {
	Name, ARN, CreateDate string
	Trust                 *Policy
	Inline                []NamedPolicy
	Attached              []string
	Boundary              string
	Tags                  map[string]string
	InstanceProfiles      int // how many instance profiles hold the role
	Pointer               string
}

type rawAttached struct {
	PolicyArn string
}
type rawInline struct {
	PolicyName     string
	PolicyDocument json.RawMessage
}
type rawTag struct{ Key, Value string }
type rawBoundary struct{ PermissionsBoundaryArn string }

type rawUser struct {
	UserName, Arn, CreateDate, UserId string
	GroupList                         []string
	UserPolicyList                    []rawInline
	AttachedManagedPolicies           []rawAttached
	PermissionsBoundary               *rawBoundary
	Tags                              []rawTag
}

type rawGroup struct {
	GroupName, Arn          string
	GroupPolicyList         []rawInline
	AttachedManagedPolicies []rawAttached
}

type rawRole struct {
	RoleName, Arn, CreateDate string
	AssumeRolePolicyDocument  json.RawMessage
	RolePolicyList            []rawInline
	AttachedManagedPolicies   []rawAttached
	PermissionsBoundary       *rawBoundary
	Tags                      []rawTag
	InstanceProfileList       []json.RawMessage
}

type rawPolicy struct {
	PolicyName, Arn, DefaultVersionId string
	PolicyVersionList                 []struct {
		Document         json.RawMessage
		VersionId        string
		IsDefaultVersion bool
	}
}

// ParseDetails parses get-account-authorization-details JSON. Problems in
// single policy documents are returned in problems (pointer → message) and the
// document is skipped; err is set only when the whole input is unusable.
func ParseDetails(data []byte) (d *Details, problems []Problem, err error) {
	d, problems, _, err = decodeJSON(bytes.NewReader(data), 0)
	if d == nil && err == nil {
		d = &Details{Policies: map[string]*ManagedPolicy{}} // not a details document: nothing in it
	}
	return d, problems, err
}

// builder turns the raw entries of the lists into Details, one entry at a
// time, collecting the problems of their policy documents.
type builder struct {
	d        *Details
	problems []Problem
}

func (b *builder) doc(ptr string, name string, rawDoc json.RawMessage) *Policy {
	if len(rawDoc) == 0 {
		b.problems = append(b.problems, Problem{Pointer: ptr, Msg: fmt.Sprintf("policy %q has no document", name)})
		return nil
	}
	p, err := ParsePolicy(rawDoc)
	if err != nil {
		b.problems = append(b.problems, Problem{Pointer: ptr, Msg: fmt.Sprintf("policy %q: %v", name, err)})
		return nil
	}
	return p
}

func (b *builder) inline(base string, list []rawInline) []NamedPolicy {
	var out []NamedPolicy
	for i, ip := range list {
		ptr := fmt.Sprintf("%s/%d/PolicyDocument", base, i)
		if p := b.doc(ptr, ip.PolicyName, ip.PolicyDocument); p != nil {
			out = append(out, NamedPolicy{Name: ip.PolicyName, Doc: p, Pointer: ptr})
		}
	}
	return out
}

func attached(list []rawAttached) []string {
	var out []string
	for _, a := range list {
		out = append(out, a.PolicyArn)
	}
	return out
}

func tags(list []rawTag) map[string]string {
	if len(list) == 0 {
		return nil
	}
	m := map[string]string{}
	for _, t := range list {
		m[t.Key] = t.Value
	}
	return m
}

func boundary(b *rawBoundary) string {
	if b == nil {
		return ""
	}
	return b.PermissionsBoundaryArn
}

func (b *builder) user(i int, u *rawUser) {
	ptr := fmt.Sprintf("/UserDetailList/%d", i)
	b.d.Users = append(b.d.Users, User{
		Name: u.UserName, ARN: u.Arn, CreateDate: u.CreateDate, ID: u.UserId, Groups: u.GroupList,
		Inline: b.inline(ptr+"/UserPolicyList", u.UserPolicyList), Attached: attached(u.AttachedManagedPolicies),
		Boundary: boundary(u.PermissionsBoundary), Tags: tags(u.Tags), Pointer: ptr,
	})
}

func (b *builder) group(i int, g *rawGroup) {
	ptr := fmt.Sprintf("/GroupDetailList/%d", i)
	b.d.Groups = append(b.d.Groups, Group{
		Name: g.GroupName, ARN: g.Arn,
		Inline: b.inline(ptr+"/GroupPolicyList", g.GroupPolicyList), Attached: attached(g.AttachedManagedPolicies), Pointer: ptr,
	})
}

func (b *builder) role(i int, r *rawRole) {
	ptr := fmt.Sprintf("/RoleDetailList/%d", i)
	role := Role{
		Name: r.RoleName, ARN: r.Arn, CreateDate: r.CreateDate,
		Inline: b.inline(ptr+"/RolePolicyList", r.RolePolicyList), Attached: attached(r.AttachedManagedPolicies),
		Boundary: boundary(r.PermissionsBoundary), Tags: tags(r.Tags), Pointer: ptr,
		InstanceProfiles: len(r.InstanceProfileList),
	}
	if len(r.AssumeRolePolicyDocument) > 0 {
		role.Trust = b.doc(ptr+"/AssumeRolePolicyDocument", r.RoleName+" trust policy", r.AssumeRolePolicyDocument)
	}
	b.d.Roles = append(b.d.Roles, role)
}

func (b *builder) policy(i int, p *rawPolicy) {
	for j, v := range p.PolicyVersionList {
		if !v.IsDefaultVersion && v.VersionId != p.DefaultVersionId {
			continue
		}
		ptr := fmt.Sprintf("/Policies/%d/PolicyVersionList/%d/Document", i, j)
		if pd := b.doc(ptr, p.PolicyName, v.Document); pd != nil {
			b.d.Policies[p.Arn] = &ManagedPolicy{
				NamedPolicy: NamedPolicy{Name: p.PolicyName, ARN: p.Arn, Doc: pd, Pointer: ptr},
				AWSManaged:  strings.HasPrefix(p.Arn, "arn:aws:iam::aws:policy/"),
			}
		}
		break
	}
}

// Problem is a problem found in one place of an input file.
type Problem struct {
	Line    int
	Pointer string
	Msg     string
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// AccountID is the account the document describes: the most frequent 12-digit
// account id in the ARNs of its users, groups, roles and customer-managed
// policies (ties go to the smallest id); "" when there is none.
func (d *Details) AccountID() string {
	count := map[string]int{}
	add := func(arn string) {
		if a := iam.ARNAccount(arn); isAccountID(a) {
			count[a]++
		}
	}
	for _, u := range d.Users {
		add(u.ARN)
	}
	for _, g := range d.Groups {
		add(g.ARN)
	}
	for _, r := range d.Roles {
		add(r.ARN)
	}
	for arn := range d.Policies {
		add(arn)
	}
	best, n := "", 0
	for a, c := range count {
		if c > n || c == n && a < best {
			best, n = a, c
		}
	}
	return best
}
