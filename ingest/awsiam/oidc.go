package awsiam

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/reachgraph/reachgraph/schema/iam"
)

// OIDCSubject is a trust statement's condition on the subject of a web
// identity token ("oidc.eks.….amazonaws.com/id/…:sub",
// "token.actions.githubusercontent.com:sub"): who, of the tokens a Federated
// OIDC provider issues, may assume the role.
type OIDCSubject struct {
	Key    string   // the condition key, ending in ":sub"
	Like   bool     // StringLike: Values are patterns with * and ?
	Values []string // StringEquals: exact values
}

// oidcSubjects reads the StringEquals and StringLike conditions on a ":sub"
// key of a Condition block; anything else in the block is ignored.
func oidcSubjects(raw json.RawMessage) []OIDCSubject {
	var cond map[string]map[string]json.RawMessage
	if json.Unmarshal(raw, &cond) != nil {
		return nil
	}
	var out []OIDCSubject
	for _, op := range []string{"StringEquals", "StringLike"} {
		keys := make([]string, 0, len(cond[op]))
		for k := range cond[op] {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !strings.HasSuffix(strings.ToLower(k), ":sub") {
				continue
			}
			if vs, err := stringOrList(cond[op][k]); err == nil && len(vs) > 0 {
				out = append(out, OIDCSubject{Key: k, Like: op == "StringLike", Values: vs})
			}
		}
	}
	return out
}

// oidcTags adds to tags the subjects role r's trust policy admits per
// Federated provider, space-separated, under iam.OIDCSubjectTag (which the
// link layer, ingest/link, reads).
func oidcTags(tags map[string]string, r Role) {
	for _, st := range trustStatements(r) {
		for _, f := range st.Principal.Federated {
			for _, s := range st.Subjects {
				key := iam.OIDCSubjectTag(f, s.Like)
				vals := strings.Fields(tags[key])
				for _, v := range s.Values {
					if !slices.Contains(vals, v) {
						vals = append(vals, v)
					}
				}
				tags[key] = strings.Join(vals, " ")
			}
		}
	}
}

// subjectText renders a statement's subject conditions for the evidence:
// " where K = v1, v2" / " where K like p".
func subjectText(subs []OIDCSubject) string {
	var b strings.Builder
	for i, s := range subs {
		if i == 0 {
			b.WriteString(" where ")
		} else {
			b.WriteString(" and ")
		}
		op := " = "
		if s.Like {
			op = " like "
		}
		b.WriteString(s.Key + op + strings.Join(s.Values, ", "))
	}
	return b.String()
}
