//go:build unix

package report

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// removeAbandoned removes the spool directories under dir (the system's
// temporary directory for "") left by report processes that were killed:
// those that name, in their pid file, a process that no longer exists, and
// that belong to this user. A directory without a pid file (one being made,
// or one from a build before the pid file) or naming a live process is
// left alone, as is anything that fails; it returns how many it removed.
func removeAbandoned(dir string) int {
	if dir == "" {
		dir = os.TempDir()
	}
	matches, _ := filepath.Glob(filepath.Join(dir, spoolPattern))
	removed := 0
	for _, d := range matches {
		fi, err := os.Lstat(d)
		if err != nil || !fi.IsDir() {
			continue
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Getuid() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(d, pidFile))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) && os.RemoveAll(d) == nil {
			removed++
		}
	}
	return removed
}
