package gen

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors of the generator.
var (
	// ErrUnknownTier is returned by TierByName for a name that is not a tier.
	ErrUnknownTier = errors.New("unknown tier")
	// ErrInvalidTier is returned by Generate and Expected for a Tier whose sizes
	// are too small to build the estate's structure.
	ErrInvalidTier = errors.New("invalid tier")
)

// Tier sizes one synthetic estate. The named tiers come from TierByName; a
// caller may also build its own Tier (it must pass the checks Generate makes,
// which return ErrInvalidTier).
type Tier struct {
	// Name labels the tier, e.g. "S"; it goes into Meta's source label.
	Name string
	// Systems is the number of systems (at least 2). Every twelfth system, the
	// second one first, is a vault.
	Systems int
	// Identities is the number of identities (at least 3), about 90 % of them
	// non-human.
	Identities int
	// Groups is the number of groups and roles together (at least 10).
	Groups int
	// Resources is the number of resources (at least Systems; every system
	// gets at least one).
	Resources int
	// Edges is the tier's documented edge target from PERFORMANCE.md:
	// memberships + grants + credentials (HAS_CREDENTIAL) + stored_in links +
	// delegations + resources' IN_SYSTEM and CHILD_OF links. Generate does not
	// read it; DirectGrants is tuned so the generated count lands within ±20 %.
	Edges int
	// DirectGrants is the mean number of grants a non-human identity holds
	// directly rather than through a group (exponentially distributed, capped
	// at 64). It is the knob that brings the edge count to Edges.
	DirectGrants float64
}

var tiers = []Tier{
	{Name: "XS", Systems: 12, Identities: 200, Groups: 40, Resources: 120, Edges: 2_000, DirectGrants: 5.9},
	{Name: "S", Systems: 24, Identities: 10_000, Groups: 2_000, Resources: 5_000, Edges: 100_000, DirectGrants: 6.1},
	{Name: "M", Systems: 80, Identities: 1_000_000, Groups: 50_000, Resources: 100_000, Edges: 10_000_000, DirectGrants: 7.7},
	{Name: "L", Systems: 200, Identities: 10_000_000, Groups: 200_000, Resources: 1_000_000, Edges: 100_000_000, DirectGrants: 7.8},
}

// Tiers returns the named tiers, smallest first: XS (tiny, for unit tests), S,
// M and L (the sizes of PERFORMANCE.md).
func Tiers() []Tier {
	out := make([]Tier, len(tiers))
	copy(out, tiers)
	return out
}

// TierByName returns the named tier ("XS", "S", "M" or "L", case-insensitive),
// or an error wrapping ErrUnknownTier.
func TierByName(name string) (Tier, error) {
	for _, t := range tiers {
		if strings.EqualFold(t.Name, name) {
			return t, nil
		}
	}
	return Tier{}, fmt.Errorf("%w %q (known: XS, S, M, L)", ErrUnknownTier, name)
}

func (t Tier) validate() error {
	var problems []string
	if t.Systems < 2 {
		problems = append(problems, fmt.Sprintf("systems %d < 2", t.Systems))
	}
	if t.Identities < 3 {
		problems = append(problems, fmt.Sprintf("identities %d < 3", t.Identities))
	}
	if t.Groups < 10 {
		problems = append(problems, fmt.Sprintf("groups %d < 10", t.Groups))
	}
	if t.Resources < t.Systems {
		problems = append(problems, fmt.Sprintf("resources %d < systems %d", t.Resources, t.Systems))
	}
	if t.DirectGrants < 0 {
		problems = append(problems, fmt.Sprintf("direct grants %g < 0", t.DirectGrants))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w %q: %s", ErrInvalidTier, t.Name, strings.Join(problems, "; "))
	}
	return nil
}
