package awsiam

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// ResourcePolicy is a resource-based policy (S3 bucket, KMS key, Lambda
// function, SNS topic, SQS queue, Secrets Manager secret …) as one of the
// AWS CLI's get-*-policy commands prints it, or an entry of IAMSpy's list
// format.
type ResourcePolicy struct {
	// Resource is the ARN of the resource the policy is attached to; ""
	// when the document does not say (then every statement must name its
	// resources).
	Resource string
	Doc      *Policy
	Pointer  string // where it is in its file
	File     string
}

// SCP is a service control policy (organizations describe-policy output).
type SCP struct {
	ID, Name, ARN string
	Doc           *Policy
	File          string
}

// docKind tells the side documents apart from authorization details.
type docKind int

const (
	kindDetails docKind = iota
	kindResourcePolicies
	kindSCP
)

// classify tells what a JSON input holds: authorization details, resource
// policies (a list, or an object with Policy/ResourcePolicy/Attributes), or
// an SCP (describe-policy: Policy.PolicySummary).
func classify(data []byte) docKind {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '[' {
		return kindResourcePolicies
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return kindDetails // its parser reports the error
	}
	for _, k := range []string{"UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"} {
		if _, ok := top[k]; ok {
			return kindDetails
		}
	}
	if p, ok := top["Policy"]; ok {
		var inner struct{ PolicySummary json.RawMessage }
		if json.Unmarshal(p, &inner) == nil && inner.PolicySummary != nil {
			return kindSCP
		}
		return kindResourcePolicies
	}
	if _, ok := top["ResourcePolicy"]; ok {
		return kindResourcePolicies
	}
	if _, ok := top["Attributes"]; ok {
		return kindResourcePolicies
	}
	return kindDetails
}

// ParseSCP parses `aws organizations describe-policy` output.
func ParseSCP(data []byte) (*SCP, error) {
	var raw struct {
		Policy struct {
			PolicySummary struct{ Id, Arn, Name, Type string }
			Content       json.RawMessage
		}
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	s := raw.Policy.PolicySummary
	if s.Type != "" && s.Type != "SERVICE_CONTROL_POLICY" {
		return nil, fmt.Errorf("/Policy/PolicySummary/Type: %q is not SERVICE_CONTROL_POLICY (only SCPs are read)", s.Type)
	}
	if s.Id == "" {
		return nil, fmt.Errorf("/Policy/PolicySummary/Id: missing")
	}
	doc, err := ParsePolicy(raw.Policy.Content)
	if err != nil {
		return nil, fmt.Errorf("/Policy/Content: %w", err)
	}
	return &SCP{ID: s.Id, Name: s.Name, ARN: s.Arn, Doc: doc}, nil
}

// ParseResourcePolicies parses resource-based policies: IAMSpy's list
// [{"Resource": arn, "Policy": doc, "Account": id}], or the output of
// s3api get-bucket-policy, kms get-key-policy, lambda get-policy
// ({"Policy": "…"}), secretsmanager get-resource-policy ({"ARN",
// "ResourcePolicy"}), sns get-topic-attributes / sqs get-queue-attributes
// ({"Attributes": {"Policy", "TopicArn"|"QueueArn"}}).
func ParseResourcePolicies(data []byte) ([]ResourcePolicy, error) {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '[' {
		var list []struct {
			Resource string
			Policy   json.RawMessage
		}
		if err := json.Unmarshal(data, &list); err != nil {
			return nil, err
		}
		out := make([]ResourcePolicy, 0, len(list))
		for i, e := range list {
			rp, err := resourcePolicy(e.Resource, e.Policy, fmt.Sprintf("/%d", i))
			if err != nil {
				return nil, err
			}
			out = append(out, rp)
		}
		return out, nil
	}
	var raw struct {
		Policy, ResourcePolicy json.RawMessage
		ARN                    string
		Attributes             struct {
			Policy             json.RawMessage
			TopicArn, QueueArn string
		}
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	var rp ResourcePolicy
	var err error
	switch {
	case raw.ResourcePolicy != nil:
		rp, err = resourcePolicy(raw.ARN, raw.ResourcePolicy, "/ResourcePolicy")
	case raw.Attributes.Policy != nil:
		rp, err = resourcePolicy(raw.Attributes.TopicArn+raw.Attributes.QueueArn, raw.Attributes.Policy, "/Attributes/Policy")
	default:
		rp, err = resourcePolicy("", raw.Policy, "/Policy")
	}
	if err != nil {
		return nil, err
	}
	return []ResourcePolicy{rp}, nil
}

func resourcePolicy(arn string, raw json.RawMessage, ptr string) (ResourcePolicy, error) {
	doc, err := ParsePolicy(raw)
	if err != nil {
		return ResourcePolicy{}, fmt.Errorf("%s: %w", ptr, err)
	}
	for i, st := range doc.Statements {
		if st.Principal == nil && !st.NotPrincipal {
			return ResourcePolicy{}, fmt.Errorf("%s: Statement %d: a resource policy statement needs a Principal", ptr, i)
		}
		if arn == "" && (st.Resource == nil || containsStar(st.Resource)) {
			return ResourcePolicy{}, fmt.Errorf("%s: Statement %d: Resource %q, but the document does not say which resource the policy is attached to; use the list form [{\"Resource\": \"<arn>\", \"Policy\": …}]", ptr, i, strings.Join(st.Resource, ","))
		}
	}
	return ResourcePolicy{Resource: arn, Doc: doc, Pointer: ptr}, nil
}

func containsStar(l []string) bool {
	for _, s := range l {
		if s == "*" {
			return true
		}
	}
	return false
}
