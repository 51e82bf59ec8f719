#!/usr/bin/env bash
# Runs every Fuzz* target of the module for FUZZTIME each (make fuzz).
#
# Go 1.26's fuzz coordinator can report a bare "context deadline exceeded" as
# a failure when -fuzztime expires while a worker is mid-input (go.dev/issue/75804,
# fixed in Go 1.27). Such a run wrote no failing input and names no other
# failure; it is retried once. Any other failure, and a second deadline
# failure, fails the run with the whole output.
set -euo pipefail
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-20s}
FUZZMINTIME=${FUZZMINTIME:-1s}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# deadline_only: the failed run in $out is the coordinator's deadline race.
deadline_only() {
	grep -q 'context deadline exceeded' "$out" &&
		! grep -q 'Failing input written\|panic:\|_test.go:[0-9]' "$out"
}

run() { "$GO" test -run '^$' -fuzz "^$2\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZMINTIME" "$1" >"$out" 2>&1; }

for pkg in $("$GO" list ./...); do
	for f in $("$GO" test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
		echo "== $pkg $f"
		if ! run "$pkg" "$f"; then
			if deadline_only; then
				echo "   (fuzz coordinator deadline race, no failing input: retrying once)"
				run "$pkg" "$f" || { cat "$out"; exit 1; }
			else
				cat "$out"
				exit 1
			fi
		fi
		grep 'fuzz: elapsed' "$out" | tail -1
	done
done
