# Guest side of cluster.vm_rollout (busybox sh, as root, in the VM): one
# node of the test cluster.  Makes a Debian root (the host's / under a
# writable overlay, tests/packaging/guest/debian-root.sh) and runs the
# host's sshd in it with the test's own throwaway keys (WORK/ssh), on the
# port vm-run --ssh forwards to; then serves until the host creates
# $KSPLICE_OUT/stop.  Everything else happens over SSH.
#   node.sh WORK OVERLAY_KO   (host paths)
set -u
here=$(dirname "$0")
. "$here/../../packaging/guest/debian-root.sh"
debian_root "$2"
ssh=$1/ssh
# root logs in to an empty home of its own, not the host's /root (its
# ~/.ssh, its ~/.bashrc, which bash reads for every command sshd runs).
mkdir -p -m 700 $root/run/root-home
sed -i 's|^root:\([^:]*\):0:0:\([^:]*\):[^:]*:|root:\1:0:0:\2:/run/root-home:|' $root/etc/passwd
grep -q '^root:[^:]*:0:0:[^:]*:/run/root-home:' $root/etc/passwd ||
	{ echo "FAIL: cannot give root a home of its own"; exit 1; }
mkdir -p $root/run/sshd
chmod 755 $root/run/sshd
chroot $root /usr/sbin/sshd -f "$ssh/sshd_config" -E /run/sshd.log ||
	{ echo "FAIL: sshd did not start"; cat $root/run/sshd.log; exit 1; }
echo "node: sshd runs"
while [ ! -e "$KSPLICE_OUT/stop" ]; do sleep 1; done
kill "$(cat $root/run/sshd.pid)"
echo "node: stopped"
exit 0
