#!/usr/bin/env bash
# Benchmark of the pause and of apply/undo, next to a stop_machine() that
# does nothing and to the kernel's own livepatch, at several thread counts,
# in one guest run (QEMU TCG, 2 vCPUs, KASLR on).  A measurement, not a
# test: it asserts nothing but success.  Run it on an idle machine.
#
#   scripts/bench-apply.sh [--runs N] [--threads "0 2000 10000"] [--mem MB]
#                          [--mods DIR] [--out DIR]
#
# At each count (that many sleeping threads added to the guest's own), RUNS
# times, in this order:
#   noop       a stop_machine() with an empty callback (scripts/bench/
#              noop_stop), the whole call as its caller sees it
#   apply      insmod value2.ko + "apply" to its stage (kstest_value of the
#              loader tests' kstest module); its sysfs "timings" give the
#              whole stop_machine() call and pause_ns
#   undo       "undo" to the stage (then rmmod, not timed)
#   klp-on     insmod of a livepatch module for the same function
#              (scripts/bench/klp_kstest, klp_enable_patch) until its
#              transition is complete
#   klp-off    "0" to its "enabled" until the transition is complete (then
#              rmmod, not timed)
# and once, at the guest's own thread count, apply and undo of one-function
# updates of two large units (kernel/sched/core.c, fs/proc/base.c: the
# patches in scripts/bench/, made with ksplice-create), for the loader's
# phases outside the pause.
#
# --mods DIR reuses the output of tests/loader/build-tests.sh (e.g.
# build/tests/loader/out); otherwise it is built in OUT (default
# build/bench-apply).  Needs scripts/setup.sh to have run (build/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/kernel-env.sh"
runs=10 counts="0 2000 10000" mem=2048 mods= out=$root/build/bench-apply
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--threads) counts=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--mods) mods=$(readlink -f "$2"); shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
bin=$root/build/cli
mkdir -p "$out"
out=$(readlink -f "$out")
bench=$root/scripts/bench

if [ -z "$mods" ]; then
	mods=$out/mods
	"$root/tests/loader/build-tests.sh" --diff "$bin/ksplice-diff" "$mods" \
		> "$out/build.log" 2>&1 || { cat "$out/build.log" >&2; exit 1; }
fi
gcc -O2 -Wall -static -pthread -o "$out/bench-tool" "$bench/bench-tool.c"
"$root/scripts/build-module.sh" "$bench/noop_stop" "$out/noop_stop"
"$root/scripts/build-module.sh" "$bench/klp_kstest" "$out/klp_kstest"

# The large units: packages made by ksplice-create, patch module taken out.
for u in sched-core proc-base; do
	"$bin/ksplice-create" --patch "$bench/$u.patch" --id "bench-$u" \
		--config "$KSPLICE_KCONFIG" --headers "$KSPLICE_HEADERS" \
		--cache "$out/cache" -o "$out/$u.tar.gz" "$KSPLICE_SRC" \
		> "$out/create-$u.log" 2>&1 ||
		{ cat "$out/create-$u.log" >&2; exit 1; }
	tar -xzf "$out/$u.tar.gz" -O "ksplice-bench-$u/ksplice-bench-$u.ko" \
		> "$out/$u.ko"
done

cat > "$out/guest.sh" <<'GUEST'
set -e
M=/host$1 O=/host$2 runs=$3 counts=$4
S=/sys/kernel/ksplice L=/sys/kernel/livepatch/klp_kstest
tool=$O/bench-tool
t() { "$tool" time "$@"; }
rm_retry() { # rmmod, retried while the module is still in use
	for _ in $(seq 100); do rmmod "$1" 2>/dev/null && return; sleep 0.1; done
	rmmod "$1"
}
phases() { # COUNT WHAT ID: the update's timings, and the threads checked
	sed "s/^/phase $1 $2 /" "$S/$3/timings"
	dmesg | grep "'$3': \(applied\|reversed\) " | tail -n 1 |
		sed -n "s/.* \([0-9]*\) threads checked before, \([0-9]*\) inside$/checked $1 $2 \1 \2/p"
}
insmod "$M/core/ksplice.ko"
insmod "$M/kstest/kstest.ko"
insmod "$O/noop_stop/noop_stop.ko"
for n in $counts; do
	pid=
	if [ "$n" -gt 0 ]; then
		"$tool" threads "$n" > /tmp/threads &
		pid=$!
		until grep -q ready /tmp/threads; do sleep 1; done
	fi
	tasks=$(ls -d /proc/[0-9]*/task/[0-9]* | wc -l)
	echo "count $n $tasks"
	for _ in $(seq "$runs"); do
		echo 1 > /proc/ksplice_noop_stop
		echo "sample $n noop $(cat /proc/ksplice_noop_stop)"
		echo "sample $n apply $(t insmod "$M/value2.ko" , write "$S/value2/stage" apply)"
		phases "$n" apply value2
		[ "$(cat /proc/kstest/value)" = 2 ] || { echo "value2 not applied"; exit 1; }
		echo "sample $n undo $(t write "$S/value2/stage" undo)"
		phases "$n" undo value2
		rm_retry value2
		echo "sample $n klp-on $(t insmod "$O/klp_kstest/klp_kstest.ko" , until "$L/transition" 0)"
		[ "$(cat /proc/kstest/value)" = 2 ] || { echo "livepatch not applied"; exit 1; }
		echo "sample $n klp-off $(t write "$L/enabled" 0 , until "$L/transition" 0)"
		rm_retry klp_kstest
		[ "$(cat /proc/kstest/value)" = 1 ] || { echo "livepatch not disabled"; exit 1; }
	done
	if [ -n "$pid" ]; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
