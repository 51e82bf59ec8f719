package awsiam

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/schema"
	"github.com/reachgraph/reachgraph/schema/iam"
)

// Config is the aws-iam reader's optional configuration (YAML, given with
// `ingest --aws-config FILE`; docs/ingest-aws.md "Finance scope and
// overrides"): account names and SOX scope, identity-type overrides, and ARN
// patterns that name finance resources.
type Config struct {
	Accounts   map[string]AccountConfig `yaml:"accounts"`
	Identities []IdentityRule           `yaml:"identities"`
	Resources  []ResourceRule           `yaml:"resources"`
}

// AccountConfig describes one AWS account's system.
type AccountConfig struct {
	Name     string `yaml:"name"`
	Owner    string `yaml:"owner"`
	SOXScope bool   `yaml:"sox_scope"`
	// SCP is the account's organization chain, root first, then each OU,
	// then the account: the ids (p-…) or names of the SCPs attached at each
	// level. Their documents come from describe-policy JSON among the inputs
	// (FullAWSAccess is built in).
	SCP [][]string `yaml:"scp"`
}

// IdentityRule overrides what the heuristics say of the users and roles
// whose ARN matches ARN (an IAM pattern). The first matching rule applies.
type IdentityRule struct {
	ARN            string              `yaml:"arn"`
	Type           schema.IdentityType `yaml:"type"`
	Purpose        string              `yaml:"purpose"`
	OwnerBusiness  string              `yaml:"owner_business"`
	OwnerTechnical string              `yaml:"owner_technical"`
	BreakGlass     bool                `yaml:"break_glass"`
}

// ResourceRule declares a finance resource: a resource whose id is ARN (an
// ARN or ARN pattern) with Kind and SOXScope. Policy resources inside it
// become its children (and take its kind and scope); grants on policy
// resources that reach into it are also granted on it.
type ResourceRule struct {
	ARN      string `yaml:"arn"`
	Name     string `yaml:"name"`
	Kind     string `yaml:"kind"`
	SOXScope *bool  `yaml:"sox_scope"`
}

// ParseConfig reads a configuration file and checks it; every problem
// names its line.
func ParseConfig(r io.Reader) (*Config, []Problem, error) {
	var cfg Config
	// Problems keep the decoder's message as it is (it names its line itself).
	lines, yprobs, err := ingest.ReadConfig(r, 0, &cfg)
	if err != nil || len(yprobs) > 0 {
		return nil, ingest.ConvertProblems(yprobs, func(p ingest.ConfigProblem) Problem { return Problem{Line: p.Line, Msg: p.Raw} }), err
	}
	var probs []Problem
	bad := func(section string, i int, format string, args ...any) {
		probs = append(probs, Problem{Line: lines.Item(section, i), Pointer: fmt.Sprintf("/%s/%d", section, i), Msg: fmt.Sprintf(format, args...)})
	}
	for acct, a := range cfg.Accounts {
		if !isAccountID(acct) {
			probs = append(probs, Problem{Line: lines.MapKey("accounts", acct), Pointer: "/accounts/" + acct, Msg: fmt.Sprintf("account %q: want a 12-digit AWS account id", acct)})
		}
		for i, level := range a.SCP {
			for j, ref := range level {
				if strings.TrimSpace(ref) == "" {
					probs = append(probs, Problem{Line: lines.MapKey("accounts", acct), Pointer: fmt.Sprintf("/accounts/%s/scp/%d/%d", acct, i, j), Msg: "empty SCP id or name"})
				}
			}
			if len(level) == 0 {
				probs = append(probs, Problem{Line: lines.MapKey("accounts", acct), Pointer: fmt.Sprintf("/accounts/%s/scp/%d", acct, i), Msg: "a level with no SCP allows nothing; list FullAWSAccess if none is attached"})
			}
		}
	}
	for i, r := range cfg.Identities {
		if !strings.HasPrefix(r.ARN, "arn:") {
			bad("identities", i, "arn %q: want an IAM ARN or ARN pattern (arn:aws:iam::<account>:user/<name>)", r.ARN)
		}
		if !slices.Contains(schema.IdentityTypes, r.Type) {
			bad("identities", i, "type %q: want one of %s", r.Type, strings.Join(schema.Strings(schema.IdentityTypes), ", "))
		}
	}
	seen := map[string]int{}
	for i, r := range cfg.Resources {
		if !strings.HasPrefix(r.ARN, "arn:") {
			bad("resources", i, "arn %q: want an ARN or ARN pattern (arn:aws:s3:::fin-ledger/*)", r.ARN)
		}
		if r.Kind == "" {
			bad("resources", i, "kind is required (the resource kind whocan --kind asks for, e.g. journal_entry)")
		}
		if j, dup := seen[r.ARN]; dup {
			bad("resources", i, "arn %q is already declared by resources[%d]", r.ARN, j)
		}
		seen[r.ARN] = i
	}
	if len(probs) > 0 {
		return nil, probs, nil
	}
	return &cfg, nil, nil
}

// identityRule returns the first rule matching arn, or nil.
func (c *Config) identityRule(arn string) *IdentityRule {
	if c == nil {
		return nil
	}
	for i := range c.Identities {
		if iam.Glob(c.Identities[i].ARN, arn, false) {
			return &c.Identities[i]
		}
	}
	return nil
}

// enclosing returns the most specific resource rule whose pattern covers
// pattern p and is not p itself (nil when none): p's parent.
func (c *Config) enclosing(p string) *ResourceRule {
	if c == nil {
		return nil
	}
	var best *ResourceRule
	for i := range c.Resources {
		r := &c.Resources[i]
		if r.ARN != p && iam.Covers(r.ARN, p, false) && (best == nil || len(r.ARN) > len(best.ARN)) {
			best = r
		}
	}
	return best
}

// reachedBy lists the resource rules a grant on policy resource pattern p
// reaches into without lying inside them: p overlaps the rule's pattern and
// the rule does not cover p (p is broader, or crosses it).
func (c *Config) reachedBy(p string) []*ResourceRule {
	if c == nil {
		return nil
	}
	var out []*ResourceRule
	for i := range c.Resources {
		r := &c.Resources[i]
		if r.ARN != p && !iam.Covers(r.ARN, p, false) && iam.Overlaps(r.ARN, p, false) {
			out = append(out, r)
		}
	}
	return out
}
