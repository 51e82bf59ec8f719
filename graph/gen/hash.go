package gen

import "math"

// Structural facts that later sections need about earlier records (an
// identity's type, a group's parents, how many records an entity owns) are pure
// functions of the seed and an index, computed with a stateless hash so no
// lookup can disturb the PCG stream of the record being written.

// Tags keep the hash streams of different facts apart.
const (
	tagSystem uint64 = iota + 1
	tagResource
	tagIdentityType
	tagIdentityPlan
	tagIdentity
	tagGroup
	tagGroupPlan
	tagGroupParent
	tagGroupSkip
	tagMember
	tagGroupGrant
	tagIdentityGrant
	tagCredential
	tagDelegation
	tagGroupDelegation
	tagVaultPolicy
	tagVaultPolicyGrant
)

const golden = 0x9e3779b97f4a7c15

// mix64 is the splitmix64 finalizer: a bijective, well-avalanching mix.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// draws is a counter-based stream of hash values for one (tag, index).
type draws struct {
	base uint64
	n    uint64
}

func (d *draws) u64() uint64 {
	d.n++
	return mix64(d.base + d.n*golden)
}

// intn returns a value in [0, n); n must be positive.
func (d *draws) intn(n int) int { return int((d.u64() >> 1) % uint64(n)) }

// float returns a value in [0, 1).
func (d *draws) float() float64 { return float64(d.u64()>>11) * 0x1p-53 }

// expCount returns floor of an exponential variate with the given mean,
// capped at limit.
func (d *draws) expCount(mean float64, limit int) int {
	if mean <= 0 {
		return 0
	}
	n := int(-mean * math.Log(1-d.float()))
	return min(n, limit)
}

// pick returns the index i of the first cum[i] > x: cum holds cumulative
// weights and x is in [0, cum[len-1]).
func pick(x int, cum []int) int {
	for i, c := range cum {
		if x < c {
			return i
		}
	}
	return len(cum) - 1
}
