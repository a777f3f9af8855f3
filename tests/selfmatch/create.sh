#!/usr/bin/env bash
# Host side of the CI self-diff and self-match (label "kernel"):
# ksplice-create --self-match on the fixed sample of objects (sample.txt):
# every object is compiled twice in a farm and must diff as "no change"
# against its second compile (the self-diff); the units become updates
# that replace nothing, in OUTDIR/sm/, for selfmatch.sample (check.sh).
#   create.sh KSPLICE_CREATE OUTDIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
create=$1 out=$2
. "$root/scripts/kernel-env.sh" || exit 1
mkdir -p "$out"
rm -rf "$out/sm"
rc=0
"$create" --self-match --id sm --objects "$here/sample.txt" -j "$(nproc)" \
	--config "$KSPLICE_KCONFIG" --headers "$KSPLICE_HEADERS" \
	--cache "$out/cache" -o "$out/sm" "$KSPLICE_SRC" > "$out/create.out" \
	2> "$out/create.err" || rc=$?
cat "$out/create.out"
if [ "$rc" != 0 ]; then
	echo "FAIL: ksplice-create --self-match exited $rc"
	tail -20 "$out/create.err"
	exit 1
fi
want=$(grep -vc '^#' "$here/sample.txt")
got=$(grep -vc '^#' "$out/sm/sm.units")
[ "$got" = "$want" ] || { echo "FAIL: $got units, expected $want"; exit 1; }
echo "ok: self-diff: $got objects compiled twice, no change in any"
