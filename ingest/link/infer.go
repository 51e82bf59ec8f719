package link

import (
	"strings"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/schema"
	"github.com/reachgraph/reachgraph/schema/iam"
)

// Tags the inferences read. ingest/link may not import its sibling readers,
// so they are repeated here; a test checks they agree.
const (
	// IRSAAnnotation is the ServiceAccount annotation of EKS IAM roles for
	// service accounts; ingest/k8srbac keeps it as an identity tag.
	IRSAAnnotation = "eks.amazonaws.com/role-arn"
)

// facts are what the inferences need of the load.
type facts struct {
	irsa      map[string]string // service account id → annotated role ARN
	saOrder   []string
	oidc      []oidcIdentity // identities named by an OIDC subject, in load order
	roleByARN map[string]string
	roleTags  map[string]map[string]string // AWS role id → its tags
	principal map[string]string            // identity → aws_principal tag
	providers map[string][]string          // role id → the OIDC providers its trust policy trusts, in order
	roles     []string                     // roles trusting an OIDC provider, in load order
	tokens    map[string][]string          // identity → its token credentials
	tokenIDs  map[string]bool
}

// oidcIdentity is an identity with an id oidc:ISSUER:sub:SUBJECT (the Vault
// reader's name for a JWT/OIDC subject; bundles may use it too).
type oidcIdentity struct{ id, issuer, subject string }

// infer adds the links the data implies without a link file.
func infer(lk *ingest.Linker) error {
	fx, err := gather(lk)
	if err != nil || fx == nil {
		return err
	}
	for _, sa := range fx.saOrder {
		if err := fx.irsaLink(lk, sa); err != nil {
			return err
		}
	}
	for _, o := range fx.oidc {
		if err := fx.oidcLinks(lk, o); err != nil {
			return err
		}
	}
	return nil
}

