package k8srbac

import (
	"fmt"
	"strings"
)

// Object kinds the ingester uses; every other kind is skipped.
const (
	KindClusterRole        = "ClusterRole"
	KindClusterRoleBinding = "ClusterRoleBinding"
	KindRole               = "Role"
	KindRoleBinding        = "RoleBinding"
	KindServiceAccount     = "ServiceAccount"
	KindSecret             = "Secret"
	KindPod                = "Pod"
	KindNamespace          = "Namespace"
)

// Subject kinds of a binding.
const (
	SubjectUser           = "User"
	SubjectGroup          = "Group"
	SubjectServiceAccount = "ServiceAccount"
)

// saTokenType is the type of a Secret holding a service account token, and
// saNameAnnotation the annotation naming that service account.
const (
	saTokenType      = "kubernetes.io/service-account-token"
	saNameAnnotation = "kubernetes.io/service-account.name"
	// IRSAAnnotation on a ServiceAccount names the AWS IAM role its pods
	// assume (EKS IAM roles for service accounts); it is kept as the
	// identity's tag of the same name, for the link layer (ingest/link).
	IRSAAnnotation   = "eks.amazonaws.com/role-arn"
	defaultNamespace = "default"
)

// Object is one Kubernetes object of the input with only the fields the
// ingester uses. Fields it does not know are skipped while decoding, so
// Secret values (data, stringData) are never read into an Object.
type Object struct {
	Kind            string           `json:"kind" yaml:"kind"`
	APIVersion      string           `json:"apiVersion" yaml:"apiVersion"`
	Metadata        Meta             `json:"metadata" yaml:"metadata"`
	Rules           []Rule           `json:"rules" yaml:"rules"`
	AggregationRule *AggregationRule `json:"aggregationRule" yaml:"aggregationRule"`
	Subjects        []Subject        `json:"subjects" yaml:"subjects"`
	RoleRef         *RoleRef         `json:"roleRef" yaml:"roleRef"`
	Type            string           `json:"type" yaml:"type"` // Secret type
	Spec            *PodSpec         `json:"spec" yaml:"spec"`

	// Pos is where the object is in its file.
	Pos Pos `json:"-" yaml:"-"`
}

// Meta is the part of an object's metadata the ingester uses.
type Meta struct {
	Name        string            `json:"name" yaml:"name"`
	Namespace   string            `json:"namespace" yaml:"namespace"`
	Labels      map[string]string `json:"labels" yaml:"labels"`
	Annotations map[string]string `json:"annotations" yaml:"annotations"`
}

// Rule is one PolicyRule of a Role or ClusterRole.
type Rule struct {
	Verbs           []string `json:"verbs" yaml:"verbs"`
	APIGroups       []string `json:"apiGroups" yaml:"apiGroups"`
	Resources       []string `json:"resources" yaml:"resources"`
	ResourceNames   []string `json:"resourceNames" yaml:"resourceNames"`
	NonResourceURLs []string `json:"nonResourceURLs" yaml:"nonResourceURLs"`
}

// AggregationRule selects the ClusterRoles whose rules an aggregated
// ClusterRole holds.
type AggregationRule struct {
	ClusterRoleSelectors []LabelSelector `json:"clusterRoleSelectors" yaml:"clusterRoleSelectors"`
}

// LabelSelector is a Kubernetes label selector.
type LabelSelector struct {
	MatchLabels      map[string]string `json:"matchLabels" yaml:"matchLabels"`
	MatchExpressions []LabelRequire    `json:"matchExpressions" yaml:"matchExpressions"`
}

// LabelRequire is one matchExpressions entry.
type LabelRequire struct {
	Key      string   `json:"key" yaml:"key"`
	Operator string   `json:"operator" yaml:"operator"`
	Values   []string `json:"values" yaml:"values"`
}

// Subject is one subject of a binding.
type Subject struct {
	Kind      string `json:"kind" yaml:"kind"`
	Name      string `json:"name" yaml:"name"`
	Namespace string `json:"namespace" yaml:"namespace"`
}

// RoleRef is the role a binding refers to.
type RoleRef struct {
	Kind string `json:"kind" yaml:"kind"`
	Name string `json:"name" yaml:"name"`
}

// PodSpec is the part of a Pod's spec the ingester uses.
type PodSpec struct {
	ServiceAccountName string `json:"serviceAccountName" yaml:"serviceAccountName"`
	ServiceAccount     string `json:"serviceAccount" yaml:"serviceAccount"` // deprecated alias
}

// Problem is a problem of the input at a position: Line for YAML, Pointer
// (a JSON pointer) for JSON.
type Problem struct {
	File    string
	Line    int
	Pointer string
	Msg     string
}

