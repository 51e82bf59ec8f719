package cli

import (
	"errors"
	"math"
	"os"
	"runtime/debug"
	"testing"

	"github.com/KimMachineGun/automemlimit/memlimit"
	"github.com/stretchr/testify/require"
)

// TestSetMemoryLimit: the soft limit is 90 % of what the provider reports
// (AUTOMEMLIMIT changes the share or turns it off); GOMEMLIMIT, when set,
// wins; a bad AUTOMEMLIMIT is an error naming it and changes nothing; no
// limit reported means none set; memory that cannot be read changes nothing.
func TestSetMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	unset := func(name string) {
		t.Setenv(name, "x") // restored after the test
		require.NoError(t, os.Unsetenv(name))
	}
	const gib = 1 << 30
	const marker = 7 * gib
	for _, c := range []struct {
		name, gomemlimit, automemlimit string
		provider                       memlimit.Provider
		want                           int64 // the limit in force afterwards
		err                            bool
	}{
		{name: "cgroup or machine", provider: memlimit.Limit(gib), want: gib * 9 / 10},
		{name: "share", automemlimit: "0.5", provider: memlimit.Limit(gib), want: gib / 2},
		{name: "off", automemlimit: "off", provider: memlimit.Limit(gib), want: marker},
		{name: "GOMEMLIMIT wins", gomemlimit: "2GiB", provider: memlimit.Limit(gib), want: marker},
		{name: "bad share", automemlimit: "most", provider: memlimit.Limit(gib), want: marker, err: true},
		{name: "share out of range", automemlimit: "1.5", provider: memlimit.Limit(gib), want: marker, err: true},
		{name: "no limit", provider: func() (uint64, error) { return 0, memlimit.ErrNoLimit }, want: math.MaxInt64},
		{name: "unreadable", provider: func() (uint64, error) { return 0, errors.New("no cgroup") }, want: marker},
	} {
		t.Run(c.name, func(t *testing.T) {
			for name, v := range map[string]string{"GOMEMLIMIT": c.gomemlimit, "AUTOMEMLIMIT": c.automemlimit} {
				if v == "" {
					unset(name)
				} else {
					t.Setenv(name, v)
				}
			}
			debug.SetMemoryLimit(marker)
			n, err := setMemoryLimit(c.provider)
			if c.err {
				require.ErrorContains(t, err, "AUTOMEMLIMIT")
			} else {
				require.NoError(t, err)
				require.Equal(t, c.want, n)
			}
			require.Equal(t, c.want, debug.SetMemoryLimit(-1))
		})
	}
}

// TestSpoolBudget: the report's spool keeps 256 MiB in memory unless the
// heap's soft limit is below 8 GiB, then a 32nd of it, never below 16 MiB.
func TestSpoolBudget(t *testing.T) {
	const mib = 1 << 20
	for limit, want := range map[int64]int{
		math.MaxInt64: 256 * mib, 21 << 30: 256 * mib, 8 << 30: 256 * mib,
		(4 << 30) * 9 / 10: 4 * 1024 * mib * 9 / 10 / 32, 1 << 30: 32 * mib, 256 * mib: 16 * mib, 0: 16 * mib,
	} {
		require.Equal(t, want, spoolBudget(limit), "limit %d", limit)
	}
}
