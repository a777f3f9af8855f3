#!/usr/bin/env bash
# Benchmark of the product's two timed paths, printed as a table (run it on
# an idle machine; it is a measurement, not a test, and asserts nothing but
# success):
#
#   1. ksplice-create for testdata/kernel-patches/cmdline-string.patch:
#      cold (a new cache: mirror and prepare the tree, then create) and
#      warm (the same cache again, RUNS times), next to its floor: the time
#      to compile the touched file twice in the prepared tree.
#   2. ksplice-apply of that update in the VM (TCG, KASLR on), APPLIES
#      times: the tool's wall time and the pause the loader measured in
#      stop_machine, then ksplice-undo's wall time.
#
#   scripts/bench-create.sh [--runs N] [--applies N] [--skip-cold]
# Needs scripts/setup.sh to have run (the build in build/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/kernel-env.sh"
runs=3 applies=10 cold=1
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--applies) applies=$2; shift 2 ;;
	--skip-cold) cold=0; shift ;;
	*) echo "usage: $0 [--runs N] [--applies N] [--skip-cold]" >&2; exit 2 ;;
	esac
done
bin=$root/build/cli
patch=$root/testdata/kernel-patches/cmdline-string.patch
work=$root/build/bench
mkdir -p "$work"
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

create() { # CACHE OUT
	"$bin/ksplice-create" --patch "$patch" --id bench \
		--config "$KSPLICE_KCONFIG" --headers "$KSPLICE_HEADERS" \
		--cache "$1" -o "$2" "$KSPLICE_SRC" > "$work/create.log" 2>&1 ||
		{ cat "$work/create.log" >&2; exit 1; }
}

cache=$work/cache
if [ "$cold" = 1 ]; then
	rm -rf "$cache"
	t=$(now); create "$cache" "$work/bench.tar.gz"; t_cold=$(since "$t")
else
	create "$cache" "$work/bench.tar.gz"; t_cold=
fi
: > "$work/warm"
for _ in $(seq "$runs"); do
	t=$(now); create "$cache" "$work/bench.tar.gz"; since "$t" >> "$work/warm"
done
t_warm=$(median < "$work/warm")

# The floor: the touched file compiled twice, with the same make command
# ksplice-create uses, in the farm it prepared.
floor() {
	rm -f "$cache/farm/fs/proc/cmdline.o"
	make -s -C "$cache/farm" -j"$(nproc)" KERNELRELEASE="$KSPLICE_KREL" \
		KCFLAGS="-ffunction-sections -fdata-sections" fs/proc/cmdline.o
}
t=$(now); floor; floor; t_floor=$(since "$t")
rm -f "$cache/farm/fs/proc/cmdline.o"

cat > "$work/guest.sh" <<'GUEST'
set -e
bin=/host$1 pkg=/host$2 n=$3
ns() { /usr/bin/date +%s%N; }	# coreutils from /host: busybox has no %N
for i in $(seq "$n"); do
	t=$(ns); "$bin/ksplice-apply" "$pkg" > /dev/null; a=$(( $(ns) - t ))
	p=$("$bin/ksplice-view" --json | sed -n 's/.*"pause_ns":\([0-9]*\).*/\1/p')
	t=$(ns); "$bin/ksplice-undo" bench > /dev/null; u=$(( $(ns) - t ))
	echo "sample $a $p $u"
done
GUEST
"$root/scripts/vm-run.sh" --out "$work/vm" "$work/guest.sh" "$bin" \
	"$work/bench.tar.gz" "$applies" > "$work/vm.log" 2>&1 ||
	{ cat "$work/vm.log" >&2; exit 1; }
col() { awk -v c="$1" '$1 == "sample" { print $c / 1e6 }' "$work/vm.log" | median; }
colmax() { awk -v c="$1" '$1 == "sample" { print $c / 1e6 }' "$work/vm.log" | sort -n | tail -1; }

printf '\nksplice benchmark: %s (%s), %s CPUs, %s\n' "$KSPLICE_KVER" "$KSPLICE_KREL" \
	"$(nproc)" "$(date -u +%F)"
printf '%-52s %10s\n' "what" "seconds"
[ -n "$t_cold" ] && printf '%-52s %10.1f\n' "ksplice-create cmdline-string, cold (new cache)" "$t_cold"
printf '%-52s %10.1f\n' "ksplice-create cmdline-string, warm (median of $runs)" "$t_warm"
printf '%-52s %10.1f\n' "floor: compile fs/proc/cmdline.o twice" "$t_floor"
printf '\n%-52s %10s %10s\n' "in the VM (TCG, 2 vCPUs), $applies runs" "median ms" "max ms"
printf '%-52s %10.1f %10.1f\n' "ksplice-apply wall time" "$(col 2)" "$(colmax 2)"
printf '%-52s %10.3f %10.3f\n' "pause in stop_machine (loader's figure)" "$(col 3)" "$(colmax 3)"
printf '%-52s %10.1f %10.1f\n' "ksplice-undo wall time" "$(col 4)" "$(colmax 4)"
