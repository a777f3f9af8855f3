#!/usr/bin/env bash
# scripts/bench/live-coverage.sh on made-up records and guest results:
# the functions of vmlinux and of loaded modules count, a module's name
# with '-' matches the kernel's with '_', an update is live only where the
# loader patched its target, refused files count against coverage, and
# errors and refusals before any comparison are named as not counted.
#   live-coverage.sh SCRIPT
set -euo pipefail
script=$1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mkdir -p "$t/series/results" "$t/guest"
r=$t/series/results
printf 'fate 0\nid a\nfunctions fs/a.o vmlinux 3\n' > "$r/001-a"
printf 'fate 0\nid b\nfunctions drivers/b.o hid-b 2\nfunctions drivers/c.o notloaded 5\n' > "$r/002-b"
printf 'fate 0\nid w\nfunctions fs/w.o kafs 4\n' > "$r/003-w"
printf 'fate 2\nrefused 6\nfunctions kernel/r.o vmlinux 6\n' > "$r/004-r"
printf 'fate 2\nrefused 1\n' > "$r/005-early"
printf 'fate 7\n' > "$r/006-err"
printf 'fate 7\n' > "$r/008-joined"	# the report: with a header's group
printf 'a.c: update a (3 functions)\nerr.c: error: it does not compile\njoined.c: update: with x.h\n' > "$t/series/report.txt"
printf 'fate 3\n' > "$r/007-same"
echo inputs > "$r/inputs"
printf 'a vmlinux loaded-patched\nb hid_b loaded-patched\nb notloaded waiting\nw kafs waiting\n' > "$t/guest/live"
printf 'hid_b\nkafs\n' > "$t/guest/loaded"
got=$("$script" "$t/series" "$t/guest")
want="coverage of the code this kernel runs (vmlinux and 2 modules loaded): 5 of 15 changed functions live (33.3 %); not live: 6 refused, 4 of updates not live there w; not counted: 1 refused files before any function was compared, 1 files that failed to build"
[ "$got" = "$want" ] || { printf 'got:  %s\nwant: %s\n' "$got" "$want"; exit 1; }
rm "$t/guest/live"
case $("$script" "$t/series" "$t/guest") in
*'not measured'*) ;;
*) echo "no guest results: not said"; exit 1 ;;
esac
echo "ok: live coverage"