// used reports whether the ingester reads objects of kind k.
func used(k string) bool {
	switch k {
	case KindClusterRole, KindClusterRoleBinding, KindRole, KindRoleBinding,
		KindServiceAccount, KindSecret, KindPod, KindNamespace:
		return true
	}
	return false
}

// namespaced reports whether objects of kind k live in a namespace.
func namespaced(k string) bool {
	switch k {
	case KindRole, KindRoleBinding, KindServiceAccount, KindSecret, KindPod:
		return true
	}
	return false
}

// Namespace is the object's namespace; a namespaced object without one is
// in "default", as kubectl apply would put it.
func (o *Object) Namespace() string {
	if o.Metadata.Namespace == "" && namespaced(o.Kind) {
		return defaultNamespace
	}
	return o.Metadata.Namespace
}

// Check validates one object the way the API server would accept it, as far
// as the ingester relies on it. Each problem is located at the offending
// field. Kinds the ingester does not use are not checked.
func Check(o *Object) []Problem {
	if !used(o.Kind) {
		return nil
	}
	var probs []Problem
	bad := func(format string, args []any, path ...string) {
		line, ptr := o.Pos.At(path...)
		probs = append(probs, Problem{File: o.Pos.File, Line: line, Pointer: ptr, Msg: o.Kind + " " + o.label() + ": " + fmt.Sprintf(format, args...)})
	}
	if o.Metadata.Name == "" {
		bad("missing metadata.name", nil, "metadata")
	}
	for i, r := range o.Rules {
		idx := fmt.Sprint(i)
		if len(r.Verbs) == 0 {
			bad("rule %d has no verbs", []any{i}, "rules", idx)
		}
		if len(r.Resources) == 0 && len(r.NonResourceURLs) == 0 {
			bad("rule %d names neither resources nor nonResourceURLs", []any{i}, "rules", idx)
		}
		if len(r.NonResourceURLs) > 0 && o.Kind == KindRole {
			bad("rule %d: nonResourceURLs are not allowed in a Role (only in a ClusterRole)", []any{i}, "rules", idx, "nonResourceURLs")
		}
		if len(r.Resources) > 0 && len(r.APIGroups) == 0 {
			bad("rule %d names resources but no apiGroups", []any{i}, "rules", idx)
		}
	}
	if o.Kind == KindRoleBinding || o.Kind == KindClusterRoleBinding {
		o.checkBinding(bad)
	}
	return probs
}

func (o *Object) checkBinding(bad func(string, []any, ...string)) {
	switch {
	case o.RoleRef == nil:
		bad("missing roleRef", nil)
	case o.RoleRef.Name == "":
		bad("roleRef has no name", nil, "roleRef")
	case o.RoleRef.Kind != KindRole && o.RoleRef.Kind != KindClusterRole:
		bad("roleRef.kind %q: want Role or ClusterRole", []any{o.RoleRef.Kind}, "roleRef", "kind")
	}
	for i, s := range o.Subjects {
		idx := fmt.Sprint(i)
		switch {
		case s.Kind != SubjectUser && s.Kind != SubjectGroup && s.Kind != SubjectServiceAccount:
			bad("subject %d: kind %q: want User, Group or ServiceAccount", []any{i, s.Kind}, "subjects", idx, "kind")
		case s.Name == "":
			bad("subject %d has no name", []any{i}, "subjects", idx)
		case s.Kind == SubjectServiceAccount && s.Namespace == "" && o.Kind == KindClusterRoleBinding:
			bad("subject %d: ServiceAccount %q needs a namespace in a ClusterRoleBinding", []any{i, s.Name}, "subjects", idx)
		}
	}
}

// label names the object in messages: "ns/name" or "name".
func (o *Object) label() string {
	if namespaced(o.Kind) {
		return o.Namespace() + "/" + o.Metadata.Name
	}
	return o.Metadata.Name
}

// matches reports whether labels satisfy the selector (an empty selector
// matches nothing, as in ClusterRole aggregation).
func (s LabelSelector) matches(labels map[string]string) bool {
	if len(s.MatchLabels) == 0 && len(s.MatchExpressions) == 0 {
		return false
	}
	for k, v := range s.MatchLabels {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	for _, e := range s.MatchExpressions {
		v, ok := labels[e.Key]
		in := false
		for _, x := range e.Values {
			in = in || x == v
		}
		switch strings.ToLower(e.Operator) {
		case "in":
			if !ok || !in {
				return false
			}
		case "notin":
			if ok && in {
				return false
			}
		case "exists":
			if !ok {
				return false
			}
		case "doesnotexist":
			if ok {
				return false
			}
		default:
			return false
		}
	}
	return true
}
