#!/usr/bin/env bash
# Benchmark: self-match and self-diff of the kernel's objects.
#
#   scripts/bench-selfmatch.sh [--objects FILE] [--no-vmlinux]
#                              [--modules "M..."] [--out DIR] [-j N]
#
# Every object linked into vmlinux (or those listed in FILE) and every
# object of the modules M (default: a dozen the Debian image can load
# without hardware; their dependencies are loaded too) is compiled twice
# in a farm by ksplice-create --self-match: each must diff as "no change"
# against its second compile (the self-diff), and the units become
# updates that replace nothing.  The guest then loads the modules and
# runs the loader's check (ksplice-apply --dry-run) on every package
# (tests/selfmatch/guest.sh): a unit whose code does not match the
# running kernel it was built for is a bug of the matcher.  The units with
# mismatches are packaged one by one and checked again, so that the
# loader gives the reasons of each (it details 8 per check).
#
# Prints objects, functions, the self-diff, units and functions without a
# mismatch, the loader's counts of pre sections (matched, mismatch,
# ambiguous, absent, weak, skipped), every mismatch, and the times of
# compile, create (diff and packages) and check.  Long: run it niced on an idle
# machine (the whole of vmlinux is about 2,000 objects).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/kernel-env.sh"

objects= vmlinux=1 out= jobs=2
modules="loop isofs squashfs fat vfat dummy veth nf_tables bridge tun xfs ext4 overlay fuse"
while [ $# -gt 0 ]; do
	case $1 in
	--objects) objects=$(readlink -f "$2"); shift 2 ;;
	--no-vmlinux) vmlinux=0; shift ;;
	--modules) modules=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	-j) jobs=$2; shift 2 ;;
	*) echo "usage: $0 [--objects FILE] [--no-vmlinux] [--modules \"M...\"] [--out DIR] [-j N]" >&2
	   exit 2 ;;
	esac
done
bin=${KSPLICE_BIN:-$root/build/cli}
[ -x "$bin/ksplice-create" ] || { echo "bench-selfmatch: no $bin/ksplice-create (build first, or set KSPLICE_BIN)" >&2; exit 1; }
out=${out:-$(mktemp -d /tmp/ksplice-bench-selfmatch.XXXXXX)}
mkdir -p "$out"
out=$(readlink -f "$out")
log() { echo "bench-selfmatch: $*"; }

# The modules to load, dependencies first; their objects are checked too.
mapfile -t order < <([ -z "$modules" ] || "$root/tests/selfmatch/modules.sh" $modules)
targets=()
[ "$vmlinux" = 0 ] || [ -n "$objects" ] || targets+=(--target vmlinux)
for f in "${order[@]}"; do
	m=$(basename "$f" .ko)
	targets+=(--target "${m//-/_}")
done
[ -z "$objects" ] || targets+=(--objects "$objects")

create() { # ID ARGS...: ksplice-create --self-match into $out/ID
	local id=$1
	shift
	nice -n 10 "$bin/ksplice-create" --self-match --id "$id" -j "$jobs" \
		--config "$KSPLICE_KCONFIG" --headers "$KSPLICE_HEADERS" \
		--cache "$out/cache" -o "$out/$id" "$@" "$KSPLICE_SRC"
}

check() { # ID: the guest checks $out/ID/*.tar.gz
	local id=$1 n
	n=$(ls "$out/$id"/*.tar.gz 2> /dev/null | wc -l)
	"$root/scripts/vm-run.sh" --timeout $((600 + 120 * n)) --mem 2048 \
		--out "$out/vm-$id" "$root/tests/selfmatch/guest.sh" "$bin" \
		"$out/$id" "${order[@]}" > "$out/$id.check" 2>&1 || true
}

t0=$(date +%s)
rc=0
create sm "${targets[@]}" > "$out/sm.create" 2> "$out/sm.create.err" || rc=$?
t1=$(date +%s)
summary=$(grep '^summary:' "$out/sm.create") ||
	{ echo "bench-selfmatch: ksplice-create failed (exit $rc):"; tail -20 "$out/sm.create.err"; exit 1; }
log "create: $summary"
grep 'self-diff' "$out/sm.create" | sed 's/^/  /' || true
check sm
t2=$(date +%s)
grep -E '^(selfmatch|vm-run):' "$out/sm.check" | sed 's/^/  /'

# Run-pre matching reports every section of every unit ('match'), the
# reasons of the first 8 mismatches of a package ('detail'): the units
# with mismatches again, one package each, for every unit's reasons.
awk '$1 == "match" && $4 ~ /^pre=/ { split($6, a, "="); if (a[2] > 0) print $2 }' \
	"$out/sm.check" | sort -u > "$out/rerun.objects"
t3=$t2 t4=$t2
if [ -s "$out/rerun.objects" ]; then
	log "again, one package per unit: $(wc -l < "$out/rerun.objects") units with mismatches"
	create unit --compile-once --package-units 1 --objects "$out/rerun.objects" \
		> "$out/unit.create" 2> "$out/unit.create.err" || true
	t3=$(date +%s)
	check unit
	t4=$(date +%s)
fi

# Results: per unit, the loader's counts of its pre sections.
awk -F'\t' '!/^#/ { print $1, $4 }' "$out/sm/sm.units" > "$out/units"
awk -v uf="$out/units" '
	BEGIN { while ((getline l < uf) > 0) { split(l, a, " "); fn[a[1]] = a[2]; units++; funcs += a[2] } }
	$1 == "match" && $4 ~ /^pre=/ {
		checked[$2] = 1
		for (i = 4; i <= 10; i++) { split($i, kv, "="); sum[kv[1]] += kv[2]; if (kv[1] == "mismatch" && kv[2] > 0) bad[$2] = 1 }
	}
	END {
		for (u in checked) { nc++; if (!(u in bad)) { good++; gf += fn[u] } }
		printf "bench-selfmatch: %d units (%d functions); checked %d; without a mismatch: %d units (%.2f%%), %d functions (%.2f%%)\n",
			units, funcs, nc, good, units ? 100 * good / units : 0, gf, funcs ? 100 * gf / funcs : 0
		printf "bench-selfmatch: pre sections %d: matched %d, mismatch %d, ambiguous %d, absent %d, weak %d, skipped %d\n",
			sum["pre"], sum["matched"], sum["mismatch"], sum["ambiguous"], sum["absent"], sum["weak"], sum["skipped"]
	}' "$out/sm.check" | tee "$out/result"
if [ -f "$out/unit.check" ]; then
	log "mismatches:"
	grep '^detail no_match:' "$out/unit.check" | sed 's/^detail /  /' | tee "$out/mismatches"
fi
log "times: compile+diff+packages $((t1 - t0)) s (ksplice-create: $(echo "$summary" | sed 's/.*; compile/compile/; s/; units in.*//')), check $((t2 - t1)) s; second round: create $((t3 - t2)) s, check $((t4 - t3)) s"
log "output in $out"
