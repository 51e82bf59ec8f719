package rules

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/reachgraph/reachgraph/schema"
)

// Rule kinds.
const (
	KindSoD       = "sod"
	KindToxicPath = "toxic_path"
	KindHygiene   = "hygiene"
)

// Hygiene checks a hygiene rule may name in Check.
const (
	CheckOwnerMissing       = "owner_missing"
	CheckPurposeMissing     = "purpose_missing"
	CheckRotationOverdue    = "rotation_overdue"
	CheckExpiredUnrevoked   = "credential_expired_unrevoked"
	CheckStaticUnvaulted    = "static_unvaulted"
	CheckDormantCritical    = "dormant_critical"
	CheckSharedUncontrolled = "shared_uncontrolled"
	CheckBreakGlass         = "break_glass"
	CheckUnusedGrant        = "unused_grant"
	CheckLatentCritical     = "latent_critical"
	CheckConfusableID       = "confusable_id"
)

// Checks lists every hygiene check, in a fixed order.
var Checks = []string{CheckOwnerMissing, CheckPurposeMissing, CheckRotationOverdue, CheckExpiredUnrevoked,
	CheckStaticUnvaulted, CheckDormantCritical, CheckSharedUncontrolled, CheckBreakGlass, CheckUnusedGrant,
	CheckLatentCritical, CheckConfusableID}

// Identity scopes of a hygiene rule.
const (
	ScopeAll      = "all"
	ScopeNonHuman = "nonhuman"
	ScopeHuman    = "human"
)

// Settings are the thresholds of the hygiene checks, in days.
type Settings struct {
	// RotationDays is the default rotation interval for credentials without
	// their own rotation_days (SPEC: 90).
	RotationDays int `yaml:"rotation_days,omitempty" json:"rotation_days"`
	// DormantDays is how long an identity may go unused before it counts as dormant.
	DormantDays int `yaml:"dormant_days,omitempty" json:"dormant_days"`
	// UnusedGrantDays is how long a grant may go unused before it is reported.
	UnusedGrantDays int `yaml:"unused_grant_days,omitempty" json:"unused_grant_days"`
}

// Selector matches accesses: every field given must match (an empty list
// matches anything, except Actions, which is required).
type Selector struct {
	Actions  []schema.Action `yaml:"actions" json:"actions"`
	Kinds    []string        `yaml:"kinds,omitempty" json:"kinds,omitempty"`
	NotKinds []string        `yaml:"not_kinds,omitempty" json:"not_kinds,omitempty"`
	IDs      []string        `yaml:"ids,omitempty" json:"ids,omitempty"`
	Systems  []string        `yaml:"systems,omitempty" json:"systems,omitempty"`
	// SOX, when set, requires the resource to be in (true) or out of (false) SOX scope.
	SOX *bool `yaml:"sox,omitempty" json:"sox,omitempty"`
}

// Function is a named business function: an access matching any selector
// exercises it.
type Function struct {
	Title  string     `yaml:"title" json:"title"`
	Select []Selector `yaml:"select" json:"select"`
}

// SoD names the two functions one actor must not hold together.
type SoD struct {
	A string `yaml:"a" json:"a"`
	B string `yaml:"b" json:"b"`
	// SameSystem requires both accesses to be in the same system.
	SameSystem bool `yaml:"same_system,omitempty" json:"same_system,omitempty"`
}

// Rule is one control.
type Rule struct {
	ID          string          `yaml:"id" json:"id"`
	Kind        string          `yaml:"kind" json:"kind"`
	Title       string          `yaml:"title" json:"title"`
	Description string          `yaml:"description,omitempty" json:"description,omitempty"`
	Category    schema.Category `yaml:"category,omitempty" json:"category,omitempty"`
	Severity    schema.Severity `yaml:"severity" json:"severity"`
	// LatentSeverity is used for a latent SoD conflict or toxic path; default:
	// one step below Severity.
	LatentSeverity schema.Severity `yaml:"latent_severity,omitempty" json:"latent_severity,omitempty"`
	// CriticalSeverity is used by hygiene findings on an identity that holds
	// effective critical access (R8); default Severity.
	CriticalSeverity schema.Severity `yaml:"critical_severity,omitempty" json:"critical_severity,omitempty"`
	// Frameworks are exact reference strings (standards.md §7).
	Frameworks []string `yaml:"frameworks,omitempty" json:"frameworks,omitempty"`
	// AIFrameworks are added when the identity, or one on the path, is an ai_agent.
	AIFrameworks []string `yaml:"ai_frameworks,omitempty" json:"ai_frameworks,omitempty"`
	Disabled     bool     `yaml:"disabled,omitempty" json:"disabled,omitempty"`

	SoD *SoD `yaml:"sod,omitempty" json:"sod,omitempty"`
	// When is the CEL predicate of a toxic_path rule.
	When string `yaml:"when,omitempty" json:"when,omitempty"`
	// Check names the hygiene check; Identities scopes it (default nonhuman).
	Check      string `yaml:"check,omitempty" json:"check,omitempty"`
	Identities string `yaml:"identities,omitempty" json:"identities,omitempty"`
}

// Ruleset is a parsed, validated set of rules.
type Ruleset struct {
	Version   int                 `yaml:"version" json:"version"`
	Settings  Settings            `yaml:"settings,omitempty" json:"settings"`
	Functions map[string]Function `yaml:"functions,omitempty" json:"functions,omitempty"`
	Rules     []Rule              `yaml:"rules" json:"rules"`
}

//go:embed builtin.yaml
var builtinYAML []byte

// BuiltinYAML returns the embedded built-in ruleset file.
func BuiltinYAML() []byte { return slices.Clone(builtinYAML) }