done
for u in sched-core proc-base; do
	for _ in $(seq "$runs"); do
		insmod "$O/$u.ko"
		echo "sample 0 $u-apply $(t write "$S/bench-$u/stage" apply)"
		grep -qx applied "$S/bench-$u/stage" ||
			{ cat "$S/bench-$u/abort_cause"; dmesg | tail -n 20; exit 1; }
		phases 0 "$u-apply" "bench-$u"
		echo "sample 0 $u-undo $(t write "$S/bench-$u/stage" undo)"
		phases 0 "$u-undo" "bench-$u"
		rm_retry "ksplice_bench_$u" 2>/dev/null || rm_retry "ksplice-bench-$u"
	done
done
GUEST
"$root/scripts/vm-run.sh" --mem "$mem" --timeout 5400 --out "$out/vm" \
	"$out/guest.sh" "$mods" "$out" "$runs" "$counts" > "$out/vm.log" 2>&1 ||
	{ cat "$out/vm.log" >&2; exit 1; }

# median KEY...: the median of the last field of the lines starting KEY.
median() {
	grep "^$* " "$out/vm.log" | awk '{ print $NF }' | sort -n |
		awk '{ v[NR] = $1 } END { if (!NR) print 0; else print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
us() { echo "scale=1; $1 / 1000" | bc; }
ms() { echo "scale=1; $1 / 1000000" | bc; }
ratio() { echo "scale=2; $1 / $2" | bc; }

printf '\nksplice apply benchmark: %s (%s), QEMU TCG%s 2 vCPUs, %s MiB, %s, median of %s\n' \
	"$KSPLICE_KVER" "$KSPLICE_KREL" "${KSPLICE_TCG_OPTS-,thread=single}" "$mem" "$(date -u +%F)" "$runs"
printf '\n%8s %7s %9s %9s %9s %6s %9s %6s %9s %9s %9s %9s %6s %6s\n' threads \
	inside "noop us" "stop us" "pause us" ratio "undo us" ratio "apply ms" \
	"undo ms" "klp-on" "klp-off" "on/ap" "off/un"
for n in $counts; do
	tasks=$(awk -v n="$n" '$1 == "count" && $2 == n { print $3 }' "$out/vm.log")
	noop=$(median sample "$n" noop)
	stop=$(median phase "$n" apply stop_machine)
	pause=$(median phase "$n" apply pause)
	ustop=$(median phase "$n" undo stop_machine)
	apply=$(median sample "$n" apply)
	undo=$(median sample "$n" undo)
	kon=$(median sample "$n" klp-on)
	koff=$(median sample "$n" klp-off)
	inside=$(grep "^checked $n apply " "$out/vm.log" | awk '{ print $5 }' |
		sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "-" }')
	printf '%8s %7s %9s %9s %9s %6s %9s %6s %9s %9s %9s %9s %6s %6s\n' "$tasks" \
		"$inside" "$(us "$noop")" "$(us "$stop")" "$(us "$pause")" "$(ratio "$stop" "$noop")" \
		"$(us "$ustop")" "$(ratio "$ustop" "$noop")" "$(ms "$apply")" "$(ms "$undo")" \
		"$(ms "$kon")" "$(ms "$koff")" "$(ratio "$kon" "$apply")" "$(ratio "$koff" "$undo")"
done
printf '\nphases of apply (median ms) at %s threads\n' \
	"$(awk '$1 == "count" && $2 == 0 { print $3 }' "$out/vm.log")"
phases=$(awk '$1 == "phase" { print $4 }' "$out/vm.log" | awk '!seen[$0]++')
printf '%-14s' phase
for w in apply sched-core-apply proc-base-apply; do printf ' %16s' "$w"; done
printf '\n'
for p in $phases; do
	printf '%-14s' "$p"
	for w in apply sched-core-apply proc-base-apply; do
		printf ' %16s' "$(echo "scale=3; $(median phase 0 "$w" "$p") / 1000000" | bc)"
	done
	printf '\n'
done
