package k8srbac

import (
	"strings"

	"github.com/reachgraph/reachgraph/schema"
)

const rbacGroup = "rbac.authorization.k8s.io"

// wellKnownGroup is the API group of resources a rule may name with
// apiGroups ["*"]: such a rule is mapped onto the resource's real type
// (secrets → secrets, rolebindings → rolebindings.rbac.authorization.k8s.io).
var wellKnownGroup = map[string]string{
	"pods": "", "secrets": "", "serviceaccounts": "", "configmaps": "", "services": "",
	"endpoints": "", "events": "", "namespaces": "", "nodes": "", "persistentvolumes": "",
	"persistentvolumeclaims": "", "replicationcontrollers": "", "resourcequotas": "",
	"limitranges": "", "podtemplates": "", "componentstatuses": "",
	"users": "", "groups": "", "userextras": "", "uids": "",
	"deployments": "apps", "daemonsets": "apps", "statefulsets": "apps", "replicasets": "apps",
	"controllerrevisions": "apps",
	"jobs":                "batch", "cronjobs": "batch",
	"roles": rbacGroup, "rolebindings": rbacGroup, "clusterroles": rbacGroup, "clusterrolebindings": rbacGroup,
	"ingresses": "networking.k8s.io", "networkpolicies": "networking.k8s.io",
	"customresourcedefinitions":       "apiextensions.k8s.io",
	"certificatesigningrequests":      "certificates.k8s.io",
	"mutatingwebhookconfigurations":   "admissionregistration.k8s.io",
	"validatingwebhookconfigurations": "admissionregistration.k8s.io",
}

// clusterScoped are the types that live outside namespaces. A RoleBinding
// cannot grant them; a ClusterRoleBinding grants them on
// k8s:CLUSTER:cluster:TYPE only. Types not listed (custom resources …) are
// treated as namespaced.
var clusterScoped = map[string]bool{
	"namespaces": true, "nodes": true, "persistentvolumes": true, "componentstatuses": true,
	"users": true, "groups": true, "userextras": true, "uids": true,
	"clusterroles." + rbacGroup: true, "clusterrolebindings." + rbacGroup: true,
	"customresourcedefinitions.apiextensions.k8s.io":                 true,
	"certificatesigningrequests.certificates.k8s.io":                 true,
	"signers.certificates.k8s.io":                                    true,
	"mutatingwebhookconfigurations.admissionregistration.k8s.io":     true,
	"validatingwebhookconfigurations.admissionregistration.k8s.io":   true,
	"validatingadmissionpolicies.admissionregistration.k8s.io":       true,
	"validatingadmissionpolicybindings.admissionregistration.k8s.io": true,
	"apiservices.apiregistration.k8s.io":                             true,
	"storageclasses.storage.k8s.io":                                  true,
	"csidrivers.storage.k8s.io":                                      true,
	"csinodes.storage.k8s.io":                                        true,
	"volumeattachments.storage.k8s.io":                               true,
	"priorityclasses.scheduling.k8s.io":                              true,
	"runtimeclasses.node.k8s.io":                                     true,
	"ingressclasses.networking.k8s.io":                               true,
	"podsecuritypolicies.policy":                                     true,
	"tokenreviews.authentication.k8s.io":                             true,
	"selfsubjectreviews.authentication.k8s.io":                       true,
	"subjectaccessreviews.authorization.k8s.io":                      true,
	"selfsubjectaccessreviews.authorization.k8s.io":                  true,
	"selfsubjectrulesreviews.authorization.k8s.io":                   true,
	"flowschemas.flowcontrol.apiserver.k8s.io":                       true,
	"prioritylevelconfigurations.flowcontrol.apiserver.k8s.io":       true,
}

// typeName is the TYPE of a resource node: "resource" for the core group,
// "resource.group" otherwise, a subresource after a slash
// ("pods/exec", "deployments.apps/scale"). apiGroup "*" maps well-known
// resources onto their real group and others onto the bare name.
func typeName(group, resource string) string {
	res, sub, _ := strings.Cut(resource, "/")
	if group == "*" {
		group = wellKnownGroup[res]
	}
	t := res
	if group != "" {
		t += "." + group
	}
	if sub != "" {
		t += "/" + sub
	}
	return t
}

// baseType is a TYPE without its subresource.
func baseType(t string) string {
	b, _, _ := strings.Cut(t, "/")
	return b
}

// isClusterScoped reports whether TYPE t is cluster-scoped.
func isClusterScoped(t string) bool { return clusterScoped[baseType(t)] }

// verbAction maps a verb onto the action it grants: get/list/watch → read;
// create/update/patch/delete/deletecollection → write; "*" → admin (and
// for non-resource URLs head → read, post/put → write). bind,
// escalate and impersonate administer the roles or identities they name and
// map to admin on them. Other verbs (use, approve, sign, proxy …) grant
// nothing here.
func verbAction(v string) (schema.Action, bool) {
	switch strings.ToLower(v) {
	case "get", "list", "watch", "head":
		return schema.ActionRead, true
	case "create", "update", "patch", "delete", "deletecollection", "post", "put":
		return schema.ActionWrite, true
	case "*", "bind", "escalate", "impersonate":
		return schema.ActionAdmin, true
	}
	return "", false
}

// nodeKind is the resource kind of a TYPE node: secrets are "secret" (the
// well-known kind), every other type its TYPE.
func nodeKind(t string) string {
	if t == "secrets" {
		return "secret"
	}
	return t
}

// groupOf is the API group of TYPE t ("" for the core group).
func groupOf(t string) string {
	_, g, _ := strings.Cut(baseType(t), ".")
	return g
}

// groupType is the TYPE of the node standing for every resource of API
// group g: "*" for the core group, "*.g" otherwise.
func groupType(g string) string {
	if g == "" {
		return "*"
	}
	return "*." + g
}
