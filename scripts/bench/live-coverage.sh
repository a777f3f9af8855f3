#!/usr/bin/env bash
# Coverage of the code a kernel runs, issue 12's measure, for
# scripts/bench-release.sh: of the functions a release changes in vmlinux
# and in the modules loaded in the guest, how many the applied series made
# live.
#   live-coverage.sh SERIES_DIR GUEST_DIR
# SERIES_DIR/results/* are ksplice-create --series' records: a file's
# "fate" (0 update, 2 refused), its update's "id", and a line
# "functions OBJECT TARGET N" per object whose functions the change
# alters; SERIES_DIR/report.txt its errors.  GUEST_DIR/live has "ID TARGET STATE" per applied update and
# target (the loader's targets file: "loaded-patched" when its jumps are
# written), GUEST_DIR/loaded the modules loaded (bench-release-guest.sh).
# A function counts when its object's target is vmlinux or loaded; it is
# live when its update is applied and that target loaded-patched.
# Module names compare with '-' as '_', as the kernel's do.
set -euo pipefail
series=$1 guest=$2
[ -f "$guest/live" ] && [ -f "$guest/loaded" ] ||
	{ echo "coverage of the code this kernel runs: not measured (no guest results)"; exit 0; }
# (A file whose own record failed to build may have joined a header's
# group: the report has the final word on errors.)
errors=$(grep -c '^[^ ]*: error' "$series/report.txt" || true)
awk -v errors="$errors" '
function norm(s) { gsub(/-/, "_", s); return s }
FILENAME == ARGV[1] { loaded[norm($1)] = 1; nloaded++; next }
FILENAME == ARGV[2] { if ($3 == "loaded-patched") live[$1 " " norm($2)] = 1; next }
FNR == 1 { fate = -1; id = "" }
$1 == "fate" { fate = $2; if (fate == 2) refusedFile[FILENAME] = 1 }
$1 == "id" { id = $2 }
$1 == "functions" {
	compared[FILENAME] = 1
	t = norm($3)
	if (t != "vmlinux" && !(t in loaded))
		next
	if (fate == 0) {
		changed += $4
		if ((id " " t) in live) n += $4
		else { notLive += $4; if (!(id in waiting)) { waiting[id] = 1; ids = ids " " id } }
	} else if (fate == 2) {
		changed += $4; refused += $4
	}
}
END {
	for (f in refusedFile) uncompared += !(f in compared)
	printf "coverage of the code this kernel runs (vmlinux and %d modules loaded): %d of %d changed functions live", nloaded, n, changed
	if (changed) printf " (%.1f %%)", 100 * n / changed
	printf "; not live: %d refused, %d of updates not live there%s", refused, notLive, ids
	printf "; not counted: %d refused files before any function was compared, %d files that failed to build\n", uncompared, errors
}' "$guest/loaded" "$guest/live" "$series"/results/[0-9]*
