#!/usr/bin/env bash
# Benchmark: self-match and self-diff of the kernel's objects.
#
#   scripts/bench-selfmatch.sh [--objects FILE] [--no-vmlinux]
#                              [--modules "M..."] [--out DIR] [-j N]
#                              [--parts N]
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
# machine (the whole of vmlinux is about 2,000 objects).  --parts N splits
# the objects (ksplice-create --self-match --list-objects) into N runs,
# each in OUT/part-K: a part whose result is there is not run again, so a
# run stopped midway resumes with the same --out and --parts (each part
# compiles in a farm of its own make; the figures are the parts' sums;
# a part whose packages were made runs only its check again).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/kernel-env.sh"

objects= vmlinux=1 out= jobs=2 parts=1
modules="loop isofs squashfs fat vfat dummy veth nf_tables bridge tun xfs ext4 overlay fuse"
while [ $# -gt 0 ]; do
	case $1 in
	--objects) objects=$(readlink -f "$2"); shift 2 ;;
	--no-vmlinux) vmlinux=0; shift ;;
	--modules) modules=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	-j) jobs=$2; shift 2 ;;
	--parts) parts=$2; shift 2 ;;
	*) echo "usage: $0 [--objects FILE] [--no-vmlinux] [--modules \"M...\"] [--out DIR] [-j N] [--parts N]" >&2
	   exit 2 ;;
	esac
done
bin=${KSPLICE_BIN:-$root/build/cli}
. "$root/scripts/bench/need-tools.sh"
need_tools bench-selfmatch "$bin"
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

create() { # DIR ID ARGS...: ksplice-create --self-match into DIR/ID
	local dir=$1 id=$2
	shift 2
	nice -n 10 "$bin/ksplice-create" --self-match --id "$id" -j "$jobs" \
		--config "$KSPLICE_KCONFIG" --headers "$KSPLICE_HEADERS" \
		--cache "$out/cache" -o "$dir/$id" "$@" "$KSPLICE_SRC"
}

check() { # DIR ID: the guest checks DIR/ID/*.tar.gz
	local dir=$1 id=$2 n
	n=$(ls "$dir/$id"/*.tar.gz 2> /dev/null | wc -l)
	"$root/scripts/vm-run.sh" --timeout $((600 + 120 * n)) --mem 2048 \
		--out "$dir/vm-$id" "$root/tests/selfmatch/guest.sh" "$bin" \
		"$dir/$id" "${order[@]}" > "$dir/$id.check" 2>&1 || true
}

# run DIR ARGS...: one self-match of the objects ARGS choose, checked in
# the guest; the units with mismatches again, one package each.  DIR gets
# units (object, functions), sm.check, mismatches, times and result.
run() {
	local dir=$1 rc=0 t0 t1 t2 t3 t4 summary
	shift
	mkdir -p "$dir"
	t0=$(date +%s)
	if [ -s "$dir/sm.create.secs" ] && grep -q '^summary:' "$dir/sm.create"; then
		# Its create finished before the run stopped: only the check again.
		t0=$((t0 - $(cat "$dir/sm.create.secs")))
	else
		create "$dir" sm "$@" > "$dir/sm.create" 2> "$dir/sm.create.err" || rc=$?
		echo $(($(date +%s) - t0)) > "$dir/sm.create.secs"
	fi
	t1=$(date +%s)
	summary=$(grep '^summary:' "$dir/sm.create") ||
		{ echo "bench-selfmatch: ksplice-create failed (exit $rc):"; tail -20 "$dir/sm.create.err"; exit 1; }
	log "create: $summary"
	grep 'self-diff' "$dir/sm.create" | sed 's/^/  /' || true
	check "$dir" sm
	t2=$(date +%s)
	grep -E '^(selfmatch|vm-run):' "$dir/sm.check" | sed 's/^/  /'
	# Run-pre matching reports every section of every unit ('match'), the
	# reasons of the first 8 mismatches of a package ('detail'): the units
	# with mismatches again, one package each, for every unit's reasons.
	awk '$1 == "match" && $4 ~ /^pre=/ { split($6, a, "="); if (a[2] > 0) print $2 }' \
		"$dir/sm.check" | sort -u > "$dir/rerun.objects"
	t3=$t2 t4=$t2
	: > "$dir/mismatches"
	if [ -s "$dir/rerun.objects" ]; then
		log "again, one package per unit: $(wc -l < "$dir/rerun.objects") units with mismatches"
		create "$dir" unit --compile-once --package-units 1 --objects "$dir/rerun.objects" \
			> "$dir/unit.create" 2> "$dir/unit.create.err" || true
		t3=$(date +%s)
		check "$dir" unit
		t4=$(date +%s)
		grep '^detail no_match:' "$dir/unit.check" | sed 's/^detail /  /' > "$dir/mismatches" || true
	fi
	awk -F'\t' '!/^#/ { print $1, $4 }' "$dir/sm/sm.units" > "$dir/units"
	echo "$((t1 - t0)) $((t2 - t1)) $((t3 - t2)) $((t4 - t3)) $(echo "$summary" | sed 's/.*; compile/compile/; s/; units in.*//')" > "$dir/times"
	summarize "$dir/units" "$dir/sm.check" > "$dir/result"
}

# summarize UNITS CHECK...: per unit, the loader's counts of its pre sections.
summarize() {
	awk -v uf="$1" '
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
	}' "${@:2}"
}

if [ "$parts" = 1 ]; then
	run "$out" "${targets[@]}"
	dirs=("$out")
else
	# The objects, listed once, then PARTS slices of them (in the order
	# ksplice-create sorts them: by target, then path).
	if [ ! -s "$out/objects" ]; then
		create "$out" list --list-objects "${targets[@]}" > "$out/objects.tmp" 2> "$out/list.err" ||
			{ echo "bench-selfmatch: listing the objects failed:"; tail -20 "$out/list.err"; exit 1; }
		mv "$out/objects.tmp" "$out/objects"
	fi
	total=$(wc -l < "$out/objects")
	log "$total objects in $parts parts"
	dirs=()
	for k in $(seq 1 "$parts"); do
		dir=$out/part-$k
		dirs+=("$dir")
		[ ! -s "$dir/result" ] || { log "part $k of $parts: done earlier"; continue; }
		mkdir -p "$dir"
		awk -v k="$k" -v n="$parts" -v t="$total" 'NR > int((k - 1) * t / n) && NR <= int(k * t / n) { print $1 }' \
			"$out/objects" > "$dir/objects"
		log "part $k of $parts: $(wc -l < "$dir/objects") objects"
		run "$dir" --objects "$dir/objects"
	done
fi

# The results of all parts.
cat "${dirs[@]/%//units}" > "$out/units.all"
summarize "$out/units.all" "${dirs[@]/%//sm.check}" | tee "$out/result.all"
if [ -n "$(cat "${dirs[@]/%//mismatches}")" ]; then
	log "mismatches:"
	cat "${dirs[@]/%//mismatches}"
fi
awk '{ c += $1; k += $2; c2 += $3; k2 += $4 } END {
	printf "bench-selfmatch: times: compile+diff+packages %d s, check %d s; second round: create %d s, check %d s\n", c, k, c2, k2 }' \
	"${dirs[@]/%//times}"
log "output in $out"
