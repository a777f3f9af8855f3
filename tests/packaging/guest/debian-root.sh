# Sourced by the guest scripts of tests/packaging (busybox sh, as root, in
# the VM): debian_root OVERLAY_KO makes $root a Debian system to install
# packages in: the host's / (read-only at /host) under a writable overlay
# in the guest's RAM, with the guest's /proc, /sys and /dev, and an empty
# /run (no systemd runs here); host paths are the same inside.  Changes made in it are under $upper.
root=/tmp/root upper=/tmp/ovl/up
debian_root() {
	mkdir -p $upper /tmp/ovl/work $root
	insmod "/host$1" || { echo "FAIL: insmod overlay"; exit 1; }
	mount -t overlay overlay \
		-o lowerdir=/host,upperdir=$upper,workdir=/tmp/ovl/work $root ||
		{ echo "FAIL: cannot mount the overlay root"; exit 1; }
	mount -t proc proc $root/proc
	mount -t sysfs sys $root/sys
	mount -o bind /dev $root/dev
	mount -t tmpfs run $root/run
	# /tmp stays the host's (under the overlay): the checkout and its build
	# may live there (a CI clone in /tmp), and the scripts get host paths.
	# man-db's trigger would rebuild the whole index: a minute in TCG.
	rm -f $root/var/lib/man-db/auto-update
}
