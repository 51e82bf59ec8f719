package cli

import (
	"os"
	"runtime/debug"
	"strconv"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// memoryRatio is the share of the memory available to the process that
// SetMemoryLimit gives the Go heap as its soft limit.
const memoryRatio = 0.9

// SetMemoryLimit sets the Go runtime's soft memory limit (GOMEMLIMIT) to
// 90 % of the memory available to the process: its container's (cgroup)
// limit, else the machine's physical memory. Near that limit the collector
// runs more often instead of letting the heap grow to twice what is live,
// so a batch report or a large ingest in a container with less memory than
// its default peak finishes, slower, instead of being killed.
//
// GOMEMLIMIT, when set, is left alone; AUTOMEMLIMIT=off leaves the limit
// unset and AUTOMEMLIMIT=0.8 (a share in (0, 1]) replaces 90 %; any other
// AUTOMEMLIMIT is a usage error. When the available memory cannot be
// read, the limit is left as it is. It returns the limit in force
// afterwards.
func SetMemoryLimit() (int64, error) {
	return setMemoryLimit(memlimit.ApplyFallback(memlimit.FromCgroup, memlimit.FromSystem))
}

func setMemoryLimit(available memlimit.Provider) (int64, error) {
	if v, ok := os.LookupEnv("AUTOMEMLIMIT"); ok && v != "off" {
		if r, err := strconv.ParseFloat(v, 64); err != nil || !(r > 0 && r <= 1) {
			return debug.SetMemoryLimit(-1), usagef("AUTOMEMLIMIT=%s: want a share of the available memory in (0, 1], or off", v)
		}
	}
	n, _ := memlimit.Set(memlimit.WithProvider(available), memlimit.WithRatio(memoryRatio))
	return n, nil
}
