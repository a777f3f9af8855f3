# The guest workload of the benchmarks (bench-realworld-guest.sh,
# bench-release-guest.sh), sourced by them with $modroot set (the image's
# module tree), and the module helpers they share.

# kmod's modprobe over the image's modules (it dispatches on its name; the
# host's /sbin/modprobe links to /bin/kmod, which the guest lacks), also
# for the kernel's own request_module() (a crypto algorithm a module asks
# for: rxrpc's, libcrc32c's).
ln -sf /host/usr/bin/kmod /tmp/modprobe
printf '#!/bin/sh\nexec /tmp/modprobe -d %s "$@"\n' "$modroot" > /tmp/modprobe-helper
chmod +x /tmp/modprobe-helper
echo /tmp/modprobe-helper > /proc/sys/kernel/modprobe
modprobe() { /tmp/modprobe -d "$modroot" "$@"; }
loaded() { grep -q "^$(echo "$1" | tr - _) " /proc/modules; }

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
	w loopback
}

# A line through a TCP connection on lo.  Busybox's nc gives no sign that
# its listener is up, and under TCG a busy guest can take longer than the
# second it is given (once in a health check: an empty nc.out): up to three
# tries, each on its own port, and what the last one received.
loopback() {
	for port in 7777 7778 7779; do
		timeout 10 nc -l -p $port > /tmp/nc.out &
		sleep 1
		echo ksplice-loopback | nc -w 2 127.0.0.1 $port
		wait
		grep -q ksplice-loopback /tmp/nc.out && { rm -f /tmp/nc.out; return 0; }
	done
	echo "loopback: received '$(head -c 80 /tmp/nc.out)'"
	return 1
}
