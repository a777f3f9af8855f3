#!/usr/bin/env bash
# Host side of the CI self-diff and self-match (label "kernel"):
# ksplice-create --self-match on the fixed sample of objects: every object
# of sample.txt is compiled twice in a farm and must diff as "no change"
# against its second compile (the self-diff, updates sm-NNN); the objects
# of sample-once.txt are compiled once (updates smo-NNN).  Both become
# updates that replace nothing, in OUTDIR/sm/, for selfmatch.sample
# (check.sh).
#   create.sh KSPLICE_CREATE OUTDIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
create=$1 out=$2
. "$root/scripts/kernel-env.sh" || exit 1
mkdir -p "$out"
rm -rf "$out/sm"
# self_match ID SAMPLE [OPTION...]: ksplice-create --self-match on SAMPLE.
self_match() {
	local id=$1 sample=$2 rc=0
	shift 2
	"$create" --self-match --id "$id" --objects "$here/$sample" -j "$(nproc)" "$@" \
		--config "$KSPLICE_KCONFIG" --headers "$KSPLICE_HEADERS" \
		--cache "$out/cache" -o "$out/sm" "$KSPLICE_SRC" > "$out/$id.out" \
		2> "$out/$id.err" || rc=$?
	cat "$out/$id.out"
	if [ "$rc" != 0 ]; then
		echo "FAIL: ksplice-create --self-match $* ($sample) exited $rc"
		tail -20 "$out/$id.err"
		exit 1
	fi
	want=$(grep -vc '^#' "$here/$sample")
	got=$(grep -vc '^#' "$out/sm/$id.units")
	[ "$got" = "$want" ] || { echo "FAIL: $sample: $got units, expected $want"; exit 1; }
}
self_match sm sample.txt
echo "ok: self-diff: $got objects compiled twice, no change in any"
# (In two packages of at most 183 units: their patch modules are built side
# by side.)
self_match smo sample-once.txt --compile-once --package-units 183
echo "ok: $got more objects compiled once"