// Builtin returns the built-in ruleset, validated (defaults such as each
// rule's category filled in), ready for Evaluate.
func Builtin() (*Ruleset, error) {
	rs, err := Parse(builtinYAML)
	if err != nil {
		return nil, err
	}
	return rs, rs.Validate()
}

// Parse decodes a rules file strictly (unknown fields are errors) without
// validating it; use Merge (or Validate) before evaluating.
func Parse(data []byte) (*Ruleset, error) {
	var rs Ruleset
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&rs); err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	return &rs, nil
}

// Load returns the built-in ruleset with every given file merged over it in
// order, validated.
func Load(files ...[]byte) (*Ruleset, error) {
	rs, err := Builtin()
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		over, err := Parse(f)
		if err != nil {
			return nil, err
		}
		rs = Merge(rs, over)
	}
	return rs, rs.Validate()
}

// Merge returns base overridden by over: settings given in over replace
// base's, functions and rules with the same id replace base's in place, new
// ones are appended.
func Merge(base, over *Ruleset) *Ruleset {
	out := &Ruleset{Version: base.Version, Settings: base.Settings, Functions: map[string]Function{}}
	if over.Version != 0 {
		out.Version = over.Version
	}
	if over.Settings.RotationDays != 0 {
		out.Settings.RotationDays = over.Settings.RotationDays
	}
	if over.Settings.DormantDays != 0 {
		out.Settings.DormantDays = over.Settings.DormantDays
	}
	if over.Settings.UnusedGrantDays != 0 {
		out.Settings.UnusedGrantDays = over.Settings.UnusedGrantDays
	}
	for k, v := range base.Functions {
		out.Functions[k] = v
	}
	for k, v := range over.Functions {
		out.Functions[k] = v
	}
	out.Rules = slices.Clone(base.Rules)
	for _, r := range over.Rules {
		if i := slices.IndexFunc(out.Rules, func(b Rule) bool { return b.ID == r.ID }); i >= 0 {
			out.Rules[i] = r
		} else {
			out.Rules = append(out.Rules, r)
		}
	}
	return out
}

// defaultCategory is the category a rule of a kind gets when it names none.
func (r Rule) defaultCategory() schema.Category {
	switch r.Kind {
	case KindSoD:
		return schema.CatSoD
	case KindToxicPath:
		return schema.CatToxicPath
	}
	return schema.Category(r.Check)
}

// latentSeverity is the severity of a latent finding of r.
func (r Rule) latentSeverity() schema.Severity {
	if r.LatentSeverity != "" {
		return r.LatentSeverity
	}
	i := min(r.Severity.Rank()+1, len(schema.Severities)-1)
	return schema.Severities[i]
}

// Validate fills defaults and reports every problem of the ruleset at once.
func (rs *Ruleset) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if rs.Version != 1 {
		bad("rules: version %d: want 1", rs.Version)
	}
	if rs.Settings.RotationDays <= 0 {
		rs.Settings.RotationDays = 90
	}
	if rs.Settings.DormantDays <= 0 {
		rs.Settings.DormantDays = 90
	}
	if rs.Settings.UnusedGrantDays <= 0 {
		rs.Settings.UnusedGrantDays = 90
	}
	for name, f := range rs.Functions {
		if len(f.Select) == 0 {
			bad("rules: function %s: select is empty", name)
		}
		for i, s := range f.Select {
			if len(s.Actions) == 0 {
				bad("rules: function %s: select[%d]: actions is empty", name, i)
			}
			for _, a := range s.Actions {
				if !a.Valid() {
					bad("rules: function %s: select[%d]: unknown action %q", name, i, a)
				}
			}
		}
	}
	seen := map[string]bool{}
	for i := range rs.Rules {
		r := &rs.Rules[i]
		where := fmt.Sprintf("rules: rule %q", r.ID)
		if r.ID == "" {
			bad("rules: rule #%d has no id", i+1)
		}
		if seen[r.ID] {
			bad("%s: duplicate id", where)
		}
		seen[r.ID] = true
		if r.Category == "" {
			r.Category = r.defaultCategory()
		}
		if !slices.Contains(schema.Categories, r.Category) {
			bad("%s: unknown category %q", where, r.Category)
		}
		for _, s := range []schema.Severity{r.Severity, r.LatentSeverity, r.CriticalSeverity} {
			if s != "" && s.Rank() < 0 {
				bad("%s: unknown severity %q", where, s)
			}
		}
		if r.Severity == "" {
			bad("%s: severity is required", where)
		}
		switch r.Kind {
		case KindSoD:
			if r.SoD == nil {
				bad("%s: kind sod needs sod: {a, b}", where)
				continue
			}
			for _, f := range []string{r.SoD.A, r.SoD.B} {
				if _, ok := rs.Functions[f]; !ok {
					bad("%s: unknown function %q", where, f)
				}
			}
		case KindToxicPath:
			if strings.TrimSpace(r.When) == "" {
				bad("%s: kind toxic_path needs when", where)
			} else if _, _, err := compile(r.When); err != nil {
				bad("%s: when: %v", where, err)
			}
		case KindHygiene:
			if !slices.Contains(Checks, r.Check) {
				bad("%s: unknown check %q (want one of %s)", where, r.Check, strings.Join(Checks, ", "))
			}
			switch r.Identities {
			case "":
				r.Identities = ScopeNonHuman
			case ScopeAll, ScopeNonHuman, ScopeHuman:
			default:
				bad("%s: identities %q: want all, nonhuman or human", where, r.Identities)
			}
		default:
			bad("%s: unknown kind %q (want sod, toxic_path or hygiene)", where, r.Kind)
		}
	}
	return errors.Join(errs...)
}
