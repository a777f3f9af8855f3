# Guest side of scripts/bench-release.sh (busybox sh, OLD's kernel): the
# whole series applied while a workload runs, the workload again, the
# series undone, the workload again; the kernel log checked.
#   bench-release-guest.sh BIN_DIR MODROOT SERIES_DIR
# $KSPLICE_OUT/results: "apply RC SECONDS LAST-LINE", "updates N applied,
# N waiting, ...", "apply-loaded RC SECONDS ..." (again, with the modules
# the waiting updates named loaded), "health-applied RC",
# "undo RC SECONDS", "health-undone RC", "log clean|N bad lines";
# $KSPLICE_OUT/live and loaded: what the series made live (below).
set -u
bin=/host$1 modroot=/host$2 dir=/host$3
out=$KSPLICE_OUT
: > "$out/results"
note() { echo "$*" >> "$out/results"; sync; }
secs() { awk '{ print $1 }' /proc/uptime; }
since() { awk -v a="$1" -v b="$(secs)" 'BEGIN { print b - a }'; }	# seconds since $1 (secs)
. "$(dirname "$0")/bench-workload.sh"	# the workload, modprobe, loaded
health() { if (workload) > /tmp/health.log 2>&1; then note "health-$1 0"; else note "health-$1 1 $(tail -1 /tmp/health.log)"; fi; }

# The load: the workload in a loop until the apply is done.
( while [ ! -f /tmp/stop ]; do (workload) > /dev/null 2>&1; done ) &
t0=$(secs)
rc=0
"$bin/ksplice-apply" --no-persist "$dir" > /tmp/apply.out 2>&1 || rc=$?
took=$(since "$t0")
touch /tmp/stop; wait
note "apply $rc $took s: $(grep -E '^\[|error' /tmp/apply.out | tail -1)"
cp /tmp/apply.out "$out/apply.out"
# Each update's fate ("[k/n] ID: applied (...)", "waiting ...", "FAILED").
fates() { sed -n 's/^\[[0-9]*\/[0-9]*\] [^ ]*: \([a-zA-Z]*\).*/\1/p' "$1" | sort | uniq -c | awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }'; }
note "updates $(fates /tmp/apply.out)"
# The updates that waited for a module: load it, as an operator would, and
# apply the series again (without the workload).
mods=$(sed -n "s/^\[[0-9]*\/[0-9]*\] [^ ]*: waiting for module '\([^']*\)'.*/\1/p" /tmp/apply.out | sort -u)
if [ -n "$mods" ]; then
	for m in $mods; do modprobe "$m" 2> /tmp/modprobe.err || note "modprobe $m failed: $(tail -1 /tmp/modprobe.err)"; done
	t0=$(secs)
	rc=0
	"$bin/ksplice-apply" --no-persist "$dir" > /tmp/apply2.out 2>&1 || rc=$?
	took=$(since "$t0")
	cp /tmp/apply2.out "$out/apply-loaded.out"
	note "apply-loaded $rc $took s, with $(echo $mods) loaded: $(fates /tmp/apply2.out)"
fi
# What is live: each applied update's targets and whether the loader
# patched them ("ID TARGET loaded-patched"), and the modules loaded (with
# vmlinux, the code this kernel runs): scripts/bench/live-coverage.sh.
for d in /sys/kernel/ksplice/*/; do
	[ "$(cat "$d/stage" 2>/dev/null)" = applied ] || continue
	sort -u "$d/targets" | sed "s|^|$(basename "$d") |"
done > "$out/live"
cut -d' ' -f1 /proc/modules | grep -v '^ksplice' | sort > "$out/loaded"
health applied
t0=$(secs)
rc=0
"$bin/ksplice-undo" --all > /tmp/undo.out 2>&1 || rc=$?
took=$(since "$t0")
cp /tmp/undo.out "$out/undo.out"
note "undo $rc $took s"
health undone
n=$(dmesg | grep -cE 'Call Trace|BUG:|WARNING:|Oops|Kernel panic|general protection fault')
[ "$n" = 0 ] && note "log clean" || note "log $n bad lines"
