# The kernel rewrites its own hot text while every vCPU runs it: the
# schedstats static key sits in __schedule, and each toggle is a
# text_poke_bp() there (int3, tail, first byte) while the other vCPU
# switches tasks without pause.  With a thread per TCG vCPU, QEMU 7.2 lost
# such a rewrite within a few dozen toggles and both vCPUs spun on the
# stale int3 (scripts/vm-run.sh says why it runs them in one thread).
n=${1:-500}
( while :; do sleep 0; done ) &
busy=$!
i=0
while [ "$i" -lt "$n" ]; do
	echo 1 > /proc/sys/kernel/sched_schedstats || exit 1
	echo 0 > /proc/sys/kernel/sched_schedstats || exit 1
	i=$((i + 1))
done
kill "$busy"
echo "ok: schedstats toggled $n times under a switching load"
