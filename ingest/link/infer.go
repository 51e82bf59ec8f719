package link

import (
	"strings"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/schema"
)

// IRSAAnnotation is the ServiceAccount annotation of EKS IAM roles for
// service accounts; ingest/k8srbac keeps it as an identity tag.
const IRSAAnnotation = "eks.amazonaws.com/role-arn"

// facts are what the inferences need of the load.
type facts struct {
	irsa      map[string]string // service account id → annotated role ARN, in load order below
	saOrder   []string
	roleByARN map[string]string // AWS identity tag arn → identity id
	principal map[string]string // identity → aws_principal tag
	oidcTrust map[string]string // role id → the first OIDC provider its trust policy trusts
	creds     map[string]graph.Credential
}

// infer adds the links the data implies without a link file.
func infer(lk *ingest.Linker) error {
	fx, err := gather(lk)
	if err != nil {
		return err
	}
	for _, sa := range fx.saOrder {
		if err := fx.irsaLink(lk, sa); err != nil {
			return err
		}
	}
	return nil
}

func gather(lk *ingest.Linker) (*facts, error) {
	fx := &facts{irsa: map[string]string{}, roleByARN: map[string]string{}, principal: map[string]string{},
		oidcTrust: map[string]string{}, creds: map[string]graph.Credential{}}
	err := lk.Identities(func(r graph.Identity) bool {
		if arn := r.Tags[IRSAAnnotation]; arn != "" && isServiceAccount(r.ID) {
			fx.irsa[r.ID] = arn
			fx.saOrder = append(fx.saOrder, r.ID)
		}
		if arn := r.Tags["arn"]; strings.HasPrefix(r.ID, "aws:") && strings.Contains(arn, ":role/") {
			fx.roleByARN[arn] = r.ID
		}
		if p := r.Tags["aws_principal"]; p != "" {
			fx.principal[r.ID] = p
		}
		return true
	})
	if err != nil || len(fx.saOrder) == 0 {
		return fx, err // no annotated service account: nothing to infer, no more to read
	}
	err = lk.Delegations(func(d graph.Delegation) bool {
		if p := fx.principal[d.From]; strings.Contains(p, ":oidc-provider/") && fx.oidcTrust[d.To] == "" {
			fx.oidcTrust[d.To] = p
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	err = lk.Credentials(func(c graph.Credential) bool {
		if isServiceAccount(c.Identity) && c.ID == c.Identity+":token" {
			fx.creds[c.ID] = c
		}
		return true
	})
	return fx, err
}

// isServiceAccount tells a Kubernetes service account id: k8s:CLUSTER:sa:NS/NAME.
func isServiceAccount(id string) bool {
	return strings.HasPrefix(id, "k8s:") && strings.Contains(id, ":sa:")
}

// irsaLink is IRSA: the service account annotated with a role of this load
// whose trust policy trusts an OIDC provider can assume the role, and its
// token is accepted by the role's account (STS AssumeRoleWithWebIdentity).
func (fx *facts) irsaLink(lk *ingest.Linker, sa string) error {
	arn := fx.irsa[sa]
	role := fx.roleByARN[arn]
	provider := fx.oidcTrust[role]
	if role == "" || provider == "" {
		return nil // the role is not in this load, or trusts no OIDC provider
	}
	system := ""
	if parts := strings.SplitN(arn, ":", 6); len(parts) == 6 {
		if k, ok := lk.Kind("aws:" + parts[4]); ok && k == schema.KindSystem {
			system = "aws:" + parts[4]
		}
	}
	native := "inferred (IRSA): service account annotation " + IRSAAnnotation + "; the role's trust policy trusts Federated " +
		provider + " (sts:AssumeRoleWithWebIdentity; approximated: its condition on the token subject is not checked)"
	if system != "" {
		if _, ok := fx.creds[sa+":token"]; ok {
			accept(lk, sa+":token", system)
		}
	}
	return lk.AddDelegation(graph.Delegation{From: sa, To: role, Kind: schema.DelegAssumeRole, System: system, Native: native})
}