// gather reads what the inferences need; nil when nothing can be inferred
// (no annotated service account and no OIDC subject identity).
func gather(lk *ingest.Linker) (*facts, error) {
	fx := &facts{irsa: map[string]string{}, roleByARN: map[string]string{}, roleTags: map[string]map[string]string{},
		principal: map[string]string{}, providers: map[string][]string{}, tokens: map[string][]string{}, tokenIDs: map[string]bool{}}
	err := lk.Identities(func(r graph.Identity) bool {
		fx.identity(r)
		return true
	})
	if err != nil || len(fx.saOrder) == 0 && len(fx.oidc) == 0 {
		return nil, err
	}
	err = lk.Delegations(func(d graph.Delegation) bool {
		if p := fx.principal[d.From]; strings.Contains(p, ":oidc-provider/") && fx.roleTags[d.To] != nil {
			if len(fx.providers[d.To]) == 0 {
				fx.roles = append(fx.roles, d.To)
			}
			fx.providers[d.To] = append(fx.providers[d.To], p)
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	err = lk.Credentials(func(c graph.Credential) bool {
		if c.Type == schema.CredToken {
			fx.tokens[c.Identity] = append(fx.tokens[c.Identity], c.ID)
		}
		return true
	})
	return fx, err
}

func (fx *facts) identity(r graph.Identity) {
	if arn := r.Tags[IRSAAnnotation]; arn != "" && isServiceAccount(r.ID) {
		fx.irsa[r.ID] = arn
		fx.saOrder = append(fx.saOrder, r.ID)
	}
	if issuer, subject, ok := strings.Cut(strings.TrimPrefix(r.ID, "oidc:"), ":sub:"); ok && strings.HasPrefix(r.ID, "oidc:") {
		fx.oidc = append(fx.oidc, oidcIdentity{id: r.ID, issuer: issuer, subject: subject})
	}
	if arn := r.Tags["arn"]; strings.HasPrefix(r.ID, "aws:") && strings.Contains(arn, ":role/") {
		fx.roleByARN[arn] = r.ID
		fx.roleTags[r.ID] = r.Tags
	}
	if p := r.Tags["aws_principal"]; p != "" {
		fx.principal[r.ID] = p
	}
}

// isServiceAccount tells a Kubernetes service account id: k8s:CLUSTER:sa:NS/NAME.
func isServiceAccount(id string) bool {
	return strings.HasPrefix(id, "k8s:") && strings.Contains(id, ":sa:")
}

// irsaLink is IRSA: the service account annotated with a role of this load
// can assume it when the role's trust policy admits the account's token
// (subject system:serviceaccount:NS:NAME) from an OIDC provider; the role's
// account then accepts the account's token (STS AssumeRoleWithWebIdentity).
func (fx *facts) irsaLink(lk *ingest.Linker, sa string) error {
	arn := fx.irsa[sa]
	role := fx.roleByARN[arn]
	_, nsName, _ := strings.Cut(sa, ":sa:")
	ns, name, _ := strings.Cut(nsName, "/")
	subject := "system:serviceaccount:" + ns + ":" + name
	for _, p := range fx.providers[role] {
		how, ok := admits(fx.roleTags[role], p, subject)
		if !ok || how == anySubject && !strings.Contains(p, ":oidc-provider/oidc.eks.") {
			continue // an unconditioned provider only counts when it is an EKS cluster issuer
		}
		native := "inferred (IRSA): service account annotation " + IRSAAnnotation + "; trust policy of the role: Federated " + p + " " + how +
			" (sts:AssumeRoleWithWebIdentity)"
		return fx.link(lk, sa, role, arn, fx.tokens[sa], native)
	}
	return nil // the role is not in this load, or its trust policy does not admit the account
}

// oidcLinks: an identity named by an OIDC subject can assume every role whose
// trust policy trusts its issuer's provider and admits its subject (GitHub
// Actions workflows assuming AWS roles).
func (fx *facts) oidcLinks(lk *ingest.Linker, o oidcIdentity) error {
	host := strings.TrimSuffix(strings.TrimPrefix(o.issuer, "https://"), "/")
	for _, role := range fx.roles {
		for _, p := range fx.providers[role] {
			_, provHost, _ := strings.Cut(p, ":oidc-provider/")
			how, ok := admits(fx.roleTags[role], p, o.subject)
			if provHost != host || !ok {
				continue
			}
			native := "inferred (OIDC trust): trust policy of the role: Federated " + p + " " + how + " (sts:AssumeRoleWithWebIdentity)"
			if err := fx.link(lk, o.id, role, fx.roleTags[role]["arn"], fx.tokens[o.id], native); err != nil {
				return err
			}
			break
		}
	}
	return nil
}

// link adds the delegation from → role, exercised in the role's account
// when the load declares it, whose system then accepts from's tokens.
func (fx *facts) link(lk *ingest.Linker, from, role, arn string, tokens []string, native string) error {
	system := ""
	if parts := strings.SplitN(arn, ":", 6); len(parts) == 6 {
		if k, ok := lk.Kind("aws:" + parts[4]); ok && k == schema.KindSystem {
			system = "aws:" + parts[4]
		}
	}
	if system != "" {
		for _, c := range tokens {
			accept(lk, c, system)
		}
	}
	return lk.AddDelegation(graph.Delegation{From: from, To: role, Kind: schema.DelegAssumeRole, System: system, Native: native})
}

// anySubject is admits' answer for a provider trusted without a condition on
// the subject.
const anySubject = "for any subject (no condition on the token subject)"

// admits tells whether a role's trust policy (its awsiam subject tags)
// admits subject from provider, and how, for the evidence.
func admits(tags map[string]string, provider, subject string) (string, bool) {
	exact, like := strings.Fields(tags[iam.OIDCSubjectTag(provider, false)]), strings.Fields(tags[iam.OIDCSubjectTag(provider, true)])
	if len(exact) == 0 && len(like) == 0 {
		return anySubject, true
	}
	for _, v := range exact {
		if v == subject {
			return "for subject " + subject, true
		}
	}
	for _, p := range like {
		if glob(p, subject) {
			return "for subjects like " + p, true
		}
	}
	return "", false
}

// glob matches IAM StringLike patterns: * any run of characters (slashes
// included), ? any one character. Linear backtracking on the last star.
func glob(pattern, s string) bool {
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p, i = p+1, i+1
		case p < len(pattern) && pattern[p] == '*':
			star, mark, p = p, i, p+1
		case star >= 0:
			mark++
			p, i = star+1, mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
