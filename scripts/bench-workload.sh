# The guest workload of the benchmarks (bench-realworld-guest.sh,
# bench-release-guest.sh), sourced by them: they define modprobe and
# loaded (kmod over the image's modules) first.
# A small workload: file I/O on tmpfs and on an ext4 loop filesystem,
# fork/exec churn, loopback networking.  Run in a subshell: the first step
# that fails ends it and is named.
w() { "$@" || { echo "workload step failed: $*"; exit 1; }; }
workload() {
	w dd if=/dev/urandom of=/tmp/w.1 bs=64k count=64
	w cp /tmp/w.1 /tmp/w.2
	w cmp /tmp/w.1 /tmp/w.2
	w mkdir -p /tmp/wd
	for i in $(seq 50); do echo "$i" > /tmp/wd/f$i; done
	w test "$(cat /tmp/wd/f* | wc -l)" = 50
	w rm -rf /tmp/wd /tmp/w.2
	for i in $(seq 30); do w /bin/true; w /host/usr/bin/true; done
	w test "$(/host/usr/bin/env sh -c 'echo $((6 * 7))')" = 42
	for m in loop ext4; do loaded $m || w modprobe $m; done
	w dd if=/dev/zero of=/tmp/fs.img bs=1M count=16
	w /host/sbin/mke2fs -q -F -t ext4 /tmp/fs.img
	w mkdir -p /tmp/mnt
	w mount -o loop /tmp/fs.img /tmp/mnt
	w cp /tmp/w.1 /tmp/mnt/w
	w sync
	w cmp /tmp/w.1 /tmp/mnt/w
	w umount /tmp/mnt
	w rm -f /tmp/w.1 /tmp/fs.img
	w ip link set lo up
	w ping -c 2 -W 2 127.0.0.1
	timeout 10 nc -l -p 7777 > /tmp/nc.out &
	sleep 1
	w sh -c 'echo ksplice-loopback | nc -w 2 127.0.0.1 7777'
	wait
	w grep -q ksplice-loopback /tmp/nc.out
	rm -f /tmp/nc.out
}
